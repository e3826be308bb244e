"""Bluesky on bskyr's recorded bsky.social traffic, MarshalX's records and real Jetstream events."""

from __future__ import annotations

import base64
import contextlib
import io
import json
import struct
import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import zstandard
from cassettes import Recorded, fixture, load_cassette
from fake_clock import Clock
from hypothesis import given, settings
from hypothesis import strategies as st
from samples import LOCAL
from websockets.sync.server import ServerConnection, serve

from goodwill.errors import AccessDenied, CredentialError, GoneError, InputError, SourceError
from goodwill.models import Author
from goodwill.sources.bluesky import BlueskySource
from goodwill.sources.bluesky.car import car_commit, car_records, cid_text, decode_cbor
from goodwill.sources.bluesky.facets import text_with_links
from goodwill.sources.bluesky.session import jwt_expiry
from goodwill.sources.http import DryRun, HttpClient
from goodwill.sources.source import Query, SourceSettings

NOW = 1795180000.0
ENV = {"BLUESKY_HANDLE": "acme-care.bsky.social", "BLUESKY_APP_PASSWORD": "abcd-efgh-ijkl-mnop"}
bs = BlueskySource(SourceSettings())
JETSTREAM = fixture("bluesky_firehose", "jetstream")


def bskyr(name: str) -> Recorded:
    (rec,) = load_cassette(fixture("bluesky", "bskyr", name))
    return rec


def marshalx(name: str) -> Any:
    return json.loads(fixture("bluesky", "marshalx_atproto", name).read_text())


def local(name: str) -> Any:
    return json.loads((LOCAL / "bluesky" / name).read_text())


def events(name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (JETSTREAM / name).read_text().splitlines() if line.strip()]


def jwt(exp: float) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none'})}.{part({'exp': int(exp), 'sub': 'did:plc:acme'})}.sig"


def client(handler: Callable[[httpx.Request], httpx.Response], clock: Clock | None = None) -> HttpClient:
    clock = clock or Clock(NOW)
    return HttpClient("bluesky", transport=httpx.MockTransport(handler), clock=clock, sleep=clock.sleep)


class Server:
    """A fake bsky.social: sessions with short-lived JWTs, and recorded XRPC answers by method name."""

    def __init__(self, answers: dict[str, Any], lifetime: float = 7200.0) -> None:
        self.answers = answers
        self.lifetime = lifetime
        self.seen: list[httpx.Request] = []
        self.issued = 0

    def tokens(self, request: httpx.Request) -> httpx.Response:
        self.issued += 1
        now = NOW + self.issued  # distinct tokens each time
        return httpx.Response(
            200,
            json={
                "did": "did:plc:acme",
                "handle": "acme-care.bsky.social",
                "accessJwt": jwt(now + self.lifetime) + str(self.issued),
                "refreshJwt": f"refresh-{self.issued}-xxxxxxxx",
            },
        )

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        method = request.url.path.rsplit("/", 1)[-1]
        if method in ("com.atproto.server.createSession", "com.atproto.server.refreshSession"):
            return self.tokens(request)
        answer = self.answers.get(method)
        if callable(answer):
            return answer(request)
        if isinstance(answer, list):
            answer = answer.pop(0) if len(answer) > 1 else answer[0]
        if isinstance(answer, Recorded):
            return answer.response()
        if isinstance(answer, httpx.Response):
            return answer
        return httpx.Response(200, json=answer if answer is not None else {"posts": []})

    def methods(self) -> list[str]:
        return [r.url.path.rsplit("/", 1)[-1] for r in self.seen]


def logged_in(**options: Any) -> BlueskySource:
    return BlueskySource(SourceSettings(env=ENV, options=options))


def from_spec(name: str) -> httpx.Response:
    spec = local(name)
    return httpx.Response(spec["status"], headers=spec["headers"], json=spec["body"])


# -- normalising ------------------------------------------------------------------------------


