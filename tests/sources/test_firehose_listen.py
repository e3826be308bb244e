"""The firehose path: a looping Jetstream replay on 127.0.0.1, ``listen --follow --enrich`` on it.

The replay server (tests/jetstream_replay.py, also the benchmark's) sends the
recorded production events loop after loop, record keys rewritten per loop. With
brands configured, the listener must store exactly the posts naming them (one
per loop links to youtube.com, one names Tic Tac), judge every one of them in
the page's transaction, follow a deletion of a stored post, and drop the
deletions of posts it never stored.
"""

from __future__ import annotations

import copy
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from goodwill.config import BrandSpec, WorkspaceConfig, load_config
from goodwill.enrich.registry import context_for, default_pipeline
from goodwill.jobs.listen import Listener
from goodwill.jobs.stream_filter import BrandFilter
from goodwill.models import Author, Post, Provenance
from goodwill.sources.source import Item, tombstone
from goodwill.store import RawRecord, open_store
from goodwill.store.schema import enrichments, posts, raw_payloads
from goodwill.store.source_state import load_cursor
from jetstream_replay import ReplayServer, Stream, recorded_events, wants

YOUTUBE = "at://did:plc:dclwtltrt2ggsryagfzk7dp4/app.bsky.feed.post/3mptbyoeyc22k"
TIC_TAC = "at://did:plc:ybqkf2mtfbwx3qhga63mttja/app.bsky.feed.post/3mptbyoigog2b"
UNKNOWN_DELETE = "at://did:plc:4smmjsqf6l5jkzczvw6vsrqc/app.bsky.feed.post/3mpt73z3ejc2p"

CONFIG = """\
[[brands]]
name = "YouTube"
domains = ["youtube.com"]

[[competitors]]
name = "Tic Tac"

[sources.bluesky]
poll_seconds = 0.1
options = {{ jetstream_url = "{url}", batch = 40, idle_s = 0.2, page_s = 0.2 }}

[[queries]]
source = "bluesky"
kind = "jetstream"
value = "{value}"
name = "firehose"
{params}"""


def with_tic_tac_deleted() -> list[dict[str, Any]]:
    """The recording plus, last, the recorded post deletion re-aimed at the Tic Tac post."""
    events = recorded_events()
    delete = copy.deepcopy(
        next(
            e
            for e in events
            if e.get("commit", {}).get("operation") == "delete"
            and e["commit"]["collection"] == "app.bsky.feed.post"
        )
    )
    did, _, rkey = TIC_TAC[5:].split("/")
    delete["did"], delete["commit"]["rkey"] = did, rkey
    delete["time_us"] = events[-1]["time_us"] + 1
    return [*events, delete]


def listen_until_done(tmp_path: Path, server: ReplayServer, *, value: str, params: str = "") -> Any:
    (tmp_path / "goodwill.toml").write_text(CONFIG.format(url=server.url, value=value, params=params))
    config = load_config(tmp_path / "goodwill.toml")
    store = open_store(f"sqlite:///{tmp_path / 'goodwill.db'}")
    listener = Listener(store, config, env={}, pipeline=default_pipeline(context_for(config)))
    stop = threading.Event()
    thread = threading.Thread(target=listener.follow, args=(stop,), daemon=True)
    assert server.end is not None
    wanted = [] if value == "*" else [value]
    last = max(g for g in range(server.end) if server.stream.wanted(g, wanted))
    thread.start()
    try:
        deadline = time.monotonic() + 120
        while (store.read(lambda c: load_cursor(c, "bluesky", "firehose")) or {}).get(
            "time_us"
        ) != server.stream.time_of(last):
            assert thread.is_alive() and time.monotonic() < deadline, "the listener did not reach the end"
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(timeout=10)
        listener.close()
    return store


