"""The listen job: every configured query once, or continuously, never losing its place.

For each page a source yields, the page's posts, its cursor and the spend so
far go to the store in ONE transaction. So a listener killed at any moment
resumes at the last stored page: nothing lost (the cursor never runs ahead of
the posts) and nothing duplicated (the store is idempotent on
``(network, native_id)``, and a page seen twice changes nothing).

One source failing (a 401, a disabled feed, a quota spent) is recorded in its
state and reported; the other queries go on.

Stream queries (a firehose) keep only posts naming a configured brand
(:mod:`goodwill.jobs.stream_filter`). With a ``pipeline`` (``listen --enrich``),
every page's posts are judged before the page is stored and their results are
written in the same transaction (:mod:`goodwill.jobs.page_judgement`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any

import httpx
from sqlalchemy import Connection

from goodwill.config import QueryConfig, SourceConfig, WorkspaceConfig
from goodwill.enrich.pipeline import Pipeline
from goodwill.errors import ConfigError, InputError, SourceError
from goodwill.jobs.page_judgement import Judged, PageJudge
from goodwill.jobs.stream_filter import BrandFilter
from goodwill.models import Provenance
from goodwill.sources.http import DryRun, HttpClient, PlannedRequest
from goodwill.sources.meter import Meter, Spend
from goodwill.sources.registry import build_source
from goodwill.sources.source import Query, Source, SourceSettings
from goodwill.store import RawRecord, Store, UpsertCounts
from goodwill.store.source_state import add_spend, load_cursor, load_spend, record_run, save_cursor

__all__ = ["Listener", "QueryResult"]


@dataclass
class QueryResult:
    """What one pass of one query did."""

    source: str
    query: str
    pages: int = 0
    counts: UpsertCounts = field(default_factory=UpsertCounts)
    error: str | None = None
    planned: list[PlannedRequest] = field(default_factory=list)


@dataclass
class _Live:
    """A configured source ready to fetch: the plug-in, its client and its settings."""

    source: Source
    client: HttpClient
    config: SourceConfig


def _save_page(
    conn: Connection,
    *,
    source: str,
    query: str,
    cursor: Mapping[str, Any] | None,
    now: datetime,
    spent: Mapping[str, Spend],
    day: str,
    judge: PageJudge | None = None,
    judged: Judged | None = None,
) -> None:
    if judge is not None and judged is not None:
        judge.write(conn, judged, now)
    save_cursor(conn, source, query, cursor, now)
    add_spend(conn, source, spent, day)


def _save_run(
    conn: Connection,
    *,
    source: str,
    leftover: Mapping[str, Spend],
    day: str,
    at: datetime,
    error: str | None,
    posts: int,
    limits: Mapping[str, Mapping[str, float]],
) -> None:
    add_spend(conn, source, leftover, day)
    record_run(conn, source, at=at, error=error, posts=posts, rate_limits=limits)


def source_settings(config: SourceConfig, env: Mapping[str, str]) -> SourceSettings:
    """What a source is built from: its ``[sources.NAME]`` table and the environment for its credentials."""
    return SourceSettings(
        base_url=config.base_url,
        user_agent=config.user_agent,
        credentials=dict(config.credentials),
        options=dict(config.options),
        env=env,
    )


def _utc_day(moment: float) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(moment))


def _period_day(source: Source) -> Callable[[float], str]:
    """The day a moment's spend counts for: a source's own quota day (YouTube: Pacific), else UTC."""
    own = getattr(source, "quota_period", None)
    return own if callable(own) else _utc_day


class Listener:
    """Runs the ``[[queries]]`` of a workspace against their sources; see the module docstring.

    ``transport``, ``clock`` and ``sleep`` are the seams tests use (a local server or a
    mock transport; a clock that never waits). ``env`` is where credentials are read.
    ``pipeline`` judges each page's posts as they are stored (``listen --enrich``).
    """

    def __init__(
        self,
        store: Store,
        config: WorkspaceConfig,
        *,
        env: Mapping[str, str],
        sources: Iterable[str] = (),
        queries: Iterable[str] = (),
        dry_run: bool = False,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        log: Callable[[str], None] | None = None,
        pipeline: Pipeline | None = None,
    ) -> None:
        self.store = store
        self.judge = PageJudge(pipeline) if pipeline is not None else None
        self.brands = BrandFilter.of(config)
        self.dry_run = dry_run
        self.clock = clock
        self._sleep = sleep
        self._log = log
        self._transport = transport
        self._env = env
        wanted_sources, wanted_queries = set(sources), set(queries)
        chosen = [
            q
            for q in config.queries
            if (not wanted_sources or q.source in wanted_sources)
            and (not wanted_queries or q.key in wanted_queries)
        ]
        if not config.queries:
            raise ConfigError(
                "no [[queries]] in goodwill.toml: add one (source, kind, value) to say what to listen for; "
                "`goodwill init --print` shows an example."
            )
        if not chosen:
            raise ConfigError(
                "no configured query matches --source/--query; check the names in goodwill.toml."
            )
        self.live: dict[str, _Live] = {}
        self.queries: list[QueryConfig] = []
        for query in chosen:
            source_config = config.sources.get(query.source, SourceConfig())
            if not source_config.enabled:
                continue
            live = self.live.get(query.source) or self._build(query.source, source_config)
            self.live[query.source] = live
            if query.kind not in live.source.kinds:
                kinds = ", ".join(sorted(live.source.kinds))
                raise ConfigError(
                    f"query {query.key!r}: {query.source} has no query kind {query.kind!r} (it has: {kinds})."
                )
            self.queries.append(query)

    # -- building -------------------------------------------------------------------------------

    def _build(self, name: str, config: SourceConfig) -> _Live:
        source = build_source(name, source_settings(config, self._env))
        # the configured quota, else the source's documented default (YouTube: 10,000 units a day)
        limits = dict(config.daily_units) or dict(getattr(source, "quota_limits", None) or {})
        meter = Meter(name, unit_limits=limits, usd_limit=config.monthly_budget_usd)
        if not self.dry_run:
            now = self.clock()
            today = _period_day(source)(now)
            month_start = today[:8] + "01"
            day = self.store.read(lambda c: load_spend(c, name, today, today))
            month = self.store.read(lambda c: load_spend(c, name, month_start, today))
            for bucket in set(day) | set(month):
                d, m = day.get(bucket, Spend()), month.get(bucket, Spend())
                meter.spent[bucket] = Spend(requests=d.requests, units=d.units, usd=m.usd)
        client = HttpClient(
            name,
            transport=self._transport,
            clock=self.clock,
            sleep=self._sleep,
            user_agent=config.user_agent,
            secrets=[self._env[v] for v in config.credentials.values() if self._env.get(v)],
            credential_env=dict(config.credentials),
            meter=meter,
            dry_run=self.dry_run,
            log=self._log,
        )
        return _Live(source, client, config)

    # -- running --------------------------------------------------------------------------------

    def run_once(self) -> list[QueryResult]:
        """Every chosen query once (each until its source says the pass is complete)."""
        results = [self.run_query(q) for q in self.queries]
        if not self.dry_run:
            self._record(results)
        return results

    def follow(self, stop: threading.Event, *, passes: int | None = None) -> list[QueryResult]:
        """Until ``stop`` is set (or ``passes`` are done): poll queries pass after pass, waiting
        ``poll_seconds`` between passes; stream queries each in a thread, reconnecting after
        ``poll_seconds`` whenever their stream ends or fails."""
        streams = [q for q in self.queries if q.kind in self.live[q.source].source.stream_kinds]
        polled = [q for q in self.queries if q not in streams]
        threads = [
            threading.Thread(target=self._stream, args=(q, stop), name=f"listen-{q.key}", daemon=True)
            for q in streams
        ]
        for thread in threads:
            thread.start()
        results: list[QueryResult] = []
        done = 0
        try:
            while not stop.is_set() and polled:
                results = [self.run_query(q) for q in polled]
                self._record(results)
                done += 1
                if passes is not None and done >= passes:
                    break
                if stop.is_set():
                    break
                self._sleep(min(self.live[q.source].config.poll_seconds for q in polled))
            if not polled and passes is None:
                stop.wait()
        finally:
            if passes is not None or stop.is_set():
                stop.set()
            for thread in threads:
                thread.join(timeout=5)
        return results

    def _stream(self, query: QueryConfig, stop: threading.Event) -> None:
        while not stop.is_set():
            result = self.run_query(query, follow=True)
            self._record([result])
            if not stop.is_set():
                stop.wait(self.live[query.source].config.poll_seconds)

    def run_query(self, query: QueryConfig, *, follow: bool = False) -> QueryResult:
        live = self.live[query.source]
        name = live.source.name
        result = QueryResult(source=name, query=query.key)
        cursor = self.store.read(lambda c: load_cursor(c, name, query.key))
        stream = query.kind in live.source.stream_kinds
        brands = self.brands if stream and query.params.get("keep") != "all" else None
        streamed = stream and follow  # a live tail: bounded by its session, not by max_pages
        spec = Query(
            source=name,
            kind=query.kind,
            value=query.value,
            name=query.key,
            params=dict(query.params),
            follow=follow,
            match=brands.wants if brands is not None else None,
        )
        try:
            for page in live.source.fetch(spec, cursor, live.client):
                now = datetime.fromtimestamp(self.clock(), tz=UTC)
                endpoint = live.client.redact(page.endpoint) if page.endpoint else None
                provenance = Provenance(source=f"api:{name}", endpoint=endpoint, retrieved_at=now)
                items = brands.keep(self.store, page.items) if brands is not None else page.items
                batch = [(item.post, RawRecord(payload=item.raw, provenance=provenance)) for item in items]
                judged = self.judge.judge([post for post, _ in batch]) if self.judge is not None else None
                spent = live.client.meter.take_added()
                day = _period_day(live.source)(self.clock())

                also = partial(
                    _save_page,
                    source=name,
                    query=query.key,
                    cursor=page.cursor,
                    now=now,
                    spent=spent,
                    day=day,
                    judge=self.judge,
                    judged=judged,
                )
                result.counts = result.counts + self.store.upsert(batch, also=also)
                result.pages += 1
                # a stream's pages never end: its session_s bounds it, not the pages of a pass
                if not streamed and result.pages >= live.config.max_pages:
                    self._say(f"{name}: {query.key}: stopped after max_pages={live.config.max_pages}")
                    break
        except DryRun as planned:
            result.planned.append(planned.planned)
        except (SourceError, InputError) as exc:
            result.error = str(exc)
            self._say(f"{name}: {query.key}: {exc}")
        except ValueError as exc:  # a body that is not the JSON the source expects
            result.error = f"{name}: the server's answer could not be read ({exc}); retry later or report it."
            self._say(f"{name}: {query.key}: {result.error}")
        return result

    def _record(self, results: list[QueryResult]) -> None:
        now = datetime.fromtimestamp(self.clock(), tz=UTC)
        for name, live in self.live.items():
            day = _period_day(live.source)(self.clock())
            mine = [r for r in results if r.source == name]
            if not mine:
                continue
            errors = [f"{r.query}: {r.error}" for r in mine if r.error]
            posts = sum(r.counts.imported + r.counts.updated for r in mine)
            limits = {host: limit.as_json() for host, limit in live.client.rate_limits.items()}
            leftover = live.client.meter.take_added()

            write = partial(
                _save_run,
                source=name,
                leftover=leftover,
                day=day,
                at=now,
                error="; ".join(errors) or None,
                posts=posts,
                limits=limits,
            )
            self.store.transaction(write)

    def close(self) -> None:
        for live in self.live.values():
            live.client.close()

    def _say(self, message: str) -> None:
        if self._log is not None:
            self._log(message)
