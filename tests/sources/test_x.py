"""X: API v2 pages (twarc2, tweepy recordings), compliance output and the account archive.

Every recorded file under ../shared/fixtures/twitter_v2 and twitter_archive is
read here and asserted on values taken from it. Files marked synthetic stand in
for what no open recording holds (a 429 body, note-tweet.js, deleted-tweets.js,
an old tweet.js without wrappers), written from X's documentation.
"""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from cassettes import fixture, load_cassette
from hypothesis import given, settings
from hypothesis import strategies as st

from goodwill.errors import BudgetExceeded, CredentialError, InputError
from goodwill.models import Author, Provenance
from goodwill.sources.http import DryRun, HttpClient
from goodwill.sources.meter import Meter
from goodwill.sources.source import Query, SourceSettings
from goodwill.sources.x import XSource
from goodwill.store import RawRecord, open_store

x = XSource(SourceSettings())
TOKEN = "AAAA-secret-bearer"
NOW = 1665180000.0  # 2022-10-07T22:00:00Z, just before the tweepy recordings' rate-limit reset


def twarc(name: str) -> Path:
    return fixture("twitter_v2", "twarc-csv", name)


def posts_of(path: Path) -> list[Any]:
    return [item for doc in x.read_export(path) for item in x.normalise(doc, endpoint=str(path))]


class FakeTime:
    def __init__(self, now: float = NOW) -> None:
        self.now = now
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


# -- normalising API v2 ---------------------------------------------------------------------------


def test_recent_search_page_recorded_by_tweepy() -> None:
    (recorded,) = load_cassette(fixture("twitter_v2", "tweepy", "test_client_search_recent_tweets.yaml"))
    items = x.normalise(recorded.json())
    assert len(items) == 10
    first = items[0].post
    assert (first.network, first.native_id) == ("x", "1578516068309794817")
    assert first.text == "2022-10-07 22:42:12.637103 tweepy"
    assert first.url == "https://x.com/i/web/status/1578516068309794817"  # no user expansion asked for
    assert items[0].raw["edit_history_tweet_ids"] == ["1578516068309794817"]


def test_lookup_page_decodes_entities_and_keeps_unicode() -> None:
    (recorded,) = load_cassette(fixture("twitter_v2", "tweepy", "test_client_get_tweets.yaml"))
    first, second = (i.post for i in x.normalise(recorded.json()))
    assert first.native_id == "1293593516040269825"
    assert first.text.startswith("It’s finally here! 🥁 Say hello to the new #TwitterAPI.")
    assert second.text.startswith("Twitter API v2: Early Access released\n\nToday we announced")
    assert "&amp;" not in first.text + second.text


def test_counts_pages_hold_no_posts() -> None:
    (recorded,) = load_cassette(fixture("twitter_v2", "tweepy", "test_client_get_recent_tweets_count.yaml"))
    assert x.normalise(recorded.json()) == []
    assert recorded.json()["meta"]["total_tweet_count"] == 411
    assert posts_of(twarc("counts.jsonl")) == []


def test_twarc_pages_with_withheld_posts_partial_errors_and_expansions() -> None:
    items = posts_of(twarc("withheld.jsonl"))
    alive = [i for i in items if not i.post.deleted]
    first = alive[0].post
    assert first.native_id == "1388424788171841537"
    assert first.author == Author(handle="manavjivan", name="manav", native_id="1175047638", followers=103978)
    assert first.created_at == datetime(2021, 5, 1, 9, 27, 19, tzinfo=UTC)
    assert first.conversation_id == "1388424788171841537" and first.lang == "en"
    # t.co links stand for the address they hide, so a brand's own domain can be found
    assert first.text.endswith(
        "https://www.economist.com/diary/2021/04/30/indias-second-wave-of-covid-19-feels-nothing-like-its-first"
        "?utm_campaign=editorial-social&utm_medium=social-organic&utm_source=twitter"
    )
    assert alive[0].raw["withheld"] == {"copyright": False, "country_codes": ["IN"]}
    assert sum(1 for i in alive if "withheld" in i.raw) >= 13
    # "Not Found" about a referenced tweet: X says it is gone, so it is a tombstone
    gone = {i.post.native_id for i in items if i.post.deleted}
    assert {"506694458445152256", "1252320537600299008"} <= gone
    # suspended users in the errors are skipped, never stored as posts
    assert all(i.post.native_id.isdigit() for i in items)
    assert len({i.post.native_id for i in items}) == len(items)


