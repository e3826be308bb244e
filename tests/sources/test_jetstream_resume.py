"""Kill ``goodwill listen --follow`` while it tails Jetstream (SIGKILL), restart it: no gap, no duplicate.

A real websocket server on 127.0.0.1 replays the recorded production Jetstream
events slowly, honouring ``cursor`` as Jetstream does, then stays open like a live
stream. The restarted listener asks for the stored ``time_us`` minus its margin;
every post ends up stored once, with one raw payload.
"""

from __future__ import annotations

import json
import signal
import sqlite3
from collections.abc import Callable
from pathlib import Path
from subprocess import Popen
from urllib.parse import parse_qs, urlsplit

import pytest
from test_bluesky import FakeJetstream, events
from test_listen_resume import count, listen_follow, wait_for

__all__ = ["listen_follow"]  # the fixture, imported for pytest


@pytest.mark.slow
def test_killed_jetstream_listener_resumes_from_its_cursor(
    tmp_path: Path, listen_follow: Callable[[], Popen[bytes]]
) -> None:
    recorded = sorted(events("expected_v1.jsonl"), key=lambda e: e["time_us"])
    db = tmp_path / "goodwill.db"
    with FakeJetstream(recorded, delay_s=0.02, hold_open=True) as jet:
        (tmp_path / "goodwill.toml").write_text(
            "[sources.bluesky]\npoll_seconds = 0.2\n"
            f'options = {{ jetstream_url = "{jet.url}", batch = 5, idle_s = 0.2, margin_s = 0.05 }}\n'
            '[[queries]]\nsource = "bluesky"\nkind = "jetstream"\n'
            'value = "app.bsky.feed.post"\nname = "live"\n'
        )
        first = listen_follow()
        wait_for(lambda: count(db, "SELECT count(*) FROM posts") >= 4)
        first.send_signal(signal.SIGKILL)
        first.wait()
        before = count(db, "SELECT count(*) FROM posts")
        assert 4 <= before < 17, "the kill must land mid-stream"
        con = sqlite3.connect(db)
        (cursor_text,) = con.execute("SELECT cursor FROM source_cursors WHERE query = 'live'").fetchone()
        con.close()
        stored = json.loads(cursor_text)["time_us"]

        second = listen_follow()
        wait_for(lambda: count(db, "SELECT count(*) FROM posts") >= 17)
        second.send_signal(signal.SIGKILL)
        second.wait()

    resumed = parse_qs(urlsplit(jet.paths[1]).query)
    assert resumed == {"wantedCollections": ["app.bsky.feed.post"], "cursor": [str(stored - 50_000)]}
    con = sqlite3.connect(db)
    try:
        assert con.execute("SELECT count(*) FROM posts WHERE network = 'bluesky'").fetchone()[0] == 17
        doubled = con.execute(
            "SELECT count(*) FROM (SELECT post_id FROM raw_payloads GROUP BY post_id HAVING count(*) > 1)"
        ).fetchone()[0]
        assert doubled == 0
        assert con.execute("SELECT count(*) FROM raw_payloads").fetchone()[0] == 17
        deleted = con.execute("SELECT native_id FROM posts WHERE deleted = 1").fetchall()
        assert deleted == [("at://did:plc:4smmjsqf6l5jkzczvw6vsrqc/app.bsky.feed.post/3mpt73z3ejc2p",)]
    finally:
        con.close()
