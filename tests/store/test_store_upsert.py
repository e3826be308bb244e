"""Upsert semantics: idempotency, edits keep versions, tombstones are final, payloads are kept."""

from __future__ import annotations

from datetime import UTC, datetime

from store_helpers import PROVENANCE, make_post, rec

from goodwill.models import Author
from goodwill.store import PostQuery, Store, UpsertCounts


def test_first_import_then_identical_reimport_is_unchanged(store: Store) -> None:
    batch = [rec(make_post(str(i), f"post number {i}")) for i in range(10)]
    assert store.upsert(batch) == UpsertCounts(imported=10)
    assert store.upsert(batch) == UpsertCounts(unchanged=10)
    assert store.count(PostQuery()) == 10
    post = store.get("generic", "3")
    assert post is not None
    assert len(store.raw_payloads(post.id)) == 1


def test_fields_round_trip(store: Store) -> None:
    when = datetime(2025, 5, 1, 12, 30, tzinfo=UTC)
    post = make_post(
        "42",
        "Hi @acme",
        network="X",
        author=Author(handle="ann", name="Ann", native_id="9", followers=12),
        created_at=when,
        reply_to="41",
        conversation_id="40",
        url="https://x.example/42",
        lang="en",
    )
    store.upsert([rec(post)])
    got = store.get("x", "42")
    assert got is not None
    assert got.post == post
    assert got.post.created_at == when
    assert got.enrichment == {}


def test_edit_keeps_previous_text_as_a_version(store: Store) -> None:
    store.upsert([rec(make_post("1", "first"))])
    assert store.upsert([rec(make_post("1", "second"))]) == UpsertCounts(updated=1)
    assert store.upsert([rec(make_post("1", "third"))]) == UpsertCounts(updated=1)
    got = store.get("generic", "1")
    assert got is not None and got.post.text == "third"
    assert store.versions(got.id) == ["first", "second"]
    assert [r.payload["text"] for r in store.raw_payloads(got.id)] == ["first", "second", "third"]


def test_same_key_twice_in_one_batch_counts_like_two_calls(store: Store) -> None:
    counts = store.upsert([rec(make_post("1", "a")), rec(make_post("1", "b")), rec(make_post("1", "b"))])
    assert counts == UpsertCounts(imported=1, updated=1, unchanged=1)
    got = store.get("generic", "1")
    assert got is not None and got.post.text == "b"
    assert store.versions(got.id) == ["a"]
    assert store.count(PostQuery()) == 1


def test_tombstone_removes_text_and_search_hit_and_is_not_resurrected(store: Store) -> None:
    store.upsert([rec(make_post("1", "secret words")), rec(make_post("2", "secret too"))])
    store.upsert([rec(make_post("1", "secret words edited"))])
    assert store.count(PostQuery(search="secret")) == 2
    one = store.get("generic", "1")
    assert one is not None
    store.save_enrichment([(one.id, "sentiment", "1", {"sentiment": {"label": "neutral", "score": 0.0}})])

    assert store.upsert([rec(make_post("1", None, deleted=True))]) == UpsertCounts(updated=1)
    gone = store.get("generic", "1")
    assert gone is not None and gone.id == one.id
    assert gone.post.text is None and gone.post.deleted
    assert gone.enrichment == {}
    assert store.versions(one.id) == []  # history purged with the text
    assert [r.payload.get("text") for r in store.raw_payloads(one.id)] == [None]
    assert store.count(PostQuery(search="secret")) == 1
    assert store.count(PostQuery(search="words")) == 0
    assert store.count(PostQuery()) == 1
    assert store.count(PostQuery(include_deleted=True)) == 2

    # a later, non-deleted copy must not bring it back
    assert store.upsert([rec(make_post("1", "secret words"))]) == UpsertCounts(unchanged=1)
    again = store.get("generic", "1")
    assert again is not None and again.post.text is None
    assert store.count(PostQuery(search="words")) == 0


def test_tombstone_of_unknown_post_is_imported_as_tombstone(store: Store) -> None:
    assert store.upsert([rec(make_post("9", None, deleted=True))]) == UpsertCounts(imported=1)
    got = store.get("generic", "9")
    assert got is not None and got.post.deleted and got.post.text is None


def test_raw_payload_and_provenance_kept_as_they_came(store: Store) -> None:
    payload = {"tweet_id": 5, "body": "héllo", "nested": {"a": [1, 2]}, "z": None, "a": True}
    store.upsert([rec(make_post("5", "héllo"), payload)])
    got = store.get("generic", "5")
    assert got is not None
    [raw] = store.raw_payloads(got.id)
    assert raw.payload == payload
    assert list(raw.payload) == ["tweet_id", "body", "nested", "z", "a"]
    assert raw.provenance == PROVENANCE


def test_same_post_new_payload_is_unchanged_and_writes_nothing(store: Store) -> None:
    post = make_post("5", "same")
    store.upsert([rec(post, {"id": "5", "text": "same"})])
    assert store.upsert([rec(post, {"id": "5", "text": "same", "likes": 3})]) == UpsertCounts(unchanged=1)
    got = store.get("generic", "5")
    assert got is not None and len(store.raw_payloads(got.id)) == 1


def test_networks_keep_ids_apart(store: Store) -> None:
    batch = [rec(make_post("1", "a", network="x")), rec(make_post("1", "b", network="bluesky"))]
    counts = store.upsert(batch)
    assert counts == UpsertCounts(imported=2)
    x, bsky = store.get("x", "1"), store.get("bluesky", "1")
    assert x is not None and bsky is not None
    assert (x.post.text, bsky.post.text) == ("a", "b")


def test_counts_add_up() -> None:
    total = UpsertCounts(1, 2, 3) + UpsertCounts(10, 20, 30)
    assert total == UpsertCounts(11, 22, 33)
    assert total.total == 66


def test_empty_batch_is_a_no_op(store: Store) -> None:
    assert store.upsert([]) == UpsertCounts()
    store.save_enrichment([])
    assert store.count(PostQuery()) == 0


def test_large_batch_crosses_chunk_boundaries(store: Store) -> None:
    batch = [rec(make_post(str(i), f"t{i}")) for i in range(1_234)]
    assert store.upsert(batch) == UpsertCounts(imported=1_234)
    edited = [rec(make_post(str(i), f"t{i}!" if i % 2 else f"t{i}")) for i in range(1_234)]
    assert store.upsert(edited) == UpsertCounts(updated=617, unchanged=617)
    assert store.count(PostQuery(limit=None)) == 1_234


def test_an_older_copy_does_not_roll_back_an_edit(store: Store) -> None:
    history = [rec(make_post("1", "v1")), rec(make_post("1", "v2"))]
    assert store.upsert(history) == UpsertCounts(imported=1, updated=1)
    # rerunning the same file replays nothing: v1 is a known, older version
    assert store.upsert(history) == UpsertCounts(unchanged=2)
    got = store.get("generic", "1")
    assert got is not None and got.post.text == "v2"
    assert store.versions(got.id) == ["v1"]
