"""The store's paths for Dask: results saved as JSON text, stale ids, live posts by id, a URL for workers.

On SQLite and PostgreSQL: saving encoded rows must give what saving the same
results as dicts gives (the last row of a key wins, a stored row is replaced),
and a worker handed ids must read exactly the live posts among them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select
from sqlalchemy.engine import make_url
from store_helpers import make_post, rec

from goodwill.models import NUL_REPLACEMENT, Author
from goodwill.store import PostQuery, Store, open_store
from goodwill.store.enrichment_rows import without_nul
from goodwill.store.schema import enrichments

STAGES = {"a": "1", "b": "2"}

keys = st.tuples(
    st.integers(min_value=0, max_value=4), st.sampled_from(["a", "b"]), st.sampled_from(["1", "2"])
)
values = st.fixed_dictionaries({"score": st.integers(min_value=-3, max_value=3), "why": st.text(max_size=5)})
batches = st.lists(st.lists(st.tuples(keys, values), max_size=8), min_size=1, max_size=4)


def _no_nul(value: dict[str, object]) -> dict[str, object]:
    """What the store keeps of a result: NUL characters, which PostgreSQL refuses, replaced."""
    return {k: v.replace("\x00", NUL_REPLACEMENT) if isinstance(v, str) else v for k, v in value.items()}


def _ids(store: Store, n: int) -> list[int]:
    store.upsert([rec(make_post(str(i), f"post {i}")) for i in range(n)])
    return [s.id for s in store.query(PostQuery(limit=None, newest_first=False))]


def _stored(store: Store) -> dict[tuple[int, str, str], object]:
    stmt = select(
        enrichments.c.post_id, enrichments.c.stage, enrichments.c.stage_version, enrichments.c.result
    )
    return store.read(lambda conn: {(p, s, v): r for p, s, v, r in conn.execute(stmt)})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batches=batches)
def test_encoded_rows_are_stored_as_the_same_results_given_as_dicts(
    store: Store, batches: list[list[tuple[tuple[int, str, str], dict[str, object]]]]
) -> None:
    # one store for every example: five posts made once, results cleared each time
    ids = [s.id for s in store.query(PostQuery(limit=None, newest_first=False))] or _ids(store, 5)
    store.transaction(lambda conn: conn.execute(delete(enrichments)))
    expected: dict[tuple[int, str, str], object] = {}
    for batch in batches:
        rows = [(ids[i], stage, version, json.dumps(value)) for (i, stage, version), value in batch]
        store.save_encoded_enrichment(rows)
        expected.update({(ids[i], stage, version): _no_nul(value) for (i, stage, version), value in batch})
    assert _stored(store) == expected


def test_an_encoded_row_replaces_a_dict_one_and_reads_back_as_a_dict(store: Store) -> None:
    (one,) = _ids(store, 1)
    store.save_enrichment([(one, "a", "1", {"label": "old"})])
    store.save_encoded_enrichment([(one, "a", "1", '{"label": "new", "n": [1, 2]}'), (one, "b", "2", "{}")])
    (post,) = store.query(PostQuery(limit=None, versions=STAGES | {"a": "1"}))
    assert post.enrichment == {"label": "new", "n": [1, 2]}
    assert list(store.iter_stale({"a": "1", "b": "2"})) == []


def test_stale_ids_are_the_ids_of_the_stale_pages(store: Store) -> None:
    ids = _ids(store, 7)
    store.save_enrichment([(ids[1], "a", "1", {}), (ids[1], "b", "2", {}), (ids[4], "a", "1", {})])
    store.upsert([rec(make_post("5", None, deleted=True))])
    pages = list(store.iter_stale_ids(STAGES | {"a": "1"}, batch_size=2))
    assert pages == [[ids[0], ids[2]], [ids[3], ids[4]], [ids[6]]]
    assert pages == [[s.id for s in page] for page in store.iter_stale(STAGES | {"a": "1"}, batch_size=2)]
    assert list(store.iter_stale_ids({})) == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(judged=st.lists(st.booleans(), min_size=40, max_size=40), batch=st.integers(min_value=1, max_value=9))
def test_stale_pages_are_full_and_hold_every_stale_post_once(
    store: Store, judged: list[bool], batch: int
) -> None:
    # one store for every example: forty posts made once, judgements reset each time
    ids = [s.id for s in store.query(PostQuery(limit=None, newest_first=False))] or _ids(store, 40)
    store.transaction(lambda conn: conn.execute(delete(enrichments)))
    store.save_enrichment([(i, "a", "1", {}) for i, done in zip(ids, judged, strict=True) if done])
    pages = list(store.iter_stale_ids({"a": "1"}, batch_size=batch))
    assert [i for page in pages for i in page] == [i for i, done in zip(ids, judged, strict=True) if not done]
    assert all(len(page) == batch for page in pages[:-1]) and all(0 < len(p) <= batch for p in pages)


def test_live_posts_are_the_stored_undeleted_ones_among_the_ids(store: Store) -> None:
    ids = _ids(store, 4)
    store.upsert([rec(make_post("2", None, deleted=True))])
    found = store.live_posts([ids[3], ids[2], ids[0], 10_000 + ids[3]])
    assert [(i, p.native_id, p.text) for i, p in found] == [(ids[0], "0", "post 0"), (ids[3], "3", "post 3")]
    assert store.live_posts([]) == []


def test_the_shared_url_opens_the_same_database(store: Store) -> None:
    shared = store.shared_url()
    assert shared is not None
    with open_store(shared, migrate=False) as other:
        assert other.count(PostQuery(limit=None)) == store.count(PostQuery(limit=None))
        _ids(other, 2)
    assert store.count(PostQuery(limit=None)) == 2
    assert make_url(shared).password == make_url(store.url).password


def test_a_relative_sqlite_path_is_shared_absolute_and_memory_not_at_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with open_store("sqlite:///rel.db") as relative:
        assert relative.shared_url() == f"sqlite:///{tmp_path.resolve() / 'rel.db'}"
    with open_store("sqlite://") as memory:
        assert memory.shared_url() is None


@given(
    st.recursive(
        st.text() | st.integers() | st.none(),
        lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
    )
)
def test_without_nul_replaces_nul_characters_and_nothing_else(value: object) -> None:
    def replaced(v: object) -> object:
        if isinstance(v, str):
            return v.replace("\x00", NUL_REPLACEMENT)
        if isinstance(v, list):
            return [replaced(x) for x in v]
        if isinstance(v, dict):
            return {replaced(k): replaced(x) for k, x in v.items()}
        return v

    cleaned = without_nul(json.dumps(value))
    assert "\\u0000" not in cleaned.replace("\\\\", "")
    assert json.loads(cleaned) == replaced(value)


def test_a_post_or_result_with_nul_characters_is_kept_by_both_stores(store: Store) -> None:
    store.upsert([rec(make_post("1\x00", "a\x00b", author=Author(handle="h\x00")))])
    (stored,) = store.query(PostQuery(limit=None))
    assert (stored.post.native_id, stored.post.text, stored.post.author_handle) == (
        "1\ufffd",
        "a\ufffdb",
        "h\ufffd",
    )
    store.save_enrichment([(stored.id, "a", "1", {"why": "x\x00y", "n": ["\\u0000"]})])
    (judged,) = store.query(PostQuery(limit=None, versions={"a": "1"}))
    assert judged.enrichment == {"why": "x\ufffdy", "n": ["\\u0000"]}
