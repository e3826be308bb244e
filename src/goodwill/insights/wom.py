"""Word of mouth against audience: is the talk more negative from (and about) bigger accounts?

Research on thousands of brands found word of mouth mostly negative, and more negative the
larger a brand's following. Two tables let a team check that on its own data:

* negative share by the **author's follower tier** (nano ... mega, unknown);
* negative share per **brand, by the brand's audience size** (its own followers: taken
  from the brand's own posts in the store, or from ``[insights] audiences`` in goodwill.toml).

Negative share is negative posts over judged posts, in percent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from goodwill.insights.facts import PostFact
from goodwill.insights.tiers import TIERS, audience_tier, follower_tier

__all__ = ["AudienceRow", "TierRow", "negative_by_audience", "negative_by_tier"]


@dataclass(frozen=True)
class TierRow:
    tier: str
    authors: int
    posts: int
    negative: int
    #: percent of judged posts that are negative, one decimal
    negative_share: float


@dataclass(frozen=True)
class AudienceRow:
    brand: str
    role: str
    #: the brand's own followers, None when unknown
    audience: int | None
    audience_tier: str
    posts: int
    negative: int
    negative_share: float


def _share(neg: int, total: int) -> float:
    return round(neg / total * 100, 1) if total else 0.0


def negative_by_tier(facts: Sequence[PostFact], *, brand: str | None = None) -> list[TierRow]:
    """One row per follower tier that has judged posts, smallest tier first, ``unknown`` last."""
    posts: dict[str, int] = defaultdict(int)
    negative: dict[str, int] = defaultdict(int)
    authors: dict[str, set[str]] = defaultdict(set)
    for fact in facts:
        if fact.sentiment is None or (brand is not None and not fact.mentions(brand)):
            continue
        tier = follower_tier(fact.followers)
        posts[tier] += 1
        negative[tier] += fact.sentiment == "negative"
        authors[tier].add(fact.author or f"post:{fact.post_id}")
    order = [name for name, _ in TIERS] + ["unknown"]
    return [
        TierRow(
            tier=t,
            authors=len(authors[t]),
            posts=posts[t],
            negative=negative[t],
            negative_share=_share(negative[t], posts[t]),
        )
        for t in order
        if posts[t]
    ]


def negative_by_audience(facts: Sequence[PostFact], audiences: Mapping[str, int | None]) -> list[AudienceRow]:
    """One row per brand and competitor mentioned, largest audience first (unknown last)."""
    posts: dict[tuple[str, str], int] = defaultdict(int)
    negative: dict[tuple[str, str], int] = defaultdict(int)
    folded = {k.casefold(): v for k, v in audiences.items()}
    for fact in facts:
        if fact.sentiment is None:
            continue
        for key in {(m.name, m.role) for m in fact.brands}:
            posts[key] += 1
            negative[key] += fact.sentiment == "negative"
    rows = [
        AudienceRow(
            brand=name,
            role=role,
            audience=folded.get(name.casefold()),
            audience_tier=audience_tier(folded.get(name.casefold())),
            posts=n,
            negative=negative[(name, role)],
            negative_share=_share(negative[(name, role)], n),
        )
        for (name, role), n in posts.items()
    ]
    return sorted(rows, key=lambda r: (r.audience is None, -(r.audience or 0), r.brand))
