"""Spike detection: is the last window's volume, or its negative share, far above normal?

Normal is measured two ways and the higher one wins, so the daily rhythm does not fire:

* the **previous 12 windows** (with the default 60-minute window: the last 12 hours);
* the **same window on each of the previous 7 days** (09:00-10:00 yesterday, the day before...).

At 09:00, after a quiet night, the previous hours are low but yesterday's 09:00 was busy,
so the morning rise is not a spike. A volume spike needs ``min_posts`` posts and
``volume_ratio`` times the baseline; a negative spike needs ``min_posts`` judged posts and a
negative share ``negative_rise`` points above the baseline's. The functions here are pure:
the clock (``now``) is always passed in.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from goodwill.config_insights import AlertSettings
from goodwill.insights.facts import PostFact
from goodwill.insights.stopwords import STOP_WORDS

__all__ = ["Spike", "detect_spikes", "top_terms"]

_WORD = re.compile(r"[^\W\d_][\w'-]{3,}", re.UNICODE)


@dataclass(frozen=True)
class Spike:
    """One brand (or brand and topic) whose last window is far above its baseline."""

    #: ``volume`` or ``negative``
    kind: str
    brand: str
    topic: str | None
    window_start: datetime
    window_end: datetime
    posts: int
    #: posts per window in the baseline (the higher of the two baselines)
    baseline_posts: float
    negative_share: float
    baseline_negative_share: float
    #: words much more frequent in the window than in the baseline
    terms: tuple[str, ...]
    topics: tuple[str, ...]
    #: up to three posts from the window, as ``network:id text``
    examples: tuple[str, ...]

    @property
    def key(self) -> str:
        """What "the same spike" means for the fire-once state."""
        return f"{self.kind}|{self.brand}|{self.topic or ''}"

    def explain(self) -> str:
        """One paragraph a person reads in a chat message or an e-mail."""
        scope = f"{self.brand}" + (f" / topic '{self.topic}'" if self.topic else "")
        when = f"{self.window_start:%Y-%m-%d %H:%M}-{self.window_end:%H:%M} UTC"
        if self.kind == "volume":
            head = f"{scope}: {self.posts:,} posts in {when}, against {self.baseline_posts:.1f} normally."
        else:
            head = (
                f"{scope}: {self.negative_share:.0f}% negative in {when} ({self.posts:,} posts), "
                f"against {self.baseline_negative_share:.0f}% normally."
            )
        parts = [head]
        if self.terms:
            parts.append("Top terms: " + ", ".join(self.terms) + ".")
        if self.topics:
            parts.append("Topics: " + ", ".join(self.topics) + ".")
        return " ".join(parts)


def _words(text: str, skip: frozenset[str]) -> set[str]:
    return {w.casefold() for w in _WORD.findall(text)} - STOP_WORDS - skip


def top_terms(
    window: Sequence[PostFact],
    baseline: Sequence[PostFact],
    *,
    skip: frozenset[str] = frozenset(),
    k: int = 5,
) -> tuple[str, ...]:
    """Words in at least two window posts, ranked by how much more often they appear than in the baseline."""
    now = Counter(w for f in window for w in _words(f.text, skip))
    before = Counter(w for f in baseline for w in _words(f.text, skip))
    n_now, n_before = max(len(window), 1), max(len(baseline), 1)

    def lift(word: str) -> float:
        return (now[word] / n_now) / ((before[word] + 1) / (n_before + 1))

    ranked = sorted((w for w, c in now.items() if c >= 2), key=lambda w: (-lift(w), -now[w], w))
    return tuple(ranked[:k])


def _neg_share(facts: Sequence[PostFact]) -> tuple[float, int]:
    judged = [f for f in facts if f.sentiment is not None]
    if not judged:
        return 0.0, 0
    return sum(f.sentiment == "negative" for f in judged) / len(judged) * 100, len(judged)


def _in(facts: Sequence[PostFact], start: datetime, end: datetime) -> list[PostFact]:
    return [f for f in facts if start <= f.posted_at < end]


def _examples(window: Sequence[PostFact], kind: str, terms: Sequence[str]) -> tuple[str, ...]:
    """Posts that carry the spike's terms first (what the spike is about), then the most engaging."""
    pool = [f for f in window if kind != "negative" or f.sentiment == "negative"] or list(window)

    def carried(f: PostFact) -> int:
        words = _words(f.text, frozenset())
        return sum(t in words for t in terms)

    ranked = sorted(pool, key=lambda f: (-carried(f), -(f.engagement or 0), -(f.followers or 0), f.post_id))
    return tuple(f"{f.network}:{f.native_id} {' '.join(f.text.split())[:200]}" for f in ranked[:3])