def test_search_posts_with_a_quoted_post_and_a_reply() -> None:
    body = bskyr("f_search.yml").json()
    assert body["cursor"] == "25" and len(body["posts"]) == 25
    items = bs.normalise(body)
    assert len(items) == 26  # 25 results and one quoted post from an embed
    first = items[0].post
    assert first.native_id == "at://did:plc:kkergqgbhb56ptpwj2wenkje/app.bsky.feed.post/3lpk2u6qo222m"
    assert first.text.startswith(
        "Ends Versus Means: Public Opinion on Congressional Redistricting https://osf.io/v87fn"
    )
    assert first.author == Author(
        handle="socpaperbot.bsky.social",
        name="Sociology papers (journals + SocArXiv)",
        native_id="did:plc:kkergqgbhb56ptpwj2wenkje",
    )
    assert first.url == "https://bsky.app/profile/socpaperbot.bsky.social/post/3lpk2u6qo222m"
    quoted = next(i for i in items if i.raw.get("$type") == "app.bsky.embed.record#viewRecord")
    assert quoted.post.native_id == "at://did:plc:pjiafkey2cokiupsxpswqlk7/app.bsky.feed.post/3lpjgwfr3gs27"
    assert quoted.post.author_handle == "marcelias.bsky.social"
    reply = next(i.post for i in items if i.post.native_id.endswith("/3lpjzka2pzc2l"))
    assert reply.reply_to == "at://did:plc:7nagdvjqrzaquzk7mueohne5/app.bsky.feed.post/3lpjzgltpa22l"
    assert reply.conversation_id == "at://did:plc:7nagdvjqrzaquzk7mueohne5/app.bsky.feed.post/3lpjy3eabqs2l"


def test_thread_text_expands_links_by_utf8_byte_offsets() -> None:
    (item,) = bs.normalise(bskyr("f_postthread.yml").json())
    assert item.post.text == (
        "Excited to be a speaker for the \n@rstatsai conf on Oct 19 @Georgetown! 📈 I'll be debuting a new "
        "version (and applications) of LocalView (http://localview.net), a local civic data platform I "
        "co-built. Come say hi if you’re around the beltway!✨#rstats #rgov\n\nhttps://rstats.ai/gov.html"
    )
    assert item.post.lang == "en" and item.post.conversation_id == item.post.native_id
    (same,) = bs.normalise(bskyr("f_getposts.yml").json())
    assert same.post == item.post


def test_author_feed_reposts_replies_and_not_found_parents() -> None:
    body = bskyr("f_autfeed.yml").json()
    assert body["cursor"] == "2024-03-21T23:36:16.378Z" and len(body["feed"]) == 50
    items = bs.normalise(body)
    ids = [i.post.native_id for i in items]
    assert len(ids) == len(set(ids)) == 80  # feed posts plus hydrated parents and roots, once each
    first = items[0].post
    assert first.author_handle == "chriskenny.bsky.social"
    assert (
        first.reply_to
        == first.conversation_id
        == ("at://did:plc:z4cp3uwgxiioi7uaxn2boq47/app.bsky.feed.post/3lobj4swhjo2x")
    )
    assert ids[1] == "at://did:plc:z4cp3uwgxiioi7uaxn2boq47/app.bsky.feed.post/3lobj4swhjo2x"  # its parent
    # a repost is stored as the original post, by its own author
    repost = next(i for i in body["feed"] if i.get("reason"))
    assert repost["reason"]["by"]["handle"] == "chriskenny.bsky.social"
    original = next(i.post for i in items if i.post.native_id == repost["post"]["uri"])
    assert original.author_handle == "mickael.canouil.fr"
    # notFoundPost parents are skipped, never tombstoned; the reply still points at them
    not_found = "at://did:plc:4szmwdqlabkd37mw7n3tpojq/app.bsky.feed.post/3l37qwkl3uf2t"
    assert not_found not in ids and not any(i.post.deleted for i in items)
    assert any(i.post.reply_to == not_found for i in items)
    swedish = next(i.post for i in items if i.post.lang == "sv")
    assert swedish.text.startswith(
        "@chriskenny.bsky.social - Just out of curiosity, is there any way through #bskyr"
    )


def test_repo_records_are_posts_by_their_did() -> None:
    body = bskyr("r_listrcd.yml").json()
    items = bs.normalise(body)
    assert body["cursor"] == "3kj252isg7w22" and len(items) == 50
    assert items[0].post.author == Author(native_id="did:plc:wpe35pganb6d4pg4ekmfy6u5")
    assert items[0].post.text.startswith(
        "If you’re running this on GHA, you may now want to make sure magick"
    )
    (record,) = bs.normalise(marshalx("post_record.json"))
    assert (record.post.native_id, record.post.text) == (
        "at://did:plc:kvwvcn5iqfooopmyzvb4qzba/app.bsky.feed.post/3k2yihcrp6f2c",
        "new text114",
    )


