"""``listen`` against a mock transport: cursors per query, resume after a crash, failures isolated."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import httpx
import pytest
from fake_algolia import FakeAlgolia

from goodwill.cli.main import invoke
from goodwill.config import QueryConfig, SourceConfig, WorkspaceConfig, load_config
from goodwill.errors import ConfigError
from goodwill.jobs.listen import Listener
from goodwill.models import Post
from goodwill.sources.source import Capability, Item, Page, Query
from goodwill.store import Store, open_store
from goodwill.store.source_state import load_cursor, load_spend, statuses

NOW = 1795180000.0  # 2026-11-20T11:06:40Z
HN = {"hackernews": SourceConfig(options={"page_size": 2})}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(f"sqlite:///{tmp_path / 'goodwill.db'}") as s:
        yield s


def config(*queries: QueryConfig, sources: dict[str, SourceConfig] | None = None) -> WorkspaceConfig:
    return WorkspaceConfig(sources=HN if sources is None else sources, queries=list(queries))


SEARCH = QueryConfig(source="hackernews", kind="search", value="acme", name="hn-acme")


def listener(store: Store, cfg: WorkspaceConfig, handler: object, **kw: object) -> Listener:
    return Listener(
        store,
        cfg,
        env={},
        transport=httpx.MockTransport(handler),  # type: ignore[arg-type]
        clock=lambda: NOW,
        sleep=lambda s: None,
        **kw,  # type: ignore[arg-type]
    )


def stored_ids(store: Store) -> list[str]:
    from goodwill.store import PostQuery

    return sorted(
        p.post.native_id for p in store.query(PostQuery(network="hackernews", include_deleted=True))
    )


def test_one_pass_stores_posts_and_the_cursor_then_asks_only_for_new(store: Store) -> None:
    algolia = FakeAlgolia([1795170000, 1795171000, 1795172000, 1795173000, 1795174000])
    (result,) = listener(store, config(SEARCH), algolia).run_once()
    assert (result.pages, result.counts.imported, result.error) == (4, 5, None)  # boundary posts re-read
    assert stored_ids(store) == ["100", "101", "102", "103", "104"]
    assert store.read(lambda c: load_cursor(c, "hackernews", "hn-acme")) == {"since": 1795174000}
    raw = store.raw_payloads(store.get("hackernews", "104").id)  # type: ignore[union-attr]
    assert raw[0].payload["comment_text"] == "acme 4"
    assert raw[0].provenance.source == "api:hackernews"
    assert raw[0].provenance.endpoint.startswith("https://hn.algolia.com/api/v1/search_by_date?query=acme")
    algolia.hits.append({**algolia.hits[0], "objectID": "200", "created_at_i": 1795175000})
    (again,) = listener(store, config(SEARCH), algolia).run_once()
    assert algolia.filters[-1] == "created_at_i>1795174000"
    assert (again.counts.imported, again.counts.unchanged) == (1, 0)


class Crash(Exception):
    pass


def test_a_crash_mid_walk_resumes_from_the_last_stored_page_without_gap_or_duplicate(store: Store) -> None:
    times = [1795170000 + 100 * n for n in range(9)]
    algolia = FakeAlgolia(times)
    calls = 0

    def dies_on_third(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise Crash("killed")
        return algolia(request)

    with pytest.raises(Crash):
        listener(store, config(SEARCH), dies_on_third).run_once()
    assert stored_ids(store) == ["106", "107", "108"]
    cursor = store.read(lambda c: load_cursor(c, "hackernews", "hn-acme"))
    assert cursor == {"since": int(NOW - 7 * 86400), "pass_top": 1795170800, "upper": 1795170600}
    (result,) = listener(store, config(SEARCH), algolia).run_once()
    assert (result.error, result.counts.imported) == (None, 6)
    assert algolia.filters[2] == f"created_at_i>{int(NOW - 7 * 86400)},created_at_i<=1795170600"
    assert stored_ids(store) == [str(100 + n) for n in range(9)]
    for n in range(9):
        assert len(store.raw_payloads(store.get("hackernews", str(100 + n)).id)) == 1  # type: ignore[union-attr]
    assert store.read(lambda c: load_cursor(c, "hackernews", "hn-acme")) == {"since": 1795170800}


def test_one_failing_query_is_recorded_and_the_others_go_on(store: Store) -> None:
    thread = QueryConfig(source="hackernews", kind="thread", value="999", name="gone-thread")
    algolia = FakeAlgolia([1795170000])

    def handler(request: httpx.Request) -> httpx.Response:
        if "firebaseio" in request.url.host:
            return httpx.Response(200, content=b"null")
        return algolia(request)

    gone, search = listener(store, config(thread, SEARCH), handler).run_once()
    assert gone.error == "hackernews: item 999 no longer exists; remove the thread query."
    assert (search.error, search.counts.imported) == (None, 1)
    (status,) = store.read(lambda c: statuses(c, ["hackernews"], "2026-11-20", "2026-11-01"))
    assert status.last_error == "gone-thread: hackernews: item 999 no longer exists; remove the thread query."
    assert status.last_ok_at is None and status.last_posts == 1 and status.queries == 1
    assert status.today["requests"].requests == 2


def test_dry_run_plans_one_request_per_query_and_writes_nothing(store: Store) -> None:
    sent: list[httpx.Request] = []
    cfg = config(SEARCH, QueryConfig(source="hackernews", kind="thread", value="8863"))
    results = listener(store, cfg, lambda r: sent.append(r) or httpx.Response(500), dry_run=True).run_once()
    assert [p.url for r in results for p in r.planned] == [
        "https://hn.algolia.com/api/v1/search_by_date?query=acme&tags=%28story%2Ccomment%29"
        f"&numericFilters=created_at_i%3E{int(NOW - 7 * 86400)}&hitsPerPage=2",
        "https://hacker-news.firebaseio.com/v0/item/8863.json",
    ]
    assert sent == []
    assert store.read(lambda c: statuses(c, [], "2026-11-20", "2026-11-01")) == []


def test_spend_is_stored_per_day(store: Store) -> None:
    listener(store, config(SEARCH), FakeAlgolia([1795170000])).run_once()
    spend = store.read(lambda c: load_spend(c, "hackernews", "2026-11-20", "2026-11-20"))
    assert spend["requests"].requests == 1 and spend["requests"].usd == 0.0


def test_follow_runs_passes_until_stopped(store: Store) -> None:
    algolia = FakeAlgolia([1795170000])
    stop = threading.Event()
    results = listener(store, config(SEARCH), algolia).follow(stop, passes=3)
    assert len(algolia.filters) == 3
    assert algolia.filters[1:] == ["created_at_i>1795170000", "created_at_i>1795170000"]
    assert results[0].counts.unchanged == 0 and results[0].pages == 1


def test_config_mistakes_are_reported(store: Store) -> None:
    bad_kind = QueryConfig(source="hackernews", kind="timeline", value="x")
    with pytest.raises(
        ConfigError, match=r"hackernews has no query kind 'timeline' \(it has: search, stories"
    ):
        listener(store, config(bad_kind), FakeAlgolia([]))
    with pytest.raises(ConfigError, match="no source named 'myspace' is installed"):
        listener(store, config(QueryConfig(source="myspace", value="x")), FakeAlgolia([]))
    with pytest.raises(ConfigError, match=r"no \[\[queries\]\] in goodwill.toml"):
        listener(store, config(), FakeAlgolia([]))


def test_config_refuses_a_secret_in_place_of_an_env_var_name(tmp_path: Path) -> None:
    path = tmp_path / "goodwill.toml"
    path.write_text('[sources.x]\ncredentials = { bearer = "AAAA%2Fsecret-token" }\n')
    with pytest.raises(ConfigError, match="must name an environment variable"):
        load_config(path)
    path.write_text(
        '[[queries]]\nsource = "hackernews"\nvalue = "a"\n[[queries]]\nsource = "hackernews"\nvalue = "a"\n'
    )
    with pytest.raises(ConfigError, match="two queries are named 'hackernews:search:a'"):
        load_config(path)


def test_cli_import_network_reads_native_files_and_keeps_generic_labels(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from cassettes import fixture

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GOODWILL_DATABASE_URL", raising=False)
    story = fixture("hackernews", "hackernews_api_readme", "v0_item_8863.json")
    assert invoke(["import", "--network", "hackernews", str(story), "-q"]) == 0
    assert capsys.readouterr().out.strip() == "imported 1, updated 0, unchanged 0, rejected 0"
    generic = tmp_path / "mine.jsonl"
    generic.write_text(json.dumps({"id": "g1", "text": "a plain record"}) + "\n")
    assert invoke(["import", "--network", "hackernews", str(generic), "-q"]) == 0
    assert capsys.readouterr().out.strip() == "imported 1, updated 0, unchanged 0, rejected 0"
    with open_store(f"sqlite:///{tmp_path / 'goodwill.db'}") as s:
        native = s.get("hackernews", "8863")
        assert native is not None and native.post.author_handle == "dhouston"
        assert s.raw_payloads(native.id)[0].provenance.source == "file:hackernews"
        assert s.get("hackernews", "g1").post.text == "a plain record"  # type: ignore[union-attr]


def test_cli_listen_dry_run_and_status(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GOODWILL_DATABASE_URL", raising=False)
    (tmp_path / "goodwill.toml").write_text(
        '[sources.hackernews]\noptions = { search_url = "http://127.0.0.1:9/algolia" }\n'
        '[[queries]]\nsource = "hackernews"\nkind = "thread"\nvalue = "8863"\nname = "dropbox"\n'
    )
    assert invoke(["listen", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert (
        out == "hackernews dropbox: GET https://hacker-news.firebaseio.com/v0/item/8863.json (cost: free)\n"
    )
    assert invoke(["sources", "status"]) == 0
    assert capsys.readouterr().out.splitlines()[:3] == [
        "hackernews",
        "  last run   never (0 new or changed posts)",
        "  last ok    never",
    ]
    assert invoke(["sources", "list"]) == 0
    assert any(line.startswith("hackernews   search,thread") for line in capsys.readouterr().out.splitlines())


class FakeStream:
    """A minimal streaming source (synthetic events), to check --follow runs streams in threads."""

    name = "hackernews"
    capabilities = frozenset({Capability.STREAM})
    kinds: ClassVar[dict[str, str]] = {"live": "a synthetic event stream"}
    stream_kinds = frozenset({"live"})

    def __init__(self) -> None:
        self.connections: list[tuple[object, bool]] = []

    def normalise(self, document: object, *, endpoint: str | None = None) -> list[Item]:
        return []

    def read_export(self, path: Path) -> Iterator[object]:
        return iter(())

    def fetch(self, query: Query, cursor: object, client: object) -> Iterator[Page]:
        self.connections.append((cursor, query.follow))
        start = int(cursor["seq"]) if isinstance(cursor, dict) else 0
        for seq in range(start + 1, start + 3):
            post = Post(network="hackernews", native_id=f"ev{seq}", text=f"event {seq}")
            yield Page(
                [Item(post=post, raw={"seq": seq})], {"seq": seq}, endpoint="wss://stream.example/live"
            )


def test_follow_runs_stream_queries_in_threads_and_reconnects_from_the_cursor(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    import goodwill.jobs.listen as listen_module

    fake = FakeStream()
    monkeypatch.setattr(listen_module, "build_source", lambda name, settings: fake)
    live = QueryConfig(source="hackernews", kind="live", value="all", name="live")
    cfg = config(live, sources={"hackernews": SourceConfig(poll_seconds=0.01)})
    stop = threading.Event()
    runner = threading.Thread(target=listener(store, cfg, FakeAlgolia([])).follow, args=(stop,))
    runner.start()
    deadline = time.monotonic() + 20
    while len(fake.connections) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    stop.set()
    runner.join(timeout=10)
    assert not runner.is_alive()
    assert fake.connections[:3] == [(None, True), ({"seq": 2}, True), ({"seq": 4}, True)]
    assert stored_ids(store)[:4] == ["ev1", "ev2", "ev3", "ev4"]


def test_cli_sources_status_shows_spend_limits_and_rate_limits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from cassettes import fixture, load_cassette

    from goodwill.sources.meter import Spend
    from goodwill.store.source_state import add_spend, record_run

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GOODWILL_DATABASE_URL", raising=False)
    (tmp_path / "goodwill.toml").write_text(
        "[sources.youtube]\ndaily_units = { search = 100 }\nmonthly_budget_usd = 5.0\n"
    )
    from goodwill.sources.ratelimit import parse_rate_limit

    headers = dict(load_cassette(fixture("bluesky", "bskyr", "f_search.yml"))[0].headers)
    limit = parse_rate_limit(headers, 1747676000.0).as_json()
    import time as time_module
    from datetime import UTC, datetime

    today = time_module.strftime("%Y-%m-%d", time_module.gmtime())
    with open_store(f"sqlite:///{tmp_path / 'goodwill.db'}") as s:
        s.transaction(lambda c: add_spend(c, "youtube", {"search": Spend(3, 3.0, 1.25)}, today))
        s.transaction(
            lambda c: record_run(
                c,
                "youtube",
                at=datetime(2026, 11, 20, 9, 0, tzinfo=UTC),
                error="quota spent",
                posts=7,
                rate_limits={"bsky.social": limit},
            )
        )
    assert invoke(["sources", "status"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "youtube",
        "  last run   2026-11-20 09:00 UTC (7 new or changed posts)",
        "  last ok    never",
        "  error      quota spent",
        "  queries    0 with a stored cursor",
        "  today      search: 3 requests, 3 of 100 units",
        "  this month $1.25 of $5.00",
        "  rate limit bsky.social: 2,983/3,000 left, resets 2025-05-19 17:46:24 UTC",
    ]


def test_a_bad_query_value_is_recorded_not_fatal(store: Store) -> None:
    bad = QueryConfig(source="hackernews", kind="thread", value="not-an-id", name="bad")
    first, second = listener(store, config(bad, SEARCH), FakeAlgolia([1795170000])).run_once()
    assert first.error == "hackernews: a thread query needs an item id, not 'not-an-id'."
    assert (second.error, second.counts.imported) == (None, 1)


def test_cli_import_network_from_stdin_labels_generic_records(tmp_path: Path) -> None:
    import subprocess
    import sys

    env = {k: v for k, v in __import__("os").environ.items() if k != "GOODWILL_DATABASE_URL"}
    record = json.dumps({"id": "s1", "text": "from a pipe"}) + "\n"
    done = subprocess.run(
        [sys.executable, "-m", "goodwill", "import", "--network", "hackernews", "-", "-q"],
        input=record.encode(),
        cwd=tmp_path,
        env=env,
        capture_output=True,
        check=False,
    )
    assert (done.returncode, done.stdout.decode().strip()) == (
        0,
        "imported 1, updated 0, unchanged 0, rejected 0",
    )
    with open_store(f"sqlite:///{tmp_path / 'goodwill.db'}") as s:
        assert s.get("hackernews", "s1").post.text == "from a pipe"  # type: ignore[union-attr]


def test_an_unreadable_answer_is_recorded_not_a_traceback(store: Store) -> None:
    garbage = httpx.Response(200, content=b"<html>maintenance</html>")
    (result,) = listener(store, config(SEARCH), lambda r: garbage).run_once()
    assert result.error is not None
    assert result.error.startswith("hackernews: the server's answer could not be read (Expecting value")
