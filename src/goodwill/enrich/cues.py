"""Phrase cues: the evidence every judgement stage is built from.

A cue is a set of short phrases tied to a label and a weight. The stages add up
the weights of the cues that fire, so every score can be explained by quoting
the phrases that produced it; that keeps the judgements auditable by a care
agent, and generalises better than fitting one small labelled file.

Phrases are written in a tiny template language, expanded once at import:
``"(can't|cannot) (log in|login)"`` is four phrases, ``"[please] help"`` has an
optional word, ``*`` matches any one word and ``_num_`` any number ("3", "three";
a phrase may start with one below 1,000), so "it's been _num_ weeks" needs no list
of every count people write. Matching is a walk over the
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
    "NUMBER",
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
#: a letter typed three or more times at the end of a word ("pleaseeee", "sooo"; "coool" is left alone,
#: as collapsing inside a word would turn it into "col")
_ELONGATED_RE = re.compile(r"([^\W\d_])\1{2,}\b")
_TRIPLED_RE = re.compile(r"(\w)\1\1")

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
#: In a phrase, a word that matches any number: digits, or a count written out.
NUMBER = "_num_"
_NUMBER_WORDS: frozenset[str] = frozenset(
    {
        "a", "an", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
        "twelve", "fifteen", "twenty", "thirty", "forty", "fifty", "sixty", "ninety", "hundred", "several",
        "few", "couple", "many",
    }
)  # fmt: skip
#: Numerals that can start a phrase ("3 weeks later"); larger ones are rare there and cost a check per word.
_SMALL_NUMERALS: frozenset[str] = frozenset(str(n) for n in range(1000))
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
    """The lower-cased words and symbols of ``text``; links dropped, apostrophes straight, elongation undone.

    Cached, because three stages read the same post one after another.
    """
    lowered = text.lower()
    if "’" in lowered:
        lowered = lowered.replace("’", "'")
    if "://" in lowered or "www." in lowered:
        lowered = URL_RE.sub(" ", lowered)
    # "pleaseeee", "AGAINNNN", "sooo" are the words a phrase is written with; digits are left alone.
    if _TRIPLED_RE.search(lowered) is not None:  # rare, and the check is twice as cheap as the rewrite
        lowered = _ELONGATED_RE.sub(r"\1", lowered)
    return tuple(_TOKEN_RE.findall(lowered))


class _Node:
    """One word of a trie of phrases: what may follow it, and the cues whose phrase ends here."""

    __slots__ = ("ends", "next")

    def __init__(self) -> None:
        self.next: dict[str, _Node] = {}
        self.ends: tuple[Cue, ...] = ()

    def __getstate__(self) -> tuple[dict[str, _Node], tuple[Cue, ...]]:
        return self.next, self.ends

    def __setstate__(self, state: tuple[dict[str, _Node], tuple[Cue, ...]]) -> None:
        self.next, self.ends = state


class CueBook:
    """A set of cues, as a trie of their phrases' words.

    A walk from each word of a post follows only the branches that match (the word
    itself, ``*``, or ``_num_`` for a number), so a post costs about as much with
    ten thousand phrases as with a hundred. Picklable: it holds only strings,
    tuples, dictionaries and small nodes, never an open resource or a pattern.
    """

    def __init__(self, cues: Iterable[Cue]) -> None:
        self.cues: tuple[Cue, ...] = tuple(cues)
        self._root = _Node()
        for cue in self.cues:
            for template in cue.templates:
                for phrase in expand(template):
                    words = _TOKEN_RE.findall(phrase)
                    if words[0] == "*":
                        raise ValueError(f"cue phrase {phrase!r} must not start with '*'")
                    node = self._root
                    for word in words:
                        node = node.next.setdefault(word, _Node())
                    if all(c is not cue for c in node.ends):
                        node.ends = (*node.ends, cue)
        firsts = self._root.next
        #: whether some phrase starts with a number
        self._numbered = NUMBER in firsts
        if self._numbered:
            # A number word starts both its own phrases and the ``_num_`` ones: give it one merged branch.
            for word in _NUMBER_WORDS | _SMALL_NUMERALS:
                firsts[word] = _merged(firsts[word], firsts[NUMBER]) if word in firsts else firsts[NUMBER]
        self._firsts: frozenset[str] = frozenset(firsts)

    def scan(self, words: tuple[str, ...]) -> list[Hit]:
        """Every cue that fires in ``words`` (from :func:`tokens`), discounted for context.

        A cue fires at most once per position, quoting its longest phrase there;
        different cues may share words.
        """
        hits: list[Hit] = []
        # Most posts hold no first word of a small book's phrases: say so in C, skipping the loop.
        if self._firsts.isdisjoint(words):
            return hits
        firsts = self._root.next
        count = len(words)
        for i, word in enumerate(words):
            node = firsts.get(word)
            if node is None:
                continue
            else:
                following = node.next
                if i + 1 < count and following:
                    after = words[i + 1]
                    goes_on = (
                        after in following
                        or "*" in following
                        or (NUMBER in following and (after.isdigit() or after in _NUMBER_WORDS))
                    )
                else:
                    goes_on = False
                if not goes_on:
                    # Fast path: no longer phrase can match here, only one-word ones.
                    for cue in node.ends:
                        weight = cue.weight * _context_factor(words, i, cue.negatable) if i else cue.weight
                        hits.append(Hit(cue.label, weight, word, i, cue))
                    continue
            found = self._walk(words, i, count, node)
            if not found:
                continue
            if len(found) > 1:
                found.sort(key=_length_first)
            seen: set[int] = set()
            factors: dict[bool, float] = {}
            for cue, length in found:
                key = id(cue)
                if key in seen:
                    continue
                seen.add(key)
                if not i:
                    weight = cue.weight
                else:
                    factor = factors.get(cue.negatable)
                    if factor is None:
                        factor = factors[cue.negatable] = _context_factor(words, i, cue.negatable)
                    weight = cue.weight * factor
                phrase = word if length == 1 else " ".join(words[i : i + length])
                hits.append(Hit(cue.label, weight, phrase, i, cue))
        return hits

    @staticmethod
    def _walk(words: tuple[str, ...], i: int, count: int, node: _Node) -> list[tuple[Cue, int]]:
        """``(cue, phrase length)`` for every phrase of the trie under ``node`` that matches at ``i``."""
        found: list[tuple[Cue, int]] = [(cue, 1) for cue in node.ends] if node.ends else []
        following = node.next
        if not following or i + 1 == count:
            return found
        stack: list[tuple[_Node, int]] = []
        depth = 1
        while True:
            word = words[i + depth]
            child = following.get(word)
            if child is not None:
                stack.append((child, depth + 1))
            child = following.get("*")
            if child is not None:
                stack.append((child, depth + 1))
            if NUMBER in following and (word.isdigit() or word in _NUMBER_WORDS):
                stack.append((following[NUMBER], depth + 1))
            while stack:
                node, depth = stack.pop()
                if node.ends:
                    found.extend((cue, depth) for cue in node.ends)
                if node.next and i + depth < count:
                    following = node.next
                    break
            else:
                return found


def _merged(one: _Node, other: _Node) -> _Node:
    """A new branch holding the phrases of both ``one`` and ``other``."""
    node = _Node()
    node.ends = one.ends + tuple(c for c in other.ends if all(c is not e for e in one.ends))
    node.next = dict(one.next)
    for word, child in other.next.items():
        node.next[word] = _merged(node.next[word], child) if word in node.next else child
    return node


def _length_first(found: tuple[Cue, int]) -> int:
    return -found[1]


def _is_number(word: str) -> bool:
    return word.isdigit() or word in _NUMBER_WORDS


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