def test_documents_without_posts() -> None:
    assert marshalx("resolve_handle.json") == {"did": "did:plc:z72i7hdynmk6r22z27h6tvur"}
    for name in (
        "did_doc.json",
        "feed_record.json",
        "get_follows.json",
        "like_record.json",
        "resolve_handle.json",
    ):
        assert bs.normalise(marshalx(name)) == [], name
    assert marshalx("did_doc.json")["handle"] and len(marshalx("get_follows.json")["follows"]) == 6
    assert marshalx("like_record.json")["value"]["$type"] == "app.bsky.feed.like"
    for name, message in (
        (
            "r_post_errors.yml",
            "Invalid app.bsky.feed.post record: Record/text must not be longer than 300 graphemes",
        ),
        ("repo_auth_cache.yml", "Invalid identifier or password"),
    ):
        body = bskyr(name).json()
        assert bs.normalise(body) == [] and body["message"] == message
    with pytest.raises(InputError, match="not a Bluesky payload"):
        bs.normalise({"kind": "Listing", "data": {}})


def test_jetstream_events_posts_and_deletes() -> None:
    recorded = events("expected_v1.jsonl")
    manifest = json.loads((JETSTREAM / "manifest.json").read_text())
    assert len(recorded) == manifest["v1_events"] == 152
    ops = [e["commit"]["operation"] for e in recorded if e["kind"] == "commit"]
    assert (ops.count("create"), ops.count("update"), ops.count("delete")) == (
        manifest["creates"],
        manifest["updates"],
        manifest["deletes"],
    )
    items = [i for e in recorded for i in bs.normalise(e)]
    assert len(items) == 17  # 16 post creates with words (one is a bare GIF) and one post delete
    first = items[0].post
    assert first.native_id == "at://did:plc:dclwtltrt2ggsryagfzk7dp4/app.bsky.feed.post/3mptbyoeyc22k"
    assert (
        first.text == "https://www.youtube.com/watch?v=V5lDo-jw8mA"
    )  # the shortened link given back in full
    assert first.author == Author(native_id="did:plc:dclwtltrt2ggsryagfzk7dp4")
    langs = {i.post.lang for i in items if not i.post.deleted}
    assert {"en", "ja", "ko", "tr", "de", "ru", "es"} <= langs
    korean = next(i.post for i in items if i.post.lang == "ko")
    assert korean.text == "이쁘시네용~~~"
    assert korean.reply_to == "at://did:plc:i5y2f3gtpjxs3qg6fwgb6jb4/app.bsky.feed.post/3mpt7u2vlgs2c"
    (tomb,) = [i for i in items if i.post.deleted]
    assert tomb.post.native_id == "at://did:plc:4smmjsqf6l5jkzczvw6vsrqc/app.bsky.feed.post/3mpt73z3ejc2p"
    assert tomb.raw["commit"]["operation"] == "delete"


def test_jetstream_golden_events_and_third_party_lexicons() -> None:
    golden = events("golden_v1.jsonl")
    assert [e["kind"] for e in golden].count("commit") == 8
    (post,) = [i.post for e in golden for i in bs.normalise(e)]
    assert (post.native_id, post.text) == (
        "at://did:plc:q235v55g5unth4zjjdpacfdr/app.bsky.feed.post/3mmoojp4cd223",
        "Try RSV for a good time !!",
    )
    assert post.reply_to == "at://did:plc:j76trmiofvaxxpvx2vnb2vwf/app.bsky.feed.post/3mmojbrjwbs26"


def test_jetstream_edit_then_delete() -> None:
    create, update, delete = (bs.normalise(e) for e in local_lines("jetstream_edit_delete_synthetic.jsonl"))
    uri = "at://did:plc:acmefan0000000000000000/app.bsky.feed.post/3mzzaaaaaaa2b"
    assert [(i.post.native_id, i.post.text) for i in create + update] == [
        (uri, "Acme support is down again"),
        (uri, "Acme support is back, thanks"),
    ]
    assert [(i.post.native_id, i.post.deleted) for i in delete] == [(uri, True)]


def local_lines(name: str) -> list[Any]:
    return [json.loads(line) for line in (LOCAL / "bluesky" / name).read_text().splitlines()]


def test_relay_commits_hold_no_post_records_but_post_deletes_are_tombstones() -> None:
    indigo = fixture("bluesky_firehose", "indigo")
    seqs = {}
    for path in sorted(indigo.glob("firehose_commit_*.json")):
        message = json.loads(path.read_text())
        assert bs.normalise(message) == []
        seqs[message["seq"]] = len(message["ops"])
    assert seqs == {4621317030: 1, 4621317332: 1, 4621332152: 42, 4623075231: 1}
    deleted = {
        "repo": "did:plc:acme",
        "seq": 1,
        "ops": [{"action": "delete", "path": "app.bsky.feed.post/3abc", "cid": None}],
    }
    (tomb,) = bs.normalise(deleted)
    assert (tomb.post.native_id, tomb.post.deleted) == ("at://did:plc:acme/app.bsky.feed.post/3abc", True)


