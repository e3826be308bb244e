"""Hacker News on the official API's own examples, plus synthetic deleted/dead/Algolia payloads."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest
from cassettes import fixture
from fake_algolia import FakeAlgolia
from samples import LOCAL

from goodwill.errors import GoneError, InputError
from goodwill.models import Author
from goodwill.sources.hackernews import HackerNewsSource, id_list
from goodwill.sources.http import HttpClient
from goodwill.sources.source import Query, SourceSettings

README = ("hackernews", "hackernews_api_readme")
NOW = 1795180000.0  # 2026-11-20T11:06:40Z
hn = HackerNewsSource(SourceSettings())


def doc(name: str) -> object:
    return json.loads(fixture(*README, name).read_text())


def local(name: str) -> object:
    return json.loads((LOCAL / "hackernews" / name).read_text())


def test_story() -> None:
    (item,) = hn.normalise(doc("v0_item_8863.json"))
    post = item.post
    assert post.native_id == "8863"
    assert post.text == "My YC app: Dropbox - Throw away your USB drive"
    assert post.author == Author(handle="dhouston")
    assert post.created_at == datetime.fromtimestamp(1175714200, tz=UTC)
    assert post.conversation_id == "8863" and post.reply_to is None
    assert post.url == "https://news.ycombinator.com/item?id=8863"
    assert item.raw["url"] == "http://www.getdropbox.com/u/2/screencast.html"
    assert item.raw["descendants"] == 71


def test_comment_html_becomes_text_and_a_reply() -> None:
    (item,) = hn.normalise(doc("v0_item_2921983.json"))
    assert item.post.text == (
        "Aw shucks, guys ... you make me blush with your compliments.\n\n"
        "Tell you what, Ill make a deal: I'll keep writing if you keep reading. K?"
    )
    assert (item.post.author_handle, item.post.reply_to) == ("norvig", "2921506")
    assert item.post.conversation_id is None  # Firebase does not say which story


def test_ask_story_joins_title_and_text() -> None:
    (item,) = hn.normalise(doc("v0_item_121003.json"))
    assert item.post.text.startswith(
        "Ask HN: The Arc Effect\n\nor HN: the Next Iteration\n\nI get the impression"
    )
    assert item.post.author_handle == "tel"


def test_job_with_empty_url_and_code_block() -> None:
    (item,) = hn.normalise(doc("v0_item_192327.json"))
    assert item.post.text.startswith(
        "Justin.tv is looking for a Lead Flash Engineer!\n\nJustin.tv is the biggest"
    )
    assert item.raw["url"] == ""
    assert "<" not in item.post.text


def test_poll_with_empty_text_is_its_title() -> None:
    (item,) = hn.normalise(doc("v0_item_126809.json"))
    assert item.post.text == "Poll: What would happen if News.YC had explicit support for polls?"
    assert item.raw["parts"] == [126810, 126811, 126812]


def test_pollopt_replies_to_its_poll() -> None:
    option = {
        "by": "pg",
        "id": 160705,
        "poll": 160704,
        "score": 335,
        "text": "Yes, ban them; I'm tired of seeing Valleywag stories on News.YC.",
        "time": 1207886576,
        "type": "pollopt",
    }
    (item,) = hn.normalise(option)
    assert (item.post.reply_to, item.post.conversation_id) == ("160704", "160704")


def test_documents_that_hold_no_posts() -> None:
    assert hn.normalise(doc("v0_maxitem.json")) == []
    assert doc("v0_maxitem.json") == 9130260
    updates = doc("v0_updates.json")
    assert hn.normalise(updates) == []
    assert updates["items"][0] == 8423305 and updates["profiles"][0] == "thefox"  # type: ignore[index]
    user = doc("v0_user_jl.json")
    assert hn.normalise(user) == []
    assert (user["id"], user["karma"]) == ("jl", 2937)  # type: ignore[index]
    assert hn.normalise(None) == []  # a missing item is JSON null


def test_story_lists_are_read_leniently() -> None:
    ids = id_list(fixture(*README, "v0_topstories.txt").read_text())
    assert (ids[0], ids[-1], len(ids)) == (9129911, 9038733, 10)
    asks = id_list(fixture(*README, "v0_askstories.txt").read_text())
    assert (asks[0], asks[-1]) == (9127232, 9120990)
    assert id_list("[1, 2, 3]") == [1, 2, 3]


def test_deleted_and_dead_items_are_tombstones() -> None:
    (deleted,) = hn.normalise(local("item_deleted_synthetic.json"))
    assert (deleted.post.native_id, deleted.post.deleted, deleted.post.text) == ("41000011", True, None)
    (dead,) = hn.normalise(local("item_dead_synthetic.json"))
    assert (dead.post.native_id, dead.post.deleted, dead.post.text) == ("41000012", True, None)
    assert dead.raw["by"] == "spammer"


def test_algolia_hits() -> None:
    comment, story = hn.normalise(local("algolia_search_by_date_synthetic.json"))
    assert comment.post.native_id == "41000010"
    assert comment.post.text == "Acme Bank froze my card again & support won't answer.\n\nAnyone else?"
    assert (comment.post.reply_to, comment.post.conversation_id) == ("41000001", "41000001")
    assert comment.post.created_at == datetime(2026, 11, 20, 10, 15, tzinfo=UTC)
    assert story.post.text == "Ask HN: Which bank has the best API?\n\nLooking at Acme and Globex."
    assert (story.post.author_handle, story.post.conversation_id) == ("lee", "41000001")


def test_algolia_item_tree_is_flattened() -> None:
    tree = {
        "id": 1,
        "created_at": "2006-10-09T18:21:51.000Z",
        "type": "story",
        "author": "pg",
        "title": "Y Combinator",
        "url": "http://ycombinator.com",
        "text": None,
        "parent_id": None,
        "story_id": 1,
        "children": [
            {
                "id": 15,
                "created_at": "2006-10-09T19:51:01.000Z",
                "type": "comment",
                "author": "sama",
                "text": "<p>&#34;the rising star&#34;</p>",
                "parent_id": 1,
                "story_id": 1,
                "children": [],
            }
        ],
    }
    story, reply = hn.normalise(tree)
    assert (story.post.native_id, story.post.text) == ("1", "Y Combinator")
    assert (reply.post.native_id, reply.post.text, reply.post.reply_to) == ("15", '"the rising star"', "1")
    assert "children" not in story.raw


def test_foreign_document_is_refused() -> None:
    with pytest.raises(InputError, match="not a Hacker News payload"):
        hn.normalise({"kind": "Listing", "data": {}})


# -- fetching ---------------------------------------------------------------------------------


def client(handler: object, seen: list[httpx.Request] | None = None) -> HttpClient:
    def wrapped(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        return handler(request)  # type: ignore[operator]

    return HttpClient(
        "hackernews", transport=httpx.MockTransport(wrapped), clock=lambda: NOW, sleep=lambda s: None
    )


def firebase(items: dict[int, object]):  # type: ignore[no-untyped-def]
    def handler(request: httpx.Request) -> httpx.Response:
        name = request.url.path.rsplit("/", 1)[-1].removesuffix(".json")
        found = items.get(int(name)) if name.isdigit() else None
        return httpx.Response(200, content=json.dumps(found).encode())

    return handler


def test_thread_walks_replies_and_ends_with_an_empty_frontier() -> None:
    items = {
        2921983: doc("v0_item_2921983.json"),
        2922097: {"deleted": True, "id": 2922097, "parent": 2921983, "time": 1314212000, "type": "comment"},
    }
    seen: list[httpx.Request] = []
    source = HackerNewsSource(SourceSettings(options={"items_per_page": 3}))
    query = Query("hackernews", "thread", "2921983", "norvig")
    pages = list(source.fetch(query, None, client(firebase(items), seen)))
    assert [p.cursor for p in pages] == [
        {"pending": [2922097, 2922429, 2924562, 2922709, 2922573, 2922140, 2922141]},
        {"pending": [2922709, 2922573, 2922140, 2922141]},
        {"pending": [2922141]},
        {"pending": []},
    ]
    posts = [i.post for p in pages for i in p.items]
    assert [(p.native_id, p.deleted) for p in posts] == [("2921983", False), ("2922097", True)]
    assert seen[0].url == "https://hacker-news.firebaseio.com/v0/item/2921983.json"
    assert len(seen) == 8


def test_thread_resumes_from_its_frontier() -> None:
    seen: list[httpx.Request] = []
    query = Query("hackernews", "thread", "2921983", "norvig")
    pages = list(hn.fetch(query, {"pending": [2922140]}, client(firebase({}), seen)))
    assert [str(r.url) for r in seen] == ["https://hacker-news.firebaseio.com/v0/item/2922140.json"]
    assert pages[-1].cursor == {"pending": []}


def test_a_thread_whose_root_is_gone_says_so() -> None:
    query = Query("hackernews", "thread", "999", "gone")
    with pytest.raises(GoneError, match="hackernews: item 999 no longer exists"):
        list(hn.fetch(query, None, client(firebase({}))))


def test_search_first_run_looks_back_a_week_and_stores_the_newest_time() -> None:
    body = local("algolia_search_by_date_synthetic.json")
    seen: list[httpx.Request] = []
    query = Query("hackernews", "search", "acme", "acme")
    pages = list(hn.fetch(query, None, client(lambda r: httpx.Response(200, json=body), seen)))
    assert [p.cursor for p in pages] == [{"since": 1795176900}]
    params = parse_qs(seen[0].url.query.decode())
    assert seen[0].url.path == "/api/v1/search_by_date"
    assert params == {
        "query": ["acme"],
        "tags": ["(story,comment)"],
        "numericFilters": [f"created_at_i>{int(NOW - 7 * 86400)}"],
        "hitsPerPage": ["100"],
    }
    assert [i.post.native_id for i in pages[0].items] == ["41000010", "41000001"]


def test_search_walks_pages_by_keyset_without_gaps() -> None:
    algolia = FakeAlgolia([1000, 1005, 1005, 1010, 1020])
    source = HackerNewsSource(SourceSettings(options={"page_size": 2}))
    query = Query("hackernews", "search", "acme", "acme")
    pages = list(source.fetch(query, {"since": 999}, client(algolia)))
    assert [p.cursor for p in pages] == [
        {"since": 999, "pass_top": 1020, "upper": 1010},
        {"since": 999, "pass_top": 1020, "upper": 1005},
        {"since": 999, "pass_top": 1020, "upper": 1004},  # a page of one second: step past it
        {"since": 1020},
    ]
    got = {i.post.native_id for p in pages for i in p.items}
    assert got == {"100", "101", "102", "103", "104"}
    assert algolia.filters[0] == "created_at_i>999"
    assert algolia.filters[1] == "created_at_i>999,created_at_i<=1010"
    # the next run asks only for what is newer than the pass's newest post
    list(source.fetch(query, pages[-1].cursor, client(algolia)))
    assert algolia.filters[-1] == "created_at_i>1020"


def test_stories_list_fetches_items_newer_than_the_cursor() -> None:
    top = fixture(*README, "v0_topstories.txt").read_bytes()
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/topstories.json"):
            return httpx.Response(200, content=top)
        return httpx.Response(200, content=b"null")

    query = Query("hackernews", "stories", "top", "top")
    pages = list(hn.fetch(query, {"max_id": 9129000}, client(handler, seen)))
    fetched = [r.url.path.rsplit("/", 1)[-1] for r in seen[1:]]
    assert fetched == ["9129199.json", "9129248.json", "9129911.json"]
    assert pages[-1].cursor == {"max_id": 9129911}


def test_read_export_reads_a_saved_item_and_json_lines(tmp_path: Path) -> None:
    lines = tmp_path / "items.jsonl"
    lines.write_text(
        fixture(*README, "v0_item_8863.json").read_text().replace("\n", "")
        + "\n"
        + (LOCAL / "hackernews" / "item_deleted_synthetic.json").read_text()
    )
    docs = list(hn.read_export(lines))
    assert [i.post.native_id for d in docs for i in hn.normalise(d)] == ["8863", "41000011"]
