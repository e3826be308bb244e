"""The cassette loader reads all three recording formats into (status, headers, body)."""

from __future__ import annotations

import httpx
from cassettes import fixture, load_cassette, replay


def test_betamax_json_body_is_a_string_to_parse_again() -> None:
    recs = load_cassette(
        fixture("reddit", "prawcore", "TestSession.test_request__too__many_requests__with_retry_headers.json")
    )
    assert [(r.method, r.status) for r in recs] == [("POST", 200), ("GET", 429)]
    assert recs[0].json()["token_type"] == "bearer"
    assert recs[1].header("retry-after") == "4"
    assert "<title>Too Many Requests</title>" in recs[1].text


def test_vcrpy_yaml_with_gzip_binary_body_is_decompressed() -> None:
    (rec,) = load_cassette(fixture("twitter_v2", "tweepy", "test_client_search_recent_tweets.yaml"))
    assert rec.uri == "https://api.twitter.com/2/tweets/search/recent?query=Tweepy"
    assert rec.json()["data"][0]["id"] == "1578516068309794817"
    assert rec.header("content-encoding") is None  # the body is served decompressed


def test_r_vcr_yaml_with_bare_int_status() -> None:
    (rec,) = load_cassette(fixture("bluesky", "bskyr", "f_search.yml"))
    assert rec.status == 200
    assert rec.header("RateLimit-Policy") == "3000;w=300"
    assert (
        rec.json()["posts"][0]["uri"]
        == "at://did:plc:kkergqgbhb56ptpwj2wenkje/app.bsky.feed.post/3lpk2u6qo222m"
    )


def test_replay_serves_by_method_path_and_query() -> None:
    recs = load_cassette(fixture("mastodon", "local_dev_server", "test_status_missing.yaml"))
    with httpx.Client(transport=replay(recs)) as client:
        response = client.get("http://localhost:3000/api/v1/statuses/0")
    assert (response.status_code, response.json()) == (404, {"error": "Not Found"})
    assert response.headers["x-ratelimit-remaining"] == "299"