def test_facets_count_bytes_not_characters() -> None:
    text = "café ☕ see example.com/a…"
    start = len("café ☕ see ".encode())
    facets = [
        {
            "index": {"byteStart": start, "byteEnd": len(text.encode())},
            "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://example.com/a/long/path"}],
        }
    ]
    assert text_with_links(text, facets) == "café ☕ see https://example.com/a/long/path"
    named = [
        {
            "index": {"byteStart": 0, "byteEnd": 5},
            "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://cafe.example"}],
        }
    ]
    assert text_with_links(text, named) == "café (https://cafe.example) ☕ see example.com/a…"
    inside_a_character = [
        {
            "index": {"byteStart": 4, "byteEnd": 6},
            "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://x.example"}],
        }
    ]
    assert text_with_links(text, inside_a_character) == text


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(max_size=40),
    facets=st.lists(
        st.fixed_dictionaries(
            {
                "index": st.fixed_dictionaries(
                    {"byteStart": st.integers(-3, 60), "byteEnd": st.integers(-3, 60)}
                ),
                "features": st.lists(
                    st.fixed_dictionaries(
                        {
                            "$type": st.sampled_from(
                                ["app.bsky.richtext.facet#link", "app.bsky.richtext.facet#tag"]
                            ),
                            "uri": st.text(max_size=10),
                        }
                    ),
                    max_size=2,
                ),
            }
        ),
        max_size=4,
    )
    | st.none()
    | st.integers(),
)
def test_facets_never_break_text(text: str, facets: Any) -> None:
    out = text_with_links(text, facets)
    assert isinstance(out, str)
    if not isinstance(facets, list) or not facets:
        assert out == text


POSTISH = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=12)
    | st.sampled_from(
        ["at://did:plc:a/app.bsky.feed.post/r1", "app.bsky.feed.post", "commit", "delete", "create"]
    ),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "uri",
                    "record",
                    "value",
                    "text",
                    "post",
                    "posts",
                    "feed",
                    "thread",
                    "reply",
                    "parent",
                    "root",
                    "replies",
                    "embed",
                    "did",
                    "time_us",
                    "kind",
                    "commit",
                    "collection",
                    "rkey",
                    "operation",
                    "ops",
                    "repo",
                    "$type",
                    "facets",
                    "langs",
                    "createdAt",
                    "author",
                ]
            ),
            children,
            max_size=6,
        )
    ),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(document=POSTISH)
def test_normaliser_survives_bluesky_like_json(document: Any) -> None:
    try:
        items = bs.normalise(document)
    except InputError:
        return
    for item in items:
        assert item.post.native_id.startswith("at://")
        assert (item.post.text is None) == item.post.deleted


# -- sessions and XRPC ------------------------------------------------------------------------


def test_one_login_serves_many_calls_and_is_refreshed_not_repeated() -> None:
    server = Server({"app.bsky.feed.searchPosts": {"posts": []}}, lifetime=600)
    clock = Clock(NOW)
    http = client(server, clock)
    src = logged_in()
    for _ in range(5):
        list(src.fetch(Query("bluesky", "search", "acme", "acme"), None, http))
    assert server.methods().count("com.atproto.server.createSession") == 1
    assert server.methods().count("app.bsky.feed.searchPosts") == 5
    login = server.seen[0]
    assert json.loads(login.content) == {
        "identifier": "acme-care.bsky.social",
        "password": "abcd-efgh-ijkl-mnop",
    }
    clock.now += 600  # the access token's exp has passed: refresh, do not log in again
    list(src.fetch(Query("bluesky", "search", "acme", "acme"), None, http))
    assert server.methods()[-2:] == ["com.atproto.server.refreshSession", "app.bsky.feed.searchPosts"]
    assert server.seen[-2].headers["authorization"] == "Bearer refresh-1-xxxxxxxx"
    assert (src.session.logins, src.session.refreshes) == (1, 1)
    assert "abcd-efgh-ijkl-mnop" not in http.redact("password abcd-efgh-ijkl-mnop")


def test_expired_token_envelope_refreshes_once() -> None:
    answers = [from_spec("expired_token_synthetic.json"), httpx.Response(200, json={"posts": []})]
    server = Server({"app.bsky.feed.searchPosts": lambda r: answers.pop(0)})
    src = logged_in()
    list(src.fetch(Query("bluesky", "search", "acme", "acme"), None, client(server)))
    assert server.methods() == [
        "com.atproto.server.createSession",
        "app.bsky.feed.searchPosts",
        "com.atproto.server.refreshSession",
        "app.bsky.feed.searchPosts",
    ]


