"""Intrusion audit: did the brand's replies go where they were invited, and how did people answer?

A reply written by one of a brand's own handles is **invited** when the post it answers
spoke to the brand (addressed its handle: the mentions stage's ``addressed``) or was judged
to welcome a reply (receptivity); otherwise it is **uninvited**: the brand stepped into a
conversation that did not ask for it. A reply whose parent is not in the store is
``unknown``; a reply to the brand's own post continues its thread and is not counted.
For each kind, the replies that *followed* the brand's reply (posts answering it) are
counted with their sentiment, so a team can see whether uninvited replies are met worse
than invited ones.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from goodwill.config import WorkspaceConfig
from goodwill.insights.facts import PostFact

__all__ = ["IntrusionRow", "handle_owners", "intrusion_audit"]

KINDS = ("invited", "uninvited", "unknown")


@dataclass(frozen=True)
class IntrusionRow:
    brand: str
    #: invited, uninvited, or unknown (the parent post is not in the store)
    kind: str
    replies: int
    #: the brand's replies that got at least one answer
    answered: int
    followups: int
    followup_negative: int
    #: percent of judged follow-ups that are negative, one decimal
    followup_negative_share: float
    #: (positive - negative) / judged follow-ups * 100
    followup_net: float


def handle_owners(config: WorkspaceConfig) -> dict[str, str]:
    """``handle (lower case) -> brand name`` for our own brands (competitors' replies are not ours)."""
    return {h.casefold(): spec.name for spec in config.brands for h in spec.all_handles()}


def _handle(fact: PostFact) -> str | None:
    return fact.author.split(":", 1)[1] if fact.author else None


def intrusion_audit(facts: Sequence[PostFact], owners: Mapping[str, str]) -> list[IntrusionRow]:
    """Per brand and kind: the brand's replies and the sentiment of the answers they got.

    ``facts`` must include the brand's own posts (``FactFilter(include_own=True)``).
    """
    by_key = {(f.network, f.native_id): f for f in facts}
    children: dict[tuple[str, str], list[PostFact]] = defaultdict(list)
    for fact in facts:
        if fact.reply_to:
            children[(fact.network, fact.reply_to)].append(fact)
    groups: dict[tuple[str, str], list[PostFact]] = defaultdict(list)
    for fact in facts:
        handle = _handle(fact)
        brand = owners.get(handle) if handle else None
        if brand is None or not fact.reply_to:
            continue
        parent = by_key.get((fact.network, fact.reply_to))
        if parent is not None and _handle(parent) in owners:
            continue  # the brand continuing its own thread is not a new step into one
        if parent is None:
            kind = "unknown"
        else:
            addressed = any(m.addressed and m.name.casefold() == brand.casefold() for m in parent.brands)
            kind = "invited" if addressed or parent.welcome else "uninvited"
        groups[(brand, kind)].append(fact)
    rows = []
    for (brand, kind), replies in groups.items():
        answers = [
            c for r in replies for c in children.get((r.network, r.native_id), []) if _handle(c) not in owners
        ]
        judged = [a for a in answers if a.sentiment is not None]
        negative = sum(a.sentiment == "negative" for a in judged)
        positive = sum(a.sentiment == "positive" for a in judged)
        answered = sum(
            1
            for r in replies
            if any(_handle(c) not in owners for c in children.get((r.network, r.native_id), []))
        )
        rows.append(
            IntrusionRow(
                brand=brand,
                kind=kind,
                replies=len(replies),
                answered=answered,
                followups=len(answers),
                followup_negative=negative,
                followup_negative_share=round(negative / len(judged) * 100, 1) if judged else 0.0,
                followup_net=round((positive - negative) / len(judged) * 100, 1) if judged else 0.0,
            )
        )
    return sorted(rows, key=lambda r: (r.brand, KINDS.index(r.kind)))
