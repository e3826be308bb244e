"""Share of voice: how much of the talk about the tracked brands is about each one.

*By volume*: a brand's mentions over all mentions of every tracked brand and competitor.
*Sentiment-weighted*: each mention weighs 1 when positive, 0.5 when neutral, 0 when
negative, so a brand that is talked about a lot but badly loses share. Both columns add up
to 100% over the brands listed. A post naming two brands is one mention of each.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from goodwill.insights.facts import PostFact

__all__ = ["SENTIMENT_WEIGHTS", "VoiceShare", "share_of_voice"]

SENTIMENT_WEIGHTS = {"positive": 1.0, "neutral": 0.5, "negative": 0.0}


@dataclass(frozen=True)
class VoiceShare:
    brand: str
    role: str
    mentions: int
    #: percent of all mentions, one decimal
    share: float
    #: the sum of sentiment weights of this brand's mentions
    weighted: float
    #: percent of all weighted mentions, one decimal
    weighted_share: float


def share_of_voice(facts: Sequence[PostFact]) -> list[VoiceShare]:
    """Every brand and competitor mentioned, with both shares, most mentioned first.

    Unjudged posts count as neutral in the weighted share (they count in volume either way).
    """
    counts: dict[tuple[str, str], int] = defaultdict(int)
    weights: dict[tuple[str, str], float] = defaultdict(float)
    for fact in facts:
        weight = SENTIMENT_WEIGHTS.get(fact.sentiment or "neutral", 0.5)
        for mention in {(m.name, m.role) for m in fact.brands}:
            counts[mention] += 1
            weights[mention] += weight
    total = sum(counts.values())
    total_weight = sum(weights.values())
    out = [
        VoiceShare(
            brand=name,
            role=role,
            mentions=n,
            share=round(n / total * 100, 1) if total else 0.0,
            weighted=round(weights[(name, role)], 2),
            weighted_share=round(weights[(name, role)] / total_weight * 100, 1) if total_weight else 0.0,
        )
        for (name, role), n in counts.items()
    ]
    return sorted(out, key=lambda v: (-v.mentions, v.brand))