def test_partial_errors_about_users_and_pinned_tweets() -> None:
    items = posts_of(twarc("users.jsonl"))
    assert items and all(i.post.deleted and i.post.text is None for i in items)
    assert "851951598326689792" in {i.post.native_id for i in items}  # a deleted pinned tweet
    assert all(i.raw["resource_type"] == "tweet" for i in items)  # the protected user is not a post


def test_a_retweet_keeps_its_prefix_and_author() -> None:
    (item,) = posts_of(twarc("two_tweets.jsonl"))
    assert item.post.native_id == "1394735776701816833"
    assert item.post.text == "RT @bibaigna96: #POIUYTREWQ"
    assert item.post.author_handle == "LachiVeronica" and item.post.author_followers == 0
    assert item.post.lang is None  # 'und' is no language


def test_a_retweet_gets_the_full_text_of_the_original() -> None:
    page = {
        "data": [
            {
                "id": "2",
                "text": "RT @acme: Our new plan is out today, with free roaming in 40 countri…",
                "referenced_tweets": [{"type": "retweeted", "id": "1"}],
            }
        ],
        "includes": {
            "tweets": [
                {"id": "1", "text": "Our new plan is out today, with free roaming in 40 countries &amp; more"}
            ]
        },
    }
    (item,) = x.normalise(page)
    assert item.post.text == "RT @acme: Our new plan is out today, with free roaming in 40 countries & more"


def test_long_posts_use_the_note_tweet_text() -> None:
    page = {
        "data": {"id": "5", "text": "short…", "note_tweet": {"text": "the whole long text", "entities": {}}}
    }
    (item,) = x.normalise(page)
    assert item.post.text == "the whole long text"


def test_a_stream_cut_mid_line_keeps_every_whole_line() -> None:
    items = posts_of(twarc("streaming_output_with_error.jsonl"))
    assert len(items) == 7
    assert items[0].post.native_id == "1377650090978992134"
    assert items[0].post.author_handle == "blackheart_265"
    reply = items[1].post
    assert (reply.native_id, reply.reply_to) == ("1377650093109743620", "1377266697850257410")
    assert reply.text.startswith("@PoliceMutual Well done PD Max")
    assert items[0].raw["author_id"] == "4602771083"


def test_an_edit_lands_on_the_post_of_its_first_version(tmp_path: Path) -> None:
    (after,) = posts_of(twarc("edited.jsonl"))
    (before,) = posts_of(twarc("edited_before.jsonl"))
    assert after.post.native_id == before.post.native_id == "1576994746135764992"
    assert after.post.url == "https://x.com/wongmjane/status/1576994789110992896"  # the latest version
    assert before.post.text.startswith("i miss y’all so much haha")
    assert after.post.text.startswith("hey :)")
    provenance = Provenance(source="test", retrieved_at=datetime(2022, 10, 3, tzinfo=UTC))
    with open_store(f"sqlite:///{tmp_path / 'x.db'}") as store:
        store.upsert([(before.post, RawRecord(payload=dict(before.raw), provenance=provenance))])
        counts = store.upsert([(after.post, RawRecord(payload=dict(after.raw), provenance=provenance))])
    assert (counts.imported, counts.updated) == (0, 1)


def test_a_superseded_version_is_dropped_when_the_newer_one_is_in_the_same_page() -> None:
    old = {"id": "10", "text": "old", "edit_history_tweet_ids": ["10", "11"]}
    new = {"id": "11", "text": "new", "edit_history_tweet_ids": ["10", "11"]}
    (item,) = x.normalise({"data": [old, new]})
    assert (item.post.native_id, item.post.text) == ("10", "new")


