"""The stored ranking (goodwill.store.ranking) gives the queue exactly what scoring every post gives.

On SQLite and PostgreSQL: random stores, built by random sequences of imports,
edits (followers change reach), judgements by several stages and versions,
re-judgements, tombstones and undated posts, with rankings built before, between
and after the writes, so both the build and the upkeep by the writes are held to
the Python reference ranking (tests/python_ranking.py) and to the full SQL ranking.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from alembic import command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, create_engine, delete, func, insert, select

from goodwill.care.queue import build_queue, full_queue
from goodwill.jobs.page_judgement import Judged, PageJudge
from goodwill.models import Author, Post, Provenance
from goodwill.store import PostQuery, RawRecord, Store, open_store
from goodwill.store.backup import backup, restore
from goodwill.store.engine import _alembic_config
from goodwill.store.ranking import KEEP_RANKINGS, candidates
from goodwill.store.schema import enrichments, post_versions, posts, queue_rankings, queue_ranks, raw_payloads
from python_ranking import ranked_in_python

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
PROVENANCE = Provenance(source="file:jsonl", endpoint="/tmp/q.jsonl", retrieved_at=NOW)
VERSION_SETS: list[dict[str, str] | None] = [None, {"a": "1", "b": "1"}, {"a": "2", "b": "1", "c": "1"}]
INTENTS = ["complaint", "help_request", "question", "praise", "social", "unknown"]


def _post(native_id: str, hours: float | None, followers: int | None, text: str) -> tuple[Post, RawRecord]:
    post = Post(
        network="x",
        native_id=native_id,
        text=text,
        author=Author(handle=f"u{native_id}", followers=followers),
        created_at=None if hours is None else NOW - timedelta(hours=hours),
    )
    return post, RawRecord(payload=post.contract_fields(), provenance=PROVENANCE)


def _tombstone(native_id: str) -> tuple[Post, RawRecord]:
    post = Post(network="x", native_id=native_id, text=None, deleted=True, created_at=NOW)
    return post, RawRecord(payload=post.contract_fields(), provenance=PROVENANCE)


scores = st.one_of(
    st.floats(min_value=-1, max_value=1, allow_nan=False).map(lambda x: round(x, 3)),
    st.integers(min_value=-1, max_value=1),
    st.just("high"),
)
mostly = st.sampled_from([True, True, True, False])
results = st.fixed_dictionaries(
    {"receptivity": st.fixed_dictionaries({"welcome": mostly, "score": scores})},
    optional={
        "intent": st.fixed_dictionaries({"label": st.sampled_from(INTENTS)}),
        "complaint": st.fixed_dictionaries({"is_complaint": st.booleans(), "score": scores}),
        "sentiment": st.fixed_dictionaries({"score": scores}),
        "spam": st.fixed_dictionaries({"is_spam": st.booleans()}),
        "brands": st.lists(
            st.fixed_dictionaries({"name": st.sampled_from(["Acme", "acme", "Globex"])}), max_size=2
        ),
    },
)
ids = st.integers(min_value=0, max_value=2).map(lambda i: f"p{i}")
hours = st.one_of(st.none(), st.floats(min_value=-5, max_value=200, allow_nan=False))
followers = st.sampled_from([None, 0, 9, 5000])
edit = st.tuples(st.just("post"), ids, hours, followers)  # new text: an edit, or an import after a tombstone
operations = st.lists(
    st.one_of(
        edit,
        edit,
        edit,
        st.tuples(st.just("judge"), ids, st.sampled_from("abc"), st.sampled_from("12"), results),
        st.tuples(st.just("judge"), ids, st.sampled_from("ab"), st.just("1"), results),
        st.tuples(st.just("delete"), ids),
        st.tuples(st.just("rank"), st.sampled_from(range(len(VERSION_SETS)))),
    ),
    max_size=25,
)


def _clear(store: Store) -> None:
    def run(conn: Any) -> None:
        for table in (queue_ranks, queue_rankings, enrichments, post_versions, raw_payloads, posts):
            conn.execute(delete(table))

    store.transaction(run)


def _apply(store: Store, ops: list[tuple[Any, ...]]) -> None:
    edits = 0
    for op in ops:
        if op[0] == "post":
            edits += 1
            store.upsert([_post(op[1], op[2], op[3], f"text {op[1]} {edits}")])
        elif op[0] == "judge":
            found = store.get("x", op[1])
            if found is not None and not found.post.deleted:
                store.save_enrichment([(found.id, op[2], op[3], op[4])])
        elif op[0] == "delete":
            store.upsert([_tombstone(op[1])])
        else:
            build_queue(store, versions=VERSION_SETS[op[1]], limit=1, now=NOW)


def _kept_as_built(store: Store) -> None:
    """Every stored ranking holds exactly the rows a build from scratch would (bases to the bit)."""

    def check(conn: Connection) -> None:
        for ranking, versions in conn.execute(select(queue_rankings.c.id, queue_rankings.c.versions)):
            stored = conn.execute(
                select(queue_ranks.c.post_id, queue_ranks.c.base).where(queue_ranks.c.ranking_id == ranking)
            )
            fresh = conn.execute(candidates(conn.dialect.name, versions))
            assert sorted(map(tuple, stored)) == sorted(map(tuple, fresh))

    store.read(check)


def _same_as_reference(store: Store) -> None:
    _kept_as_built(store)
    for versions in VERSION_SETS:
        for brand in (None, "acme"):
            reference = [
                (s.id, p.score) for s, p in ranked_in_python(store, now=NOW, brand=brand, versions=versions)
            ]
            full = [s.id for s in full_queue(store, brand=brand, versions=versions, limit=None, now=NOW)]
            assert full == [i for i, _ in reference]
            for limit in (None, 1, 3):
                got = build_queue(store, brand=brand, versions=versions, limit=limit, now=NOW)
                assert [(e.post.id, e.priority.score) for e in got] == reference[:limit]
    _kept_as_built(store)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    start=st.lists(st.tuples(hours, followers), min_size=3, max_size=3), before=operations, after=operations
)
def test_the_stored_ranking_ranks_random_stores_as_the_reference(
    store: Store,
    start: list[tuple[float | None, int | None]],
    before: list[tuple[Any, ...]],
    after: list[tuple[Any, ...]],
) -> None:
    _clear(store)
    store.upsert([_post(f"p{i}", h, f, f"first text {i}") for i, (h, f) in enumerate(start)])
    _apply(store, before)
    _same_as_reference(store)  # builds every ranking
    _apply(store, after)  # kept by the writes
    _same_as_reference(store)


def test_edits_and_tombstones_after_the_ranking_is_built_are_ranked_anew(store: Store) -> None:
    for native_id in ("a", "b", "c"):
        store.upsert([_post(native_id, 2.0, 0, f"text {native_id}")])
        found = store.get("x", native_id)
        assert found is not None
        store.save_enrichment([(found.id, "a", "1", {"receptivity": {"welcome": True, "score": 0.5}})])
    assert [e.post.post.native_id for e in build_queue(store, now=NOW)] == ["a", "b", "c"]
    store.upsert([_post("c", 2.0, 99999, "text c, edited")])  # more followers: more reach
    store.upsert([_tombstone("a")])
    got = build_queue(store, now=NOW)
    assert [(e.post.post.native_id, e.priority.score) for e in got] == [("c", 3.0833), ("b", 0.5833)]
    assert [(s.post.native_id, p.score) for s, p in ranked_in_python(store, now=NOW)] == [
        ("c", 3.0833),
        ("b", 0.5833),
    ]


def test_a_listener_page_keeps_the_ranking(store: Store) -> None:
    judge = PageJudge(SimpleNamespace(versions={"a": "1"}))  # type: ignore[arg-type]
    page = [_post(n, 1.0, 9, f"text {n}")[0] for n in ("a", "b")]
    store.upsert([_post(n, 1.0, 9, f"text {n}") for n in ("a", "b")])
    assert build_queue(store, versions={"a": "1"}, now=NOW) == []  # built, empty
    results = [{"a": {"receptivity": {"welcome": True, "score": s}}} for s in (0.1, 0.7)]
    store.transaction(lambda conn: judge.write(conn, Judged(page, results), NOW))
    got = build_queue(store, versions={"a": "1"}, now=NOW)
    assert [e.post.post.native_id for e in got] == ["b", "a"]


def _judgement(rng: random.Random) -> dict[str, Any]:
    return {
        "brands": [{"name": rng.choice(["Acme", "Globex"])}],
        "intent": {"label": rng.choice(INTENTS)},
        "complaint": {"is_complaint": rng.random() < 0.5, "score": round(rng.random(), 3)},
        "sentiment": {"score": round(rng.uniform(-1, 1), 3)},
        "receptivity": {"welcome": rng.random() < 0.8, "score": round(rng.random(), 3)},
        "spam": {"is_spam": rng.random() < 0.05},
    }


def test_the_bar_skips_candidates_that_cannot_reach_the_top(store: Store) -> None:
    """More candidates than the probe reads: old posts with high static parts, fresh ones with low."""
    rng = random.Random(5)
    ages = [None, 0.5, 30, 90, 400, 2000]
    store.upsert([_post(str(i), rng.choice(ages), rng.choice([0, 9, 99999]), f"t{i}") for i in range(500)])
    found = [s.id for page in store.iter_posts(PostQuery(limit=None)) for s in page]
    store.save_enrichment([(pid, "a", "1", _judgement(rng)) for pid in found])
    for brand in (None, "globex"):
        reference = [(s.id, p.score) for s, p in ranked_in_python(store, now=NOW, brand=brand)]
        assert len(reference) > 150
        for limit in (1, 5, 20, 250):
            got = build_queue(store, brand=brand, limit=limit, now=NOW)
            assert [(e.post.id, e.priority.score) for e in got] == reference[:limit]


def test_only_the_newest_rankings_are_kept(store: Store) -> None:
    store.upsert([_post("1", 1.0, 9, "hello")])
    for n in range(KEEP_RANKINGS + 2):
        build_queue(store, versions={"a": str(n)}, now=NOW)

    def kept(conn: Connection) -> list[Any]:
        return list(conn.execute(select(queue_rankings.c.versions).order_by(queue_rankings.c.id)).scalars())

    assert store.read(kept) == [{"a": str(n)} for n in range(2, KEEP_RANKINGS + 2)]


def test_a_store_upgraded_from_0008_ranks_its_posts_as_before(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    rng = random.Random(8)
    try:
        with engine.begin() as conn:
            cfg = _alembic_config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0008")
            for i in range(1, 61):
                conn.execute(
                    insert(posts).values(
                        id=i,
                        network="x",
                        native_id=str(i),
                        text=f"post {i}",
                        author_followers=rng.choice([None, 0, 120]),
                        created_at=rng.choice([None, NOW - timedelta(hours=rng.uniform(0, 120))]),
                        deleted=False,
                        content_hash="h",
                        first_seen_at=NOW,
                        updated_at=NOW,
                    )
                )
                for stage in ("a", "b"):
                    conn.execute(
                        insert(enrichments).values(
                            post_id=i, stage=stage, stage_version="1", result=_judgement(rng), computed_at=NOW
                        )
                    )
    finally:
        engine.dispose()
    with open_store(url) as store:

        def count(conn: Connection) -> int:
            return int(conn.execute(select(func.count()).select_from(queue_ranks)).scalar_one())

        assert store.read(count) == 0  # built by the first queue call for its versions
        for versions in (None, {"a": "1"}):
            reference = [(s.id, p.score) for s, p in ranked_in_python(store, now=NOW, versions=versions)]
            assert len(reference) > 20
            got = build_queue(store, versions=versions, limit=10, now=NOW)
            assert [(e.post.id, e.priority.score) for e in got] == reference[:10]
        both = [len(ranked_in_python(store, now=NOW, versions=v)) for v in (None, {"a": "1"})]
        assert store.read(count) == sum(both)


def test_a_backup_restores_its_ranking_even_into_a_store_that_only_ranked(
    store: Store, tmp_path: Path
) -> None:
    rng = random.Random(3)
    store.upsert(
        [_post(str(i), rng.choice([None, 2.0, 60.0]), rng.choice([0, 99]), f"t{i}") for i in range(30)]
    )
    found = [s.id for page in store.iter_posts(PostQuery(limit=None)) for s in page]
    store.save_enrichment([(pid, "a", "1", _judgement(rng)) for pid in found])
    expected = [(e.post.post.native_id, e.priority.score) for e in build_queue(store, limit=5, now=NOW)]
    dump = tmp_path / "store.jsonl"
    backup(store, dump)
    with open_store(f"sqlite:///{tmp_path / 'other.db'}") as other:
        assert build_queue(other, now=NOW) == []  # registers a ranking: still an empty store
        restore(other, dump)
        _kept_as_built(other)
        got = [(e.post.post.native_id, e.priority.score) for e in build_queue(other, limit=5, now=NOW)]
        assert got == expected
