"""Reddit on PRAW's and prawcore's recorded oauth.reddit.com traffic, plus a few synthetic cases."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from cassettes import Recorded, fixture, load_cassette, replay
from fake_clock import Clock
from hypothesis import given, settings
from hypothesis import strategies as st
from samples import LOCAL

from goodwill.errors import AccessDenied, CredentialError, GoneError, InputError, RateLimited, SourceError
from goodwill.models import Author
from goodwill.sources.http import DryRun, HttpClient
from goodwill.sources.reddit import RedditSource
from goodwill.sources.reddit.things import more_stubs, removal
from goodwill.sources.source import Query, SourceSettings

ENV = {"REDDIT_CLIENT_ID": "app-id-123", "REDDIT_CLIENT_SECRET": "s3cret-value"}
NOW = 1795180000.0
rd = RedditSource(SourceSettings())


def cassette(name: str, folder: str = "praw") -> list[Recorded]:
    return load_cassette(fixture("reddit", folder, name))


def body(name: str, index: int, folder: str = "praw") -> Any:
    return cassette(name, folder)[index].json()


def local(name: str) -> Any:
    return json.loads((LOCAL / "reddit" / name).read_text())


def source(**options: Any) -> RedditSource:
    return RedditSource(SourceSettings(env=ENV, options=options))


def client(
    transport: httpx.BaseTransport, clock: Clock | None = None, seen: list[httpx.Request] | None = None
) -> HttpClient:
    clock = clock or Clock(NOW)
    inner = transport

    def handler(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        response = inner.handle_request(request)
        response.read()
        return response

    return HttpClient(
        "reddit", transport=httpx.MockTransport(handler), clock=clock, sleep=clock.sleep, backoff_base_s=2.0
    )


# -- normalising ------------------------------------------------------------------------------


def test_search_listing() -> None:
    items = rd.normalise(body("TestSubreddit.test_search.json", 1))
    assert [i.post.native_id for i in items] == [
        "t3_3gpbiu",
        "t3_3x4kt2",
        "t3_3b4erh",
        "t3_1qvzkd",
        "t3_3qc02b",
        "t3_4at068",
    ]
    second = items[1].post
    assert second.text.startswith(
        "[PRAW] Is there an easy way of getting a list of the subreddits I am subscribed to, without "
        "using OAuth?\n\nAs the title says."
    )
    assert second.author == Author(handle="GrinningMouth38")
    assert second.created_at == datetime(2015, 12, 16, 21, 3, 6, tzinfo=UTC)
    assert (second.reply_to, second.conversation_id) == (None, "t3_3x4kt2")
    assert items[-1].post.text.startswith("たびたび話題になるサイドバーの閲覧中ユーザ数について")
    assert "replies" not in items[0].raw["data"] and items[0].raw["kind"] == "t3"


def test_new_submissions_listing_and_its_after_cursor() -> None:
    document = body("TestSubredditListings.test_new.json", 1)
    items = rd.normalise(document)
    assert len(items) == 100
    first = items[0].post
    assert (first.native_id, first.author_handle) == ("t3_48fbm9", "RedHeadQc")
    assert (
        first.text
        == "[Serious] Parents of Reddit, what's the biggest lie about yourself you've told your kids?"
    )
    assert (
        first.url
        == "https://www.reddit.com/r/AskReddit/comments/48fbm9/serious_parents_of_reddit_whats_the_biggest_lie/"
    )
    assert items[-1].post.native_id == "t3_48f6io"
    assert document["data"]["after"] == "t3_48f6io"


def test_new_comments_are_replies_in_their_submission() -> None:
    items = rd.normalise(body("TestSubredditListings.test_comments.json", 1))
    assert len(items) == 100
    first = items[0].post
    assert (first.native_id, first.reply_to, first.conversation_id) == (
        "t1_d4y8bdp",
        "t3_4r4inc",
        "t3_4r4inc",
    )
    assert first.text == "great, life is so much better when you can do what you enjoy for a living"
    assert first.url == "https://www.reddit.com/comments/4r4inc/_/d4y8bdp/"
    last = items[-1].post
    assert (last.native_id, last.reply_to, last.conversation_id) == ("t1_d4y8a9e", "t1_d4xhwt2", "t3_4r18p6")


def test_comment_stream_pages_of_2023() -> None:
    first_page = body("TestSubredditStreams.test_comments__with_continue_after_id.json", 1)
    items = rd.normalise(first_page)
    post = items[0].post
    assert post.native_id == "t1_k3yrfii" and post.text == "Did it work?"
    assert post.author == Author(handle="Acceptable-Bread-566", native_id="t2_puq6r71y")
    assert (post.reply_to, post.conversation_id) == ("t1_k3u4rtt", "t3_agi5zf")
    assert first_page["data"]["after"] == "t1_k3uzsxu" == items[-1].post.native_id
    newer = rd.normalise(body("TestSubredditStreams.test_comments__with_continue_after_id.json", 2))
    assert len(newer) == 95 and newer[-1].post.native_id == "t1_k3v0jp6"
    assert newer[-1].post.text == "<TEST_SUBREDDIT> reply from bot"


def test_comment_tree_flattens_replies_and_keeps_deleted_accounts_words() -> None:
    document = body("TestMore.test_comments.json", 2)
    items = rd.normalise(document)
    assert len(items) == 477
    submission = items[0].post
    assert (submission.native_id, submission.text, submission.author_handle) == (
        "t3_3hahrw",
        "Ba Dum Tsss",
        "your_local_librarian",
    )
    by_id = {i.post.native_id: i for i in items}
    # the account is gone but the comment stands: kept, without an author
    gone_account = by_id["t1_cu5v4e7"].post
    assert gone_account.author is None and gone_account.text.startswith("That lady recording who says i")
    assert gone_account.reply_to == "t1_cu5tnfu"
    # the author deleted the comment: a tombstone whose raw says "[deleted]"
    deleted = by_id["t1_cu61rpx"]
    assert (deleted.post.deleted, deleted.post.text) == (True, None)
    assert deleted.raw["data"]["body"] == "[deleted]" and deleted.raw["data"]["author"] == "[deleted]"
    assert sum(i.post.deleted for i in items) == 6
    stubs = more_stubs(document)
    assert len(stubs) == 18
    assert sum(s.continue_thread for s in stubs) == 6
    top = stubs[-1]
    assert (top.parent_id, top.count, top.children[:3]) == ("t3_3hahrw", 9, ("cu5tt8h", "cu5v9yd", "cu5twf5"))


def test_morechildren_answer() -> None:
    items = rd.normalise(body("TestMore.test_comments.json", 1))
    assert [i.post.native_id for i in items] == [
        "t1_cu5tead",
        "t1_cu5tt8h",
        "t1_cu5v9yd",
        "t1_cu5twf5",
        "t1_cu5oufs",
        "t1_cu5pbdh",
        "t1_cu5rxpy",
    ]
    assert items[0].post.text == "He saw the chance and he took it, this kid is going places"
    assert items[0].post.reply_to == "t3_3hahrw"


def test_deleted_vs_removed_in_info_lookups() -> None:
    things = [i for n in (1, 2, 3) for i in rd.normalise(body("TestReddit.test_info.json", n))]
    assert len(things) == 197  # the t5 subreddits are not posts
    tombs = {i.post.native_id: i.raw["data"] for i in things if i.post.deleted}
    assert len(tombs) == 17
    removed = tombs["t3_5dec21"]
    assert removed["selftext"] == "[removed]" and removed["author"] == "mp4downloader"
    assert "title" not in removed, "a tombstone keeps no words"
    assert tombs["t3_5dec01"]["selftext"] == "[deleted]" and "title" not in tombs["t3_5dec01"]
    assert tombs["t1_d7ltv31"]["body"] == "[removed]"
    assert removal(tombs["t1_d7ltv31"], "t1") == "moderator"
    assert removal(tombs["t1_d7ltv34"], "t1") == "author"
    assert removal(tombs["t3_5dec01"], "t3") == "author"
    assert removal(tombs["t3_5dec21"], "t3") == "moderator"
    # a deleted account's comment with its words intact is not a tombstone
    kept = next(i.post for i in things if i.post.native_id == "t1_d7ltv08")
    assert kept.author is None and kept.text.startswith("I just traded for allen as well he's go")


def test_removed_by_category_decides_when_present() -> None:
    removed, deleted, link = rd.normalise(local("removed_by_category_synthetic.json"))
    assert (removed.post.deleted, removed.raw["data"]["removed_by_category"]) == (True, "moderator")
    assert removal(removed.raw["data"], "t3") == "moderator"
    assert (deleted.post.deleted, removal(deleted.raw["data"], "t3")) == (True, "author")
    assert (link.post.deleted, link.post.text, link.post.author) == (False, "Acme link post", None)


def test_deleted_comment_refresh_and_empty_info() -> None:
    (deleted,) = rd.normalise(body("TestComment.test_refresh__deleted_comment.json", 1))
    assert (deleted.post.native_id, deleted.post.deleted) == ("t1_d7ltvl0", True)
    (submission,) = rd.normalise(body("TestComment.test_refresh__deleted_comment.json", 2))
    assert submission.post.text == "testing define bot!\n\ntest"
    assert rd.normalise(body("TestComment.test_invalid.json", 1)) == []  # not found is an empty Listing


def test_error_and_token_bodies_hold_no_posts() -> None:
    assert rd.normalise(body("TestSubreddit.test_traffic__not_public.json", 1)) == []
    assert rd.normalise(body("TestComment.test_invalid.json", 0)) == []
    with pytest.raises(InputError, match="not a Reddit payload"):
        rd.normalise({"statuses": []})


def test_read_export_reads_bare_dump_lines(tmp_path: Path) -> None:
    dump = tmp_path / "dump.jsonl"
    rows = [
        {
            "id": "abc1",
            "body": "Acme & co > rivals",
            "author": "x",
            "parent_id": "t3_zz9",
            "link_id": "t3_zz9",
        },
        {"id": "zz9", "title": "Acme?", "selftext": "", "author": "y", "subreddit": "acme"},
    ]
    dump.write_text("\n".join(json.dumps(r) for r in rows))
    posts = [i.post for d in rd.read_export(dump) for i in rd.normalise(d)]
    assert [(p.native_id, p.text, p.reply_to) for p in posts] == [
        ("t1_abc1", "Acme & co > rivals", "t3_zz9"),
        ("t3_zz9", "Acme?", None),
    ]


THING = st.fixed_dictionaries(
    {"kind": st.sampled_from(["t1", "t3", "more", "t5", "Listing", 7])},
    optional={
        "data": st.dictionaries(
            st.sampled_from(
                [
                    "id",
                    "name",
                    "body",
                    "title",
                    "selftext",
                    "author",
                    "parent_id",
                    "link_id",
                    "created_utc",
                    "replies",
                    "children",
                    "removed_by_category",
                    "permalink",
                    "count",
                ]
            ),
            st.none()
            | st.booleans()
            | st.integers()
            | st.floats()
            | st.text(max_size=12)
            | st.lists(st.text(max_size=5), max_size=3),
            max_size=10,
        )
    },
)


@settings(max_examples=200, deadline=None)
@given(document=st.lists(THING, max_size=5) | THING)
def test_normaliser_survives_arbitrary_things(document: Any) -> None:
    try:
        items = rd.normalise(document)
        more_stubs(document)
    except InputError:
        return
    for item in items:
        assert item.post.native_id[:3] in ("t1_", "t3_")
        assert (item.post.text is None) == item.post.deleted


# -- fetching ---------------------------------------------------------------------------------


def test_search_through_the_recorded_exchange_reuses_one_token() -> None:
    seen: list[httpx.Request] = []
    query = Query(
        "reddit",
        "search",
        "praw oauth search",
        "praw",
        params={
            "subreddit": "all",
            "sort": "relevance",
            "syntax": "cloudsearch",
            "restrict_sr": "False",
            "limit": "1024",
            "type": "",
        },
    )
    recordings = [r for r in cassette("TestSubreddit.test_search.json")]
    src = source()
    http = client(replay(recordings), seen=seen)
    pages = list(src.fetch(query, None, http))
    assert len(pages) == 1 and len(pages[0].items) == 6
    assert pages[0].cursor == {"since": NOW - 7 * 86400}  # the posts are older than the backfill
    assert pages[0].endpoint is not None and "/r/all/search" in pages[0].endpoint
    token, search = seen
    assert token.url == "https://www.reddit.com/api/v1/access_token"
    assert token.content == b"grant_type=client_credentials"
    assert token.headers["authorization"] == "Basic YXBwLWlkLTEyMzpzM2NyZXQtdmFsdWU="
    assert search.headers["authorization"] == "bearer <ACCESS_TOKEN>"
    assert search.headers["user-agent"] == "python:goodwill:0.1.0 (by /u/goodwill-listening)"
    list(src.fetch(query, pages[0].cursor, http))
    assert len(seen) == 3, "the token is reused until it expires"
    assert "s3cret-value" not in http.redact("key s3cret-value") and http.redact("app-id-123") == "***"


def test_new_listing_stops_at_the_stored_time() -> None:
    query = Query("reddit", "subreddit", "askreddit", "askreddit")
    since = 1456820000.0  # inside the recorded page: the walk ends there
    pages = list(
        source().fetch(
            query, {"since": since}, client(replay(cassette("TestSubredditListings.test_new.json")))
        )
    )
    assert len(pages) == 1
    assert pages[0].cursor == {"since": 1456821458.0}
    assert pages[0].items[0].post.native_id == "t3_48fbm9"


class FakeListing:
    """A /r/x/comments that pages 2 at a time with ``after``, newest first (synthetic)."""

    def __init__(self, times: list[float]) -> None:
        self.things = [
            {
                "kind": "t1",
                "data": {
                    "id": f"c{n}",
                    "name": f"t1_c{n}",
                    "body": f"acme {n}",
                    "created_utc": t,
                    "parent_id": "t3_s",
                    "link_id": "t3_s",
                    "author": "a",
                },
            }
            for n, t in enumerate(sorted(times, reverse=True))
        ]
        self.afters: list[str | None] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/v1/access_token":
            return httpx.Response(200, json={"access_token": "tok-1", "expires_in": 3600})
        params = parse_qs(request.url.query.decode())
        after = params.get("after", [None])[0]
        self.afters.append(after)
        start = 0 if after is None else [t["data"]["name"] for t in self.things].index(after) + 1
        chunk = self.things[start : start + 2]
        more = start + 2 < len(self.things)
        return httpx.Response(
            200,
            json={
                "kind": "Listing",
                "data": {"after": chunk[-1]["data"]["name"] if more else None, "children": chunk},
            },
            headers={"x-ratelimit-remaining": "598.0", "x-ratelimit-reset": "523", "x-ratelimit-used": "2"},
        )


def test_comments_listing_walks_after_pages_and_resumes_without_gaps() -> None:
    fake = FakeListing([100.0, 200.0, 300.0, 400.0, 500.0])
    query = Query("reddit", "comments", "acme", "acme-comments")
    clock = Clock(NOW)
    http = client(httpx.MockTransport(fake), clock)
    walk = source().fetch(query, {"since": 150.0}, http)
    first = next(walk)
    assert first.cursor == {"since": 150.0, "pass_top": 500.0, "after": "t1_c1", "fetched": 2}
    # killed here; a new run resumes from the stored page
    pages = list(source().fetch(query, first.cursor, http))
    assert [p.cursor for p in pages] == [
        {"since": 150.0, "pass_top": 500.0, "after": "t1_c3", "fetched": 4},
        {"since": 500.0},
    ]
    got = [i.post.native_id for p in [first, *pages] for i in p.items]
    assert got == ["t1_c0", "t1_c1", "t1_c2", "t1_c3", "t1_c4"]
    assert fake.afters == [None, "t1_c1", "t1_c3"]
    limit = http.rate_limits["oauth.reddit.com"]
    assert (limit.remaining, limit.reset_at) == (598.0, NOW + 523)


def test_a_used_up_window_is_waited_for_before_the_next_call() -> None:
    clock = Clock(NOW)

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/v1/access_token":
            return httpx.Response(200, json={"access_token": "tok", "expires_in": 86400})
        return httpx.Response(
            200,
            json={
                "kind": "Listing",
                "data": {
                    "after": "t3_x",
                    "children": [{"kind": "t3", "data": {"id": "x", "title": "acme", "created_utc": NOW}}],
                },
            },
            headers={"x-ratelimit-remaining": "0.0", "x-ratelimit-reset": "42", "x-ratelimit-used": "1000"},
        )

    walk = source(max_items=2).fetch(
        Query("reddit", "subreddit", "acme", "a"), None, client(httpx.MockTransport(handler), clock)
    )
    list(walk)
    assert clock.slept == [42.0]


def thread_transport(seen: list[httpx.Request]) -> httpx.MockTransport:
    recorded = replay(cassette("TestMore.test_comments.json"))
    deep = (LOCAL / "reddit" / "continue_thread_synthetic.json").read_bytes()

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path.startswith("/comments/3hahrw/_/"):
            return httpx.Response(200, content=deep)
        return recorded.handle_request(request)

    return httpx.MockTransport(handler)


def test_thread_expands_more_stubs_and_continue_this_thread() -> None:
    seen: list[httpx.Request] = []
    query = Query("reddit", "thread", "https://www.reddit.com/r/funny/comments/3hahrw/ba_dum_tsss/", "drum")
    pages = list(source(comment_limit=2048).fetch(query, None, client(thread_transport(seen))))
    assert len(pages) == 1 + 12 + 6
    assert len(pages[0].cursor["pending"]) == 18
    assert pages[0].cursor["pending"][0] == {"deep": "cu61zil"}
    assert pages[-1].cursor == {"pending": []}
    posts = {i.post.native_id: i.post for p in pages for i in p.items}
    assert posts["t1_cu5tead"].text == "He saw the chance and he took it, this kid is going places"
    assert posts["t1_cu62aaa"].reply_to == "t1_cu61zil"
    assert posts["t1_cu62bbb"].deleted
    requests = [r for r in seen if r.url.host == "oauth.reddit.com"]
    more = [r for r in requests if r.url.path == "/api/morechildren/"]
    assert len(more) == 12 and all(r.method == "POST" for r in more)
    form = parse_qs(more[-1].content.decode())
    assert form == {
        "api_type": ["json"],
        "children": ["cu5tt8h,cu5v9yd,cu5twf5,cu5tkk4,cu5tead,cu5rxpy,cu5oufs,cu5tpek,cu5pbdh"],
        "link_id": ["t3_3hahrw"],
        "sort": ["confidence"],
    }
    assert sum(r.url.path == "/api/v1/access_token" for r in seen) == 1


def test_thread_resumes_with_the_stubs_left() -> None:
    seen: list[httpx.Request] = []
    query = Query("reddit", "thread", "3hahrw", "drum")
    pages = list(
        source(comment_limit=2048).fetch(
            query, {"pending": [{"deep": "cu61zil"}]}, client(thread_transport(seen))
        )
    )
    assert [r.url.path for r in seen] == ["/api/v1/access_token", "/comments/3hahrw/_/cu61zil"]
    assert [i.post.native_id for p in pages for i in p.items] == ["t1_cu61zil", "t1_cu62aaa", "t1_cu62bbb"]


def test_a_thread_that_is_gone_says_so() -> None:
    recs = cassette("TestComment.test_invalid.json")
    empty = Recorded(
        "GET",
        "https://oauth.reddit.com/comments/zzz999/?limit=500&sort=confidence&raw_json=1",
        200,
        [],
        b'[{"kind": "Listing", "data": {"children": []}}, {"kind": "Listing", "data": {"children": []}}]',
    )
    with pytest.raises(GoneError, match="thread zzz999 no longer exists; remove the thread query"):
        list(
            source().fetch(
                Query("reddit", "thread", "t3_zzz999", "z"), None, client(replay([recs[0], empty]))
            )
        )


# -- errors and limits ------------------------------------------------------------------------


def call(name: str, path: str, folder: str = "prawcore", clock: Clock | None = None) -> Any:
    src = source()
    return src.api(client(replay(cassette(name, folder)), clock), path, what="the front page")


def test_invalid_token_is_renewed_once_then_names_the_variables() -> None:
    with pytest.raises(CredentialError) as err:
        call("TestSession.test_request__with_invalid_access_token.json", "/")
    message = str(err.value)
    assert message.startswith("reddit rejected the credential (401: ")
    assert "client_id ($REDDIT_CLIENT_ID)" in message and "client_secret ($REDDIT_CLIENT_SECRET)" in message
    assert "-Cen-N1LIRbzjsqBA8wjMgn8n5Ho" not in message


def test_unauthorized_me_without_a_token_exchange() -> None:
    (rec,) = cassette("TestAuthImplicit.test_implicit__with_invalid_token.json")
    token = Recorded(
        "POST",
        "https://www.reddit.com/api/v1/access_token",
        200,
        [],
        b'{"access_token": "token-abc", "expires_in": 3600}',
    )
    src = source()
    with pytest.raises(CredentialError, match=r"401: Unauthorized"):
        src.api(client(replay([token, rec])), "/api/v1/me", what="me")
    assert src.auth.tokens_fetched == 2  # renewed once after the first 401


def test_forbidden_and_not_found() -> None:
    with pytest.raises(AccessDenied, match=r"^reddit refused access \(403\) to the front page: Forbidden$"):
        call("TestSession.test_request__forbidden.json", "/user/spez/gilded/given")
    with pytest.raises(AccessDenied, match="Forbidden"):
        call("TestInbox.test_message__unauthorized.json", "/message/messages/6i8om7/", folder="praw")
    with pytest.raises(GoneError, match=r"no longer exists \(404: Not Found\)"):
        call("TestSession.test_request__not_found.json", "/r/reddit_api_test/wiki/invalid")
    with pytest.raises(GoneError, match="404: Not Found"):
        call("TestSubreddit.test_traffic__not_public.json", "/r/announcements/about/traffic/", folder="praw")


def test_bad_requests_quote_reddit() -> None:
    with pytest.raises(SourceError, match=r"400: that user doesn't exist"):
        call(
            "TestRedditor.test_trophies__user_not_exist.json",
            "/api/v1/user/thisusershouldnotexist/trophies",
            "praw",
        )
    src = source()
    recs = cassette("TestReddit.test_bad_request_without_json_text_html_response.json")
    with pytest.raises(SourceError, match=r"400: 400 Bad request Your browser sent an invalid request\."):
        src.api(
            client(replay(recs)),
            "/api/morechildren",
            {"link_id": "t3_n7r3uz", "children": "<COMMENT_IDS>"},
            what="x",
        )


def test_service_unavailable_is_retried_with_backoff() -> None:
    clock = Clock(NOW)
    with pytest.raises(SourceError, match=r"server error 503 after 5 attempts at oauth\.reddit\.com"):
        call("TestSession.test_request__service_unavailable.json", "/", clock=clock)
    assert clock.slept == [2.0, 4.0, 8.0, 16.0]


def test_html_429_waits_its_retry_after() -> None:
    clock = Clock(NOW)
    with pytest.raises(RateLimited, match="still rate limited after 5 attempts"):
        call(
            "TestSession.test_request__too__many_requests__with_retry_headers.json", "/api/v1/me", clock=clock
        )
    assert clock.slept == [4.0, 4.0, 4.0, 4.0]


def test_json_429_on_the_token_backs_off_then_gets_the_token() -> None:
    clock = Clock(NOW)
    answers = [
        httpx.Response(429, content=(LOCAL / "reddit" / "token_429_json_synthetic.json").read_bytes()),
        httpx.Response(200, json={"access_token": "tok-2", "expires_in": 86400}),
        httpx.Response(200, json={"access_token": "tok-3", "expires_in": 86400}),
    ]
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/v1/access_token":
            return answers.pop(0)
        return httpx.Response(200, json={"kind": "Listing", "data": {"children": [], "after": None}})

    src = source()
    http = client(httpx.MockTransport(handler), clock, seen)
    src.api(http, "/r/acme/new", what="r/acme")
    assert clock.slept == [2.0]  # no Retry-After: exponential backoff from the base
    src.api(http, "/r/acme/new", what="r/acme")
    assert seen[-1].headers["authorization"] == "bearer tok-2"
    clock.now += 86400  # the token expired: the next call asks for a new one
    src.api(http, "/r/acme/new", what="r/acme")
    assert seen[-1].headers["authorization"] == "bearer tok-3"
    assert [r.url.path for r in seen].count("/api/v1/access_token") == 3


def test_missing_credentials_name_the_variables() -> None:
    with pytest.raises(CredentialError, match=r"set \$REDDIT_CLIENT_ID and \$REDDIT_CLIENT_SECRET"):
        rd.api(client(httpx.MockTransport(lambda r: httpx.Response(500))), "/", what="x")


def test_script_apps_log_in_as_their_user() -> None:
    seen: list[httpx.Request] = []
    env = ENV | {"REDDIT_USERNAME": "acme_care", "REDDIT_PASSWORD": "pw-123"}
    src = RedditSource(SourceSettings(env=env))

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/v1/access_token":
            return httpx.Response(200, json={"access_token": "tok", "expires_in": 3600})
        return httpx.Response(200, json={"kind": "Listing", "data": {"children": [], "after": None}})

    src.api(client(httpx.MockTransport(handler), seen=seen), "/r/acme/new", what="r/acme")
    assert parse_qs(seen[0].content.decode()) == {
        "grant_type": ["password"],
        "username": ["acme_care"],
        "password": ["pw-123"],
    }
    assert seen[1].headers["user-agent"] == "python:goodwill:0.1.0 (by /u/acme_care)"


def test_unknown_kind_and_bad_names() -> None:
    with pytest.raises(InputError, match="unknown query kind 'hashtag'"):
        rd.fetch(
            Query("reddit", "hashtag", "x", "x"),
            None,
            client(httpx.MockTransport(lambda r: httpx.Response(500))),
        )
    with pytest.raises(InputError, match="not a subreddit name"):
        rd.fetch(
            Query("reddit", "subreddit", "a b", "x"),
            None,
            client(httpx.MockTransport(lambda r: httpx.Response(500))),
        )


def test_dry_run_shows_the_listing_request_not_the_token_exchange() -> None:
    http = HttpClient("reddit", transport=httpx.MockTransport(lambda r: httpx.Response(500)), dry_run=True)
    with pytest.raises(DryRun) as planned:
        list(source().fetch(Query("reddit", "subreddit", "acme", "a"), {"since": 1.0}, http))
    assert planned.value.planned.url == "https://oauth.reddit.com/r/acme/new?limit=100&raw_json=1"
    assert planned.value.planned.method == "GET"