def test_compliance_deletes_are_tombstones_and_user_lines_are_skipped() -> None:
    items = posts_of(twarc("tweets_compliance.jsonl"))
    assert [(i.post.native_id, i.post.deleted) for i in items] == [
        ("1170025343920402432", True),
        ("1170147183095664640", True),
    ]
    assert items[1].raw["reason"] == "deactivated"
    assert posts_of(twarc("users_compliance.jsonl")) == []


def test_flattened_twarc_tweets_carry_their_author() -> None:
    flat = {
        "id": "7",
        "text": "@AcmeHelp still no signal",
        "author": {"id": "9", "username": "kim", "public_metrics": {"followers_count": "12"}},
    }
    (item,) = x.normalise(flat)
    assert item.post.author == Author(handle="kim", native_id="9", followers=12)


def test_foreign_documents_are_refused_with_a_clear_error() -> None:
    with pytest.raises(InputError, match="not an X payload"):
        x.normalise({"kind": "Listing"})
    assert x.normalise(None) == []


TWEETISH = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(st.text(max_size=5), st.integers(), st.none(), st.booleans()),
        "text": st.one_of(st.text(max_size=30), st.none(), st.integers()),
        "author_id": st.one_of(st.text(max_size=5), st.integers()),
        "created_at": st.one_of(st.text(max_size=25), st.integers()),
        "edit_history_tweet_ids": st.one_of(
            st.lists(st.one_of(st.text(max_size=4), st.integers()), max_size=3), st.text(max_size=3)
        ),
        "referenced_tweets": st.one_of(
            st.lists(st.dictionaries(st.sampled_from(["type", "id"]), st.text(max_size=8))), st.none()
        ),
        "entities": st.one_of(
            st.dictionaries(
                st.just("urls"),
                st.lists(st.dictionaries(st.sampled_from(["url", "expanded_url"]), st.text(max_size=8))),
            ),
            st.text(),
        ),
        "note_tweet": st.one_of(st.dictionaries(st.just("text"), st.text(max_size=10)), st.integers()),
        "lang": st.one_of(st.text(max_size=4), st.none()),
    },
)


@settings(max_examples=200, deadline=None)
@given(
    data=st.one_of(TWEETISH, st.lists(TWEETISH, max_size=4)),
    includes=st.dictionaries(st.sampled_from(["users", "tweets"]), st.lists(TWEETISH, max_size=3)),
    errors=st.lists(
        st.dictionaries(
            st.sampled_from(["resource_type", "title", "resource_id", "type"]), st.text(max_size=8)
        ),
        max_size=3,
    ),
)
def test_any_v2_shaped_page_gives_valid_posts_or_none(data: Any, includes: Any, errors: Any) -> None:
    items = x.normalise({"data": data, "includes": includes, "errors": errors})
    for item in items:
        assert item.post.network == "x" and item.post.native_id.isdigit()
        assert item.post.deleted or isinstance(item.post.text, str)


# -- fetching ---------------------------------------------------------------------------------------


class XServer:
    """Serves recorded response bodies in order and remembers every request."""

    def __init__(self, *bodies: tuple[int, dict[str, str], bytes]) -> None:
        self.bodies = list(bodies)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        status, headers, body = self.bodies.pop(0)
        return httpx.Response(status, headers=headers, content=body)


def recorded_search() -> tuple[int, dict[str, str], bytes]:
    (rec,) = load_cassette(fixture("twitter_v2", "tweepy", "test_client_search_recent_tweets.yaml"))
    return rec.status, dict(rec.headers), rec.body


def last_page() -> tuple[int, dict[str, str], bytes]:
    body = {
        "data": [
            {"id": "1578516999999999999", "text": "newest", "edit_history_tweet_ids": ["1578516999999999999"]}
        ],
        "meta": {"newest_id": "1578516999999999999", "oldest_id": "1578516999999999999", "result_count": 1},
    }
    return 200, {"content-type": "application/json"}, json.dumps(body).encode()


