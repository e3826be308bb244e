"""Mastodon on Mastodon.py's recordings (mastodon.social and a 4.6.4 dev server), plus synthetic cases."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from cassettes import Recorded, fixture, load_cassette
from fake_clock import Clock
from hypothesis import given, settings
from hypothesis import strategies as st
from samples import LOCAL

from goodwill.errors import AccessDenied, CredentialError, GoneError, InputError, SourceError
from goodwill.models import Author
from goodwill.sources.http import HttpClient
from goodwill.sources.mastodon import MastodonSource
from goodwill.sources.mastodon.sse import looks_like_sse, sse_events
from goodwill.sources.source import Query, SourceSettings

NOW = datetime(2026, 8, 2, 7, 0, tzinfo=UTC).timestamp()
DEV = "http://localhost:3000"
ms = MastodonSource(SourceSettings())


def cassette(folder: str, name: str) -> list[Recorded]:
    return load_cassette(fixture("mastodon", folder, name))


def social(name: str) -> list[Recorded]:
    return cassette("mastodon.social", name)


def dev(name: str) -> list[Recorded]:
    return cassette("local_dev_server", name)


def local(name: str) -> Any:
    return json.loads((LOCAL / "mastodon" / name).read_text())


def source(base_url: str = DEV, **options: Any) -> MastodonSource:
    return MastodonSource(SourceSettings(base_url=base_url, options=options, env={"MASTODON_TOKEN": ""}))


Handler = Callable[[httpx.Request], httpx.Response | None]


def serve(
    recordings: Iterable[Recorded] = (),
    *extra: Handler,
    seen: list[httpx.Request] | None = None,
    loose: frozenset[str] = frozenset(),
) -> httpx.MockTransport:
    """Recordings by method, path and query (``limit`` aside; any query for ``loose`` paths).

    Anything else gets ``[]`` with no Link header: what Mastodon answers past the newest post.
    """
    table: dict[tuple[str, str, str], Recorded] = {}
    by_path: dict[tuple[str, str], Recorded] = {}

    def key(url: str) -> tuple[str, str]:
        parts = urlsplit(url)
        query = "&".join(sorted(p for p in parts.query.split("&") if p and not p.startswith("limit=")))
        return parts.path.rstrip("/"), query

    for rec in recordings:
        path, query = key(rec.uri)
        table.setdefault((rec.method, path, query), rec)
        by_path.setdefault((rec.method, path), rec)

    def handler(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        for handle in extra:
            answer = handle(request)
            if answer is not None:
                return answer
        path, query = key(str(request.url))
        found = table.get((request.method, path, query))
        if found is None and path in loose:
            found = by_path.get((request.method, path))
        return found.response() if found is not None else httpx.Response(200, json=[])

    return httpx.MockTransport(handler)


def client(transport: httpx.BaseTransport, clock: Clock | None = None) -> HttpClient:
    clock = clock or Clock(NOW)
    return HttpClient("mastodon", transport=transport, clock=clock, sleep=clock.sleep)


# -- normalising ------------------------------------------------------------------------------


def test_status_with_content_warning_is_edited_german_and_keeps_its_raw() -> None:
    first, second = (r.json() for r in social("test_entity_status.yaml"))
    (item,) = ms.normalise(first, endpoint="https://mastodon.social/api/v1/statuses/110446223051565765")
    post = item.post
    assert post.native_id == "mastodon.social/110446223051565765"
    assert post.text == (
        "test post for mastodon.py stuff\n\n@halcy you're a doo-doo head\n\n"
        "edit: editing this to have the maximum amount of fields filled :trans_heart: #ThisIsAHashtag"
    )
    assert post.lang == "de" and post.url == "https://icosahedron.website/@halcy/110446222386355655"
    assert post.author == Author(
        handle="halcy@icosahedron.website",
        name="halcy\u200b :icosahedron:",
        native_id="23972",
        followers=3553,
    )
    assert post.created_at == datetime(2023, 5, 28, 12, 6, 50, tzinfo=UTC)
    assert item.raw["edited_at"] == "2023-05-28T12:09:44.000Z" and item.raw["sensitive"] is True
    (polled,) = ms.normalise(second, endpoint="https://mastodon.social/api/v1/statuses/110446183735368325")
    assert polled.post.text == "test?\n\noh no I totally can\nedit polls"
    assert polled.post.author_handle == "halcy"


def test_poll_options_are_part_of_the_text() -> None:
    status = social("test_entity_poll.yaml")[0].json()
    # a remote account's status, no endpoint, no base_url: no server is named, none is guessed
    (unknown,) = ms.normalise(status)
    assert unknown.post.native_id == "unknown.invalid/110446383900387196"
    (item,) = source("https://mastodon.social").normalise(status)
    assert item.post.native_id == "mastodon.social/110446383900387196"
    assert item.post.text == "secret test poll :hecker:\n\nreal\nfr fr\nso true\n:hecker:"
    assert item.raw["poll"]["votes_count"] == 64


def test_context_is_a_thread_of_followers_only_posts() -> None:
    context = social("test_entity_context.yaml")[0].json()
    endpoint = "https://mastodon.social/api/v1/statuses/110446983926957470/context"
    assert ms.normalise(context, endpoint=endpoint) == []  # followers-only: not collected by default
    private = source("https://mastodon.social", include_private=True)
    first, last = private.normalise(context, endpoint=endpoint)
    assert (first.post.native_id, first.post.text, first.post.reply_to) == (
        "mastodon.social/110446983178245440",
        "first status",
        None,
    )
    assert (last.post.text, last.post.reply_to, last.post.conversation_id) == (
        "final status",
        "mastodon.social/110446983926957470",
        "mastodon.social/110446983178245440",
    )


def test_v2_search_statuses_and_entities_without_posts() -> None:
    instance_v1, instance_v2, search = (r.json() for r in social("test_entity_searchv2.yaml"))
    items = ms.normalise(search, endpoint="https://mastodon.social/api/v2/search?q=halcy")
    assert [i.post.native_id for i in items] == [
        "mastodon.social/116388149027005349",
        "mastodon.social/116388107849695302",
    ]
    assert items[0].post.reply_to == "mastodon.social/116387888508422624"
    assert items[0].post.author_handle == "greg@icosahedron.website"
    assert len(search["accounts"]) == 18 and search["hashtags"][0]["name"] == "Halcy"
    assert ms.normalise(instance_v1) == [] and ms.normalise(instance_v2) == []
    assert instance_v2["configuration"]["urls"]["streaming"] == "wss://streaming.mastodon.social"


def test_trends_hold_no_posts_and_page_by_offset() -> None:
    for name, first in (("test_entity_tag.yaml", "caturday"), ("test_entity_trendinglinkhistory.yaml", None)):
        rec = social(name)[-1]
        assert ms.normalise(rec.json()) == []
        response = rec.response()
        assert {rel: link["url"] for rel, link in response.links.items()} == {
            "next": f"https://mastodon.social/api/v1/trends/{'tags' if first else 'links'}?offset=10"
        }
        if first:
            assert rec.json()[0]["name"] == first
        else:
            assert (
                rec.json()[0]["title"]
                == "OpenAI says CEO Sam Altman's house was targeted with a Molotov cocktail"
            )


def test_public_timeline_of_the_dev_server() -> None:
    rec = dev("test_timeline_disabled.yaml")[2]
    items = ms.normalise(rec.json(), endpoint=rec.uri)
    assert len(items) == 20
    assert sum(i.post.lang == "ja" for i in items) == 6
    assert items[0].post.native_id == "localhost:3000/117024258897469903"
    assert items[0].post.text == "you can't say that on television"
    public = dev("test_public_tl_anonymous.yaml")
    items = ms.normalise(public[2].json(), endpoint=public[2].uri)
    assert len(items) == 8 and items[0].post.text == "Toot, finally!"
    # the DELETE answer is the deleted status (delete-and-redraft); it is not a tombstone by itself
    (deleted,) = ms.normalise(public[3].json(), endpoint=public[3].uri)
    assert deleted.post.native_id == "localhost:3000/117020593134559451" and not deleted.post.deleted


def test_hashtag_timeline_status() -> None:
    rec = dev("test_hashtag_tl.yaml")[2]
    (item,) = ms.normalise(rec.json(), endpoint=rec.uri)
    assert (item.post.text, item.post.lang, item.post.author_handle) == (
        "#hoot (hashtag toot)",
        "ja",
        "mastodonpy_test_2",
    )


def test_stream_events_update_edit_delete_and_skip_private_ones() -> None:
    user_stream = dev("test_stream_user_direct.yaml")[-1]
    assert looks_like_sse(user_stream.text)
    events = list(sse_events(user_stream.text.splitlines()))
    assert [e["event"] for e in events] == [
        "update",
        "notification",
        "update",
        "notification",
        "status.update",
        "delete",
    ]
    posts = [i.post for e in events for i in ms.normalise(e, endpoint=DEV)]
    assert [(p.native_id, p.text, p.deleted) for p in posts] == [
        ("localhost:3000/117024236332527350", "only real cars respond.", False),
        ("localhost:3000/117024236332527350", "only real animals respond.", False),
        ("localhost:3000/117024236332527350", None, True),
    ]
    direct = dev("test_stream_user_direct.yaml")[-2]
    assert [i for e in sse_events(direct.text.splitlines()) for i in ms.normalise(e)] == []


def test_edit_history_becomes_versions_of_one_post() -> None:
    endpoint = "https://example.social/api/v1/statuses/115000000000000009/history"
    first, second = ms.normalise(local("status_history_synthetic.json"), endpoint=endpoint)
    assert first.post.native_id == second.post.native_id == "example.social/115000000000000009"
    assert (first.post.text, second.post.text) == (
        "Acme support never answered me",
        "Acme support answered me after two days",
    )
    assert ms.normalise(local("status_history_synthetic.json")) == []  # without the endpoint: no id


def test_quotes_and_boosts() -> None:
    items = ms.normalise(local("quote_synthetic.json"))
    assert [(i.post.native_id, i.post.text) for i in items] == [
        ("example.social/115000000000000001", "This is why I left #acme"),
        ("example.social/115000000000000000", "billing rant\n\nAcme charged me twice.\nAgain."),
        ("example.social/115000000000000002", "same here"),
        ("example.social/115000000000000001", "This is why I left #acme"),  # the boost is its original
    ]
    assert items[0].post.author == Author(handle="lee", name="Lee", native_id="700001", followers=12)
    assert items[2].post.reply_to == "example.social/115000000000000001"


def test_read_export_reads_json_and_saved_event_streams(tmp_path: Path) -> None:
    saved = tmp_path / "stream.txt"
    saved.write_text(dev("test_stream_user_direct.yaml")[-1].text)
    src = source()
    docs = list(src.read_export(saved))
    assert len(docs) == 6
    assert [i.post.deleted for d in docs for i in src.normalise(d)] == [False, False, True]
    timeline = tmp_path / "tag.json"
    timeline.write_bytes(dev("test_hashtag_tl.yaml")[2].body)
    (doc,) = src.read_export(timeline)
    assert src.normalise(doc)[0].post.native_id == "localhost:3000/117020593741189701"


def test_foreign_documents_are_refused() -> None:
    with pytest.raises(InputError, match="not a Mastodon payload"):
        ms.normalise({"kind": "Listing", "data": {}})
    with pytest.raises(InputError, match="not a Mastodon payload"):
        ms.normalise([1, 2])


STATUSISH = st.dictionaries(
    st.sampled_from(
        [
            "id",
            "created_at",
            "content",
            "account",
            "visibility",
            "reblog",
            "quote",
            "poll",
            "spoiler_text",
            "in_reply_to_id",
            "url",
            "language",
            "event",
            "payload",
        ]
    ),
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=15)
    | st.dictionaries(
        st.sampled_from(["acct", "id", "options", "quoted_status", "title"]), st.text(max_size=5)
    ),
    max_size=10,
)


@settings(max_examples=200, deadline=None)
@given(document=STATUSISH | st.lists(STATUSISH, max_size=4), endpoint=st.none() | st.text(max_size=30))
def test_normaliser_survives_status_like_json(document: Any, endpoint: str | None) -> None:
    try:
        items = ms.normalise(document, endpoint=endpoint)
    except InputError:
        return
    for item in items:
        assert "/" in item.post.native_id
        assert (item.post.text is None) == item.post.deleted


# -- fetching ---------------------------------------------------------------------------------


def test_account_timeline_follows_link_headers_and_then_walks_forward() -> None:
    seen: list[httpx.Request] = []
    recs = dev("test_fetch_next_previous.yaml")
    src = source(page_size=5, backfill_days=1)
    http = client(serve(recs, seen=seen))
    query = Query("mastodon", "account", "117020565966271181", "me")
    pages = list(src.fetch(query, None, http))
    top = f"{DEV}/api/v1/accounts/117020565966271181/statuses?limit=5&min_id=117020580518794573"
    assert [len(p.items) for p in pages] == [5, 5, 0]
    assert pages[0].cursor == {
        "prev": top,
        "next": f"{DEV}/api/v1/accounts/117020565966271181/statuses?limit=5&max_id=117020580489281910",
        "since": "2026-08-01T07:00:00.000Z",
    }
    assert pages[-1].cursor == {"prev": top}
    texts = [i.post.text for p in pages for i in p.items]
    assert texts == [f"Toot number {n}!" for n in range(9, -1, -1)]
    urls = [str(r.url) for r in seen]
    assert urls[1] == f"{DEV}/api/v1/accounts/117020565966271181/statuses?limit=5&max_id=117020580489281910"
    assert urls[2] == f"{DEV}/api/v1/accounts/117020565966271181/statuses?limit=5&max_id=117020580452511285"
    # the next run asks only for what is newer than the pass's newest page
    seen.clear()
    later = list(src.fetch(query, pages[-1].cursor, http))
    assert [str(r.url) for r in seen] == [top]
    assert later[-1].cursor == {"prev": top}  # an empty page carries no Link header: keep the link


def test_forward_walk_follows_prev_links() -> None:
    seen: list[httpx.Request] = []
    recs = dev("test_fetch_next_previous.yaml")
    start = f"{DEV}/api/v1/accounts/117020565966271181/statuses?limit=5&min_id=117020580481736214"
    pages = list(
        source().fetch(
            Query("mastodon", "account", "117020565966271181", "me"),
            {"prev": start},
            client(serve(recs, seen=seen)),
        )
    )
    newer = f"{DEV}/api/v1/accounts/117020565966271181/statuses?limit=5&min_id=117020580518794573"
    assert [p.cursor for p in pages] == [{"prev": newer}, {"prev": newer}]
    assert [i.post.text for i in pages[0].items][:2] == ["Toot number 9!", "Toot number 8!"]
    assert [str(r.url) for r in seen] == [start, newer]


def test_hashtag_fetch_reads_the_rate_limit_reset_as_iso() -> None:
    http = client(serve(dev("test_hashtag_tl.yaml")))
    pages = list(source().fetch(Query("mastodon", "hashtag", "#hoot", "hoot"), None, http))
    assert [i.post.native_id for p in pages for i in p.items] == ["localhost:3000/117020593741189701"]
    assert pages[-1].cursor == {"prev": f"{DEV}/api/v1/timelines/tag/hoot?min_id=117020593741189701"}
    limit = http.rate_limits["localhost"]
    assert (limit.limit, limit.remaining) == (300.0, 299.0)
    assert limit.reset_at == datetime(2026, 8, 1, 14, 0, 0, 70144, tzinfo=UTC).timestamp()


def test_a_429_waits_for_the_iso_reset() -> None:
    spec = local("rate_limited_429_synthetic.json")
    answers = [httpx.Response(spec["status"], headers=spec["headers"], json=spec["body"])]
    clock = Clock(datetime(2026, 11, 20, 11, 6, 40, tzinfo=UTC).timestamp())

    def limited(request: httpx.Request) -> httpx.Response | None:
        return answers.pop() if answers else None

    http = client(serve(dev("test_hashtag_tl.yaml"), limited), clock)
    pages = list(source().fetch(Query("mastodon", "hashtag", "hoot", "hoot"), None, http))
    assert clock.slept == [200.0]  # until 11:10:00
    assert len(pages[0].items) == 1


def test_disabled_public_feed_is_reported_not_retried() -> None:
    instance = dev("test_timeline_disabled.yaml")[1]
    assert instance.uri == "https://mastodon.social/api/v2/instance/"
    seen: list[httpx.Request] = []
    http = client(serve([instance], seen=seen))
    query = Query("mastodon", "public", "", "firehose")
    with pytest.raises(AccessDenied) as err:
        list(source("https://mastodon.social").fetch(query, None, http))
    assert str(err.value) == (
        "mastodon: mastodon.social has switched off its public feed (timelines_access.live_feeds = "
        "local: disabled, remote: disabled); listen to hashtags or on another server."
    )
    assert [r.url.path for r in seen] == ["/api/v1/timelines/public", "/api/v2/instance"]


def test_anonymous_401_on_a_disabled_feed_says_it_is_switched_off() -> None:
    instance = dev("test_timeline_disabled.yaml")[1]
    (refused,) = dev("test_home_tl_anonymous_throws.yaml")

    def public_401(request: httpx.Request) -> httpx.Response | None:
        return refused.response() if request.url.path == "/api/v1/timelines/public" else None

    with pytest.raises(AccessDenied, match="switched off its public feed"):
        list(
            source("https://mastodon.social").fetch(
                Query("mastodon", "public", "", "p"), None, client(serve([instance], public_401))
            )
        )


def test_a_401_where_the_feed_is_open_names_the_token_variable() -> None:
    (refused,) = dev("test_home_tl_anonymous_throws.yaml")
    dev_instance = dev("test_timeline_disabled.yaml")[0]

    def public_401(request: httpx.Request) -> httpx.Response | None:
        return refused.response() if request.url.path == "/api/v1/timelines/public" else None

    with pytest.raises(CredentialError) as err:
        list(
            source().fetch(
                Query("mastodon", "public", "", "p"), None, client(serve([dev_instance], public_401))
            )
        )
    assert "401: The access token is invalid" in str(err.value)
    assert "token ($MASTODON_TOKEN)" in str(err.value)


def test_public_timeline_first_page_with_local_and_remote() -> None:
    rec = dev("test_timeline_disabled.yaml")
    http = client(serve(rec))
    query = Query("mastodon", "public", "", "p", params={"local": "1", "remote": "1"})
    pages = list(source().fetch(query, None, http))
    assert len(pages[0].items) == 20
    assert pages[-1].cursor == {
        "prev": f"{DEV}/api/v1/timelines/public?local=1&min_id=117024258897469903&remote=1"
    }


def test_search_keeps_the_newest_id() -> None:
    seen: list[httpx.Request] = []
    http = client(serve(social("test_entity_searchv2.yaml"), seen=seen, loose=frozenset({"/api/v2/search"})))
    pages = list(
        source("https://mastodon.social").fetch(Query("mastodon", "search", "halcy", "h"), None, http)
    )
    assert pages[0].cursor == {"min_id": "116388149027005349"}
    assert dict(seen[0].url.params) == {"q": "halcy", "type": "statuses", "limit": "40"}
    list(
        source("https://mastodon.social").fetch(
            Query("mastodon", "search", "halcy", "h"), pages[0].cursor, http
        )
    )
    assert seen[-1].url.params["min_id"] == "116388149027005349"


def test_thread_fetches_status_and_context_and_a_missing_one_is_gone() -> None:
    status = social("test_entity_status.yaml")[0]
    (context,) = social("test_entity_context.yaml")

    def focal(request: httpx.Request) -> httpx.Response | None:
        return status.response() if request.url.path == "/api/v1/statuses/110446983926957470" else None

    src = source("https://mastodon.social", include_private=True)
    query = Query("mastodon", "thread", "https://mastodon.social/@halcy/110446983926957470", "t")
    head, thread = list(src.fetch(query, None, client(serve([context], focal))))
    assert len(head.items) == 1
    assert [i.post.text for i in thread.items] == ["first status", "final status"]
    (missing,) = dev("test_status_missing.yaml")
    with pytest.raises(GoneError) as err:
        list(source().fetch(Query("mastodon", "thread", "0", "t"), None, client(serve([missing]))))
    assert str(err.value) == "mastodon: status 0 no longer exists on localhost:3000; remove the thread query."


def test_stream_catches_up_then_applies_updates_edits_and_deletes() -> None:
    user_stream = dev("test_stream_user_direct.yaml")[-1]
    seen: list[httpx.Request] = []

    def sse(request: httpx.Request) -> httpx.Response | None:
        if request.url.path == "/api/v1/streaming/hashtag":
            return httpx.Response(
                200, content=user_stream.body, headers={"content-type": "text/event-stream"}
            )
        return None

    src = source(streaming_url="http://localhost:4000")
    query = Query("mastodon", "stream", "hashtag:hoot", "hoot-live")
    start = {"prev": f"{DEV}/api/v1/timelines/tag/hoot?min_id=117020593741189701"}
    pages = list(src.fetch(query, start, client(serve((), sse, seen=seen))))
    assert [str(r.url) for r in seen] == [
        f"{DEV}/api/v1/timelines/tag/hoot?min_id=117020593741189701",
        "http://localhost:4000/api/v1/streaming/hashtag?tag=hoot",
    ]
    live = pages[1:]
    assert [(i.post.text, i.post.deleted) for p in live for i in p.items] == [
        ("only real cars respond.", False),
        ("only real animals respond.", False),
        (None, True),
    ]
    assert all(p.cursor == start for p in live), "a restart catches up from the last timeline link"
    assert live[0].items[0].post.native_id == "localhost:3000/117024236332527350"


def test_localized_errors_are_quoted() -> None:
    ja, de = dev("test_lang_for_errors.yaml")
    for rec, words in (
        (ja, "バリデーションに失敗しました: Text上限は500文字です"),
        (de, "Gültigkeitsprüfung ist fehlgeschlagen: Text Begrenzung von 500 Zeichen überschritten"),
    ):
        http = client(httpx.MockTransport(lambda request, rec=rec: rec.response()))
        with pytest.raises(SourceError) as err:
            http.request("POST", f"{DEV}/api/v1/statuses", what="a status")
        assert str(err.value).endswith(f"HTTP 422 for {DEV}/api/v1/statuses: {words}")


def test_missing_base_url_and_bad_queries() -> None:
    http = client(serve())
    with pytest.raises(Exception, match="set base_url"):
        list(ms.fetch(Query("mastodon", "hashtag", "acme", "a"), None, http))
    with pytest.raises(InputError, match="is not a hashtag"):
        list(source().fetch(Query("mastodon", "hashtag", "two words", "a"), None, http))
    with pytest.raises(InputError, match="use hashtag:NAME"):
        list(source().fetch(Query("mastodon", "stream", "user", "a"), None, http))


def test_account_by_name_is_looked_up_once_then_paged() -> None:
    seen: list[httpx.Request] = []
    recs = dev("test_fetch_next_previous.yaml")
    me = recs[0]  # verify_credentials: the account entity a lookup answers too

    def lookup(request: httpx.Request) -> httpx.Response | None:
        return me.response() if request.url.path == "/api/v1/accounts/lookup" else None

    src = source(page_size=5, max_pages=1)
    pages = list(
        src.fetch(
            Query("mastodon", "account", "@mastodonpy_test", "me"),
            None,
            client(serve(recs, lookup, seen=seen)),
        )
    )
    assert [str(r.url) for r in seen][:2] == [
        f"{DEV}/api/v1/accounts/lookup?acct=mastodonpy_test",
        f"{DEV}/api/v1/accounts/117020565966271181/statuses?limit=5",
    ]
    assert pages[0].items[0].post.text == "Toot number 9!"
    missing = httpx.Response(404, json={"error": "Record not found"})
    with pytest.raises(GoneError, match="no longer exists"):
        list(
            src.fetch(
                Query("mastodon", "account", "nobody@nowhere.example", "x"),
                None,
                client(serve((), lambda r: missing)),
            )
        )
