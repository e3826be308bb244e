"""The ``mentions`` stage: which configured brands and competitors a post talks about or to.

People name a brand in many ways: its name or a nickname, a handle, a hashtag, a
cashtag, a link to its site. We fold case and diacritics on both sides so
"ACMÉ" finds "Acme", demand word boundaries so "myacmebankaccount" finds
nothing, and drop a name match that sits inside a configured exclusion ("apple
pie") without dropping other matches in the same post.

A post is *addressed* to a brand when it names one of the brand's handles (a
reply chain or an @-mention): that is someone talking to the brand, which is
what a care team answers. Quoting a brand in an old-style retweet (``RT @brand:``)
is not talking to it.

All terms of all brands are compiled into one regex with a named group per
brand and kind, so each post is scanned once whatever the number of brands.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from goodwill.config import BrandSpec
from goodwill.enrich.stage import Judgement, StageContext
from goodwill.enrich.textnorm import RETWEET_RE, fold, fold_aligned
from goodwill.models import Post

__all__ = ["MentionsStage"]

#: Name/alias matches are the only ambiguous kind, so only they are subject to exclusions.
_EXCLUDABLE: Final = frozenset({"name"})
#: Up to this many distinct first words, a substring test of each comes before the regex.
_MAX_LITERALS: Final = 32
_GAP_RE: Final = re.compile(r"[\s-]+")


@dataclass(frozen=True)
class _Target:
    name: str
    role: str


def _key(surface: str) -> str:
    """How a folded match is looked up: runs of spaces and hyphens count as one space."""
    return _GAP_RE.sub(" ", surface)


def _guarded(term: str, before: str) -> str:
    """``term`` as a regex whose first character must not follow a character in ``before``.

    The check sits after the first character rather than before it: a pattern that
    starts with a literal lets the regex engine jump between candidate characters,
    which makes one scan of a post several times faster.
    """
    first = re.escape(term[0])
    return f"{first}(?<!{before}{first}){_words(term[1:])}"


def _words(term: str) -> str:
    """A folded term as a regex: any run of spaces, or a hyphen, may stand between its words."""
    pieces = re.split(r"(\s+)", term)
    return "".join(r"(?:\s+|-)" if piece.isspace() else re.escape(piece) for piece in pieces)


def _alternatives(spec: BrandSpec) -> list[tuple[str, str, str]]:
    """``(lookup key, regex, kind)`` for every way to refer to one brand, folded."""
    out: list[tuple[str, str, str]] = []
    for handle in spec.all_handles():
        user, _, instance = fold(handle).partition("@")
        if not user:
            continue
        tail = r"(?![\w@-]|\.\w)"
        out.append((f"@{user}", _guarded(f"@{user}", r"[\w@/.]") + tail, "handle"))
        if instance:
            full = f"@{user}@{instance}"
            out.append((full, _guarded(full, r"[\w@/.]") + tail, "handle"))
    for domain in spec.domains:
        d = fold(domain)
        out.append((d, _guarded(d, r"[\w-]") + r"(?![\w-]|\.\w)", "domain"))
    for tag in spec.hashtags:
        t = "#" + fold(tag)
        out.append((t, _guarded(t, r"[\w&#/]") + r"(?!\w)", "hashtag"))
    for tag in spec.cashtags:
        t = "$" + fold(tag)
        out.append((t, _guarded(t, r"[\w$]") + r"(?!\w)", "cashtag"))
    for name in [spec.name, *spec.aliases]:
        n = " ".join(fold(name).split())
        if n:
            out.append((_key(n), _guarded(n, r"[\w./]") + r"(?![\w@]|\.\w)", "name"))
    return out


class MentionsStage:
    """Finds the configured brands (``role: brand``) and competitors a post mentions."""

    name = "mentions"
    version = "1"
    requires: tuple[str, ...] = ()
    provides: tuple[str, ...] = ("brands",)

    def __init__(self, context: StageContext | None = None) -> None:
        config = (context or StageContext()).config
        self._targets: list[_Target] = []
        #: folded lookup key -> (target index, kind); the first brand to claim a key keeps it
        self._lookup: dict[str, tuple[int, str]] = {}
        patterns: dict[str, int] = {}
        specs = [(s, "brand") for s in config.brands] + [(s, "competitor") for s in config.competitors]
        for index, (spec, role) in enumerate(specs):
            self._targets.append(_Target(name=spec.name, role=role))
            for key, pattern, kind in _alternatives(spec):
                self._lookup.setdefault(key, (index, kind))
                patterns.setdefault(pattern, len(key))
        # One alternation without groups (groups would stop the engine skipping ahead);
        # longest first, so "acmebank.example" wins over "acmebank" at the same position.
        ordered = sorted(patterns, key=lambda p: -patterns[p])
        self._pattern: re.Pattern[str] | None = re.compile("|".join(ordered)) if ordered else None
        # Every match contains its term's first word verbatim (only the gaps between words vary), so
        # a text holding none of them cannot match: a few substring searches in C instead of a regex
        # that tries every alternative at every position (most posts name no brand: a firehose).
        firsts = {key.split()[0] for key in self._lookup if key.split()}
        self._literals: tuple[str, ...] | None = (
            tuple(sorted(firsts)) if 0 < len(firsts) <= _MAX_LITERALS else None
        )
        exclusions = [" ".join(fold(e).split()) for e in config.exclusions if e.strip()]
        self._exclusions: re.Pattern[str] | None = (
            re.compile(rf"(?<!\w)(?:{'|'.join(_words(e) for e in exclusions)})(?!\w)") if exclusions else None
        )

    def find(self, text: str) -> list[dict[str, Any]]:
        """The brands ``text`` mentions, in configuration order (brands, then competitors)."""
        if self._pattern is None or not text:
            return []
        folded, origin = fold_aligned(text)
        if self._literals is not None and not any(word in folded for word in self._literals):
            return []
        matches = list(self._pattern.finditer(folded))
        if not matches:
            return []
        retweet = RETWEET_RE.match(folded)
        quoted_until = retweet.end() if retweet else -1
        excluded: list[tuple[int, int]] | None = None
        found: dict[int, tuple[bool, list[str]]] = {}
        for match in matches:
            hit = self._lookup.get(_key(match.group()))
            if hit is None:  # pragma: no cover - every alternative comes from a lookup key
                continue
            index, kind = hit
            start, end = match.span()
            if kind in _EXCLUDABLE and self._exclusions is not None:
                if excluded is None:
                    excluded = [m.span() for m in self._exclusions.finditer(folded)]
                if any(a <= start and end <= b for a, b in excluded):
                    continue
            if origin is not None:
                start, end = origin[start], origin[end]
            surface = text[start:end]
            addressed, forms = found.get(index, (False, []))
            if kind == "handle" and match.start() >= quoted_until:
                addressed = True
            if surface not in forms:
                forms.append(surface)
            found[index] = (addressed, forms)
        out: list[dict[str, Any]] = []
        for index in sorted(found):
            addressed, forms = found[index]
            target = self._targets[index]
            out.append({"name": target.name, "role": target.role, "addressed": addressed, "matched": forms})
        return out

    def process(self, posts: Sequence[Post], enrichment: Sequence[Mapping[str, Any]]) -> list[Judgement]:
        return [{"brands": self.find(post.text) if post.text else []} for post in posts]