def client(server: XServer, time: FakeTime, **kw: Any) -> HttpClient:
    return HttpClient("x", transport=httpx.MockTransport(server), clock=time.clock, sleep=time.sleep, **kw)


def source(**options: Any) -> XSource:
    return XSource(SourceSettings(env={"X_BEARER_TOKEN": TOKEN}, options=options))


SEARCH = Query(source="x", kind="search", value="Tweepy", name="tweepy")


def test_a_search_pass_walks_by_keyset_and_ends_with_the_newest_id() -> None:
    server = XServer(recorded_search(), last_page())
    http = client(server, FakeTime())
    pages = list(source().fetch(SEARCH, None, http))
    assert [len(p.items) for p in pages] == [10, 1]
    assert pages[0].cursor == {
        "since_id": None,
        "pass_top": "1578516068309794817",
        "until_id": "1578511538419212288",
    }
    assert pages[1].cursor == {"since_id": "1578516999999999999"}
    first, second = server.requests
    assert first.headers["authorization"] == f"Bearer {TOKEN}"
    assert first.url.params["query"] == "Tweepy" and first.url.params["max_results"] == "100"
    assert "since_id" not in first.url.params and "until_id" not in first.url.params
    assert second.url.params["until_id"] == "1578511538419212288"
    assert "author_id" in first.url.params["expansions"]
    limit = http.rate_limits["api.x.com"]
    assert (limit.limit, limit.remaining, limit.reset_at) == (450, 448, 1665183229)


def test_the_next_run_asks_only_for_what_is_newer() -> None:
    server = XServer(last_page())
    list(source().fetch(SEARCH, {"since_id": "1578516068309794817"}, client(server, FakeTime())))
    assert server.requests[0].url.params["since_id"] == "1578516068309794817"


def test_a_resumed_pass_continues_below_the_last_stored_page() -> None:
    server = XServer(last_page())
    cursor = {"since_id": "100", "pass_top": "1578516068309794817", "until_id": "1578511538419212288"}
    (page,) = source().fetch(SEARCH, cursor, client(server, FakeTime()))
    params = server.requests[0].url.params
    assert (params["since_id"], params["until_id"]) == ("100", "1578511538419212288")
    assert page.cursor == {"since_id": "1578516999999999999"}


def test_reads_are_paid_and_the_budget_stops_collection_before_it_is_passed() -> None:
    server = XServer(recorded_search(), last_page())
    http = client(server, FakeTime(), meter=Meter("x", usd_limit=3.5))
    pages = source().fetch(SEARCH, None, http)
    next(pages)
    assert http.meter.spent["reads"].usd == pytest.approx(10 * 0.005)
    http.meter.spent["reads"].usd = 1.0  # the worst case of the next page is $3.00: 1.0 + 3.0 > 3.5
    with pytest.raises(BudgetExceeded, match=r"monthly budget of \$3.50"):
        next(pages)
    assert len(server.requests) == 1


def test_a_missing_token_names_the_variable_but_a_dry_run_still_plans() -> None:
    with pytest.raises(CredentialError, match=r"\$X_BEARER_TOKEN"):
        list(XSource(SourceSettings()).fetch(SEARCH, None, client(XServer(), FakeTime())))
    dry = client(XServer(), FakeTime(), dry_run=True)
    with pytest.raises(DryRun) as planned:
        list(XSource(SourceSettings()).fetch(SEARCH, None, dry))
    assert "/2/tweets/search/recent" in planned.value.planned.url


def test_a_429_waits_for_the_announced_reset() -> None:
    synthetic_429 = (
        429,
        {
            "x-rate-limit-limit": "450",
            "x-rate-limit-remaining": "0",
            "x-rate-limit-reset": str(int(NOW) + 120),
        },
        json.dumps(
            {
                "title": "Too Many Requests",
                "detail": "Too Many Requests",
                "type": "about:blank",
                "status": 429,
            }
        ).encode(),
    )
    time = FakeTime()
    server = XServer(synthetic_429, last_page())
    pages = list(source().fetch(SEARCH, None, client(server, time)))
    assert time.slept == [120.0]
    assert len(pages) == 1 and len(server.requests) == 2


