"""Replying on X (POST /2/tweets) and Reddit (POST /api/comment) over loopback.

Neither network's post creation is recorded in ../shared/fixtures, so the
success answers are the synthetic files of tests/sources/fixtures/{x,reddit}
(written from the API docs); Reddit's token grant and 401 are prawcore's real
recordings.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from cassettes import fixture, load_cassette
from samples import LOCAL

from goodwill.errors import AccessDenied, CredentialError, GoneError, RateLimited, SourceError
from goodwill.sources.http import HttpClient
from goodwill.sources.meter import Meter
from goodwill.sources.reddit import RedditSource
from goodwill.sources.reply import ReplyTarget, reply_sender
from goodwill.sources.source import SourceSettings
from goodwill.sources.x import XSource
from loopback import Answer, FakeNetwork

NOW = 1795180000.0
X_TOKEN = "x-user-token-0123456789abcdef"
REDDIT_ENV = {
    "REDDIT_CLIENT_ID": "app-id-123",
    "REDDIT_CLIENT_SECRET": "app-secret-456",
    "REDDIT_REPLY_USERNAME": "AcmeBankCare",
    "REDDIT_REPLY_PASSWORD": "hunter2-brand",
}


def synthetic(network: str, name: str) -> Answer:
    spec = json.loads((LOCAL / network / name).read_text())
    return Answer.json(spec["status"], spec["body"], list(spec["headers"].items()))


def client(name: str) -> HttpClient:
    return HttpClient(name, max_attempts=1, clock=lambda: NOW, sleep=lambda s: None, meter=Meter(name))


# -- X ----------------------------------------------------------------------------------------------


def x_source(url: str, env: dict[str, str] | None = None, **options: Any) -> XSource:
    return XSource(
        SourceSettings(
            base_url=f"{url}/2", options=options, env={"X_REPLY_TOKEN": X_TOKEN} if env is None else env
        )
    )


def test_x_reply_posts_in_reply_to_tweet_id_and_counts_its_cost() -> None:
    assert reply_sender(x_source("https://api.x.com", env={"X_BEARER_TOKEN": "app-only"})) is None
    created = synthetic("x", "tweet_created_synthetic.json")
    with FakeNetwork({("POST", "/2/tweets"): created}) as net:
        http = client("x")
        sent = x_source(net.url).reply(
            ReplyTarget(native_id="1460323737035677698"),
            "@ada_l Sorry about that, we have refunded it.",
            http,
        )
    (seen,) = net.seen
    assert seen.headers["authorization"] == f"Bearer {X_TOKEN}"
    assert seen.json() == {
        "text": "@ada_l Sorry about that, we have refunded it.",
        "reply": {"in_reply_to_tweet_id": "1460323737035677698"},
    }
    assert sent.native_id == "1861234567890123456"
    assert sent.url == "https://x.com/i/web/status/1861234567890123456"
    spent = http.meter.spent["posts"]
    assert (spent.requests, spent.units, spent.usd) == (1, 1.0, 0.015)
    assert http.rate_limits[net.url.split("://")[1].split(":")[0]].remaining == 199.0


def test_x_refusals_are_goodwill_errors() -> None:
    forbidden = synthetic("x", "reply_forbidden_synthetic.json")
    with FakeNetwork({("POST", "/2/tweets"): forbidden}) as net:
        with pytest.raises(AccessDenied, match="not been mentioned or otherwise engaged by the author"):
            x_source(net.url).reply(ReplyTarget(native_id="1460323737035677698"), "Hi", client("x"))
        net.routes[("POST", "/2/tweets")] = Answer.json(401, {"title": "Unauthorized", "status": 401})
        with pytest.raises(CredentialError, match=r"reply_token \(\$X_REPLY_TOKEN\)") as caught:
            x_source(net.url).reply(ReplyTarget(native_id="1460323737035677698"), "Hi", client("x"))
        assert X_TOKEN not in str(caught.value)
        with pytest.raises(SourceError, match="not a post id"):
            x_source(net.url).reply(ReplyTarget(native_id="t3_abc"), "Hi", client("x"))
        with pytest.raises(CredentialError, match=r"\$X_REPLY_TOKEN: an OAuth 2.0 user access token"):
            x_source(net.url, env={}).reply(ReplyTarget(native_id="1"), "Hi", client("x"))
    assert len(net.seen) == 2


# -- Reddit -----------------------------------------------------------------------------------------

INVALID = load_cassette(
    fixture("reddit", "prawcore", "TestSession.test_request__with_invalid_access_token.json")
)
GRANT, REJECTED = INVALID[0], INVALID[1]  # a real password-grant token, then 401 {"error": 401}


def reddit_source(url: str, env: dict[str, str] | None = None) -> RedditSource:
    return RedditSource(
        SourceSettings(
            base_url=url,
            options={"token_url": f"{url}/api/v1/access_token"},
            env=REDDIT_ENV if env is None else env,
        )
    )


def test_reddit_reply_logs_in_as_the_brand_and_comments_on_the_thing() -> None:
    listening_only = {"REDDIT_CLIENT_ID": "a", "REDDIT_CLIENT_SECRET": "b", "REDDIT_USERNAME": "lurker"}
    assert reply_sender(reddit_source("https://oauth.reddit.com", env=listening_only)) is None
    created = synthetic("reddit", "comment_created_synthetic.json")
    with FakeNetwork({("POST", "/api/v1/access_token"): GRANT, ("POST", "/api/comment"): created}) as net:
        http = client("reddit")
        sent = reddit_source(net.url).reply(ReplyTarget(native_id="t3_1acmeq1"), "We have refunded it.", http)
    grant, comment = net.seen
    assert grant.form() == {
        "grant_type": ["password"],
        "username": ["AcmeBankCare"],
        "password": ["hunter2-brand"],
    }
    assert grant.headers["authorization"].startswith("Basic ")
    assert comment.headers["authorization"] == "bearer -Cen-N1LIRbzjsqBA8wjMgn8n5Ho"
    assert comment.headers["user-agent"].endswith("(by /u/AcmeBankCare)")
    assert comment.query == {"raw_json": ["1"]}
    assert comment.form() == {
        "api_type": ["json"],
        "thing_id": ["t3_1acmeq1"],
        "text": ["We have refunded it."],
    }
    assert sent.native_id == "t1_lq8acme"
    assert sent.url == "https://www.reddit.com/r/AcmeBank/comments/1acmeq1/charged_twice/lq8acme/"
    for secret in ("hunter2-brand", "app-secret-456", "-Cen-N1LIRbzjsqBA8wjMgn8n5Ho"):
        assert secret not in http.redact(f"x {secret} y")


def test_reddit_refusals_inside_a_200_and_a_401_are_goodwill_errors() -> None:
    limited = synthetic("reddit", "comment_ratelimit_synthetic.json")
    locked = Answer.json(200, {"json": {"errors": [["THREAD_LOCKED", "that thread is locked", "parent"]]}})
    routes: dict[tuple[str, str], Any] = {
        ("POST", "/api/v1/access_token"): GRANT,
        ("POST", "/api/comment"): limited,
    }
    with FakeNetwork(routes) as net:
        with pytest.raises(RateLimited, match="Take a break for 9 minutes"):
            reddit_source(net.url).reply(ReplyTarget(native_id="t1_abc"), "Hi", client("reddit"))
        net.routes[("POST", "/api/comment")] = locked
        with pytest.raises(GoneError, match=r"t1_abc can no longer be answered \(THREAD_LOCKED"):
            reddit_source(net.url).reply(ReplyTarget(native_id="t1_abc"), "Hi", client("reddit"))
        net.routes[("POST", "/api/comment")] = REJECTED
        with pytest.raises(CredentialError, match=r"\$REDDIT_REPLY_PASSWORD") as caught:
            reddit_source(net.url).reply(ReplyTarget(native_id="t1_abc"), "Hi", client("reddit"))
        assert "hunter2-brand" not in str(caught.value)
        # the 401 got one fresh token and one more try, then was reported
        assert [s.path for s in net.seen[-4:]] == [
            "/api/v1/access_token",
            "/api/comment",
            "/api/v1/access_token",
            "/api/comment",
        ]
    with pytest.raises(CredentialError, match=r"\$REDDIT_REPLY_USERNAME and \$REDDIT_REPLY_PASSWORD"):
        reddit_source("http://127.0.0.1:9", env={}).reply(
            ReplyTarget(native_id="t1_abc"), "Hi", client("reddit")
        )
    with pytest.raises(SourceError, match="not a post or comment fullname"):
        reddit_source("http://127.0.0.1:9").reply(ReplyTarget(native_id="abc"), "Hi", client("reddit"))
