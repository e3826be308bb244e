"""Crashes the fuzz harness (tests/fuzz/harness.py) found in the normalisers, each kept fixed."""

from __future__ import annotations

from goodwill.sources.hackernews import normalise_document
from goodwill.sources.html_text import html_to_text
from goodwill.sources.rss import parse_feed


def test_hn_type_that_is_a_list_is_not_a_post() -> None:
    assert normalise_document({"id": 1, "type": ["comment"], "text": "hi"}) == []


def test_hn_children_that_is_a_number_has_no_replies() -> None:
    items = normalise_document({"id": 5, "type": "comment", "text": "hi", "created_at": "x", "children": 1.0})
    assert [i.post.native_id for i in items] == ["5"]


def test_hn_time_out_of_range_has_no_date() -> None:
    items = normalise_document({"id": 7, "type": "story", "title": "t", "time": 103166527071853200})
    assert items[0].post.created_at is None


def test_hn_thousands_deep_thread_and_nested_lists_do_not_overflow() -> None:
    node: dict[str, object] = {
        "id": 1,
        "type": "comment",
        "text": "leaf",
        "created_at": "2026-01-01T00:00:00Z",
    }
    for i in range(2, 3000):
        node = {
            "id": i,
            "type": "comment",
            "text": "t",
            "created_at": "2026-01-01T00:00:00Z",
            "children": [node],
        }
    assert len(normalise_document(node)) == 2999
    nested: object = {"id": 9, "type": "story", "title": "deep"}
    for _ in range(3000):
        nested = [nested]
    assert [i.post.native_id for i in normalise_document(nested)] == ["9"]


def test_unclosed_angle_brackets_parse_in_linear_time_and_read_as_text() -> None:
    assert html_to_text("a < b <p>c</p>") == "a < b\n\nc"
    assert html_to_text("<a " * 50_000).startswith("<a <a")  # was quadratic: minutes


def test_rss_body_with_lone_surrogates_is_not_a_crash() -> None:
    info, items = parse_feed("\ud800<rss><channel><title>t</title></channel></rss>")
    assert items == [] and info is not None