def test_thread_and_archive_queries() -> None:
    server = XServer(last_page(), last_page())
    http = client(server, FakeTime())
    list(source().fetch(Query(source="x", kind="thread", value="1576994746135764992", name="t"), None, http))
    assert server.requests[0].url.params["query"] == "conversation_id:1576994746135764992"
    list(source(backfill_days=2).fetch(Query(source="x", kind="archive", value="acme", name="a"), None, http))
    archive = server.requests[1]
    assert (
        archive.url.path == "/2/tweets/search/all"
        and archive.url.params["start_time"] == "2022-10-05T22:00:00Z"
    )
    with pytest.raises(InputError, match="needs a post id"):
        list(source().fetch(Query(source="x", kind="thread", value="abc", name="t"), None, http))


# -- the account archive --------------------------------------------------------------------------

ARCHIVE = ("twitter_archive", "twoo")


def test_archive_through_its_manifest() -> None:
    items = posts_of(fixture(*ARCHIVE, "manifest.js.txt"))
    assert len(items) == 28
    first = items[0].post
    assert first.native_id == "1629012888185610242"
    assert first.text == "@RPDeshaies Pretty much anything by Bal-Sagoth"
    assert first.author == Author(handle="darkliquid", name="darkliquid", native_id="15942882")
    assert first.created_at == datetime(2023, 2, 24, 6, 58, 32, tzinfo=UTC)
    assert first.reply_to == "1628894722889601024"
    assert first.url == "https://x.com/darkliquid/status/1629012888185610242"
    assert sum(1 for i in items if i.post.text.startswith("RT @")) == 1
    assert sum(1 for i in items if i.post.reply_to) == 23


def test_archive_data_file_alone_finds_the_manifest_beside_it() -> None:
    items = posts_of(fixture(*ARCHIVE, "tweets.js.txt"))
    assert len(items) == 28 and items[0].post.author_handle == "darkliquid"


NOTE_SYNTHETIC = """window.YTD.note_tweet.part0 = [
  {"noteTweet": {"noteTweetId": "1700000000000000001", "createdAt": "2023-02-24T06:58:32.000Z",
   "core": {"text": "@RPDeshaies Pretty much anything by Bal-Sagoth, and then more words that made it long",
            "urls": []}}}
]"""
DELETED_SYNTHETIC = """window.YTD.deleted_tweets.part0 = [
  {"tweet": {"id_str": "1500000000000000009", "id": "1500000000000000009", "full_text": "oops",
   "created_at": "Mon Mar 07 10:00:00 +0000 2022", "deleted_at": "2022-03-08T10:00:00.000Z"}}
]"""


def test_archive_zip_with_long_and_deleted_posts(tmp_path: Path) -> None:
    manifest = json.loads(fixture(*ARCHIVE, "manifest.js.txt").read_text().split("=", 1)[1])
    types = manifest["dataTypes"]
    types["noteTweet"] = {
        "files": [{"fileName": "data/note-tweet.js", "globalName": "YTD.note_tweet.part0", "count": "1"}]
    }
    types["deletedTweets"] = {
        "files": [
            {"fileName": "data/deleted-tweets.js", "globalName": "YTD.deleted_tweets.part0", "count": "1"}
        ]
    }
    archive = tmp_path / "twitter-2023-07-02-synthetic.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("data/manifest.js", "window.__THAR_CONFIG = " + json.dumps(manifest))
        zf.writestr("data/tweets.js", fixture(*ARCHIVE, "tweets.js.txt").read_text())
        zf.writestr("data/note-tweet.js", NOTE_SYNTHETIC)
        zf.writestr("data/deleted-tweets.js", DELETED_SYNTHETIC)
    items = posts_of(archive)
    assert len(items) == 29
    assert items[0].post.text.endswith("and then more words that made it long")
    (deleted,) = [i for i in items if i.post.deleted]
    assert deleted.post.native_id == "1500000000000000009" and deleted.post.text is None


