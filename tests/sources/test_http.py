"""The shared HTTP layer on recorded responses: waits, retries, errors, secrets.

The clock and sleep are injected, so a 4-second Retry-After is asserted as a
recorded ``sleep(4.0)`` and no test ever sleeps.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from cassettes import Recorded, fixture, load_cassette, replay

from goodwill.errors import (
    AccessDenied,
    BudgetExceeded,
    CredentialError,
    GoneError,
    PostOutcomeUnknown,
    RateLimited,
    SourceError,
)
from goodwill.sources.http import DryRun, HttpClient
from goodwill.sources.meter import Cost, Meter

NOW = 1_700_000_000.0


class FakeTime:
    """A clock that only moves when someone sleeps."""

    def __init__(self, now: float = NOW) -> None:
        self.now = now
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def client_for(transport: httpx.BaseTransport, time: FakeTime, **kw: object) -> HttpClient:
    return HttpClient("reddit", transport=transport, clock=time.clock, sleep=time.sleep, **kw)  # type: ignore[arg-type]


def prawcore(name: str) -> list[Recorded]:
    return load_cassette(fixture("reddit", "prawcore", f"TestSession.{name}.json"))


def test_recorded_429_with_retry_after_waits_that_long_then_succeeds() -> None:
    recs = prawcore("test_request__too__many_requests__with_retry_headers")
    too_many = next(r for r in recs if r.status == 429)
    assert too_many.header("retry-after") == "4"
    assert too_many.uri == "https://oauth.reddit.com/api/v1/me?raw_json=1"
    ok = httpx.Response(200, json={"name": "bboe"})
    answers: Iterator[httpx.Response] = iter([too_many.response(), ok])
    time = FakeTime()
    with client_for(httpx.MockTransport(lambda req: next(answers)), time) as client:
        response = client.get("https://oauth.reddit.com/api/v1/me", params={"raw_json": 1})
    assert response.json() == {"name": "bboe"}
    assert time.slept == [4.0]


def test_recorded_429_without_retry_after_backs_off_exponentially() -> None:
    too_many = next(
        r for r in prawcore("test_request__too__many_requests__with_retry_headers") if r.status == 429
    )
    bare = httpx.Response(
        429,
        headers=[(k, v) for k, v in too_many.headers if k.lower() != "retry-after"],
        content=too_many.body,
    )
    answers = iter([bare, bare, bare, httpx.Response(200, json={})])
    time = FakeTime()
    with client_for(httpx.MockTransport(lambda req: next(answers)), time, backoff_base_s=2.0) as client:
        client.get("https://oauth.reddit.com/api/v1/me")
    assert time.slept == [2.0, 4.0, 8.0]


def test_recorded_503s_are_retried_then_reported() -> None:
    recs = prawcore("test_request__service_unavailable")
    assert [r.status for r in recs if "oauth" in r.uri] == [503, 503, 503]
    time = FakeTime()
    client = client_for(replay(recs), time, max_attempts=3)
    with pytest.raises(SourceError, match=r"reddit: server error 503 after 3 attempts at oauth\.reddit\.com"):
        client.get("https://oauth.reddit.com/", params={"raw_json": "1"})
    assert time.slept == [1.0, 2.0]


def test_recorded_401_names_the_credential_and_env_var_and_hides_the_token() -> None:
    recs = prawcore("test_request__with_invalid_access_token")
    time = FakeTime()
    client = client_for(
        replay(recs), time, credential_env={"client_secret": "REDDIT_CLIENT_SECRET"}, secrets=["s3cr3t-value"]
    )
    with pytest.raises(CredentialError) as caught:
        client.get(
            "https://oauth.reddit.com/",
            params={"raw_json": "1"},
            headers={"Authorization": "bearer s3cr3t-value"},
        )
    message = str(caught.value)
    assert "reddit rejected the credential (401: Unauthorized)" in message
    assert "client_secret ($REDDIT_CLIENT_SECRET)" in message
    assert "s3cr3t-value" not in message
    assert time.slept == []


def test_recorded_403_quotes_the_server() -> None:
    recs = load_cassette(fixture("reddit", "praw", "TestInbox.test_message__unauthorized.json"))
    forbidden = next(r for r in recs if r.status == 403)
    with (
        client_for(replay([forbidden]), FakeTime()) as client,
        pytest.raises(AccessDenied, match=r"reddit refused access \(403\) to message 6i8om7: Forbidden"),
    ):
        client.get(forbidden.uri, what="message 6i8om7")


def test_recorded_404_says_the_thing_no_longer_exists() -> None:
    recs = prawcore("test_request__not_found")
    missing = next(r for r in recs if r.status == 404)
    with (
        client_for(replay([missing]), FakeTime()) as client,
        pytest.raises(
            GoneError, match=r"reddit: the wiki page 'invalid' no longer exists \(404: Not Found\)"
        ),
    ):
        client.get(missing.uri, what="the wiki page 'invalid'")


def test_accepted_status_is_returned_not_raised() -> None:
    missing = next(r for r in prawcore("test_request__not_found") if r.status == 404)
    with client_for(replay([missing]), FakeTime()) as client:
        assert client.get(missing.uri, accept=[404]).status_code == 404


def test_exhausted_window_waits_for_the_recorded_mastodon_iso_reset() -> None:
    recs = load_cassette(fixture("mastodon", "local_dev_server", "test_status_missing.yaml"))
    rec = recs[0]
    assert rec.header("x-ratelimit-reset") == "2026-08-01T13:55:00.348080Z"
    exhausted = [(k, "0" if k.lower() == "x-ratelimit-remaining" else v) for k, v in rec.headers]
    time = FakeTime(now=1785592480.348080)  # 2026-08-01T13:54:40.348080Z, 20 s before the reset
    answers = iter([httpx.Response(200, headers=exhausted, json=[]), httpx.Response(200, json=[])])
    with client_for(httpx.MockTransport(lambda req: next(answers)), time) as client:
        client.get("http://localhost:3000/api/v1/timelines/tag/a")
        assert client.rate_limits["localhost"].remaining == 0
        client.get("http://localhost:3000/api/v1/timelines/tag/a")
    assert time.slept == [pytest.approx(20.0)]


def test_wait_longer_than_allowed_raises_rate_limited_with_the_reset_time() -> None:
    recs = load_cassette(fixture("twitter_v2", "tweepy", "test_client_search_recent_tweets.yaml"))
    rec = recs[0]
    assert rec.header("x-rate-limit-reset") == "1665183229"
    headers = [(k, "0" if k == "x-rate-limit-remaining" else v) for k, v in rec.headers]
    time = FakeTime(now=1665183229 - 3600)
    answers = iter([httpx.Response(200, headers=headers, content=rec.body)])
    with client_for(httpx.MockTransport(lambda req: next(answers)), time, max_wait_s=900) as client:
        client.get("https://api.twitter.com/2/tweets/search/recent", params={"query": "Tweepy"})
        with pytest.raises(RateLimited, match=r"used up until 2022-10-07 22:53:49 UTC \(3,600 s"):
            client.get("https://api.twitter.com/2/tweets/search/recent", params={"query": "Tweepy"})
    assert time.slept == []


def test_transport_errors_are_retried_then_explained() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused")

    time = FakeTime()
    client = client_for(httpx.MockTransport(refuse), time, max_attempts=2)
    with pytest.raises(SourceError, match=r"cannot reach https://oauth\.reddit\.com after 2 attempts"):
        client.get("https://oauth.reddit.com/?key=abc")
    assert time.slept == [1.0]


@pytest.mark.parametrize(
    ("failure", "method", "unknown"),
    [
        (httpx.ReadTimeout("timed out"), "POST", True),  # sent, then no answer: it may have posted
        (httpx.RemoteProtocolError("Server disconnected without sending a response."), "POST", True),
        (httpx.ConnectError("connection refused"), "POST", False),  # never reached the server
        (httpx.ReadTimeout("timed out"), "GET", False),  # a read changes nothing
    ],
)
def test_a_post_whose_answer_was_lost_may_have_been_made(
    failure: httpx.TransportError, method: str, unknown: bool
) -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise failure

    client = client_for(httpx.MockTransport(fail), FakeTime(), max_attempts=1)
    with pytest.raises(SourceError) as caught:
        client.request(method, "https://api.x.com/2/tweets")
    assert isinstance(caught.value, PostOutcomeUnknown) is unknown
    if unknown:
        assert "took the request but no answer came" in str(caught.value)
        assert "check before sending it again" in str(caught.value)


def test_dry_run_plans_the_request_with_secrets_redacted_and_sends_nothing() -> None:
    sent: list[httpx.Request] = []
    client = client_for(
        httpx.MockTransport(lambda r: sent.append(r) or httpx.Response(200)), FakeTime(), dry_run=True
    )
    client.add_secret("AIzaSyTOKEN")
    with pytest.raises(DryRun) as caught:
        client.get(
            "https://www.googleapis.com/youtube/v3/search",
            params={"q": "acme", "key": "AIzaSyTOKEN"},
            cost=Cost(units=1, bucket="search"),
        )
    assert caught.value.planned.url == "https://www.googleapis.com/youtube/v3/search?q=acme&key=***"
    assert caught.value.planned.cost == Cost(units=1, bucket="search")
    assert sent == []


def test_meter_stops_before_a_request_would_pass_the_quota() -> None:
    meter = Meter("youtube", unit_limits={"search": 2})
    time = FakeTime()
    with client_for(httpx.MockTransport(lambda r: httpx.Response(200, json={})), time, meter=meter) as client:
        for _ in range(2):
            client.get("https://example.invalid/search", cost=Cost(units=1, bucket="search"))
        with pytest.raises(BudgetExceeded, match=r"the 'search' quota is spent \(2 of 2 units"):
            client.get("https://example.invalid/search", cost=Cost(units=1, bucket="search"))
    assert client.requests_sent == 2
    assert meter.take_added()["search"].units == 2


def test_log_lines_are_redacted() -> None:
    lines: list[str] = []
    client = client_for(
        httpx.MockTransport(lambda r: httpx.Response(200)), FakeTime(), secrets=["tok123"], log=lines.append
    )
    client.get("https://example.invalid/a", params={"access_token": "tok123", "q": "x"})
    assert lines == ["reddit: GET https://example.invalid/a?access_token=***&q=x -> 200"]


def test_stream_retries_a_503_then_yields_lines() -> None:
    events = b'event: update\ndata: {"id": "1"}\n\nevent: delete\ndata: 2\n\n'
    answers = iter([httpx.Response(503, headers={"retry-after": "3"}), httpx.Response(200, content=events)])
    time = FakeTime()
    with (
        client_for(httpx.MockTransport(lambda r: next(answers)), time) as client,
        client.stream("GET", "https://mastodon.example/api/v1/streaming/hashtag?tag=acme") as response,
    ):
        lines = [line for line in response.iter_lines() if line]
    assert lines == ["event: update", 'data: {"id": "1"}', "event: delete", "data: 2"]
    assert time.slept == [3.0]


def test_stream_maps_a_401_to_the_credential() -> None:
    recs = load_cassette(fixture("mastodon", "local_dev_server", "test_home_tl_anonymous_throws.yaml"))
    unauthorized = next(r for r in recs if r.status == 401)
    client = client_for(replay([unauthorized]), FakeTime(), credential_env={"token": "MASTODON_TOKEN"})
    with (
        pytest.raises(
            CredentialError, match=r"\(401: The access token is invalid\).*check token \(\$MASTODON_TOKEN\)"
        ),
        client.stream("GET", unauthorized.uri),
    ):
        pass  # pragma: no cover