def _check_group(
    brand: str,
    topic: str | None,
    facts: Sequence[PostFact],
    *,
    now: datetime,
    settings: AlertSettings,
    topic_of: Mapping[int, str],
    skip: frozenset[str],
) -> list[Spike]:
    width = timedelta(minutes=settings.window_minutes)
    window = _in(facts, now - width, now)
    if len(window) < settings.min_posts:
        return []
    previous = _in(facts, now - 13 * width, now - width)
    same_hour = [
        f for d in range(1, 8) for f in _in(facts, now - timedelta(days=d) - width, now - timedelta(days=d))
    ]
    days_seen = sum(1 for d in range(1, 8) if any(f.posted_at < now - timedelta(days=d) for f in facts))
    baseline_posts = max(len(previous) / 12, len(same_hour) / max(days_seen, 1))
    baseline = previous + same_hour
    share, judged = _neg_share(window)
    base_share, base_judged = _neg_share(baseline)
    kinds = []
    if len(window) >= settings.volume_ratio * max(baseline_posts, 1.0):
        kinds.append("volume")
    if judged >= settings.min_posts and base_judged and share - base_share >= settings.negative_rise:
        kinds.append("negative")
    if not kinds:
        return []
    terms = top_terms(window, baseline, skip=skip)
    topic_counts = Counter(topic_of[f.post_id] for f in window if f.post_id in topic_of)
    topics = tuple(t for t, _ in topic_counts.most_common(3))
    return [
        Spike(
            kind=kind,
            brand=brand,
            topic=topic,
            window_start=now - width,
            window_end=now,
            posts=len(window),
            baseline_posts=round(baseline_posts, 2),
            negative_share=round(share, 1),
            baseline_negative_share=round(base_share, 1),
            terms=terms,
            topics=topics,
            examples=_examples(window, kind, terms),
        )
        for kind in kinds
    ]


def detect_spikes(
    facts: Sequence[PostFact],
    *,
    now: datetime,
    settings: AlertSettings | None = None,
    topic_of: Mapping[int, str] | None = None,
) -> list[Spike]:
    """Spikes per brand, and per brand and topic when ``topic_of`` maps post ids to topic names.

    ``facts`` should cover at least the 7 days before ``now`` for the same-hour baseline.
    """
    settings = settings or AlertSettings()
    topics = topic_of or {}
    by_brand: dict[str, list[PostFact]] = {}
    for fact in facts:
        for name in {m.name for m in fact.brands}:
            by_brand.setdefault(name, []).append(fact)
    spikes: list[Spike] = []
    for brand in sorted(by_brand):
        items = by_brand[brand]
        skip = frozenset(w.casefold() for w in _WORD.findall(brand))
        spikes += _check_group(brand, None, items, now=now, settings=settings, topic_of=topics, skip=skip)
        if topics:
            by_topic: dict[str, list[PostFact]] = {}
            for fact in items:
                if fact.post_id in topics:
                    by_topic.setdefault(topics[fact.post_id], []).append(fact)
            for topic in sorted(by_topic):
                spikes += _check_group(
                    brand, topic, by_topic[topic], now=now, settings=settings, topic_of=topics, skip=skip
                )
    return spikes
