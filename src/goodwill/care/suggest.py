"""Suggested answers: what the team said before to posts like this one, and what the help pages say.

Two sources feed suggestions. **Past resolved replies** (a post and the reply
that resolved it) are matched on the post alone and on the post with the reply,
and suggest the reply. **Knowledge-base sections** (goodwill.care.knowledge)
are matched on their heading path alone and on heading and text, and suggest
the text. The closer of the two views counts, so neither a long answer nor a
terse heading hides a good match. Every suggestion cites where it
came from: ``reply <id>`` or ``<file> > <heading>``, so an agent can check it
before using it; nothing is sent on its own. A short overview above
subsections ("Everything about payments.") is not suggested.

The index is built once (:class:`Suggester`) and searched per post; the
encoder is swappable (goodwill.care.encoder), MiniLM embeddings by default
when installed, TF-IDF otherwise. Identical answers are suggested once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from goodwill.care.encoder import Encoder, EncoderName, default_encoder, encoder_named, similarities
from goodwill.care.knowledge import Section, load_knowledge_base

__all__ = ["Citation", "PastReply", "Suggester", "Suggestion", "build_suggester"]


@dataclass(frozen=True)
class PastReply:
    """A post and the reply that resolved it."""

    id: str
    post_text: str
    reply_text: str


@dataclass(frozen=True)
class Citation:
    """Where a suggestion came from."""

    kind: Literal["reply", "knowledge"]
    #: the past reply's id (kind "reply")
    reply_id: str | None = None
    #: the knowledge-base file, relative to its folder (kind "knowledge")
    path: str | None = None
    #: the heading path inside that file, outermost first
    headings: tuple[str, ...] = ()
    anchor: str = ""

    def __str__(self) -> str:
        if self.kind == "reply":
            return f"reply {self.reply_id}"
        return f"{self.path} > {' > '.join(self.headings)}" if self.headings else str(self.path)


@dataclass(frozen=True)
class Suggestion:
    text: str
    citation: Citation
    #: cosine similarity to the post, in [-1, 1]; higher is closer
    score: float


@dataclass(frozen=True)
class _Entry:
    #: the texts a post is compared with; the closest one counts (a short heading or the post alone
    #: is not diluted by a long answer, the full text catches what the heading does not say)
    views: tuple[str, ...]
    answer: str
    citation: Citation


#: An overview shorter than this (in words) introduces its subsections and answers nothing itself.
OVERVIEW_WORDS = 30


def _overview(section: Section) -> bool:
    return section.has_subsections and len(section.text.split()) < OVERVIEW_WORDS


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


class Suggester:
    """An index over past replies and knowledge-base sections."""

    def __init__(
        self,
        *,
        replies: Sequence[PastReply] = (),
        sections: Sequence[Section] = (),
        encoder: Encoder | None = None,
    ) -> None:
        self.encoder = encoder or default_encoder()
        entries = [
            _Entry(
                (r.post_text, f"{r.post_text}\n{r.reply_text}"),
                r.reply_text,
                Citation("reply", reply_id=r.id),
            )
            for r in replies
            if r.reply_text.strip()
        ]
        entries += [
            _Entry(
                (s.headings[-1], f"{' > '.join(s.headings)}\n{s.text}") if s.headings else (s.text,),
                s.text,
                Citation("knowledge", path=s.path, headings=s.headings, anchor=s.anchor),
            )
            for s in sections
            if not _overview(s)
        ]
        self._entries = entries
        views = [view for e in entries for view in e.views]
        #: the first view of each entry, for taking the best view per entry
        self._starts = np.cumsum([0] + [len(e.views) for e in entries[:-1]], dtype=np.intp)
        self.encoder.fit(views)
        self._matrix = self.encoder.encode(views) if entries else None

    def __len__(self) -> int:
        return len(self._entries)

    def suggest(self, post_text: str, *, limit: int = 3, min_score: float = 0.05) -> list[Suggestion]:
        """The best ``limit`` answers for one post, best first; none below ``min_score``."""
        return self.suggest_many([post_text], limit=limit, min_score=min_score)[0]

    def suggest_many(
        self, post_texts: Sequence[str], *, limit: int = 3, min_score: float = 0.05
    ) -> list[list[Suggestion]]:
        """:meth:`suggest` for many posts in one pass through the encoder."""
        if not post_texts:
            return []
        if self._matrix is None:
            return [[] for _ in post_texts]
        by_view = similarities(self.encoder.encode(list(post_texts)), self._matrix)
        by_entry = np.maximum.reduceat(by_view, self._starts, axis=1)
        return [self._top(row, limit, min_score) for row in by_entry]

    def _top(self, row: np.ndarray, limit: int, min_score: float) -> list[Suggestion]:
        # Stable order: score, then the order the sources were given in.
        order = sorted(range(len(row)), key=lambda i: (-float(row[i]), i))
        out: list[Suggestion] = []
        seen: set[str] = set()
        for i in order:
            score = float(row[i])
            if score < min_score or len(out) >= limit:
                break
            entry = self._entries[i]
            key = _normalise(entry.answer)
            if key in seen:
                continue
            seen.add(key)
            out.append(Suggestion(text=entry.answer, citation=entry.citation, score=round(score, 4)))
        return out


def build_suggester(
    replies: Sequence[PastReply] = (),
    *,
    knowledge_base: Path | None = None,
    encoder: EncoderName = "auto",
) -> Suggester:
    """A :class:`Suggester` from past replies and a knowledge-base folder, as ``[care]`` configures it."""
    sections = load_knowledge_base(knowledge_base) if knowledge_base is not None else []
    return Suggester(replies=replies, sections=sections, encoder=encoder_named(encoder))
