"""Reddit, Mastodon and Bluesky through `goodwill import --network` and the listen job."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from cassettes import fixture, load_cassette
from test_bluesky import FakeJetstream, events

from goodwill.cli.main import invoke
from goodwill.config import QueryConfig, SourceConfig, WorkspaceConfig
from goodwill.jobs.listen import Listener
from goodwill.sources.bluesky.jetstream import tail
from goodwill.sources.http import HttpClient
from goodwill.sources.mastodon import MastodonSource
from goodwill.sources.source import Query, SourceSettings
from goodwill.store import PostQuery, Store, open_store
from goodwill.store.source_state import load_cursor

NOW = 1795180000.0


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GOODWILL_DATABASE_URL", raising=False)
    return tmp_path


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(f"sqlite:///{tmp_path / 'listen.db'}") as s:
        yield s


def test_import_reddit_comment_tree_keeps_tombstones(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tree = workspace / "comments_3hahrw.json"
    tree.write_bytes(load_cassette(fixture("reddit", "praw", "TestMore.test_comments.json"))[2].body)
    assert invoke(["import", "--network", "reddit", str(tree), "-q"]) == 0
    assert capsys.readouterr().out.strip() == "imported 477, updated 0, unchanged 0, rejected 0"
    with open_store(f"sqlite:///{workspace / 'goodwill.db'}") as s:
        gone = s.get("reddit", "t1_cu61rpx")
        assert gone is not None and gone.post.deleted and gone.post.text is None
        assert s.raw_payloads(gone.id)[0].payload["data"]["body"] == "[deleted]"
        head = s.get("reddit", "t3_3hahrw")
        assert head is not None and head.post.text == "Ba Dum Tsss"


def test_import_mastodon_timeline_and_event_stream(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    recs = load_cassette(fixture("mastodon", "local_dev_server", "test_stream_user_direct.yaml"))
    stream = workspace / "user.sse"
    stream.write_text(recs[-1].text)
    assert invoke(["import", "--network", "mastodon", str(stream), "-q"]) == 0
    # the update, then its edit, then its delete: one post, finally a tombstone
    assert capsys.readouterr().out.strip() == "imported 1, updated 2, unchanged 0, rejected 0"
    with open_store(f"sqlite:///{workspace / 'goodwill.db'}") as s:
        post = s.get("mastodon", "localhost:3000/117024236332527350")
        assert post is not None and post.post.deleted


def test_import_bluesky_jetstream_dump(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dump = fixture("bluesky_firehose", "jetstream", "expected_v1.jsonl")
    assert invoke(["import", "--network", "bluesky", str(dump), "-q"]) == 0
    assert capsys.readouterr().out.strip() == "imported 17, updated 0, unchanged 0, rejected 0"
    assert invoke(["import", "--network", "bluesky", str(dump), "-q"]) == 0
    assert capsys.readouterr().out.strip() == "imported 0, updated 0, unchanged 17, rejected 0"
    export = fixture("bluesky_firehose", "jetstream", "repo.car")  # an account's "export my data"
    assert invoke(["import", "--network", "bluesky", str(export), "-q"]) == 0
    assert capsys.readouterr().out.strip() == "imported 6, updated 0, unchanged 0, rejected 0"
    with open_store(f"sqlite:///{workspace / 'goodwill.db'}") as s:
        first = s.get("bluesky", "at://did:plc:53iucmf5ldftgqyf2ac7hmhd/app.bsky.feed.post/3lqcnvhqk622d")
        assert first is not None and first.post.text == "This is my first post!"


def test_listen_tails_jetstream_and_resumes_from_the_stored_cursor(store: Store) -> None:
    recorded = sorted(events("expected_v1.jsonl"), key=lambda e: e["time_us"])
    with FakeJetstream(recorded) as jet:
        cfg = WorkspaceConfig(
            sources={
                "bluesky": SourceConfig(options={"jetstream_url": jet.url, "batch": 20, "margin_s": 0.05})
            },
            queries=[
                QueryConfig(source="bluesky", kind="jetstream", value="app.bsky.feed.post", name="live")
            ],
        )

        def run() -> Any:
            listener = Listener(store, cfg, env={}, clock=lambda: NOW, sleep=lambda s: None)
            try:
                return listener.run_once()
            finally:
                listener.close()

        (first,) = run()
        assert first.error is None and first.counts.imported == 17
        cursor = store.read(lambda c: load_cursor(c, "bluesky", "live"))
        wanted = [
            e for e in recorded if e["kind"] != "commit" or e["commit"]["collection"] == "app.bsky.feed.post"
        ]
        newest = max(e["time_us"] for e in wanted)
        assert cursor == {"time_us": newest}
        (second,) = run()
    assert jet.paths[1] == f"/subscribe?wantedCollections=app.bsky.feed.post&cursor={newest - 50_000}"
    assert second.counts.imported == 0, "the margin re-reads a few events; nothing is duplicated"
    posts = store.query(PostQuery(network="bluesky", include_deleted=True))
    assert len(posts) == 17


def test_listen_hashtag_on_a_dev_server_stores_the_prev_link(store: Store) -> None:
    recs = load_cassette(fixture("mastodon", "local_dev_server", "test_hashtag_tl.yaml"))
    timeline = recs[2]

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/v1/timelines/tag/hoot" and "min_id" not in request.url.params:
            return timeline.response()
        return httpx.Response(200, json=[])

    cfg = WorkspaceConfig(
        sources={"mastodon": SourceConfig(base_url="http://localhost:3000")},
        queries=[QueryConfig(source="mastodon", kind="hashtag", value="hoot", name="hoot")],
    )
    listener = Listener(
        store, cfg, env={}, transport=httpx.MockTransport(handler), clock=lambda: NOW, sleep=lambda s: None
    )
    (result,) = listener.run_once()
    assert result.counts.imported == 1
    assert store.read(lambda c: load_cursor(c, "mastodon", "hoot")) == {
        "prev": "http://localhost:3000/api/v1/timelines/tag/hoot?min_id=117020593741189701"
    }
    (again,) = listener.run_once()
    listener.close()
    assert again.counts.imported == 0 and again.error is None


class Ticking:
    """A clock that moves 1 s every time it is read."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        self.now += 1
        return self.now


