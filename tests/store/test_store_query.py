"""Queries, full-text search, enrichment staleness and statistics, with values asserted."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from store_helpers import make_post, rec

from goodwill.errors import StoreError
from goodwill.store import PostQuery, Store


def _judgement(
    sentiment: str, intent: str, lang: str, welcome: bool, brands: list[str]
) -> list[tuple[str, dict[str, Any]]]:
    return [
        ("language", {"language": lang}),
        ("mentions", {"brands": [{"name": b, "role": "brand", "addressed": False} for b in brands]}),
        ("sentiment", {"sentiment": {"label": sentiment, "score": 0.5}}),
        ("intent", {"intent": {"label": intent, "scores": {intent: 0.9}}}),
        ("receptivity", {"receptivity": {"welcome": welcome, "score": 0.7, "reasons": []}}),
    ]


@pytest.fixture
def filled(store: Store) -> Store:
    store.upsert(
        [
            rec(
                make_post(
                    "1",
                    "My café card was declined again",
                    network="x",
                    lang="en",
                    created_at=datetime(2026, 1, 1, tzinfo=UTC),
                )
            ),
            rec(
                make_post(
                    "2",
                    "Which bank should I pick?",
                    network="x",
                    lang="en",
                    created_at=datetime(2026, 2, 1, tzinfo=UTC),
                )
            ),
            rec(
                make_post(
                    "3",
                    "Merci pour le service",
                    network="mastodon",
                    lang="fr",
                    created_at=datetime(2026, 3, 1, tzinfo=UTC),
                )
            ),
            rec(make_post("4", "no date, not enriched", network="bluesky", lang="de")),
        ]
    )
    plan = {
        "1": _judgement("negative", "complaint", "en", True, ["Acme Bank"]),
        "2": _judgement("neutral", "question", "en", True, ["Globex", "acme bank"]),
        "3": _judgement("positive", "praise", "fr", False, []),
    }
    rows = []
    for native_id, judgements in plan.items():
        stored = store.get("x" if native_id != "3" else "mastodon", native_id)
        assert stored is not None
        rows += [(stored.id, stage, "1", result) for stage, result in judgements]
    store.save_enrichment(rows)
    return store


def _ids(store: Store, q: PostQuery) -> list[str]:
    return [p.post.native_id for p in store.query(q)]


def test_every_filter(filled: Store) -> None:
    assert _ids(filled, PostQuery()) == ["4", "3", "2", "1"]  # no date: first_seen (now) is newest
    assert _ids(filled, PostQuery(newest_first=False)) == ["1", "2", "3", "4"]
    assert _ids(filled, PostQuery(network="X")) == ["2", "1"]
    assert _ids(filled, PostQuery(brand="ACME BANK")) == ["2", "1"]
    assert _ids(filled, PostQuery(brand="globex")) == ["2"]
    assert _ids(filled, PostQuery(brand="nobody")) == []
    assert _ids(filled, PostQuery(sentiment="negative")) == ["1"]
    assert _ids(filled, PostQuery(intent="question")) == ["2"]
    assert _ids(filled, PostQuery(language="fr")) == ["3"]
    assert _ids(filled, PostQuery(language="de")) == ["4"]  # not enriched: the declared language
    assert _ids(filled, PostQuery(welcome=True)) == ["2", "1"]
    assert _ids(filled, PostQuery(welcome=False)) == ["3"]
    assert _ids(filled, PostQuery(since=datetime(2026, 1, 15, tzinfo=UTC))) == ["4", "3", "2"]
    assert _ids(filled, PostQuery(search="bank")) == ["2"]
    assert _ids(filled, PostQuery(network="x", sentiment="neutral", welcome=True)) == ["2"]
    assert _ids(filled, PostQuery(limit=2)) == ["4", "3"]
    assert _ids(filled, PostQuery(limit=2, offset=2)) == ["2", "1"]
    assert filled.count(PostQuery(limit=1)) == 4
    assert filled.count(PostQuery(welcome=True)) == 2


def test_enrichment_is_merged_per_post(filled: Store) -> None:
    [one] = filled.query(PostQuery(sentiment="negative"))
    assert one.enrichment["sentiment"] == {"label": "negative", "score": 0.5}
    assert one.enrichment["brands"][0]["name"] == "Acme Bank"
    assert one.enrichment["language"] == "en"
    assert set(one.enrichment) == {"language", "brands", "sentiment", "intent", "receptivity"}


def test_versions_select_which_results_count(filled: Store) -> None:
    one = filled.get("x", "1")
    assert one is not None
    filled.save_enrichment([(one.id, "sentiment", "2", {"sentiment": {"label": "positive", "score": 0.1}})])
    # latest wins by default
    assert _ids(filled, PostQuery(sentiment="positive")) == ["3", "1"]
    again = filled.get("x", "1")
    assert again is not None and again.enrichment["sentiment"]["label"] == "positive"
    # pinned to version 1, the older judgement counts
    assert _ids(filled, PostQuery(sentiment="negative", versions={"sentiment": "1"})) == ["1"]
    assert _ids(filled, PostQuery(sentiment="positive", versions={"sentiment": "2"})) == ["1"]


def test_staleness_follows_stage_versions(store: Store) -> None:
    store.upsert([rec(make_post(str(i), f"text {i}")) for i in range(5)])
    ids = [p.id for p in store.query(PostQuery(newest_first=False))]
    assert [p.id for page in store.iter_stale({"sentiment": "1"}) for p in page] == ids
    store.save_enrichment(
        [(i, "sentiment", "1", {"sentiment": {"label": "neutral", "score": 0}}) for i in ids]
    )
    assert list(store.iter_stale({"sentiment": "1"})) == []
    assert [p.id for page in store.iter_stale({"sentiment": "2"}) for p in page] == ids
    # a stage never run makes every post stale; current results of other stages come along
    pages = list(store.iter_stale({"sentiment": "1", "intent": "1"}, batch_size=2))
    assert [len(page) for page in pages] == [2, 2, 1]
    assert pages[0][0].enrichment == {"sentiment": {"label": "neutral", "score": 0}}
    assert list(store.iter_stale({})) == []


def test_stale_means_missing_one_current_pair_whatever_else_is_stored(store: Store) -> None:
    """Rows of other versions or other stages never make up for a missing current one."""
    store.upsert([rec(make_post(str(i), f"text {i}")) for i in range(4)])
    a, b, c, d = (p.id for p in store.query(PostQuery(newest_first=False)))
    current = {"sentiment": "2", "intent": "1"}
    store.save_enrichment(
        [
            (a, "sentiment", "2", {"s": 1}),
            (a, "intent", "1", {"i": 1}),  # a: both current pairs
            (b, "sentiment", "1", {"s": 0}),
            (b, "sentiment", "2", {"s": 1}),
            (b, "spam", "1", {"x": 0}),  # b: three rows, but intent missing
            (c, "intent", "1", {"i": 1}),
            (c, "intent", "2", {"i": 2}),  # c: two rows, sentiment missing
            (d, "sentiment", "1", {"s": 0}),
            (d, "intent", "1", {"i": 1}),  # d: sentiment only at an old version
        ]
    )
    assert [p.id for page in store.iter_stale(current) for p in page] == [b, c, d]
    store.save_enrichment([(i, "sentiment", "2", {"s": 1}) for i in (c, d)] + [(b, "intent", "1", {"i": 1})])
    assert list(store.iter_stale(current)) == []


def test_iter_stale_skips_tombstones_and_tolerates_writes_between_pages(store: Store) -> None:
    store.upsert([rec(make_post(str(i), f"text {i}")) for i in range(6)])
    store.upsert([rec(make_post("0", None, deleted=True))])
    seen = []
    for page in store.iter_stale({"s": "1"}, batch_size=2):
        seen += [p.post.native_id for p in page]
        store.save_enrichment([(p.id, "s", "1", {"x": 1}) for p in page])
    assert seen == ["1", "2", "3", "4", "5"]
    assert list(store.iter_stale({"s": "1"})) == []


@pytest.mark.parametrize(
    "query", ['"', "*", "AND", "(", "NEAR(", "a OR", ")", "'", "-", "^", ":", "café*", ""]
)
def test_hostile_search_input_does_not_crash(filled: Store, query: str) -> None:
    assert isinstance(filled.query(PostQuery(search=query)), list)


def test_search_ignores_accents_and_case(store: Store) -> None:
    store.upsert([rec(make_post("1", "Le CAFÉ était froid")), rec(make_post("2", "a cafe in town"))])
    assert sorted(_ids(store, PostQuery(search="cafe"))) == ["1", "2"]
    assert sorted(_ids(store, PostQuery(search="Café"))) == ["1", "2"]
    assert _ids(store, PostQuery(search="cafe froid")) == ["1"]
    assert _ids(store, PostQuery(search='"froid" (')) == ["1"]
    assert _ids(store, PostQuery(search="froid AND")) == []  # AND is a word here, not an operator


def test_search_follows_edits(store: Store) -> None:
    store.upsert([rec(make_post("1", "old words"))])
    store.upsert([rec(make_post("1", "new words"))])
    assert _ids(store, PostQuery(search="old")) == []
    assert _ids(store, PostQuery(search="new")) == ["1"]


def test_stats_values(filled: Store) -> None:
    stats = filled.stats()
    assert stats["total"] == {"posts": 4, "enriched": 3, "deleted": 0}
    assert stats["network"] == {"x": 2, "mastodon": 1, "bluesky": 1}
    assert stats["brand"] == {"Acme Bank": 1, "acme bank": 1, "Globex": 1}
    assert stats["sentiment"] == {"negative": 1, "neutral": 1, "positive": 1}
    assert stats["intent"] == {"complaint": 1, "question": 1, "praise": 1}
    assert stats["language"] == {"en": 2, "fr": 1}
    assert stats["welcome"] == {"true": 2, "false": 1}
    versions = {"language": "1", "mentions": "1", "sentiment": "1", "intent": "1", "receptivity": "1"}
    assert filled.stats(versions)["total"]["enriched"] == 3
    assert filled.stats({"sentiment": "2"})["total"]["enriched"] == 0
    assert filled.stats({"sentiment": "2"})["sentiment"] == {}


def test_stats_leave_out_tombstones(filled: Store) -> None:
    filled.upsert([rec(make_post("1", None, network="x", deleted=True))])
    stats = filled.stats()
    assert stats["total"] == {"posts": 3, "enriched": 2, "deleted": 1}
    assert stats["sentiment"] == {"neutral": 1, "positive": 1}


def test_saving_the_same_stage_version_again_replaces_it(store: Store) -> None:
    store.upsert([rec(make_post("1", "x"))])
    one = store.get("generic", "1")
    assert one is not None
    store.save_enrichment([(one.id, "sentiment", "1", {"sentiment": {"label": "neutral", "score": 0}})])
    store.save_enrichment(
        [
            (one.id, "sentiment", "1", {"sentiment": {"label": "negative", "score": -1}}),
            (one.id, "intent", "1", {"intent": {"label": "question", "scores": {}}}),
        ]
    )
    again = store.get("generic", "1")
    assert again is not None
    assert again.enrichment == {
        "sentiment": {"label": "negative", "score": -1},
        "intent": {"label": "question", "scores": {}},
    }
    assert store.stats()["sentiment"] == {"negative": 1}


def test_saving_for_an_unknown_post_is_a_store_error(store: Store) -> None:
    with pytest.raises(StoreError, match="does not exist"):
        store.save_enrichment([(999, "sentiment", "1", {"sentiment": {}})])


def test_iter_posts_pages_every_match_by_id(store: Store) -> None:
    store.upsert(
        [rec(make_post(str(i), f"word{i % 3} text", network="x" if i % 2 else "y")) for i in range(25)]
    )
    store.upsert([rec(make_post("3", None, network="x", deleted=True))])
    pages = list(store.iter_posts(PostQuery(network="x", limit=2), batch_size=4))
    assert [len(p) for p in pages] == [4, 4, 3]  # limit is ignored: an export wants everything
    ids = [s.post.native_id for page in pages for s in page]
    assert ids == [str(i) for i in range(1, 25, 2) if i != 3]
    assert [s.id for page in pages for s in page] == sorted(s.id for page in pages for s in page)
    with_deleted = [s for page in store.iter_posts(PostQuery(include_deleted=True)) for s in page]
    assert len(with_deleted) == 25 and sum(s.post.deleted for s in with_deleted) == 1
    assert [s.post.native_id for p in store.iter_posts(PostQuery(search="word1")) for s in p] == [
        str(i) for i in range(25) if i % 3 == 1
    ]
