"""record_to_post and --map: the contract's fields by default, dotted paths, strict rejections."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from goodwill.errors import InputError, RecordRejected
from goodwill.models import Author, Post
from goodwill.sources.mapping import parse_mapping, record_to_post


def test_contract_record() -> None:
    post = record_to_post(
        {
            "id": 12,
            "text": "hi @acme",
            "network": "X",
            "author": {"handle": "@ann", "name": "Ann", "followers": 10, "id": 5},
            "created_at": "2026-01-02T03:04:05Z",
            "reply_to": 11,
            "url": "https://x.example/12",
            "lang": "en",
            "extra": "ignored",
        },
        None,
    )
    assert post == Post(
        network="x",
        native_id="12",
        text="hi @acme",
        author=Author(handle="ann", name="Ann", native_id="5", followers=10),
        created_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        reply_to="11",
        url="https://x.example/12",
        lang="en",
    )


def test_author_as_plain_handle_and_defaults() -> None:
    post = record_to_post({"id": "a", "text": "t", "author": "bob"}, None, default_network="mastodon")
    assert post.author == Author(handle="bob")
    assert post.network == "mastodon"
    assert post.created_at is None and post.url is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1700000000, datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
        (1700000000123, datetime(2023, 11, 14, 22, 13, 20, 123000, tzinfo=UTC)),
        ("1700000000", datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
        ("2026-01-02T03:04:05", datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2026-01-02T05:04:05+02:00", datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("Wed Oct 10 20:19:24 +0000 2018", datetime(2018, 10, 10, 20, 19, 24, tzinfo=UTC)),
        ("", None),
    ],
)
def test_created_at_forms(value: Any, expected: datetime | None) -> None:
    assert record_to_post({"id": 1, "text": "t", "created_at": value}).created_at == expected


def test_deleted_record_is_a_tombstone_without_text() -> None:
    post = record_to_post({"id": 1, "deleted": True, "text": "gone"})
    assert post.deleted and post.text is None
    assert record_to_post({"id": 1, "deleted": "true"}).deleted


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"text": "no id"}, "missing 'id'.*--map id="),
        ({"id": 1}, "missing 'text'.*--map text="),
        ({"id": " ", "text": "x"}, "missing 'id'"),
        ({"id": 1, "text": 5}, "'text' \\(text\\) must be a string"),
        ({"id": [1], "text": "x"}, "must be a string or an integer"),
        ({"id": True, "text": "x"}, "boolean"),
        ({"id": 1, "text": "x", "created_at": "yesterday"}, "created_at"),
        ({"id": 1, "text": "x", "author": {"followers": -3}}, "followers"),
        ({"id": 1, "text": "x", "author": 7}, "'author' must be an object"),
        ({"id": 1, "text": "x", "deleted": "maybe"}, "true or false"),
        ({"id": 1, "text": "x", "url": 3}, "'url' \\(url\\) must be a string"),
    ],
)
def test_rejections_name_the_field(record: dict[str, Any], message: str) -> None:
    with pytest.raises(RecordRejected, match=message):
        record_to_post(record)


def test_map_with_dotted_paths() -> None:
    mapping = parse_mapping(
        "text=body, author=user.screen_name ,id=tweet_id,author.followers=user.n,created_at=ts"
    )
    assert mapping == {
        "text": "body",
        "author.handle": "user.screen_name",
        "id": "tweet_id",
        "author.followers": "user.n",
        "created_at": "ts",
    }
    post = record_to_post(
        {"tweet_id": 99, "body": "hello", "user": {"screen_name": "zed", "n": "42"}, "ts": 0}, mapping
    )
    assert post.native_id == "99" and post.text == "hello"
    assert post.author == Author(handle="zed", followers=42)
    assert post.created_at == datetime(1970, 1, 1, tzinfo=UTC)
    with pytest.raises(RecordRejected, match="looked for 'body'"):
        record_to_post({"tweet_id": 1, "text": "wrong field"}, mapping)


def test_flat_csv_headers_with_dots() -> None:
    post = record_to_post({"id": "1", "text": "x", "author.handle": "ann", "author.followers": ""})
    assert post.author == Author(handle="ann")


def test_unknown_map_target_lists_valid_ones() -> None:
    with pytest.raises(InputError, match=r"unknown field 'body'.*text"):
        parse_mapping("body=text")
    with pytest.raises(InputError, match="TARGET=SOURCE"):
        parse_mapping("text")
    assert parse_mapping(" , ") == {}


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=8), c, max_size=3),
    max_leaves=12,
)
_keys = st.sampled_from(
    ["id", "text", "network", "author", "created_at", "reply_to", "url", "lang", "deleted", "conversation_id"]
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_keys | st.text(max_size=5), _json, max_size=8))
def test_arbitrary_objects_give_a_post_or_a_rejection(record: dict[str, Any]) -> None:
    try:
        post = record_to_post(record)
    except RecordRejected:
        return
    assert isinstance(post, Post)
    assert post.text is not None or post.deleted
