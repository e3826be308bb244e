"""The queue ranked by the database: the same order and scores as the Python ranking it replaced.

Runs on SQLite and on PostgreSQL (the ``store`` fixture of tests/conftest.py).
The dataset is fixed and its order was worked out by hand (the scores are
written next to each post); a second, seeded dataset is compared with the old
Python ranking kept here as the reference.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from goodwill.care.queue import build_queue
from goodwill.models import Author, Post, Provenance
from goodwill.store import RawRecord, Store
from python_ranking import ranked_in_python

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
PROVENANCE = Provenance(source="file:jsonl", endpoint="/tmp/q.jsonl", retrieved_at=NOW)


def judged(
    intent: str = "question",
    *,
    complaint: float | None = None,
    sentiment: float = 0.0,
    welcome: float = 0.9,
    is_welcome: bool = True,
    spam: bool = False,
    brand: str = "Acme",
) -> dict[str, Any]:
    return {
        "brands": [{"name": brand, "role": "brand"}],
        "intent": {"label": intent},
        "complaint": {"is_complaint": complaint is not None, "score": complaint or 0.0},
        "sentiment": {"label": "neutral", "score": sentiment},
        "receptivity": {"welcome": is_welcome, "score": welcome},
        "spam": {"is_spam": spam},
    }


def add(
    store: Store,
    native_id: str,
    result: Mapping[str, Any],
    *,
    hours_ago: float | None = 1.0,
    followers: int | None = 9,
    stage: str = "judged",
) -> int:
    post = Post(
        network="x",
        native_id=native_id,
        text=f"post {native_id}",
        author=Author(handle=f"u{native_id}", followers=followers),
        created_at=None if hours_ago is None else NOW - timedelta(hours=hours_ago),
    )
    store.upsert([(post, RawRecord(payload=post.contract_fields(), provenance=PROVENANCE))])
    stored = store.get("x", native_id)
    assert stored is not None
    store.save_enrichment([(stored.id, stage, "1", dict(result))])
    return stored.id


def python_queue(
    store: Store, *, brand: str | None = None, versions: Mapping[str, str] | None = None, now: datetime = NOW
) -> list[tuple[str, float]]:
    """The ranking as build_queue did it before: every welcome post read back and sorted in Python."""
    ranked = ranked_in_python(store, now=now, brand=brand, versions=versions)
    return [(s.post.native_id, p.score) for s, p in ranked]


def sql_queue(store: Store, **kw: Any) -> list[tuple[str, float]]:
    return [(e.post.post.native_id, e.priority.score) for e in build_queue(store, now=NOW, limit=None, **kw)]


def fixed(store: Store) -> None:
    # intent 3 + complaint 2 x 0.8 + negativity 0.6 + reach log10(100)/2 = 1 + welcome 0.9 + waiting 2/24
    add(store, "angry", judged("complaint", complaint=0.8, sentiment=-0.6), hours_ago=2, followers=99)
    # 2 + 0.5 + 0.9 + waited a full day (1.0) = 4.4, posted 30 h ago
    add(store, "asked", judged(), hours_ago=30)
    # the same 4.4, posted 36 h ago: the older post goes first
    add(store, "asked-earlier", judged(), hours_ago=36)
    # help 3 + no reach + 0.9 + 1/24 = 3.9417
    add(store, "stuck", judged("help_request"), hours_ago=1, followers=0)
    # 2 + 0.5 + 0.9 + 1.0 - (72 - 48) / 24 x 0.5 = 3.9
    add(store, "stale", judged(), hours_ago=72)
    # undated: 2 + 0.5 + 0.9 = 3.4, and no waiting part
    add(store, "undated", judged(), hours_ago=None)
    # praise 0.5 + 0.5 + 0.9 + 1/24 = 1.9417; a positive sentiment adds nothing
    add(store, "thanks", judged("praise", sentiment=0.8), hours_ago=1)
    # left out: spam, not welcome, and a deleted post
    add(store, "spam", judged("complaint", complaint=0.9, spam=True))
    add(store, "unwelcome", judged("complaint", complaint=0.9, is_welcome=False))
    gone = add(store, "gone", judged("complaint", complaint=0.9))
    assert gone
    tomb = Post(network="x", native_id="gone", text=None, deleted=True, created_at=NOW)
    store.upsert([(tomb, RawRecord(payload=tomb.contract_fields(), provenance=PROVENANCE))])
    # another brand
    add(store, "globex", judged(brand="Globex"), hours_ago=3)


HAND_CHECKED = [
    ("angry", 7.1833),
    ("asked-earlier", 4.4),
    ("asked", 4.4),
    ("stuck", 3.9417),
    ("stale", 3.9),
    ("globex", 3.525),
    ("undated", 3.4),
    ("thanks", 1.9417),
]


def test_the_database_ranks_the_fixed_queue_as_worked_out_by_hand(store: Store) -> None:
    fixed(store)
    assert sql_queue(store) == HAND_CHECKED
    assert python_queue(store) == HAND_CHECKED


def test_limit_and_brand_are_applied_by_the_database(store: Store) -> None:
    fixed(store)
    top = build_queue(store, limit=3, now=NOW)
    assert [e.post.post.native_id for e in top] == ["angry", "asked-earlier", "asked"]
    assert top[0].priority.parts == {
        "intent": 3.0,
        "complaint": 1.6,
        "negativity": 0.6,
        "reach": 1.0,
        "welcome": 0.9,
        "waiting": 0.0833,
        "fading": -0.0,
    }
    assert [n for n, _ in sql_queue(store, brand="globex")] == ["globex"]
    assert build_queue(store, brand="Initech", now=NOW) == []


def test_the_newest_stage_result_of_each_key_counts_and_versions_choose(store: Store) -> None:
    pid = add(store, "merged", {"receptivity": {"welcome": True, "score": 0.5}}, stage="receptivity")
    store.save_enrichment([(pid, "intent", "1", {"intent": {"label": "praise"}})])
    # a later stage overrides the intent (newest computed_at wins, as in the merged enrichment)
    store.save_enrichment([(pid, "intent2", "1", {"intent": {"label": "complaint"}})])
    store.save_enrichment([(pid, "sentiment", "2", {"sentiment": {"score": -0.5}})])
    [entry] = build_queue(store, now=NOW)
    # complaint 3 + negativity 0.5 + reach 0.5 + welcome 0.5 + waiting 1/24
    assert entry.priority.score == 4.5417
    assert sql_queue(store) == python_queue(store) == [("merged", 4.5417)]
    # only the receptivity and the first intent stage counted: praise 0.5 + 0.5 + 0.5 + 1/24
    versions = {"receptivity": "1", "intent": "1"}
    assert (
        sql_queue(store, versions=versions) == python_queue(store, versions=versions) == [("merged", 1.5417)]
    )


def test_odd_json_counts_as_nothing_instead_of_failing(store: Store) -> None:
    add(
        store,
        "odd",
        {
            "intent": None,
            "complaint": {"is_complaint": True, "score": "high"},
            "sentiment": {"score": None},
            "receptivity": {"welcome": True, "score": 0.25},
            "spam": "no",
        },
        followers=None,
    )
    # no intent, no usable complaint score, no followers: welcome 0.25 + waiting 1/24
    assert sql_queue(store) == [("odd", 0.2917)]


def test_a_seeded_random_store_ranks_exactly_like_the_python_ranking(store: Store) -> None:
    rng = random.Random(20261201)
    intents = ["complaint", "help_request", "question", "praise", "feedback", "social", "unknown"]
    for n in range(120):
        result = judged(
            rng.choice(intents),
            complaint=rng.choice([None, round(rng.random(), 3)]),
            sentiment=round(rng.uniform(-1, 1), 3),
            welcome=round(rng.random(), 3),
            is_welcome=rng.random() < 0.8,
            spam=rng.random() < 0.1,
            brand=rng.choice(["Acme", "Globex"]),
        )
        hours = rng.choice([None, round(rng.uniform(0, 200), 2), 24.0, 48.0, 5.0])
        add(store, f"r{n}", result, hours_ago=hours, followers=rng.choice([None, 0, 9, 1234, 10**6]))
    expected = python_queue(store)
    assert len(expected) > 60
    assert sql_queue(store) == expected
    assert sql_queue(store, brand="Globex") == python_queue(store, brand="Globex")