def test_failed_login_names_the_variables_and_reads_the_daily_limit() -> None:
    refused = bskyr("repo_auth_cache.yml")
    http = client(lambda r: refused.response())
    with pytest.raises(CredentialError) as err:
        list(logged_in().fetch(Query("bluesky", "search", "acme", "acme"), None, http))
    message = str(err.value)
    assert "401: Invalid identifier or password" in message
    assert "app_password ($BLUESKY_APP_PASSWORD)" in message and "identifier ($BLUESKY_HANDLE)" in message
    assert "abcd-efgh-ijkl-mnop" not in message
    limit = http.rate_limits["bsky.social"]
    assert (limit.limit, limit.remaining, limit.window_s, limit.reset_at) == (
        10.0,
        7.0,
        86400.0,
        1748016454.0,
    )


def test_search_without_a_login_is_refused_before_sending() -> None:
    sent: list[httpx.Request] = []
    with pytest.raises(
        CredentialError, match=r"set \$BLUESKY_HANDLE \(your handle\) and \$BLUESKY_APP_PASSWORD"
    ):
        list(
            bs.fetch(
                Query("bluesky", "search", "acme", "a"),
                None,
                client(lambda r: sent.append(r) or httpx.Response(500)),
            )
        )
    assert sent == []


def test_anonymous_reads_use_the_public_appview_and_a_403_is_quoted() -> None:
    seen: list[httpx.Request] = []
    thread = bskyr("f_postthread.yml")

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path.endswith("getPostThread"):
            return thread.response()
        return from_spec("search_anonymous_403_synthetic.json")

    query = Query(
        "bluesky", "thread", "https://bsky.app/profile/soubhikbarari.bsky.social/post/3k7qmjev5lr2s", "t"
    )
    (page,) = bs.fetch(query, None, client(handler))
    assert [i.post.native_id for i in page.items] == [
        "at://did:plc:ic6zqvuw5ulmfpjiwnhsr2ns/app.bsky.feed.post/3k7qmjev5lr2s"
    ]
    assert str(seen[0].url).startswith("https://public.api.bsky.app/xrpc/app.bsky.feed.getPostThread?")
    assert parse_qs(seen[0].url.query.decode())["uri"] == [
        "at://soubhikbarari.bsky.social/app.bsky.feed.post/3k7qmjev5lr2s"
    ]
    with pytest.raises(
        AccessDenied,
        match=r"refused access \(403\) to the feed of acme\.example: Search requires authentication",
    ):
        list(bs.fetch(Query("bluesky", "author", "acme.example", "a"), None, client(handler)))


def test_thread_not_found_and_other_xrpc_errors() -> None:
    not_found = httpx.Response(400, json={"error": "NotFound", "message": "Post not found: at://x"})
    with pytest.raises(GoneError, match="no longer exists; remove the thread query"):
        list(
            bs.fetch(
                Query("bluesky", "thread", "at://did:plc:a/app.bsky.feed.post/3x", "t"),
                None,
                client(lambda r: not_found),
            )
        )
    stub = httpx.Response(
        200, json={"thread": {"$type": "app.bsky.feed.defs#notFoundPost", "uri": "at://x", "notFound": True}}
    )
    with pytest.raises(GoneError):
        list(
            bs.fetch(
                Query("bluesky", "thread", "at://did:plc:a/app.bsky.feed.post/3x", "t"),
                None,
                client(lambda r: stub),
            )
        )
    invalid = bskyr("r_post_errors.yml")
    with pytest.raises(
        SourceError, match=r"was refused \(400 InvalidRequest: Invalid app.bsky.feed.post record: Record/text"
    ):
        list(
            bs.fetch(
                Query("bluesky", "author", "acme.example", "a"), None, client(lambda r: invalid.response())
            )
        )


def test_a_429_waits_for_ratelimit_reset() -> None:
    answers = [
        from_spec("rate_limited_429_synthetic.json"),
        bskyr("f_search.yml").response(),
        httpx.Response(200, json={"posts": []}),
    ]
    server = Server({"app.bsky.feed.searchPosts": lambda r: answers.pop(0)})
    clock = Clock(NOW)
    pages = list(
        logged_in().fetch(
            Query("bluesky", "search", "redistricting", "r"),
            {"since": "2025-05-19T00:00:00.000Z"},
            client(server, clock),
        )
    )
    assert clock.slept == [90.0]
    assert len(pages[0].items) == 26