def test_an_old_archive_without_wrappers(tmp_path: Path) -> None:
    old = tmp_path / "tweet.js"
    old.write_text(
        'window.YTD.tweet.part0 = [ {"id_str": "42", "full_text": "hello &amp; welcome", '
        '"created_at": "Wed Oct 10 20:19:24 +0000 2018", "lang": "en"} ]'
    )
    (item,) = posts_of(old)
    assert (item.post.native_id, item.post.text, item.post.author) == ("42", "hello & welcome", None)
    assert item.post.created_at == datetime(2018, 10, 10, 20, 19, 24, tzinfo=UTC)


def test_a_broken_archive_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "tweets.js"
    bad.write_text("window.YTD.tweets.part0 = [ {")
    with pytest.raises(InputError, match="not valid JSON"):
        posts_of(bad)


def test_listen_stores_an_x_search_with_its_cursor_and_spend(tmp_path: Path) -> None:
    from goodwill.config import QueryConfig, SourceConfig, WorkspaceConfig
    from goodwill.jobs.listen import Listener
    from goodwill.store.source_state import load_cursor, load_spend

    server = XServer(recorded_search(), last_page(), last_page())
    config = WorkspaceConfig(
        sources={"x": SourceConfig(monthly_budget_usd=10.0)},
        queries=[QueryConfig(source="x", kind="search", value="Tweepy", name="tweepy")],
    )
    with open_store(f"sqlite:///{tmp_path / 'x.db'}") as store:
        listener = Listener(
            store,
            config,
            env={"X_BEARER_TOKEN": TOKEN},
            transport=httpx.MockTransport(server),
            clock=lambda: NOW,
            sleep=lambda s: None,
        )
        (first,) = listener.run_once()
        (again,) = listener.run_once()
        listener.close()
        assert (first.error, first.counts.imported, first.pages) == (None, 11, 2)
        assert store.get("x", "1578516068309794817") is not None
        assert store.read(lambda c: load_cursor(c, "x", "tweepy")) == {"since_id": "1578516999999999999"}
        spend = store.read(lambda c: load_spend(c, "x", "2022-10-01", "2022-10-31"))
    assert again.counts.imported == 0 and server.requests[-1].url.params["since_id"] == "1578516999999999999"
    assert spend["reads"].usd == pytest.approx(12 * 0.005)  # 10 + 1 + 1 posts read
    assert TOKEN not in repr(spend)


def test_listen_reads_an_account_archive_and_rereads_it_only_when_it_changes(tmp_path: Path) -> None:
    from goodwill.config import QueryConfig, SourceConfig, WorkspaceConfig
    from goodwill.jobs.listen import Listener

    archive = tmp_path / "tweet.js"
    archive.write_text('window.YTD.tweet.part0 = [ {"id_str": "42", "full_text": "hello @acmebank"} ]')
    config = WorkspaceConfig(
        sources={"x": SourceConfig()},
        queries=[QueryConfig(source="x", kind="account_export", value=str(archive), name="mine")],
    )
    with open_store(f"sqlite:///{tmp_path / 'x.db'}") as store:
        listener = Listener(store, config, env={}, clock=lambda: NOW, sleep=lambda s: None)
        (first,) = listener.run_once()
        (unchanged,) = listener.run_once()
        archive.write_text('window.YTD.tweet.part0 = [ {"id_str": "42", "full_text": "hello @acmebank!!"} ]')
        (edited,) = listener.run_once()
        listener.close()
        assert store.versions(store.get("x", "42").id) == ["hello @acmebank"]  # type: ignore[union-attr]
    assert (first.counts.imported, unchanged.counts.imported, unchanged.counts.updated) == (1, 0, 0)
    assert edited.counts.updated == 1 and edited.error is None
