"""Replying on Mastodon over loopback: a fake server answering with mastodon.social's recorded statuses."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from cassettes import Recorded, fixture, load_cassette
from fake_clock import Clock
from samples import LOCAL

from goodwill.errors import CredentialError, GoneError, RateLimited, SourceError
from goodwill.sources.http import HttpClient
from goodwill.sources.mastodon import MastodonSource
from goodwill.sources.reply import ReplySender, ReplyTarget, reply_sender
from goodwill.sources.source import SourceSettings
from loopback import Answer, FakeNetwork

TOKEN = "mastodon-write-token-0123456789"
ENV = {"MASTODON_REPLY_TOKEN": TOKEN}


def social(name: str) -> list[Recorded]:
    return load_cassette(fixture("mastodon", "mastodon.social", name))


def dev(name: str) -> Recorded:
    return load_cassette(fixture("mastodon", "local_dev_server", name))[0]


STATUS = social("test_entity_status.yaml")[0]  # 110446223051565765 by halcy@icosahedron.website
SEARCH = social("test_entity_searchv2.yaml")[2]  # /api/v2/search?q=halcy&resolve=1


def source(base_url: str, env: dict[str, str] | None = None, **options: Any) -> MastodonSource:
    return MastodonSource(SourceSettings(base_url=base_url, options=options, env=ENV if env is None else env))


def client(attempts: int = 1, clock: Clock | None = None) -> HttpClient:
    clock = clock or Clock(datetime(2026, 11, 20, 11, 9, tzinfo=UTC).timestamp())
    return HttpClient("mastodon", max_attempts=attempts, clock=clock, sleep=clock.sleep)


def test_mastodon_declares_reply_and_is_ready_only_with_the_write_token() -> None:
    with_token = source("https://mastodon.social")
    assert isinstance(with_token, ReplySender)
    assert reply_sender(with_token) is with_token
    assert reply_sender(source("https://mastodon.social", env={"MASTODON_TOKEN": "read-only"})) is None
    assert reply_sender(source("", env=ENV)) is None  # no server to post on
    mapped = source("https://m.example", env={"ACME_MASTO": "t"})
    assert mapped.reply_ready() is False
    assert MastodonSource(
        SourceSettings(
            base_url="https://m.example", credentials={"reply_token": "ACME_MASTO"}, env={"ACME_MASTO": "t"}
        )
    ).reply_ready()


def test_reply_to_a_status_of_the_sending_server_posts_in_reply_to_id() -> None:
    with FakeNetwork({("POST", "/api/v1/statuses"): STATUS}) as net:
        host = net.url.split("://")[1]
        target = ReplyTarget(
            native_id=f"{host}/110446183735368325",
            url="https://mastodon.social/@halcy/110446183735368325",
            author_handle="halcy",
        )
        http = client()
        sent = source(net.url).reply(target, "Thanks, we are on it.", http, key="goodwill-reply-7")
    (seen,) = net.seen
    assert (seen.method, seen.path) == ("POST", "/api/v1/statuses")
    assert seen.headers["authorization"] == f"Bearer {TOKEN}"
    assert seen.headers["idempotency-key"] == "goodwill-reply-7"
    assert seen.headers["content-type"] == "application/json"
    assert seen.json() == {
        "status": "@halcy Thanks, we are on it.",
        "in_reply_to_id": "110446183735368325",
        "visibility": "public",
    }
    assert sent.native_id == f"{host}/110446223051565765"
    assert sent.url == "https://icosahedron.website/@halcy/110446222386355655"
    assert sent.text == "@halcy Thanks, we are on it."
    assert sent.raw["account"]["acct"] == "halcy@icosahedron.website"
    assert TOKEN not in http.redact(f"Authorization: Bearer {TOKEN}")


def test_a_post_collected_elsewhere_is_resolved_on_the_sending_server_first() -> None:
    with FakeNetwork({("GET", "/api/v2/search"): SEARCH, ("POST", "/api/v1/statuses"): STATUS}) as net:
        target = ReplyTarget(
            native_id="icosahedron.website/116388148912635764",
            url="https://icosahedron.website/@greg/116388148912635764",
            author_handle="greg",
        )
        sent = source(net.url, reply_visibility="unlisted").reply(
            target, "Hello @greg@icosahedron.website!", client()
        )
    lookup, post = net.seen
    assert lookup.path == "/api/v2/search"
    assert lookup.query == {
        "q": ["https://icosahedron.website/@greg/116388148912635764"],
        "type": ["statuses"],
        "resolve": ["true"],
        "limit": ["1"],
    }
    assert lookup.headers["authorization"] == f"Bearer {TOKEN}"
    # the recorded search's first status is the post as the sending server numbers it
    assert post.json() == {
        "status": "Hello @greg@icosahedron.website!",  # already mentioned: not added twice
        "in_reply_to_id": "116388149027005349",
        "visibility": "unlisted",
    }
    assert "idempotency-key" not in post.headers
    assert sent.native_id.endswith("/110446223051565765")


def test_a_remote_author_of_a_local_copy_is_mentioned_with_their_server() -> None:
    with FakeNetwork({("POST", "/api/v1/statuses"): STATUS}) as net:
        host = net.url.split("://")[1]
        target = ReplyTarget(native_id=f"{host}/1", author_handle="halcy@icosahedron.website")
        source(net.url).reply(target, "Hi", client())
        assert net.seen[0].json()["status"] == "@halcy@icosahedron.website Hi"
        source(net.url, mention_author=False).reply(target, "Hi", client())
        assert net.seen[1].json()["status"] == "Hi"
        source(net.url).reply(target, "@halcyon is not them. Hi", client())
        assert net.seen[2].json()["status"] == "@halcy@icosahedron.website @halcyon is not them. Hi"
        source(net.url).reply(target, "Hi @HALCY@icosahedron.website.", client())
        assert net.seen[3].json()["status"] == "Hi @HALCY@icosahedron.website."


def test_a_post_the_server_cannot_find_is_gone_and_nothing_is_posted() -> None:
    empty = Answer.json(200, {"accounts": [], "statuses": [], "hashtags": []})
    with FakeNetwork({("GET", "/api/v2/search"): empty}) as net:
        target = ReplyTarget(native_id="elsewhere.example/5", url="https://elsewhere.example/@a/5")
        with pytest.raises(GoneError, match=r"cannot find the post https://elsewhere\.example/@a/5"):
            source(net.url).reply(target, "Hi", client())
        with pytest.raises(GoneError, match="has no URL"):
            source(net.url).reply(ReplyTarget(native_id="elsewhere.example/5"), "Hi", client())
    assert net.paths() == ["GET /api/v2/search"]


def test_recorded_errors_become_goodwill_errors() -> None:
    invalid_token = dev("test_home_tl_anonymous_throws.yaml")  # 401 The access token is invalid
    too_long = load_cassette(fixture("mastodon", "local_dev_server", "test_lang_for_errors.yaml"))[1]
    missing = dev("test_status_missing.yaml")  # 404 Not Found
    for answer, error, words in [
        (
            invalid_token,
            CredentialError,
            r"401: The access token is invalid.*reply_token \(\$MASTODON_REPLY_TOKEN\)",
        ),
        (too_long, SourceError, r"HTTP 422 .*Gültigkeitsprüfung ist fehlgeschlagen: Text Begrenzung"),
        (missing, GoneError, r"the post being answered \(https://m.example/@a/9\) no longer exists \(404"),
    ]:
        with FakeNetwork({("POST", "/api/v1/statuses"): answer}) as net:
            host = net.url.split("://")[1]
            with pytest.raises(error, match=words) as caught:
                source(net.url).reply(ReplyTarget(f"{host}/9", url="https://m.example/@a/9"), "Hi", client())
        assert TOKEN not in str(caught.value)


def test_a_429_is_waited_out_with_the_same_idempotency_key_or_reported() -> None:
    spec = json.loads((LOCAL / "mastodon" / "rate_limited_429_synthetic.json").read_text())
    limited = Answer.json(429, spec["body"], list(spec["headers"].items()))
    with FakeNetwork({("POST", "/api/v1/statuses"): [limited, STATUS]}) as net:
        host = net.url.split("://")[1]
        clock = Clock(datetime(2026, 11, 20, 11, 9, tzinfo=UTC).timestamp())
        sent = source(net.url).reply(ReplyTarget(f"{host}/9"), "Hi", client(3, clock), key="k-1")
    assert clock.slept == [60.0]
    assert [s.headers["idempotency-key"] for s in net.seen] == ["k-1", "k-1"]
    assert sent.native_id == f"{host}/110446223051565765"
    with FakeNetwork({("POST", "/api/v1/statuses"): limited}) as net:
        host = net.url.split("://")[1]
        with pytest.raises(RateLimited, match="Too many requests"):
            source(net.url).reply(ReplyTarget(f"{host}/9"), "Hi", client(1))


def test_without_the_token_nothing_is_sent() -> None:
    with (
        FakeNetwork({}) as net,
        pytest.raises(CredentialError, match=r"\$MASTODON_REPLY_TOKEN .*write:statuses"),
    ):
        source(net.url, env={}).reply(ReplyTarget("x/1"), "Hi", client())
    assert net.seen == []
