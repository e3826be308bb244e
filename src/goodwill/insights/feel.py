"""How they feel: sentiment over time per brand and competitor, and net sentiment.

Net sentiment is ``(positive - negative) / all judged posts * 100``, from -100 (all negative)
to +100 (all positive); neutral posts pull it towards 0. A post that mentions two brands
counts once for each.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from goodwill.errors import InputError
from goodwill.insights.facts import PostFact

__all__ = [
    "BUCKETS",
    "SentimentCount",
    "SentimentPoint",
    "bucket_start",
    "net_sentiment",
    "sentiment_over_time",
]

BUCKETS = ("day", "week")


@dataclass(frozen=True)
class SentimentCount:
    """Judged posts about one brand: counts per label and the net sentiment."""

    brand: str
    role: str
    posts: int
    positive: int
    neutral: int
    negative: int
    #: (positive - negative) / posts * 100, rounded to one decimal; 0 when there are no posts
    net: float
    #: mean sentiment score in [-1, 1], or None when no post had one
    mean_score: float | None


@dataclass(frozen=True)
class SentimentPoint:
    """One brand in one time bucket (a day, or an ISO week starting on Monday)."""

    bucket: date
    brand: str
    role: str
    posts: int
    positive: int
    neutral: int
    negative: int
    net: float


def bucket_start(moment: datetime, bucket: str) -> date:
    """The UTC day, or the Monday of the ISO week, a moment falls in."""
    day = moment.date()
    if bucket == "day":
        return day
    if bucket == "week":
        return day - timedelta(days=day.weekday())
    raise InputError(f"unknown bucket {bucket!r}: use day or week.")


def _net(pos: int, neg: int, total: int) -> float:
    return round((pos - neg) / total * 100, 1) if total else 0.0


class _Tally:
    __slots__ = ("negative", "neutral", "positive", "scores")

    def __init__(self) -> None:
        self.positive = self.neutral = self.negative = 0
        self.scores: list[float] = []

    def add(self, fact: PostFact) -> None:
        if fact.sentiment == "positive":
            self.positive += 1
        elif fact.sentiment == "negative":
            self.negative += 1
        else:
            self.neutral += 1
        if fact.score is not None:
            self.scores.append(fact.score)

    @property
    def total(self) -> int:
        return self.positive + self.neutral + self.negative


def _judged(facts: Sequence[PostFact]) -> list[PostFact]:
    return [f for f in facts if f.sentiment is not None]


def net_sentiment(facts: Sequence[PostFact], *, brand: str | None = None) -> list[SentimentCount]:
    """Per brand and competitor (or only ``brand``): label counts and net sentiment, most posts first."""
    tallies: dict[tuple[str, str], _Tally] = defaultdict(_Tally)
    for fact in _judged(facts):
        for mention in fact.brands:
            if brand is None or mention.name.casefold() == brand.casefold():
                tallies[(mention.name, mention.role)].add(fact)
    out = [
        SentimentCount(
            brand=name,
            role=role,
            posts=t.total,
            positive=t.positive,
            neutral=t.neutral,
            negative=t.negative,
            net=_net(t.positive, t.negative, t.total),
            mean_score=round(sum(t.scores) / len(t.scores), 3) if t.scores else None,
        )
        for (name, role), t in tallies.items()
    ]
    return sorted(out, key=lambda c: (-c.posts, c.brand))


def sentiment_over_time(
    facts: Sequence[PostFact], *, bucket: str = "day", brand: str | None = None
) -> list[SentimentPoint]:
    """Label counts and net sentiment per brand per bucket, in time order (empty buckets left out)."""
    if bucket not in BUCKETS:
        raise InputError(f"unknown bucket {bucket!r}: use day or week.")
    tallies: dict[tuple[date, str, str], _Tally] = defaultdict(_Tally)
    for fact in _judged(facts):
        start = bucket_start(fact.posted_at, bucket)
        for mention in fact.brands:
            if brand is None or mention.name.casefold() == brand.casefold():
                tallies[(start, mention.name, mention.role)].add(fact)
    out = [
        SentimentPoint(
            bucket=start,
            brand=name,
            role=role,
            posts=t.total,
            positive=t.positive,
            neutral=t.neutral,
            negative=t.negative,
            net=_net(t.positive, t.negative, t.total),
        )
        for (start, name, role), t in tallies.items()
    ]
    return sorted(out, key=lambda p: (p.bucket, p.brand))
