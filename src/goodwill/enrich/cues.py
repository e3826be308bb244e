"""Phrase cues: the evidence every judgement stage is built from.

A cue is a set of short phrases tied to a label and a weight. The stages add up
the weights of the cues that fire, so every score can be explained by quoting
the phrases that produced it; that keeps the judgements auditable by a care
agent, and generalises better than fitting one small labelled file.

Phrases are written in a tiny template language, expanded once at import:
``"(can't|cannot) (log in|login)"`` is four phrases, ``"[please] help"`` has an
optional word, and ``*`` matches any one word. Matching is a walk over the
post's words with a dictionary keyed by each phrase's first word, so its cost
grows with the post, not with the size of the vocabulary: regular expressions
with a hundred alternatives were ~30x too slow for the pipeline's speed target.

A cue that fires right after a negation ("not", "never", "don't") or inside a
hypothetical in the same clause ("if", "would", "imagine") counts for less,
roughly, because "if my card gets charged twice" is not a report that it was.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

__all__ = [
    "HANDLE_RE",
    "URL_RE",
    "Cue",
    "CueBook",
    "Hit",
    "expand",
    "quote",
    "squash",
    "tokens",
    "totals",
]

#: ``@name`` as written on X, Bluesky (``@name.bsky.social``) and Mastodon (``@name@host``).
HANDLE_RE = re.compile(r"(?<![\w@])@([A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_])?(?:@[A-Za-z0-9.\-]+)?)")
URL_RE = re.compile(r"https?://\S+|\bwww\.\S+", re.IGNORECASE)
_TOKEN_RE = re.compile(r"[\w']+|[^\w\s]")

#: Tokens that end a clause: negation and hypotheticals do not reach across them.
CLAUSE_BREAKS: frozenset[str] = frozenset({".", "!", "?", ";", ",", ":", "¿", "¡", "…"})
NEGATORS: frozenset[str] = frozenset(
    {
        "not", "never", "no", "don't", "dont", "doesn't", "doesnt", "didn't", "didnt", "isn't", "isnt",
        "wasn't", "aren't", "won't", "hardly", "without", "nothing", "nobody", "zero", "nor", "cannot",
        "can't", "cant", "ain't", "barely",
    }
)  # fmt: skip
HYPOTHETICALS: frozenset[str] = frozenset(
    {"if", "would", "imagine", "unless", "hope", "hopefully", "suppose", "whether", "might", "wish"}
)
_NEGATION_REACH = 3
_HYPOTHETICAL_REACH = 8
NEGATED_FACTOR = 0.1
HYPOTHETICAL_FACTOR = 0.3


def expand(template: str) -> list[str]:
    """All phrases a template stands for: ``(a|b)`` alternatives and ``[x]`` optional parts.

    Groups nest. The result is whitespace-normalised and free of duplicates.
    """
    alternatives, end = _expand_seq(template, 0)
    if end != len(template):
        raise ValueError(f"unbalanced ')' in cue template {template!r}")
    out: list[str] = []
    for alt in alternatives:
        phrase = " ".join(alt.split())
        if phrase and phrase not in out:
            out.append(phrase)
    return out


def _expand_seq(template: str, pos: int) -> tuple[list[str], int]:
    """Expand from ``pos`` until an unmatched ``|``, ``)`` or ``]``; return phrases and stop position."""
    results = [""]
    branches: list[str] = []
    while pos < len(template):
        char = template[pos]
        if char in "([":
            closing = ")" if char == "(" else "]"
            options: list[str] = []
            pos += 1
            while True:
                part, pos = _expand_seq(template, pos)
                options.extend(part)
                if pos >= len(template):
                    raise ValueError(f"unclosed '{char}' in cue template {template!r}")
                if template[pos] == "|":
                    pos += 1
                    continue
                if template[pos] != closing:
                    raise ValueError(f"mismatched brackets in cue template {template!r}")
                pos += 1
                break
            if closing == "]":
                options.append("")
            results = [r + o for r in results for o in options]
        elif char == "|":
            branches.extend(results)
            results = [""]
            pos += 1
        elif char in ")]":
            break
        else:
            results = [r + char for r in results]
            pos += 1
    return branches + results, pos


@dataclass(frozen=True, slots=True)
class Cue:
    """One piece of evidence: phrase templates and the label they are evidence for.

    ``negatable`` cues lose their weight after a negation (``"don't love"``); a
    cue whose phrase starts with its own negation (``"not working"``) never does.
    """

    label: str
    weight: float
    templates: tuple[str, ...]
    negatable: bool = True
    #: what a reason cites instead of the raw phrase, e.g. "sarcasm"
    note: str | None = None
    #: the phrase reports something failing ("not working"), whatever its label
    failure: bool = False


#: a phrase's words after its first two, whether they hold a ``*``, and its cue
_Entry = tuple[tuple[str, ...], bool, "Cue"]


class Hit(NamedTuple):
    """A cue that fired: its label, the weight it earned here, and the words it matched.

    A named tuple rather than a dataclass: posts make millions of these, and tuples are cheap.
    """

    label: str
    weight: float
    phrase: str
    position: int
    cue: Cue


@lru_cache(maxsize=8192)
def tokens(text: str) -> tuple[str, ...]:
    """The lower-cased words and symbols of ``text``; links are dropped, apostrophes made straight.

    Cached, because three stages read the same post one after another.
    """
    lowered = text.lower()
    if "’" in lowered:
        lowered = lowered.replace("’", "'")
    if "://" in lowered or "www." in lowered:
        lowered = URL_RE.sub(" ", lowered)
    return tuple(_TOKEN_RE.findall(lowered))


class CueBook:
    """A set of cues, indexed by each phrase's first word.

    Picklable: it holds only tuples and dictionaries of strings, never an open
    resource or a compiled pattern.
    """

    def __init__(self, cues: Iterable[Cue]) -> None:
        self.cues: tuple[Cue, ...] = tuple(cues)
        # first word -> (cues whose phrase is that one word, second word -> [(rest, cue)]).
        singles: dict[str, list[Cue]] = {}
        pairs: dict[str, dict[str, list[tuple[tuple[str, ...], Cue]]]] = {}
        for cue in self.cues:
            for template in cue.templates:
                for phrase in expand(template):
                    words = tuple(_TOKEN_RE.findall(phrase))
                    if len(words) == 1:
                        singles.setdefault(words[0], []).append(cue)
                    else:
                        pairs.setdefault(words[0], {}).setdefault(words[1], []).append((words[2:], cue))
                        singles.setdefault(words[0], [])
        # Longest phrases first, so the most specific wording is the one quoted.
        self._index: dict[str, tuple[tuple[Cue, ...], dict[str, tuple[_Entry, ...]]]] = {
            first: (
                tuple(singles.get(first, ())),
                {
                    second: tuple(
                        (rest, "*" in rest, cue) for rest, cue in sorted(entries, key=lambda e: -len(e[0]))
                    )
                    for second, entries in pairs.get(first, {}).items()
                },
            )
            for first in singles
        }
        self._firsts: frozenset[str] = frozenset(self._index)

    def scan(self, words: tuple[str, ...]) -> list[Hit]:
        """Every cue that fires in ``words`` (from :func:`tokens`), discounted for context.

        A cue fires at most once per position; different cues may share words.
        """
        hits: list[Hit] = []
        # Most posts hold no first word of a small book's phrases: say so in C, skipping the loop.
        if self._firsts.isdisjoint(words):
            return hits
        index = self._index
        count = len(words)
        for i, word in enumerate(words):
            found = index.get(word)
            if found is None:
                continue
            singles, pairs = found
            if not pairs or i + 1 == count:
                # Fast path: only one-word phrases can start here.
                for cue in singles:
                    weight = cue.weight * _context_factor(words, i, cue.negatable) if i else cue.weight
                    hits.append(Hit(cue.label, weight, word, i, cue))
                continue
            matched: list[tuple[Cue, int]] = []
            for second in (words[i + 1], "*"):
                entries = pairs.get(second)
                if entries is None:
                    continue
                for rest, wild, cue in entries:
                    size = len(rest)
                    end = i + 2 + size
                    if end > count:
                        continue
                    if (wild and _matches(words, i + 2, rest)) or (
                        not wild and (not size or words[i + 2 : end] == rest)
                    ):
                        matched.append((cue, 2 + size))
            for cue in singles:
                matched.append((cue, 1))
            if not matched:
                continue
            fired: set[int] = set()
            for cue, length in matched:
                key = id(cue)
                if key in fired:
                    continue
                fired.add(key)
                weight = cue.weight * _context_factor(words, i, cue.negatable) if i else cue.weight
                phrase = word if length == 1 else " ".join(words[i : i + length])
                hits.append(Hit(cue.label, weight, phrase, i, cue))
        return hits


def _matches(words: Sequence[str], start: int, rest: tuple[str, ...]) -> bool:
    for offset, expected in enumerate(rest):
        if expected != "*" and words[start + offset] != expected:
            return False
    return True


def _context_factor(words: Sequence[str], i: int, negatable: bool) -> float:
    """How much a cue at ``i`` still counts given the words before it in its clause."""
    if negatable and words[i] not in NEGATORS:
        for j in range(i - 1, max(-1, i - 1 - _NEGATION_REACH), -1):
            word = words[j]
            if word in CLAUSE_BREAKS:
                break
            if word in NEGATORS:
                return NEGATED_FACTOR
    for j in range(i - 1, max(-1, i - 1 - _HYPOTHETICAL_REACH), -1):
        word = words[j]
        if word in CLAUSE_BREAKS:
            break
        if word in HYPOTHETICALS:
            return HYPOTHETICAL_FACTOR
    return 1.0


def totals(hits: Iterable[Hit]) -> dict[str, float]:
    """Summed weight per label; a cue that fires twice counts once, at its best weight."""
    best: dict[int, Hit] = {}
    for hit in hits:
        key = id(hit.cue)
        if key not in best or hit.weight > best[key].weight:
            best[key] = hit
    out: dict[str, float] = {}
    for hit in best.values():
        out[hit.label] = out.get(hit.label, 0.0) + hit.weight
    return out


def squash(evidence: float) -> float:
    """Map summed evidence (>= 0) to a score in [0, 1): one strong cue ~0.7, two ~0.9."""
    if evidence <= 0.0:
        return 0.0
    return 1.0 - math.exp(-evidence)


def quote(text: str, limit: int = 80) -> str:
    """A short, single-line excerpt of ``text`` for a human-readable reason."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    return flat[: limit - 1].rstrip() + "…"