def test_search_walks_cursors_and_resumes_with_since() -> None:
    recorded = bskyr("f_search.yml").json()
    pages_served = [
        {"posts": recorded["posts"][:10], "cursor": "10"},
        {"posts": recorded["posts"][10:20], "cursor": "20"},
        {"posts": recorded["posts"][20:], "cursor": "25"},
        {"posts": []},
    ]
    server = Server({"app.bsky.feed.searchPosts": lambda r: httpx.Response(200, json=pages_served.pop(0))})
    src = logged_in(page_size=10)
    query = Query("bluesky", "search", "redistricting", "r")
    walk = src.fetch(query, {"since": "2025-05-19T00:00:00.000Z"}, client(server))
    first = next(walk)
    assert first.cursor == {
        "since": "2025-05-19T00:00:00.000Z",
        "pass_top": "2025-05-19T17:10:09.813Z",
        "cursor": "10",
    }
    rest = list(walk)
    assert rest[-1].cursor == {"since": "2025-05-19T17:10:09.813Z"}
    searches = [parse_qs(r.url.query.decode()) for r in server.seen if r.url.path.endswith("searchPosts")]
    assert searches[0] == {
        "q": ["redistricting"],
        "sort": ["latest"],
        "limit": ["10"],
        "since": ["2025-05-19T00:00:00.000Z"],
    }
    assert [s.get("cursor") for s in searches] == [None, ["10"], ["20"], ["25"]]


def test_author_feed_stops_at_the_stored_time() -> None:
    server = Server({"app.bsky.feed.getAuthorFeed": bskyr("f_autfeed.yml")})
    src = logged_in()
    pages = list(
        src.fetch(
            Query("bluesky", "author", "@chriskenny.bsky.social", "ck"),
            {"since": "2025-01-01T00:00:00.000Z"},
            client(server),
        )
    )
    assert len(pages) == 1 and pages[0].cursor == {"since": "2025-05-05T01:30:18.253Z"}
    (feed,) = [r for r in server.seen if r.url.path.endswith("getAuthorFeed")]
    assert parse_qs(feed.url.query.decode()) == {
        "limit": ["100"],
        "actor": ["chriskenny.bsky.social"],
        "filter": ["posts_with_replies"],
    }


def test_jwt_expiry_and_bad_queries() -> None:
    assert jwt_expiry(jwt(1795187200)) == 1795187200.0
    assert jwt_expiry("not-a-jwt") is None
    http = client(lambda r: httpx.Response(500))
    with pytest.raises(InputError, match="not a handle or DID"):
        list(bs.fetch(Query("bluesky", "author", "two words", "a"), None, http))
    with pytest.raises(InputError, match="needs an at:// URI"):
        list(bs.fetch(Query("bluesky", "thread", "https://example.com/x", "a"), None, http))
    with pytest.raises(InputError, match="unknown query kind"):
        bs.fetch(Query("bluesky", "hashtag", "x", "a"), None, http)


# -- Jetstream over a real websocket on 127.0.0.1 -------------------------------------------


class FakeJetstream:
    """Replays recorded events from the requested cursor on, then closes cleanly (or drops)."""

    def __init__(
        self,
        recorded: list[dict[str, Any]],
        *,
        drop_after: int | None = None,
        delay_s: float = 0.0,
        hold_open: bool = False,
    ) -> None:
        self.recorded = recorded
        self.drop_after = drop_after
        self.delay_s = delay_s
        self.hold_open = hold_open  # a live stream: after the recording, stay open and quiet
        self.stop = threading.Event()
        self.paths: list[str] = []
        self._server = serve(self.handle, "127.0.0.1", 0)
        self.url = f"ws://127.0.0.1:{self._server.socket.getsockname()[1]}/subscribe"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def handle(self, connection: ServerConnection) -> None:
        assert connection.request is not None
        self.paths.append(connection.request.path)
        query = parse_qs(urlsplit(connection.request.path).query)
        wanted = set(query.get("wantedCollections", []))
        since = int(query["cursor"][0]) if "cursor" in query else 0
        sent = 0
        for event in self.recorded:
            if event["time_us"] < since:
                continue
            if wanted and event["kind"] == "commit" and event["commit"]["collection"] not in wanted:
                continue
            if self.delay_s:
                time.sleep(self.delay_s)
            connection.send(json.dumps(event))
            sent += 1
            if self.drop_after is not None and sent >= self.drop_after:
                self.drop_after = None
                connection.socket.close()  # an abrupt drop, no close frame
                return
        if self.hold_open:
            self.stop.wait()
        connection.close()

    def __enter__(self) -> FakeJetstream:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self._server.shutdown()
        self._thread.join(timeout=5)


def posts_of(pages: Iterable[Any]) -> list[str]:
    return [i.post.native_id for p in pages for i in p.items]


