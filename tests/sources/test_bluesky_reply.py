"""Replying on Bluesky over loopback: createSession, getPosts (recorded) and createRecord, with its errors."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from cassettes import Recorded, fixture, load_cassette
from samples import LOCAL

from goodwill.errors import CredentialError, GoneError, SourceError
from goodwill.sources.bluesky import BlueskySource
from goodwill.sources.http import HttpClient
from goodwill.sources.reply import ReplyTarget, reply_sender
from goodwill.sources.source import SourceSettings
from loopback import Answer, FakeNetwork, Seen

NOW = 1795180000.0
PASSWORD = "wxyz-reply-pass-0000"
ENV = {"BLUESKY_REPLY_HANDLE": "acme-care.bsky.social", "BLUESKY_REPLY_APP_PASSWORD": PASSWORD}
PARENT = "at://did:plc:ic6zqvuw5ulmfpjiwnhsr2ns/app.bsky.feed.post/3k7qmjev5lr2s"
PARENT_CID = "bafyreifk6pyilxkm7vcingnkdbzueaftqg54i3al4zbh5p3jy3pryfkc3a"


def bskyr(name: str) -> list[Recorded]:
    return load_cassette(fixture("bluesky", "bskyr", name))


def synthetic(name: str) -> Answer:
    spec = json.loads((LOCAL / "bluesky" / name).read_text())
    return Answer.json(spec["status"], spec["body"], list(spec["headers"].items()))


def jwt(exp: float) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none'})}.{part({'exp': int(exp), 'sub': 'did:plc:acmecare7synthetic'})}.sig"


ACCESS = jwt(NOW + 7200)
LOGIN = Answer.json(
    200,
    {
        "did": "did:plc:acmecare7synthetic",
        "handle": "acme-care.bsky.social",
        "accessJwt": ACCESS,
        "refreshJwt": "refresh-reply-xxxxxxxx",
    },
)
CREATED = synthetic("create_record_synthetic.json")
SESSION = ("POST", "/xrpc/com.atproto.server.createSession")
GET_POSTS = ("GET", "/xrpc/app.bsky.feed.getPosts")
CREATE = ("POST", "/xrpc/com.atproto.repo.createRecord")
RESOLVE = ("GET", "/xrpc/com.atproto.identity.resolveHandle")


def source(url: str, env: dict[str, str] | None = None) -> BlueskySource:
    return BlueskySource(SourceSettings(base_url=url, env=ENV if env is None else env))


def client() -> HttpClient:
    return HttpClient("bluesky", max_attempts=1, clock=lambda: NOW, sleep=lambda s: None)


def feed_view_with_root() -> dict[str, Any]:
    """A real reply post view from getAuthorFeed, whose root is not its parent."""
    (rec,) = bskyr("f_autfeed.yml")
    views = [item["post"] for item in rec.json()["feed"]]
    return next(
        v
        for v in views
        if v["uri"] == "at://did:plc:wpe35pganb6d4pg4ekmfy6u5/app.bsky.feed.post/3lo7t2k53qs2q"
    )


def test_ready_only_with_the_reply_login_not_the_listening_one() -> None:
    assert reply_sender(source("https://bsky.social")) is not None
    listening = {"BLUESKY_HANDLE": "acme.bsky.social", "BLUESKY_APP_PASSWORD": "x"}
    assert reply_sender(source("https://bsky.social", env=listening)) is None


def test_reply_to_a_top_level_post_uses_it_as_parent_and_root() -> None:
    (posts,) = bskyr("f_getposts.yml")
    with FakeNetwork({SESSION: LOGIN, GET_POSTS: posts, CREATE: CREATED}) as net:
        http = client()
        target = ReplyTarget(
            native_id=PARENT, url="https://bsky.app/profile/soubhikbarari.bsky.social/post/3k7qmjev5lr2s"
        )
        sent = source(net.url).reply(target, "Thanks for the mention!", http, key="ignored")
    login, lookup, create = net.seen
    assert login.json() == {"identifier": "acme-care.bsky.social", "password": PASSWORD}
    assert lookup.query == {"uris": [PARENT]}
    assert lookup.headers["authorization"] == f"Bearer {ACCESS}"
    assert create.headers["authorization"] == f"Bearer {ACCESS}"
    body = create.json()
    assert body["repo"] == "did:plc:acmecare7synthetic"
    assert body["collection"] == "app.bsky.feed.post"
    ref = {"uri": PARENT, "cid": PARENT_CID}
    assert body["record"] == {
        "$type": "app.bsky.feed.post",
        "text": "Thanks for the mention!",
        "createdAt": "2026-11-20T13:06:40.000Z",
        "reply": {"root": ref, "parent": ref},
    }
    assert sent.native_id == "at://did:plc:acmecare7synthetic/app.bsky.feed.post/3mabcdefgh22x"
    assert sent.url == "https://bsky.app/profile/did:plc:acmecare7synthetic/post/3mabcdefgh22x"
    assert sent.raw["validationStatus"] == "valid"
    assert PASSWORD not in http.redact(f"password {PASSWORD} token {ACCESS}")
    assert ACCESS not in http.redact(ACCESS)


def test_links_tags_and_resolved_mentions_go_out_as_facets() -> None:
    (posts,) = bskyr("f_getposts.yml")
    resolved = fixture("bluesky", "marshalx_atproto", "resolve_handle.json").read_bytes()  # a real answer
    text = "Thanks @bsky.app! Steps: https://acme.example/help #AcmeCare"
    with FakeNetwork(
        {
            SESSION: LOGIN,
            GET_POSTS: posts,
            RESOLVE: Answer(200, [("Content-Type", "application/json")], resolved),
            CREATE: CREATED,
        }
    ) as net:
        source(net.url).reply(ReplyTarget(native_id=PARENT), text, client())
    lookup = next(seen for seen in net.seen if seen.path == RESOLVE[1])
    assert lookup.query == {"handle": ["bsky.app"]}
    assert lookup.headers["authorization"] == f"Bearer {ACCESS}"
    assert net.seen[-1].json()["record"]["facets"] == [
        {
            "index": {"byteStart": 7, "byteEnd": 16},
            "features": [
                {"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:z72i7hdynmk6r22z27h6tvur"}
            ],
        },
        {
            "index": {"byteStart": 25, "byteEnd": 50},
            "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://acme.example/help"}],
        },
        {
            "index": {"byteStart": 51, "byteEnd": 60},
            "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "AcmeCare"}],
        },
    ]


def test_a_handle_that_does_not_resolve_goes_out_as_plain_text() -> None:
    (posts,) = bskyr("f_getposts.yml")
    unknown = Answer.json(400, {"error": "InvalidRequest", "message": "Unable to resolve handle"})
    with FakeNetwork({SESSION: LOGIN, GET_POSTS: posts, RESOLVE: unknown, CREATE: CREATED}) as net:
        sent = source(net.url).reply(ReplyTarget(native_id=PARENT), "Ask @ghost.example", client())
    assert "facets" not in net.seen[-1].json()["record"]
    assert sent.text == "Ask @ghost.example"


def test_reply_inside_a_thread_keeps_the_threads_root() -> None:
    view = feed_view_with_root()
    with FakeNetwork(
        {SESSION: LOGIN, GET_POSTS: Answer.json(200, {"posts": [view]}), CREATE: CREATED}
    ) as net:
        source(net.url).reply(ReplyTarget(native_id=view["uri"]), "Glad it works now.", client())
    reply = net.seen[-1].json()["record"]["reply"]
    assert reply["parent"] == {
        "uri": view["uri"],
        "cid": "bafyreig3fhofqranjjurlrqdqssxafdtxkjp5p4fcem3mt4ibzdh2ys3ry",
    }
    assert reply["root"] == view["record"]["reply"]["root"]
    assert reply["root"]["uri"] == "at://did:plc:wpe35pganb6d4pg4ekmfy6u5/app.bsky.feed.post/3lo7irc7njk2p"


def test_a_refused_record_is_quoted_and_a_failed_login_names_the_reply_variables() -> None:
    (posts,) = bskyr("f_getposts.yml")
    (too_long,) = bskyr("r_post_errors.yml")
    with (
        FakeNetwork({SESSION: LOGIN, GET_POSTS: posts, CREATE: too_long}) as net,
        pytest.raises(SourceError, match=r"the reply was refused \(400 InvalidRequest: .*300 graphemes"),
    ):
        source(net.url).reply(ReplyTarget(native_id=PARENT), "x" * 400, client())
    (refused,) = bskyr("repo_auth_cache.yml")
    with FakeNetwork({SESSION: refused}) as net, pytest.raises(CredentialError) as caught:
        source(net.url).reply(ReplyTarget(native_id=PARENT), "Hi", client())
    message = str(caught.value)
    assert "401: Invalid identifier or password" in message
    assert "reply_identifier ($BLUESKY_REPLY_HANDLE)" in message
    assert "reply_app_password ($BLUESKY_REPLY_APP_PASSWORD)" in message
    assert PASSWORD not in message
    assert net.paths() == ["POST /xrpc/com.atproto.server.createSession"]


def test_an_expired_token_is_refreshed_once_then_the_record_goes() -> None:
    (posts,) = bskyr("f_getposts.yml")
    expired = synthetic("expired_token_synthetic.json")
    refreshed = Answer.json(
        200,
        {
            "did": "did:plc:acmecare7synthetic",
            "accessJwt": jwt(NOW + 9000),
            "refreshJwt": "refresh-2-xxxxxxxx",
        },
    )
    routes = {
        SESSION: LOGIN,
        ("POST", "/xrpc/com.atproto.server.refreshSession"): refreshed,
        GET_POSTS: posts,
        CREATE: [expired, CREATED],
    }
    with FakeNetwork(routes) as net:
        sent = source(net.url).reply(ReplyTarget(native_id=PARENT), "Hi", client())
    assert [p.rsplit("/", 1)[-1] for p in net.paths()] == [
        "com.atproto.server.createSession",
        "app.bsky.feed.getPosts",
        "com.atproto.repo.createRecord",
        "com.atproto.server.refreshSession",
        "com.atproto.repo.createRecord",
    ]
    assert net.seen[3].headers["authorization"] == "Bearer refresh-reply-xxxxxxxx"
    assert sent.native_id.endswith("/3mabcdefgh22x")


def test_a_post_that_is_gone_sends_nothing() -> None:
    def no_posts(seen: Seen) -> Answer:
        return Answer.json(200, {"posts": []})

    with FakeNetwork({SESSION: LOGIN, GET_POSTS: no_posts}) as net:
        with pytest.raises(GoneError, match="nothing was sent"):
            source(net.url).reply(ReplyTarget(native_id=PARENT), "Hi", client())
        with pytest.raises(GoneError, match="not a post's at:// URI"):
            source(net.url).reply(ReplyTarget(native_id="3k7qmjev5lr2s"), "Hi", client())
    assert "POST /xrpc/com.atproto.repo.createRecord" not in net.paths()


def test_without_the_reply_login_nothing_is_sent() -> None:
    with (
        FakeNetwork({}) as net,
        pytest.raises(CredentialError, match=r"\$BLUESKY_REPLY_HANDLE .*\$BLUESKY_REPLY_APP_PASSWORD"),
    ):
        source(net.url, env={}).reply(ReplyTarget(native_id=PARENT), "Hi", client())
    assert net.seen == []
