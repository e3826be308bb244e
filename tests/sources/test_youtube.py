"""YouTube: every recorded Data API v3 payload and the channel feed, fetching, quota and errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from cassettes import fixture
from hypothesis import given, settings
from hypothesis import strategies as st
from samples import LOCAL

from goodwill.errors import AccessDenied, BudgetExceeded, CredentialError, InputError
from goodwill.models import Author
from goodwill.sources.http import HttpClient
from goodwill.sources.meter import Cost, Meter
from goodwill.sources.source import Query, SourceSettings
from goodwill.sources.youtube import YouTubeSource
from goodwill.sources.youtube.fetch import quota_day, quota_resets_at

yt = YouTubeSource(SourceSettings())
KEY = "AIza-secret-key"
NOW = 1764633600.0  # 2025-12-02T00:00:00Z = 2025-12-01 16:00 in Los Angeles


def data(name: str) -> Path:
    return fixture("youtube", "python-youtube", name)


def posts(path: Path) -> list[Any]:
    return [item for doc in yt.read_export(path) for item in yt.normalise(doc)]


# -- normalising --------------------------------------------------------------------------------


def test_comment_threads_of_a_video() -> None:
    items = posts(data("comment_threads_by_video_paged_1.json"))
    assert len(items) == 5
    first = items[0].post
    assert (first.network, first.native_id) == ("youtube", "UgyZ1jqkHKYvi1-ruOZ4AaABAg")
    assert first.text == "Google.com"  # textOriginal, not the HTML textDisplay
    assert first.author == Author(name="himani agarwal", native_id="UCzj-CjKYmGlZ7vTL-vOe57A")
    assert first.created_at == datetime(2019, 11, 26, 15, 51, 44, tzinfo=UTC)
    assert (first.reply_to, first.conversation_id) == (None, "UgyZ1jqkHKYvi1-ruOZ4AaABAg")
    assert first.url == "https://www.youtube.com/watch?v=F1UP7wRCPH8&lc=UgyZ1jqkHKYvi1-ruOZ4AaABAg"
    assert "replies" not in items[0].raw and items[0].raw["snippet"]["totalReplyCount"] == 0
    counts = [i.raw["snippet"]["totalReplyCount"] for i in items]
    assert 2 in counts  # a thread whose replies were not inlined: fetch() asks comments.list for them


def test_the_last_page_has_no_token() -> None:
    document = json.loads(data("comment_threads_by_video_paged_2.json").read_text())
    assert "nextPageToken" not in document
    assert [i.post.native_id for i in posts(data("comment_threads_by_video_paged_2.json"))] == [
        i.post.native_id for i in posts(data("comment_threads_by_video_paged_1.json"))
    ]


def test_threads_by_id_by_search_and_related_to_a_channel() -> None:
    single = posts(data("comment_thread_single.json"))
    assert [i.post.native_id for i in single] == ["UgxKREWxIgDrw8w2e_Z4AaABAg"]
    assert single[0].post.text.startswith("Super video !!!\nWith full power skil")
    assert single[0].post.author_handle is None and single[0].post.author.name == "Hieu Nguyen"  # type: ignore[union-attr]
    assert len(posts(data("comment_threads_multi.json"))) == 2
    (hello,) = posts(data("comment_threads_with_search.json"))
    assert (hello.post.native_id, hello.post.text) == ("UgyUBI0HsgL9emxcZpR4AaABAg", "Hello")
    related = posts(data("comment_threads_all_to_me.json"))
    assert len(related) == 4 and related[0].post.text == "Hope to go next time. yah!"
    assert any(not i.post.text.isascii() for i in related)


def test_replies_answer_their_thread() -> None:
    first, second = posts(data("comments_by_parent_paged_1.json"))
    assert first.post.native_id == "Ugw5zYU6n9pmIgAZWvN4AaABAg.91zT3cYb5B291za6voUoRh"
    assert first.post.text == "this is the third reply!"
    assert (first.post.reply_to, first.post.conversation_id) == ("Ugw5zYU6n9pmIgAZWvN4AaABAg",) * 2
    assert second.post.reply_to == "Ugw5zYU6n9pmIgAZWvN4AaABAg"
    (last,) = posts(data("comments_by_parent_paged_2.json"))
    assert last.post.text == "hey, this is the replay"


def test_single_comments() -> None:
    (one,) = posts(data("comments_single.json"))
    assert (one.post.native_id, one.post.author.name) == ("UgyUBI0HsgL9emxcZpR4AaABAg", "DevRagz")  # type: ignore[union-attr]


def test_inline_replies_and_private_threads() -> None:
    thread = json.loads(data("comment_thread_single.json").read_text())["items"][0]
    reply = {
        "kind": "youtube#comment",
        "id": thread["id"] + ".synthetic1",
        "snippet": {
            "textDisplay": "thanks &amp; <b>welcome</b>",
            "parentId": thread["id"],
            "authorDisplayName": "@acmehelp",
        },
    }
    with_reply = {**thread, "replies": {"comments": [reply]}}
    top, answer = yt.normalise(with_reply)
    assert answer.post.text == "thanks & welcome"  # the HTML textDisplay made plain
    assert answer.post.author == Author(handle="acmehelp", name="@acmehelp")
    assert answer.post.reply_to == top.post.native_id
    assert answer.post.url == f"https://www.youtube.com/watch?v=D-lhorsDlUQ&lc={reply['id']}"
    private = {**thread, "snippet": {**thread["snippet"], "isPublic": False}}
    assert yt.normalise(private) == []


def test_videos_from_search_and_lookups_unescape_their_titles() -> None:
    found = posts(data("search_by_keywords_p1.json"))
    assert len(found) == 25
    assert found[0].post.native_id == "gQ_1zX-F_No"
    assert found[0].post.text.startswith(
        "SURFING HAWAII’S BEST WAVE WITH MY GIRLFRIEND (PIPELINE)\n\nSOME FUN"
    )
    assert found[0].post.author == Author(name="Jamie O'Brien", native_id="UCo_q6aOlvPH7M-j_XGWVgXg")
    assert not any("&#39;" in i.post.text or "&amp;" in i.post.text for i in found)
    assert len(posts(data("search_by_keywords_p2.json"))) == 25
    videos = posts(data("videos_info_multi.json"))
    assert [v.post.native_id for v in videos] == ["D-lhorsDlUQ", videos[1].post.native_id]
    assert videos[0].post.text.startswith("What are Actions on Google (Assistant on")
    assert videos[0].post.author.name == "Google Developers"  # type: ignore[union-attr]


def test_error_envelopes_hold_no_posts() -> None:
    assert posts(data("error_response.json")) == []
    assert posts(data("error_permission_resp.json")) == []


def test_the_keyless_channel_feed() -> None:
    items = posts(fixture("youtube", "feedjira", "youtube_atom.xml"))  # starts with a newline before <?xml
    assert len(items) == 15
    first = items[0].post
    assert first.native_id == "5shykyfmb28"
    assert first.text.startswith("The Google app: Questions Title\n\nA question is the most powerful force")
    assert first.author == Author(name="Google", native_id="UCK8sQmJBp8GCxrOtXWBpyEA")
    assert first.created_at == datetime(2015, 5, 4, 0, 1, 27, tzinfo=UTC)
    assert items[0].raw["updated"] == "2015-05-13T17:38:30+00:00"


def test_foreign_payloads() -> None:
    with pytest.raises(InputError, match="not a YouTube payload"):
        yt.normalise({"data": []})
    with pytest.raises(InputError, match="'kind' is not a string"):  # found by the fuzz harness
        yt.normalise({"kind": ["youtube#commentThreadListResponse"], "items": []})
    with pytest.raises(InputError, match="does not parse"):
        yt.normalise("<feed><entry>")


COMMENTISH = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(
            ["youtube#commentThread", "youtube#comment", "youtube#video", "youtube#searchResult"]
        )
    },
    optional={
        "id": st.one_of(
            st.text(max_size=12), st.integers(), st.dictionaries(st.just("videoId"), st.text(max_size=5))
        ),
        "snippet": st.dictionaries(
            st.sampled_from(
                [
                    "textOriginal",
                    "textDisplay",
                    "parentId",
                    "videoId",
                    "publishedAt",
                    "title",
                    "topLevelComment",
                    "isPublic",
                    "authorDisplayName",
                    "authorChannelId",
                ]
            ),
            st.one_of(
                st.text(max_size=10),
                st.none(),
                st.booleans(),
                st.dictionaries(st.text(max_size=3), st.text(max_size=3)),
            ),
        ),
        "replies": st.one_of(
            st.none(),
            st.dictionaries(
                st.just("comments"), st.lists(st.dictionaries(st.text(max_size=4), st.text(max_size=4)))
            ),
        ),
    },
)


@settings(max_examples=200, deadline=None)
@given(items=st.lists(COMMENTISH, max_size=4))
def test_any_list_response_gives_valid_posts(items: list[Any]) -> None:
    for item in yt.normalise({"kind": "youtube#commentThreadListResponse", "items": items}):
        assert item.post.network == "youtube" and isinstance(item.post.text, str)


# -- fetching -------------------------------------------------------------------------------------


class Google:
    """Serves recorded bodies by API method, in order, and remembers every request."""

    def __init__(self, routes: dict[str, list[tuple[int, Any]]]) -> None:
        self.routes = routes
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        method = request.url.path.rsplit("/", 1)[-1]
        status, body = self.routes[method].pop(0)
        if isinstance(body, Path):
            return httpx.Response(
                status, content=body.read_bytes(), headers={"content-type": "application/json"}
            )
        return httpx.Response(status, json=body)


def client(server: Google, **kw: Any) -> HttpClient:
    return HttpClient(
        "youtube", transport=httpx.MockTransport(server), clock=lambda: NOW, sleep=lambda s: None, **kw
    )


def source(**options: Any) -> YouTubeSource:
    return YouTubeSource(SourceSettings(env={"YOUTUBE_API_KEY": KEY}, options=options))


VIDEO = Query(source="youtube", kind="video", value="F1UP7wRCPH8", name="v")


def test_a_video_pass_pages_threads_and_fetches_the_replies_the_api_did_not_inline() -> None:
    server = Google(
        {
            "commentThreads": [
                (200, data("comment_threads_by_video_paged_1.json")),
                (200, data("comment_threads_by_video_paged_2.json")),
            ],
            "comments": [
                (200, data("comments_by_parent_paged_1.json")),
                (200, data("comments_by_parent_paged_2.json")),
            ]
            * 2,
        }
    )
    http = client(server)
    pages = list(source().fetch(VIDEO, None, http))
    assert len(pages) == 2
    ids = [i.post.native_id for i in pages[0].items]
    assert "Ugw5zYU6n9pmIgAZWvN4AaABAg.91zT3cYb5B291za6voUoRh" in ids  # a reply fetched with comments.list
    page1 = json.loads(data("comment_threads_by_video_paged_1.json").read_text())
    token = page1["nextPageToken"]
    newest = max(t["snippet"]["topLevelComment"]["snippet"]["publishedAt"] for t in page1["items"])
    assert pages[0].cursor == {"since": None, "pass_top": newest, "page_token": token}
    assert pages[1].cursor == {"since": newest}
    first = server.requests[0].url.params
    assert (first["videoId"], first["order"], first["part"], first["key"]) == (
        "F1UP7wRCPH8",
        "time",
        "snippet,replies",
        KEY,
    )
    methods = [r.url.path.rsplit("/", 1)[-1] for r in server.requests]
    assert methods == ["commentThreads", "comments", "comments", "commentThreads", "comments", "comments"]
    assert (
        server.requests[1].url.params["parentId"] == "UgwI_ylXVnzPS8Q-oAV4AaABAg"
    )  # the thread with 2 replies
    assert "pageToken" in server.requests[2].url.params  # the replies' second page
    assert server.requests[3].url.params["pageToken"] == token
    assert http.meter.spent["units"].units == len(server.requests)  # 1 unit a call
    assert KEY not in http.redact(str(server.requests[0].url))


def test_the_daily_quota_stops_before_it_is_passed() -> None:
    server = Google({"commentThreads": [(200, data("comment_threads_by_video_paged_1.json"))]})
    http = client(server, meter=Meter("youtube", unit_limits={"units": 10_000.0}))
    http.meter.record(Cost(units=10_000.0, bucket="units"))
    with pytest.raises(BudgetExceeded, match="'units' quota is spent"):
        list(source().fetch(VIDEO, None, http))
    assert server.requests == []


def test_googles_quota_exceeded_says_when_it_comes_back() -> None:
    server = Google({"commentThreads": [(403, LOCAL / "youtube" / "error_quota_exceeded_synthetic.json")]})
    with pytest.raises(BudgetExceeded, match=r"resets at midnight Pacific time \(2025-12-02 08:00 UTC\)"):
        list(source().fetch(VIDEO, None, client(server)))


def test_a_bad_key_names_the_variable_and_a_403_quotes_google() -> None:
    bad_key = Google({"commentThreads": [(400, data("error_response.json"))]})
    with pytest.raises(CredentialError, match=r"keyInvalid.*\$YOUTUBE_API_KEY"):
        list(source().fetch(VIDEO, None, client(bad_key)))
    denied = Google({"commentThreads": [(403, data("error_permission_resp.json"))]})
    with pytest.raises(AccessDenied, match="The caller does not have permission"):
        list(source().fetch(VIDEO, None, client(denied)))
    with pytest.raises(CredentialError, match=r"\$YOUTUBE_API_KEY"):
        list(YouTubeSource(SourceSettings()).fetch(VIDEO, None, client(Google({}))))


def test_search_uses_its_own_bucket_and_resumes_after_the_newest_video() -> None:
    server = Google(
        {"search": [(200, data("search_by_keywords_p1.json")), (200, data("search_by_keywords_p2.json"))]}
    )
    p2 = json.loads(data("search_by_keywords_p2.json").read_text())
    assert p2.get("nextPageToken")  # the recording has more pages; serve a last one
    server.routes["search"].append((200, {"kind": "youtube#searchListResponse", "items": []}))
    http = client(server)
    pages = list(
        source(backfill_days=1).fetch(
            Query(source="youtube", kind="search", value="surfing", name="s"), None, http
        )
    )
    assert [len(p.items) for p in pages] == [25, 25, 0]
    assert server.requests[0].url.params["publishedAfter"] == "2025-12-01T00:00:00Z"
    assert server.requests[1].url.params["pageToken"] == "CBkQAA"
    assert http.meter.spent["search"].units == 3 and "units" not in http.meter.spent
    newest = max(i.post.created_at for p in pages for i in p.items)  # type: ignore[type-var]
    assert pages[-1].cursor == {"since": newest.strftime("%Y-%m-%dT%H:%M:%SZ")}  # type: ignore[union-attr]


def test_the_feed_needs_no_key_and_honours_its_etag() -> None:
    feed = fixture("youtube", "feedjira", "youtube_atom.xml").read_bytes()
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.headers.get("if-none-match") == '"v1"':
            return httpx.Response(304)
        return httpx.Response(
            200, content=feed, headers={"etag": '"v1"', "content-type": "application/atom+xml"}
        )

    http = HttpClient(
        "youtube", transport=httpx.MockTransport(handler), clock=lambda: NOW, sleep=lambda s: None
    )
    query = Query(source="youtube", kind="feed", value="UCK8sQmJBp8GCxrOtXWBpyEA", name="f")
    (page,) = YouTubeSource(SourceSettings()).fetch(query, None, http)
    assert len(page.items) == 15 and page.cursor == {"etag": '"v1"'}
    assert seen[0].url.params["channel_id"] == "UCK8sQmJBp8GCxrOtXWBpyEA" and "key" not in seen[0].url.params
    (again,) = YouTubeSource(SourceSettings()).fetch(query, page.cursor, http)
    assert again.items == [] and again.cursor == {"etag": '"v1"'}


def test_the_quota_day_is_a_pacific_date() -> None:
    assert quota_day(NOW) == "2025-12-01"  # 16:00 in Los Angeles
    assert quota_resets_at(NOW) == datetime(2025, 12, 2, 8, 0, tzinfo=UTC)
    assert YouTubeSource(SourceSettings()).quota_limits == {"units": 10_000.0, "search": 100.0}


def test_listen_meters_youtube_by_its_default_quota_and_its_pacific_day(tmp_path: Path) -> None:
    from goodwill.config import QueryConfig, SourceConfig, WorkspaceConfig
    from goodwill.jobs.listen import Listener
    from goodwill.store import open_store
    from goodwill.store.source_state import load_spend

    server = Google(
        {
            "commentThreads": [(200, data("comment_threads_by_video_paged_2.json"))],
            "comments": [(200, data("comments_by_parent_paged_2.json"))],
        }
    )
    config = WorkspaceConfig(
        sources={"youtube": SourceConfig()},
        queries=[QueryConfig(source="youtube", kind="video", value="F1UP7wRCPH8", name="v")],
    )
    with open_store(f"sqlite:///{tmp_path / 'yt.db'}") as store:
        listener = Listener(
            store,
            config,
            env={"YOUTUBE_API_KEY": KEY},
            transport=httpx.MockTransport(server),
            clock=lambda: NOW,
            sleep=lambda s: None,
        )
        assert listener.live["youtube"].client.meter.unit_limits == {"units": 10_000.0, "search": 100.0}
        (result,) = listener.run_once()
        listener.close()
        assert result.error is None and result.counts.imported == 6  # 5 threads and the reply fetched for one
        # NOW is 2025-12-02 00:00 UTC but still 2025-12-01 in Los Angeles, where the quota day is counted
        pacific = store.read(lambda c: load_spend(c, "youtube", "2025-12-01", "2025-12-01"))
        utc = store.read(lambda c: load_spend(c, "youtube", "2025-12-02", "2025-12-02"))
    assert pacific["units"].units >= 1 and "units" not in utc