def test_streams_end_after_their_session_time_so_follow_can_go_round() -> None:
    recs = load_cassette(fixture("mastodon", "local_dev_server", "test_stream_user_direct.yaml"))
    body = recs[-1].body

    def handler(request: httpx.Request) -> httpx.Response:
        if "streaming" in request.url.path:
            return httpx.Response(200, content=body, headers={"content-type": "text/event-stream"})
        return httpx.Response(200, json=[])

    src = MastodonSource(SourceSettings(base_url="http://localhost:3000", options={"stream_seconds": 1}))
    http = HttpClient(
        "mastodon", transport=httpx.MockTransport(handler), clock=Ticking(), sleep=lambda s: None
    )
    pages = list(
        src.fetch(Query("mastodon", "stream", "hashtag:hoot", "h"), {"prev": "http://localhost:3000/x"}, http)
    )
    assert [i.post.text for p in pages for i in p.items] == ["only real cars respond."]  # then time was up
    with FakeJetstream(sorted(events("expected_v1.jsonl"), key=lambda e: e["time_us"])) as jet:
        clock = Ticking()
        http = HttpClient(
            "bluesky", transport=httpx.MockTransport(handler), clock=clock, sleep=lambda s: None
        )
        got = list(
            tail(
                http,
                base=jet.url,
                collections=["app.bsky.feed.post"],
                dids=[],
                cursor=None,
                batch=1,
                session_s=5,
            )
        )
    assert 1 <= len(got) <= 5


def test_listen_reddit_new_with_app_credentials_from_the_environment(store: Store) -> None:
    recs = load_cassette(fixture("reddit", "praw", "TestSubredditListings.test_new.json"))
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/api/v1/access_token":
            return recs[0].response()
        if request.url.path == "/r/askreddit/new" and "after" not in request.url.params:
            return recs[1].response()
        return httpx.Response(200, json={"kind": "Listing", "data": {"children": [], "after": None}})

    cfg = WorkspaceConfig(
        sources={
            "reddit": SourceConfig(credentials={"client_id": "ACME_RID", "client_secret": "ACME_RSECRET"})
        },
        queries=[QueryConfig(source="reddit", kind="subreddit", value="askreddit", name="ask")],
    )
    env = {"ACME_RID": "rid-123456", "ACME_RSECRET": "rsecret-7890"}
    listener = Listener(
        store,
        cfg,
        env=env,
        transport=httpx.MockTransport(handler),
        clock=lambda: 1456900000.0,
        sleep=lambda s: None,
    )
    (result,) = listener.run_once()
    listener.close()
    assert result.error is None and result.counts.imported == 100
    assert store.read(lambda c: load_cursor(c, "reddit", "ask")) == {"since": 1456821458.0}
    # the first page reaches back less than the 7-day backfill, so the walk asks for the next one
    assert [r.url.path for r in seen] == ["/api/v1/access_token", "/r/askreddit/new", "/r/askreddit/new"]
    assert seen[2].url.params["after"] == "t3_48f6io"
    post = store.get("reddit", "t3_48fbm9")
    assert post is not None and post.post.author_handle == "RedHeadQc"


def test_import_builds_the_source_from_its_configured_settings(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A saved timeline names no server; a remote author's status gets its host from [sources.mastodon]."""
    recs = load_cassette(fixture("mastodon", "local_dev_server", "test_hashtag_tl.yaml"))
    timeline = next(r.json() for r in recs if r.status == 200 and r.text.startswith("["))
    timeline[0]["account"]["acct"] = "someone@remote.example"
    saved = workspace / "timeline.json"
    saved.write_text(json.dumps(timeline))
    native_id = timeline[0]["id"]
    assert invoke(["import", "--network", "mastodon", str(saved), "-q"]) == 0
    (workspace / "goodwill.toml").write_text('[sources.mastodon]\nbase_url = "https://social.example"\n')
    assert invoke(["import", "--network", "mastodon", str(saved), "-q"]) == 0
    capsys.readouterr()
    with open_store(f"sqlite:///{workspace / 'goodwill.db'}") as s:
        assert s.get("mastodon", f"unknown.invalid/{native_id}") is not None
        assert s.get("mastodon", f"social.example/{native_id}") is not None