def test_live_tail_filters_collections_and_stores_the_newest_time() -> None:
    recorded = events("expected_v1.jsonl")
    with FakeJetstream(recorded) as jet:
        src = BlueskySource(SourceSettings(options={"jetstream_url": jet.url, "batch": 5}))
        pages = list(
            src.fetch(Query("bluesky", "jetstream", "", "live"), None, client(lambda r: httpx.Response(500)))
        )
    assert jet.paths == ["/subscribe?wantedCollections=app.bsky.feed.post"]
    assert sum(len(p.items) for p in pages) == 17
    assert pages[-1].cursor == {
        "time_us": max(
            e["time_us"]
            for e in recorded
            if e["kind"] != "commit" or e["commit"]["collection"] == "app.bsky.feed.post"
        )
    }


def test_killed_tail_resumes_from_its_cursor_minus_the_margin_without_gaps() -> None:
    recorded = sorted(events("expected_v1.jsonl"), key=lambda e: e["time_us"])
    everything = {i.post.native_id for e in recorded for i in bs.normalise(e)}
    with FakeJetstream(recorded) as jet:
        src = BlueskySource(SourceSettings(options={"jetstream_url": jet.url, "batch": 4, "margin_s": 0.01}))
        query = Query("bluesky", "jetstream", "app.bsky.feed.post", "live")
        walk = src.fetch(query, None, client(lambda r: httpx.Response(500)))
        first = [next(walk), next(walk)]
        walk.close()  # the listener is killed after storing two pages
        stored = first[-1].cursor
        assert stored is not None
        rest = list(src.fetch(query, stored, client(lambda r: httpx.Response(500))))
    resumed_from = int(stored["time_us"]) - 10_000
    assert jet.paths[1] == f"/subscribe?wantedCollections=app.bsky.feed.post&cursor={resumed_from}"
    got = posts_of(first) + posts_of(rest)
    assert set(got) == everything, "nothing is lost"
    again = [n for n in posts_of(rest) if n in set(posts_of(first))]
    assert len(got) - len(set(got)) == len(again), "only the margin is seen twice"


def test_a_dropped_connection_is_reopened_from_the_cursor() -> None:
    recorded = sorted(events("expected_v1.jsonl"), key=lambda e: e["time_us"])
    clock = Clock(NOW)
    with FakeJetstream(recorded, drop_after=8) as jet:
        src = BlueskySource(SourceSettings(options={"jetstream_url": jet.url, "batch": 3, "margin_s": 0}))
        pages = list(
            src.fetch(
                Query("bluesky", "jetstream", "", "live"), None, client(lambda r: httpx.Response(500), clock)
            )
        )
    assert len(jet.paths) == 2 and "cursor=" in jet.paths[1]
    assert clock.slept == [1.0]
    assert set(posts_of(pages)) == {i.post.native_id for e in recorded for i in bs.normalise(e)}


def test_dry_run_plans_the_websocket_without_connecting() -> None:
    http = HttpClient("bluesky", transport=httpx.MockTransport(lambda r: httpx.Response(500)), dry_run=True)
    with pytest.raises(DryRun) as planned:
        list(bs.fetch(Query("bluesky", "jetstream", "", "live"), {"time_us": 1783175888403568}, http))
    assert planned.value.planned.url == (
        "wss://jetstream2.us-east.bsky.network/subscribe?wantedCollections=app.bsky.feed.post&cursor=1783175886403568"
    )


def test_read_export_reads_jetstream_dumps() -> None:
    documents = list(bs.read_export(JETSTREAM / "expected_v1.jsonl"))
    assert len(documents) == 152
    assert sum(len(bs.normalise(d)) for d in documents) == 17


# -- repository exports (CAR) -----------------------------------------------------------------


def test_repository_export_lists_every_record_like_goat() -> None:
    car = JETSTREAM / "repo.car"
    expected = [
        line.split("\t") for line in (JETSTREAM / "car_expected_records.tsv").read_text().splitlines()
    ]
    records = list(car_records(car))
    assert [(r["uri"].split("/", 3)[3], r["cid"]) for r in records] == [(k, c) for k, c in expected]
    commit = car_commit(car)
    oracle = dict(
        line.split(": ", 1) for line in (JETSTREAM / "car_expected_commit.txt").read_text().splitlines()
    )
    assert commit["did"] == oracle["DID"] == "did:plc:53iucmf5ldftgqyf2ac7hmhd"
    assert commit["data"] == {"$link": oracle["Data CID"]}
    assert (commit["rev"], commit["version"], commit["prev"]) == (oracle["Revision"], 3, None)
    assert oracle["Prev CID"] == "<nil>" and oracle["ATProto Repo Spec Version"] == "3"


