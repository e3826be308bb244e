"""Every measure on the fixed dataset of conftest.py, against values computed by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from insights_data import CONFIG

from goodwill.errors import InputError
from goodwill.insights import (
    BrandMention,
    FactFilter,
    PostFact,
    brand_audiences,
    load_facts,
    negative_by_audience,
    negative_by_tier,
    net_sentiment,
    sentiment_over_time,
    share_of_voice,
    top_voices,
)
from goodwill.insights.facts import payload_engagement
from goodwill.store import Store


def _facts(store: Store, **flt: object) -> list[PostFact]:
    return load_facts(store, config=CONFIG, flt=FactFilter(**flt))  # type: ignore[arg-type]


def test_spam_and_the_brands_own_posts_are_left_out(store: Store) -> None:
    assert [f.native_id for f in _facts(store)] == ["p1", "p2", "p3", "p4", "p5", "p8"]
    assert [f.native_id for f in _facts(store, include_spam=True, include_own=True)] == [
        "p1",
        "p6",
        "p2",
        "p7",
        "p3",
        "p4",
        "p5",
        "p8",
    ]


def test_engagement_is_replies_plus_payload_counters(store: Store) -> None:
    by_id = {f.native_id: f.engagement for f in _facts(store)}
    # p2: 7 likes + 3 reposts in its payload; p3: one stored reply (p8); the rest: nothing known.
    assert by_id == {"p1": None, "p2": 10, "p3": 1, "p4": None, "p5": None, "p8": None}


def test_net_sentiment_per_brand(store: Store) -> None:
    acme, globex = net_sentiment(_facts(store))
    # Acme: p1 neg, p2 pos, p3 neg, p8 neg -> (1 - 3) / 4 = -50; mean (-0.8 + 0.6 - 0.5 - 0.4) / 4
    assert (acme.brand, acme.role, acme.posts, acme.positive, acme.neutral, acme.negative) == (
        "Acme",
        "brand",
        4,
        1,
        0,
        3,
    )
    assert acme.net == -50.0
    assert acme.mean_score == -0.275
    # Globex: p3 neg, p4 neu, p5 pos -> 0; mean 0.4 / 3
    assert (globex.brand, globex.role, globex.posts, globex.net, globex.mean_score) == (
        "Globex",
        "competitor",
        3,
        0.0,
        0.133,
    )


def test_net_sentiment_for_one_brand_only(store: Store) -> None:
    assert [c.brand for c in net_sentiment(_facts(store), brand="globex")] == ["Globex"]


def test_sentiment_by_week_and_by_day(store: Store) -> None:
    weeks = [(p.bucket, p.brand, p.posts, p.net) for p in sentiment_over_time(_facts(store), bucket="week")]
    assert weeks == [
        (date(2026, 11, 2), "Acme", 3, -33.3),  # p1 neg, p2 pos, p3 neg
        (date(2026, 11, 2), "Globex", 2, -50.0),  # p3 neg, p4 neu
        (date(2026, 11, 9), "Acme", 1, -100.0),  # p8
        (date(2026, 11, 9), "Globex", 1, 100.0),  # p5
    ]
    days = [(p.bucket.day, p.brand, p.net) for p in sentiment_over_time(_facts(store), bucket="day")]
    assert days == [
        (2, "Acme", 0.0),
        (3, "Acme", -100.0),
        (3, "Globex", -50.0),
        (9, "Globex", 100.0),
        (10, "Acme", -100.0),
    ]


def test_an_unknown_bucket_is_refused() -> None:
    with pytest.raises(InputError, match="day or week"):
        sentiment_over_time([], bucket="month")


def test_share_of_voice_by_volume_and_weighted(store: Store) -> None:
    acme, globex = share_of_voice(_facts(store))
    # volume 4 : 3 of 7; weights Acme 0 + 1 + 0 + 0 = 1, Globex 0 + 0.5 + 1 = 1.5, of 2.5
    assert (acme.brand, acme.mentions, acme.share, acme.weighted, acme.weighted_share) == (
        "Acme",
        4,
        57.1,
        1.0,
        40.0,
    )
    assert (globex.brand, globex.mentions, globex.share, globex.weighted, globex.weighted_share) == (
        "Globex",
        3,
        42.9,
        1.5,
        60.0,
    )


def test_negative_share_by_follower_tier(store: Store) -> None:
    rows = [
        (r.tier, r.authors, r.posts, r.negative, r.negative_share) for r in negative_by_tier(_facts(store))
    ]
    assert rows == [
        ("nano", 1, 2, 1, 50.0),  # alice: p1 neg, p4 neu
        ("micro", 1, 1, 0, 0.0),  # bob
        ("mid", 1, 1, 1, 100.0),  # erin
        ("macro", 1, 1, 1, 100.0),  # carol
        ("unknown", 1, 1, 0, 0.0),  # dave
    ]
    acme_only = [(r.tier, r.posts) for r in negative_by_tier(_facts(store), brand="Acme")]
    assert acme_only == [("nano", 1), ("micro", 1), ("mid", 1), ("macro", 1)]


def test_negative_share_by_brand_audience(store: Store) -> None:
    audiences = brand_audiences(store, CONFIG)
    # Acme: the followers on its own post p7; Globex: from [insights] audiences
    assert audiences == {"Acme": 50_000, "Globex": 2_000_000}
    rows = [
        (r.brand, r.audience, r.audience_tier, r.posts, r.negative, r.negative_share)
        for r in negative_by_audience(_facts(store), audiences)
    ]
    assert rows == [("Globex", 2_000_000, "very large", 3, 1, 33.3), ("Acme", 50_000, "medium", 4, 3, 75.0)]


def test_top_voices_rank_by_followers_and_engagement(store: Store) -> None:
    voices = top_voices(_facts(store), brand="Acme")
    # carol log10(200001) + 2 log10(2) = 5.90; bob log10(5001) + 2 log10(11) = 5.78;
    # erin log10(20001) = 4.30; alice log10(101) = 2.00
    assert [(v.author, v.tier, v.influence) for v in voices] == [
        ("x:carol", "macro", 5.9),
        ("x:bob", "micro", 5.78),
        ("x:erin", "mid", 4.3),
        ("x:alice", "nano", 2.0),
    ]
    assert voices[0].example == "Acme and Globex both lost my transfer"
    assert [v.author for v in top_voices(_facts(store), brand="Acme", limit=2)] == ["x:carol", "x:bob"]


def test_linked_handles_are_one_voice() -> None:
    def fact(pid: int, author: str, followers: int, engagement: int) -> PostFact:
        return PostFact(
            post_id=pid,
            network=author.split(":")[0],
            native_id=str(pid),
            posted_at=datetime(2026, 11, 1, tzinfo=UTC),
            text=f"t{pid}",
            author=author,
            followers=followers,
            engagement=engagement,
            brands=(BrandMention("Acme", "brand"),),
            sentiment="neutral",
        )

    facts = [fact(1, "x:ann", 900, 4), fact(2, "mastodon:ann@toot.example", 3000, 5), fact(3, "x:bo", 50, 0)]
    voices = top_voices(facts, identities={"x:ann": "Ann", "mastodon:ann@toot.example": "Ann"})
    assert [(v.author, v.posts, v.followers, v.engagement) for v in voices] == [
        ("Ann", 2, 3000, 9),
        ("x:bo", 1, 50, 0),
    ]


def test_payload_engagement_reads_known_counters_only() -> None:
    assert payload_engagement({"favourites_count": 2, "reblogs_count": 1, "replies_count": 4}) == 7
    assert payload_engagement({"public_metrics": {"like_count": 3}}) == 3
    assert payload_engagement({"likes": True, "followers": 900}) is None
    assert payload_engagement({"likes": -1}) is None


def test_since_narrows_every_measure(store: Store) -> None:
    facts = _facts(store, since=datetime(2026, 11, 9, tzinfo=UTC))
    assert [f.native_id for f in facts] == ["p5", "p8"]
    assert [(v.brand, v.mentions, v.share) for v in share_of_voice(facts)] == [
        ("Acme", 1, 50.0),
        ("Globex", 1, 50.0),
    ]
