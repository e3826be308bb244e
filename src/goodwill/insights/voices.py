"""Top voices per brand: the authors whose posts about a brand reach and move the most people.

Influence mixes reach and response: ``log10(1 + followers) + 2 * log10(1 + engagement)``,
where engagement is the replies stored for the author's posts about the brand plus the
like/repost counters their payloads carried. Engagement counts double because a reply or a
share shows that people read the post; a follower count does not. The tier is by followers
alone (see :mod:`goodwill.insights.tiers`).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from goodwill.insights.facts import PostFact
from goodwill.insights.tiers import follower_tier

__all__ = ["Voice", "influence_score", "top_voices"]


@dataclass(frozen=True)
class Voice:
    brand: str
    #: ``network:handle``, or the linked profile's name when the team linked handles
    author: str
    name: str | None
    followers: int | None
    tier: str
    posts: int
    engagement: int | None
    negative: int
    positive: int
    #: influence score, two decimals
    influence: float
    #: the text of the author's most engaging post about the brand
    example: str


def influence_score(followers: int | None, engagement: int | None) -> float:
    """``log10(1 + followers) + 2 * log10(1 + engagement)``; unknown counts as 0."""
    return math.log10(1 + (followers or 0)) + 2 * math.log10(1 + (engagement or 0))


def top_voices(
    facts: Sequence[PostFact],
    *,
    brand: str | None = None,
    limit: int = 10,
    identities: Mapping[str, str] | None = None,
) -> list[Voice]:
    """The ``limit`` most influential authors per brand (or for ``brand`` only), best first.

    ``identities`` maps ``network:handle`` to a profile name, so the same person's handles on
    several networks count as one voice (followers: the largest; engagement: the sum).
    """
    ids = identities or {}
    groups: dict[tuple[str, str], list[PostFact]] = defaultdict(list)
    for fact in facts:
        if fact.author is None:
            continue
        who = ids.get(fact.author, fact.author)
        for name in {m.name for m in fact.brands}:
            if brand is None or name.casefold() == brand.casefold():
                groups[(name, who)].append(fact)
    per_brand: dict[str, list[Voice]] = defaultdict(list)
    for (name, who), items in groups.items():
        known_followers = [f.followers for f in items if f.followers is not None]
        followers = max(known_followers) if known_followers else None
        known_eng = [f.engagement for f in items if f.engagement is not None]
        engagement = sum(known_eng) if known_eng else None
        best = max(items, key=lambda f: (f.engagement or 0, f.followers or 0, -f.post_id))
        per_brand[name].append(
            Voice(
                brand=name,
                author=who,
                name=next((f.author_name for f in items if f.author_name), None),
                followers=followers,
                tier=follower_tier(followers),
                posts=len(items),
                engagement=engagement,
                negative=sum(f.sentiment == "negative" for f in items),
                positive=sum(f.sentiment == "positive" for f in items),
                influence=round(influence_score(followers, engagement), 2),
                example=best.text,
            )
        )
    out: list[Voice] = []
    for name in sorted(per_brand):
        ranked = sorted(per_brand[name], key=lambda v: (-v.influence, -v.posts, v.author))
        out.extend(ranked[:limit])
    return out
