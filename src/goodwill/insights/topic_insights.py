"""Topics over time, emerging topics, and topic by sentiment by intent, from stored assignments.

``topic_of`` maps a post id to its topic's display name (the team's name, or the label;
merged topics already resolved), as :func:`goodwill.insights.topics_store.topic_assignments`
returns it. Posts in no topic count as ``unassigned``, so shares add up to 100%.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from goodwill.insights.facts import PostFact
from goodwill.insights.feel import bucket_start

__all__ = [
    "EmergingTopic",
    "TopicMix",
    "TopicPoint",
    "TopicShare",
    "emerging_topics",
    "topic_mix",
    "topic_shares",
    "topics_over_time",
]

UNASSIGNED_NAME = "unassigned"


@dataclass(frozen=True)
class TopicShare:
    topic: str
    posts: int
    #: percent of the posts in the window, one decimal
    share: float
    negative_share: float
    #: up to three of the topic's posts, as ``network:id text``
    examples: tuple[str, ...]


@dataclass(frozen=True)
class TopicPoint:
    bucket: date
    topic: str
    posts: int


@dataclass(frozen=True)
class EmergingTopic:
    topic: str
    recent: int
    before: int
    #: percent of posts in the recent span / in the span before it
    recent_share: float
    before_share: float
    #: recent_share / before_share (None: the topic is new)
    growth: float | None


@dataclass(frozen=True)
class TopicMix:
    topic: str
    sentiment: str
    intent: str
    posts: int


def _name(fact: PostFact, topic_of: Mapping[int, str]) -> str:
    return topic_of.get(fact.post_id, UNASSIGNED_NAME)


def topic_shares(
    facts: Sequence[PostFact], topic_of: Mapping[int, str], *, brand: str | None = None
) -> list[TopicShare]:
    """Each topic's share of the posts (``unassigned`` included), biggest first."""
    chosen = [f for f in facts if brand is None or f.mentions(brand)]
    groups: dict[str, list[PostFact]] = defaultdict(list)
    for fact in chosen:
        groups[_name(fact, topic_of)].append(fact)
    total = len(chosen)
    rows = []
    for topic, items in groups.items():
        judged = [f for f in items if f.sentiment is not None]
        rows.append(
            TopicShare(
                topic=topic,
                posts=len(items),
                share=round(len(items) / total * 100, 1) if total else 0.0,
                negative_share=round(sum(f.sentiment == "negative" for f in judged) / len(judged) * 100, 1)
                if judged
                else 0.0,
                examples=tuple(
                    f"{f.network}:{f.native_id} {' '.join(f.text.split())[:140]}" for f in items[:3]
                ),
            )
        )
    return sorted(rows, key=lambda r: (r.topic == UNASSIGNED_NAME, -r.posts, r.topic))


def topics_over_time(
    facts: Sequence[PostFact], topic_of: Mapping[int, str], *, bucket: str = "day", brand: str | None = None
) -> list[TopicPoint]:
    """Posts per topic per bucket (unassigned left out), in time order."""
    counts: Counter[tuple[date, str]] = Counter()
    for fact in facts:
        if fact.post_id in topic_of and (brand is None or fact.mentions(brand)):
            counts[(bucket_start(fact.posted_at, bucket), topic_of[fact.post_id])] += 1
    return [TopicPoint(bucket=b, topic=t, posts=n) for (b, t), n in sorted(counts.items())]


def emerging_topics(
    facts: Sequence[PostFact],
    topic_of: Mapping[int, str],
    *,
    now: datetime,
    recent: timedelta = timedelta(days=7),
    min_posts: int = 5,
    brand: str | None = None,
) -> list[EmergingTopic]:
    """Topics whose share of posts in the last ``recent`` span grew most against the span before it.

    Shares, not counts, so a busier week does not make every topic "emerging". A topic with
    no posts before is new (growth None) and listed first.
    """
    start, split = now - 2 * recent, now - recent
    chosen = [f for f in facts if start <= f.posted_at < now and (brand is None or f.mentions(brand))]
    late = Counter(_name(f, topic_of) for f in chosen if f.posted_at >= split)
    early = Counter(_name(f, topic_of) for f in chosen if f.posted_at < split)
    n_late, n_early = sum(late.values()), sum(early.values())
    rows = []
    for topic, count in late.items():
        if topic == UNASSIGNED_NAME or count < min_posts:
            continue
        late_share = count / n_late * 100
        early_share = early[topic] / n_early * 100 if n_early else 0.0
        growth = round(late_share / early_share, 2) if early_share else None
        if growth is not None and growth <= 1.0:
            continue
        rows.append(
            EmergingTopic(
                topic=topic,
                recent=count,
                before=early[topic],
                recent_share=round(late_share, 1),
                before_share=round(early_share, 1),
                growth=growth,
            )
        )
    return sorted(rows, key=lambda r: (r.growth is not None, -(r.growth or 0), -r.recent, r.topic))


def topic_mix(
    facts: Sequence[PostFact], topic_of: Mapping[int, str], *, brand: str | None = None
) -> list[TopicMix]:
    """Posts per (topic, sentiment, intent), biggest first: what each topic wants and how it feels."""
    counts: Counter[tuple[str, str, str]] = Counter()
    for fact in facts:
        if brand is None or fact.mentions(brand):
            counts[(_name(fact, topic_of), fact.sentiment or "unknown", fact.intent or "unknown")] += 1
    rows = [TopicMix(topic=t, sentiment=s, intent=i, posts=n) for (t, s, i), n in counts.items()]
    return sorted(rows, key=lambda r: (r.topic == UNASSIGNED_NAME, r.topic, -r.posts, r.sentiment, r.intent))