def test_repository_export_imports_the_accounts_own_posts() -> None:
    items = [i for d in bs.read_export(JETSTREAM / "repo.car") for i in bs.normalise(d)]
    assert [(i.post.native_id.rsplit("/", 1)[-1], i.post.text) for i in items] == [
        ("3lqcnvhqk622d", "This is my first post!"),
        ("3lqcoskkx7c2y", "This is my second post"),
        ("3lsbqxwblik2d", "a test reply!"),
        ("3ly3oz7vwhc2u", "@calabro.io 111"),
        ("3ly3qkmcavs2u", "@calabro.io 222"),
        ("3m2a2fwazy22o", "test video upload"),
    ]
    reply = items[2].post
    assert reply.reply_to == "at://did:plc:53iucmf5ldftgqyf2ac7hmhd/app.bsky.feed.post/3lqcnvhqk622d"
    assert reply.created_at == datetime(2025, 6, 23, 14, 7, 34, 595000, tzinfo=UTC)
    assert items[0].raw["value"]["$type"] == "app.bsky.feed.post"


def test_cbor_decoding_of_known_values_and_links() -> None:
    assert decode_cbor(bytes.fromhex("a26161016162820203")) == {"a": 1, "b": [2, 3]}
    assert decode_cbor(bytes.fromhex("f93e00")) == 1.5
    link = bytes.fromhex("d82a5825000171122000" + "00" * 31)
    assert decode_cbor(link) == {"$link": cid_text(bytes.fromhex("01711220" + "00" * 32))}
    with pytest.raises(InputError, match="not DAG-CBOR: indefinite lengths"):
        decode_cbor(bytes.fromhex("9f01ff"))


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=200))
def test_cbor_and_car_readers_never_crash(data: bytes, tmp_path_factory: pytest.TempPathFactory) -> None:
    with contextlib.suppress(InputError):
        decode_cbor(data)
    path = tmp_path_factory.getbasetemp() / "fuzz.car"
    path.write_bytes(b"\x0a\xa2eroots" + data)
    with contextlib.suppress(InputError):
        list(car_records(path))


# -- raw relay frames -------------------------------------------------------------------------


def relay_frames() -> list[bytes]:
    packed = (JETSTREAM / "frames.bin.zst").read_bytes()
    raw = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(packed)).read()
    out, at = [], 0
    while at < len(raw):
        (size,) = struct.unpack_from("<I", raw, at)
        out.append(raw[at + 4 : at + 4 + size])
        at += 4 + size
    return out


def test_relay_frames_make_exactly_the_posts_jetstream_made_of_them() -> None:
    manifest = json.loads((JETSTREAM / "manifest.json").read_text())
    frames = relay_frames()
    assert len(frames) == manifest["frames"] == 150
    relay = {i.post.native_id: i for f in frames for i in bs.normalise(f)}
    jetstream = {i.post.native_id: i for e in events("expected_v1.jsonl") for i in bs.normalise(e)}
    assert relay.keys() == jetstream.keys() and len(relay) == 17
    for uri, item in relay.items():
        assert item.post == jetstream[uri].post, uri
    deleted = [i for i in relay.values() if i.post.deleted]
    assert [i.raw["seq"] for i in deleted] and deleted[0].raw["op"]["action"] == "delete"
    assert manifest["seq_first"] <= deleted[0].raw["seq"] <= manifest["seq_last"]


def test_did_documents_cover_every_committing_account() -> None:
    packed = (JETSTREAM / "did_docs.json.zst").read_bytes()
    docs = json.loads(zstandard.ZstdDecompressor().stream_reader(io.BytesIO(packed)).read())
    manifest = json.loads((JETSTREAM / "manifest.json").read_text())
    assert set(docs) == set(manifest["commit_dids"])
    for did in manifest["commit_dids"][:3]:
        assert bs.normalise(docs[did]) == []  # a DID document holds no posts


def test_a_broken_frame_is_an_input_error() -> None:
    with pytest.raises(InputError, match="not a relay frame"):
        bs.normalise(b"\xa2atg#commitbop\x01\xff")


def test_dry_run_shows_the_search_not_the_login() -> None:
    http = HttpClient("bluesky", transport=httpx.MockTransport(lambda r: httpx.Response(500)), dry_run=True)
    with pytest.raises(DryRun) as planned:
        list(
            logged_in().fetch(
                Query("bluesky", "search", "acme", "a"), {"since": "2026-11-01T00:00:00.000Z"}, http
            )
        )
    assert planned.value.planned.url == (
        "https://bsky.social/xrpc/app.bsky.feed.searchPosts?limit=100&q=acme&sort=latest&since=2026-11-01T00%3A00%3A00.000Z"
    )
