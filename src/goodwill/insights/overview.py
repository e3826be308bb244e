"""Every insight table for one window and (optionally) one brand, computed in one pass over the facts.

This is what the HTML report, the exports and the desk call: ``build_overview(store, ...)``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from goodwill.config import WorkspaceConfig
from goodwill.config_insights import SegmentSpec
from goodwill.insights.authors import identities
from goodwill.insights.facts import FactFilter, PostFact, brand_audiences, load_facts, own_handles
from goodwill.insights.feel import net_sentiment, sentiment_over_time
from goodwill.insights.intrusion import handle_owners, intrusion_audit
from goodwill.insights.segments import find_evidence, segment_authors, summarise
from goodwill.insights.tables import InsightTable, table_of
from goodwill.insights.topic_insights import emerging_topics, topic_mix, topic_shares, topics_over_time
from goodwill.insights.topics_store import topic_assignments
from goodwill.insights.voice import share_of_voice
from goodwill.insights.voices import top_voices
from goodwill.insights.wom import negative_by_audience, negative_by_tier
from goodwill.store import Store

__all__ = ["Overview", "build_overview", "overview_tables"]


@dataclass(frozen=True)
class Overview:
    """The facts and the tables computed from them, keyed by table name."""

    since: datetime | None
    brand: str | None
    facts: tuple[PostFact, ...]
    tables: dict[str, InsightTable] = field(default_factory=dict)


def overview_tables(
    facts: list[PostFact],
    *,
    brand: str | None,
    audiences: Mapping[str, int | None],
    bucket: str = "day",
    identities: Mapping[str, str] | None = None,
    voices: int = 10,
    situations: Sequence[SegmentSpec] = (),
    topic_of: Mapping[int, str] | None = None,
) -> dict[str, InsightTable]:
    """The standard tables, in the order a report shows them."""
    tables = [
        table_of("net_sentiment", "Net sentiment per brand", net_sentiment(facts, brand=brand)),
        table_of(
            "sentiment_over_time",
            f"Sentiment per {bucket}",
            sentiment_over_time(facts, bucket=bucket, brand=brand),
        ),
        table_of("share_of_voice", "Share of voice", share_of_voice(facts)),
        table_of(
            "wom_by_tier",
            "Negative share by the author's follower tier",
            negative_by_tier(facts, brand=brand),
        ),
        table_of(
            "wom_by_audience", "Negative share by brand audience size", negative_by_audience(facts, audiences)
        ),
        table_of(
            "top_voices", "Top voices", top_voices(facts, brand=brand, limit=voices, identities=identities)
        ),
    ]
    evidence = find_evidence(facts, situations=situations, identities=identities)
    if brand is not None:
        evidence = [e for e in evidence if e.brand is None or e.brand.casefold() == brand.casefold()]
    tables.append(table_of("segments", "Segments", summarise(evidence)))
    tables.append(
        table_of(
            "segment_members",
            "Segment members",
            segment_authors(evidence, facts=facts, identities=identities),
        )
    )
    if topic_of:
        latest = max((f.posted_at for f in facts), default=None)
        tables.append(table_of("topics", "Topics", topic_shares(facts, topic_of, brand=brand)))
        tables.append(
            table_of(
                "topics_over_time",
                f"Topics per {bucket}",
                topics_over_time(facts, topic_of, bucket=bucket, brand=brand),
            )
        )
        if latest is not None:
            rising = emerging_topics(facts, topic_of, now=latest + timedelta(seconds=1), brand=brand)
            tables.append(table_of("emerging_topics", "Emerging topics", rising))
        tables.append(
            table_of("topic_mix", "Topic x sentiment x intent", topic_mix(facts, topic_of, brand=brand))
        )
    return {t.name: t for t in tables}


def build_overview(
    store: Store,
    *,
    config: WorkspaceConfig,
    since: datetime | None = None,
    brand: str | None = None,
    bucket: str = "day",
    versions: Mapping[str, str] | None = None,
) -> Overview:
    """Load the facts once and compute every standard table (linked authors count once)."""
    everything = load_facts(
        store, config=config, flt=FactFilter(since=since, include_own=True), versions=versions
    )
    own = own_handles(config)
    facts = [f for f in everything if f.author is None or f.author.split(":", 1)[1] not in own]
    audiences = brand_audiences(store, config)
    tables = overview_tables(
        facts,
        brand=brand,
        audiences=audiences,
        bucket=bucket,
        identities=identities(store),
        situations=config.insights.segments,
        topic_of=topic_assignments(store),
    )
    audit = intrusion_audit(everything, handle_owners(config))
    if brand is not None:
        audit = [r for r in audit if r.brand.casefold() == brand.casefold()]
    tables["intrusion"] = table_of("intrusion", "Intrusion audit: the brand's replies", audit)
    return Overview(since=since, brand=brand, facts=tuple(facts), tables=tables)
