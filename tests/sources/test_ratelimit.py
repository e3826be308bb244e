"""Every network's rate-limit headers, as recorded, read into one shape."""

from __future__ import annotations

from datetime import UTC, datetime

from cassettes import fixture, load_cassette
from hypothesis import given
from hypothesis import strategies as st

from goodwill.sources.ratelimit import RateLimit, parse_rate_limit, retry_delay

NOW = 1_700_000_000.0


def headers_of(*path: str, index: int = 0) -> dict[str, str]:
    return dict(load_cassette(fixture(*path))[index].headers)


def test_reddit_reset_is_seconds_from_now_and_remaining_a_float() -> None:
    h = headers_of("reddit", "prawcore", "TestSession.test_request__forbidden.json", index=1)
    assert (h["x-ratelimit-remaining"], h["x-ratelimit-reset"], h["x-ratelimit-used"]) == ("599.0", "82", "1")
    assert parse_rate_limit(h, NOW) == RateLimit(remaining=599.0, reset_at=NOW + 82)


def test_mastodon_reset_is_an_iso_timestamp() -> None:
    h = headers_of("mastodon", "local_dev_server", "test_status_missing.yaml")
    limit = parse_rate_limit(h, NOW)
    assert (limit.limit, limit.remaining) == (300.0, 299.0)
    assert limit.reset_at == datetime(2026, 8, 1, 13, 55, 0, 348080, tzinfo=UTC).timestamp()


def test_x_reset_is_unix_seconds() -> None:
    h = headers_of("twitter_v2", "tweepy", "test_client_search_recent_tweets.yaml")
    assert parse_rate_limit(h, NOW) == RateLimit(limit=450.0, remaining=448.0, reset_at=1665183229.0)


def test_bluesky_ratelimit_policy_gives_the_window() -> None:
    h = headers_of("bluesky", "bskyr", "f_search.yml")
    assert parse_rate_limit(h, NOW) == RateLimit(
        limit=3000.0, remaining=2983.0, reset_at=1747676784.0, window_s=300.0
    )


def test_retry_after_seconds_and_http_date() -> None:
    assert parse_rate_limit({"Retry-After": "4"}, NOW).retry_after_at == NOW + 4
    dated = parse_rate_limit({"Retry-After": "Wed, 21 Oct 2026 07:28:00 GMT"}, NOW)
    assert dated.retry_after_at == datetime(2026, 10, 21, 7, 28, tzinfo=UTC).timestamp()


def test_ietf_combined_header() -> None:
    limit = parse_rate_limit(
        {"RateLimit-Policy": '"default";q=100;w=10', "RateLimit": '"default";r=0;t=7'}, NOW
    )
    assert limit == RateLimit(limit=100.0, remaining=0.0, reset_at=NOW + 7, window_s=10.0)
    assert retry_delay(limit, NOW, 0) == 7.0


def test_retry_delay_prefers_retry_after_then_reset_then_backoff() -> None:
    both = RateLimit(remaining=0, reset_at=NOW + 30, retry_after_at=NOW + 5)
    assert retry_delay(both, NOW, 3) == 5.0
    assert retry_delay(RateLimit(remaining=0, reset_at=NOW + 30), NOW, 3) == 30.0
    assert retry_delay(RateLimit(remaining=10, reset_at=NOW + 30), NOW, 3) == 8.0
    assert retry_delay(RateLimit(), NOW, 10) == 60.0


@given(
    st.dictionaries(
        st.sampled_from(
            [
                "Retry-After",
                "x-ratelimit-reset",
                "X-Rate-Limit-Remaining",
                "RateLimit-Policy",
                "RateLimit",
                "ratelimit-limit",
            ]
        ),
        st.text(),
    )
)
def test_any_header_values_parse_without_error(headers: dict[str, str]) -> None:
    limit = parse_rate_limit(headers, NOW)
    assert retry_delay(limit, NOW, 2) >= 0.0