@pytest.mark.slow
def test_replayed_firehose_stores_and_judges_only_the_posts_naming_a_brand(tmp_path: Path) -> None:
    events = with_tic_tac_deleted()
    loops = 3
    with ReplayServer(events, end=loops * len(events)) as server:
        store = listen_until_done(tmp_path, server, value="app.bsky.feed.post")
    with store.reading() as conn:
        rows = conn.execute(select(posts.c.id, posts.c.native_id, posts.c.deleted)).all()
        payloads = conn.execute(select(raw_payloads.c.post_id)).all()
        judged = conn.execute(select(enrichments.c.post_id, enrichments.c.stage, enrichments.c.result)).all()
    stored = {(native_id, bool(deleted)) for _, native_id, deleted in rows}
    expected = {(f"{YOUTUBE}-{k}", False) for k in range(loops)} | {
        (f"{TIC_TAC}-{k}", True) for k in range(loops)
    }
    assert stored == expected  # no stranger's post, no tombstone of a post never stored
    assert not any(native_id.startswith(UNKNOWN_DELETE) for native_id, _ in stored)
    assert len(payloads) == 2 * loops  # one per post: its create, or the deletion that purged it
    versions = default_pipeline(context_for(WorkspaceConfig())).versions
    live_ids = {pid for pid, _, deleted in rows if not deleted}
    # every live post judged by every stage in its page's transaction; the deleted ones' results purged
    assert {(pid, stage) for pid, stage, _ in judged} == {(p, s) for p in live_ids for s in versions}
    mentions = [result for _, stage, result in judged if stage == "mentions"]
    assert [[b["name"] for b in m["brands"]] for m in mentions] == [["YouTube"]] * loops
    store.close()


@pytest.mark.slow
def test_every_collection_with_keep_all_stores_every_post(tmp_path: Path) -> None:
    events = recorded_events()
    with ReplayServer(events, end=len(events)) as server:
        store = listen_until_done(tmp_path, server, value="*", params='params = { keep = "all" }\n')
        assert server.paths == ["/subscribe"]  # "*": no wantedCollections, the whole firehose
    with store.reading() as conn:
        stored = conn.execute(select(posts.c.native_id, posts.c.deleted)).all()
    assert len(stored) == 17  # the recording's 16 posts and 1 deletion, all kept
    assert sum(1 for _, deleted in stored if deleted) == 1
    store.close()


def test_brand_filter_keeps_matches_and_what_concerns_stored_posts(tmp_path: Path) -> None:
    config = WorkspaceConfig(brands=[BrandSpec(name="Acme")])
    store = open_store(f"sqlite:///{tmp_path / 'goodwill.db'}")
    prov = Provenance(source="api:bluesky", retrieved_at="2026-12-01T00:00:00Z")
    old = Post(
        network="bluesky", native_id="at://a/app.bsky.feed.post/1", text="Acme is down", author=Author()
    )
    store.upsert([(old, RawRecord(payload={}, provenance=prov))])

    def item(native_id: str, text: str | None) -> Item:
        post = (
            tombstone("bluesky", native_id)
            if text is None
            else Post(network="bluesky", native_id=native_id, text=text)
        )
        return Item(post=post, raw={})

    page = [
        item("at://a/app.bsky.feed.post/2", "I love ACME"),  # names the brand
        item("at://a/app.bsky.feed.post/3", "nothing to see"),  # a stranger's post
        item("at://a/app.bsky.feed.post/1", "edited: now about lunch"),  # an edit of a stored post
        item("at://a/app.bsky.feed.post/4", None),  # a stranger's deletion
        item("at://a/app.bsky.feed.post/2", None),  # deleting a post kept in this page
    ]
    kept = BrandFilter(config).keep(store, page)
    assert [(i.post.native_id[-1], i.post.deleted) for i in kept] == [("2", False), ("1", False), ("2", True)]
    assert BrandFilter.of(WorkspaceConfig()) is None  # no brands: streams keep everything
    store.close()


def test_replay_rewrites_time_and_keys_per_loop_and_honours_the_cursor() -> None:
    stream = Stream(recorded_events())
    n = len(stream.events)
    first, again = stream.message(0), stream.message(n)
    assert '"time_us":' + str(stream.time_of(0)) in first and '"time_us":' + str(stream.time_of(n)) in again
    assert '-0"' in first and '-1"' in again
    assert stream.index_at(stream.time_of(5)) == 5 and stream.index_at(stream.time_of(5) - 1) == 5
    posts_only = ["app.bsky.feed.post"]
    per_loop = sum(1 for e in stream.events if wants(e.get("commit", {}).get("collection"), posts_only))
    assert stream.count(3, 3 + 2 * n, posts_only) == 2 * per_loop
    assert stream.count(0, n, []) == n
    assert wants("app.bsky.feed.like", ["app.bsky.*"]) and not wants(
        "fm.teal.alpha.actor.status", ["app.bsky.*"]
    )
