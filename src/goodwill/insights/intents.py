"""What people want, per brand: intent by sentiment (before, or beside, topic discovery)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from goodwill.insights.facts import PostFact

__all__ = ["IntentRow", "intent_mix"]


@dataclass(frozen=True)
class IntentRow:
    brand: str
    intent: str
    posts: int
    #: percent of the brand's posts, one decimal
    share: float
    negative: int
    positive: int
    complaints: int


def intent_mix(facts: Sequence[PostFact], *, brand: str | None = None) -> list[IntentRow]:
    """Per brand, each intent's count and share with its sentiment split, biggest first."""
    counts: dict[tuple[str, str], list[PostFact]] = defaultdict(list)
    totals: dict[str, int] = defaultdict(int)
    for fact in facts:
        for name in {m.name for m in fact.brands}:
            if brand is None or name.casefold() == brand.casefold():
                counts[(name, fact.intent or "unknown")].append(fact)
                totals[name] += 1
    rows = [
        IntentRow(
            brand=name,
            intent=intent,
            posts=len(items),
            share=round(len(items) / totals[name] * 100, 1),
            negative=sum(f.sentiment == "negative" for f in items),
            positive=sum(f.sentiment == "positive" for f in items),
            complaints=sum(f.is_complaint for f in items),
        )
        for (name, intent), items in counts.items()
    ]
    return sorted(rows, key=lambda r: (r.brand, -r.posts, r.intent))
