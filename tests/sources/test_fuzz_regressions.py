"""Crashes the fuzz harness (tests/fuzz/harness.py) found in the normalisers, each kept fixed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from goodwill.errors import InputError, RecordRejected
from goodwill.jobs.enrich_stream import parse_line
from goodwill.json_input import load_json
from goodwill.sources.bluesky.facets import text_with_links
from goodwill.sources.hackernews import HackerNewsSource, id_list, normalise_document
from goodwill.sources.html_text import html_to_text
from goodwill.sources.http import HttpClient
from goodwill.sources.mapping import record_to_post
from goodwill.sources.registry import build_source
from goodwill.sources.rss import MAX_TAGS, parse_feed
from goodwill.sources.source import Query, SourceSettings, read_json_documents
from goodwill.sources.x.archive import _text as archive_text
from goodwill.sources.x.v2 import _followers as x_followers
from goodwill.sources.youtube.normalise import normalise_feed
from loopback import Answer, FakeNetwork


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


# -- found by the seeded harness of 2026-12-01 (tests/fuzz/harness.py, mutator.py) -------------------

DEEP = "[" * 100_000 + "]" * 100_000  # a few hundred kB any file or server can send


def test_json_nested_deeper_than_the_stack_is_refused_as_bad_json(tmp_path: Path) -> None:
    with pytest.raises(json.JSONDecodeError, match="nested too deeply"):
        load_json(DEEP)
    export = tmp_path / "deep.json"
    export.write_text(DEEP, encoding="utf-8")
    with pytest.raises(InputError, match="not JSON"):
        list(read_json_documents(export))  # was RecursionError


@pytest.mark.parametrize("name", ["hackernews", "reddit", "mastodon", "bluesky", "youtube", "x"])
def test_every_source_reads_a_deep_export_as_no_posts_or_its_own_error(name: str, tmp_path: Path) -> None:
    export = tmp_path / "deep.json"
    export.write_bytes(b'{"a":' * 100_000 + b"1" + b"}" * 100_000)
    source = build_source(name)
    try:  # x reads a last line that is not JSON as a stream cut short; the others refuse the file
        found = [item for document in source.read_export(export) for item in source.normalise(document)]
    except InputError as exc:
        assert "nested too deeply" in str(exc)
        found = []
    assert found == []


def test_mastodon_stream_event_with_a_deep_payload_holds_no_post() -> None:
    source = build_source("mastodon")
    assert source.normalise({"event": "update", "payload": DEEP}) == []


def test_enrich_line_nested_too_deeply_is_an_error_object_not_a_crash() -> None:
    out = parse_line(DEEP.encode(), 4)
    assert out == {"id": None, "line": 4, "error": "not valid JSON: nested too deeply (column 1)"}


def test_rss_json_feed_too_deep_or_with_items_not_a_list_is_no_crash() -> None:
    assert parse_feed('{"version": "https://jsonfeed.org/version/1", "items": 5}')[1] == []
    assert parse_feed("{" + DEEP)[1] == []  # not JSON: feedparser's turn, which finds no entries


def test_record_nested_hundreds_deep_is_rejected_with_a_short_preview() -> None:
    deep: object = 1
    for _ in range(5_000):
        deep = [deep]
    with pytest.raises(RecordRejected, match=r"author.followers\) must be a whole number >= 0, got \[\[\["):
        record_to_post({"id": "1", "text": "t", "author": {"followers": deep}})  # was RecursionError in repr


@pytest.mark.parametrize("value", ["²", "²³", "1" * 5_000])
def test_counts_and_dates_of_unicode_or_endless_digits_are_rejected(value: str) -> None:
    with pytest.raises(RecordRejected, match="followers"):
        record_to_post({"id": "1", "text": "t", "author": {"followers": value}})  # int("²") ValueError
    with pytest.raises(RecordRejected, match="created_at"):
        record_to_post({"id": "1", "text": "t", "created_at": value[:40]})  # float("²") ValueError


def test_x_archive_tweet_whose_urls_is_a_number_keeps_its_text() -> None:
    assert archive_text({"full_text": "hi &amp; bye", "entities": {"urls": 3}}) == "hi & bye"  # was TypeError


@pytest.mark.parametrize("count", ["²", "9" * 5_000])
def test_x_follower_count_of_unicode_or_endless_digits_is_unknown(count: str) -> None:
    assert x_followers({"public_metrics": {"followers_count": count}}) is None


def test_youtube_feed_with_lone_surrogates_parses() -> None:
    feed = '<feed xmlns="http://www.w3.org/2005/Atom"><title>a\udc80</title></feed>'
    assert normalise_feed(feed) == []  # was UnicodeEncodeError in expat


def test_hn_id_of_unicode_digits_is_no_id() -> None:
    assert normalise_document({"id": "²", "type": "story", "title": "t"}) == []


def test_json_with_an_integer_of_a_million_digits_is_refused_as_bad_json(tmp_path: Path) -> None:
    export = tmp_path / "long.json"
    export.write_text('{"id": ' + "1" * 1_000_000 + "}", encoding="utf-8")
    with pytest.raises(InputError, match="a number too long to read"):
        list(read_json_documents(export))  # was ValueError: Exceeds the limit (4300 digits)


@pytest.mark.parametrize("when", [10**4299, -(10**400)])
def test_created_at_an_integer_too_big_for_a_float_is_out_of_range(when: int) -> None:
    with pytest.raises(RecordRejected, match="out of range"):
        record_to_post({"id": "1", "text": "t", "created_at": when})  # was OverflowError


def test_bluesky_link_facets_on_text_with_lone_surrogates_keep_the_text() -> None:
    link = {"$type": "app.bsky.richtext.facet#link", "uri": "https://a.example/x"}
    facets = [{"index": {"byteStart": 4, "byteEnd": 12}, "features": [link]}]
    # was UnicodeEncodeError
    assert text_with_links("see a.exampl\ud800e", facets) == "see https://a.example/x\ud800e"
    cut = [{"index": {"byteStart": 1, "byteEnd": 3}, "features": [link]}]
    assert text_with_links("é€x", cut) == "é€x"  # a facet cutting a character in two is ignored


def test_html_marked_sections_html_parser_does_not_know_read_as_text() -> None:
    assert html_to_text("a <![CD b") == "a <![CD b"  # was AssertionError: unknown status keyword 'CD'
    assert html_to_text("<p>x</p><![CDATA[ y ]]>") == "x"


RSS_ITEM = (
    '<rss version="2.0"><channel><title>f</title><item><title>t</title><link>{}</link></item></channel></rss>'
)


def test_rss_entry_link_that_is_no_url_is_dropped_not_a_crash() -> None:
    _, items = parse_feed(RSS_ITEM.format("http://[::1"), base="https://feeds.example/")
    assert [(i.post.text, i.post.url) for i in items] == [("t", None)]  # was ValueError: Invalid IPv6 URL
    feed = '{"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "1", "title": "t", '
    feed += '"url": "http://[x", "authors": 7}]}'
    assert [(i.post.text, i.post.author) for i in parse_feed(feed)[1]] == [("t", None)]


def test_rss_more_tags_than_any_feed_is_refused_before_parsing() -> None:
    with pytest.raises(InputError, match="more than 100,000 tags"):
        parse_feed("<p>" * (MAX_TAGS + 1))  # feedparser took half a minute on a megabyte of them


@pytest.mark.parametrize(
    ("feed", "crash"),
    [
        ("<rss><channel><item><title>&#99999999999;</title></item></channel></rss>", "OverflowError"),
        ("<feed><entry><title>&#x110000;</title><p></entry>", "ValueError: chr()"),
        ("<rss><channel><item><title>a &#55296; <br></title></item></channel></rss>", "UnicodeEncodeError"),
    ],
)
def test_rss_feedparser_failing_inside_is_our_input_error(feed: str, crash: str) -> None:
    with pytest.raises(InputError, match=f"the feed parser failed on it \\({crash}"):
        parse_feed(feed)  # feedparser 'never raises' (bozo), yet did, on character references


def test_hn_story_list_of_endless_digits_reads_bounded_ids() -> None:
    ids = id_list("[1, 2, ..., " + "9" * 5_000)  # not JSON: the lenient reader; was int() ValueError
    assert ids[:2] == [1, 2] and max(ids) == 10**20 - 1


def test_x_compliance_line_whose_action_is_nested_deep_is_no_post() -> None:
    deep: object = "delete"
    for _ in range(5_000):
        deep = [deep]
    source = build_source("x")
    assert source.normalise({"id": "1", "action": deep, "created_at": "2026-01-01T00:00:00Z"}) == []


def test_a_live_answer_nested_too_deeply_is_unreadable_json_not_a_recursion_error() -> None:
    """listen reads a ValueError as "the server's answer could not be read"; a RecursionError crashed it."""
    deep = Answer(200, [("Content-Type", "application/json")], b"[" * 200_000)
    with FakeNetwork({("GET", "/item/8863.json"): deep}) as net:
        source = HackerNewsSource(SourceSettings(base_url=net.url))
        query = Query(source="hackernews", kind="thread", value="8863", name="thread")
        client = HttpClient("hackernews", max_attempts=1, sleep=lambda s: None)
        with pytest.raises(json.JSONDecodeError, match="nested too deeply"):
            list(source.fetch(query, None, client))


@pytest.mark.parametrize("filler", [b"\n" * 300_000, b" \n\t" * 100_000, b" " * 1_000_000])
def test_a_feed_whose_prolog_is_a_huge_blank_comment_still_reads(filler: bytes) -> None:
    """feedparser's DOCTYPE search was quadratic in blank lines before the root (300,000 took minutes)."""
    feed = (
        b'<?xml version="1.0"?>\n<!--\n' + filler + b"-->\n"
        b'<rss version="2.0"><channel><title>T</title><item><title>Roaming</title>'
        b"<link>https://example.org/1</link><description>Is roaming free?</description>"
        b"</item></channel></rss>"
    )
    info, items = parse_feed(feed)
    assert info["version"] == "rss20"
    assert [i.post.url for i in items] == ["https://example.org/1"]
