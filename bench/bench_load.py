"""Load: 200 desk users at once working the inbox and case pages of a real `goodwill serve` on loopback.

The store gets N posts (default 100,000; one in five has a case, filled as
bench_desk.py does) and 20 agents; each virtual user holds its own session
(made directly, so the bench does not measure argon2) and its own connection,
and for a fixed number of rounds: opens the inbox with a random filter or page,
opens one of the cases listed, runs the reply check on a draft (the htmx call
the composer makes as one types), and asks /healthz. /healthz, answered by the
same server under the same load, is the baseline: each page's p95 is printed
as a ratio to it, and beside the same page's p95 for one user alone, measured
first in the same run. Bounded in count (users x rounds) and in time
(--deadline); every request that is not the expected status, or fails, is an
error.

    nice -n 10 python bench/bench_load.py                 # 100,000 posts, 200 users x 3 rounds
    python bench/bench_load.py --posts 20000 --users 50   # a quick look
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_desk import fill
from goodwill.desk.accounts import add_user, create_session
from goodwill.store import open_store

PAGES = ("inbox", "case", "check", "healthz")
FILTERS = [
    "",
    "?brand=Globex",
    "?intent=complaint",
    "?language=pt",
    "?queue=billing&brand=Acme+Bank",
    "?sla=breached",
    "?assignee=me",
    "?page=2",
    "?page=7",
]
DRAFTS = [
    "So sorry about that! Could you DM us the last four digits of the card?",
    "Thanks for flagging this, we're on it and will reply here within the hour.",
    "Hi! The app update out today fixes the logout loop; could you try it and tell us?",
]
_CASE = re.compile(r'href="/cases/(\d+)"')


@dataclass
class Tally:
    times: dict[str, list[float]] = field(default_factory=lambda: {p: [] for p in PAGES})
    errors: list[str] = field(default_factory=list)

    def add(self, page: str, took: float) -> None:
        self.times[page].append(took)


def prepare(folder: Path, n_posts: int, n_users: int) -> tuple[Path, list[tuple[str, str]]]:
    """A workspace with ``n_posts`` posts and 20 agents; one (cookie, csrf) session per virtual user."""
    db = folder / "goodwill.db"
    config = folder / "goodwill.toml"
    config.write_text(
        f'store_url = "sqlite:///{db}"\n\n[[brands]]\nname = "Acme Bank"\n\n[[brands]]\nname = "Globex"\n',
        encoding="utf-8",
    )
    agents = []
    with open_store(f"sqlite:///{db}") as store:
        for i in range(20):
            agents.append(add_user(store, username=f"agent{i}", password="bench password 123", role="agent"))
    fill(db, n_posts)
    sessions = []
    with open_store(f"sqlite:///{db}") as store:
        for i in range(n_users):
            token, session = create_session(store, agents[i % len(agents)], lifetime=timedelta(hours=2))
            sessions.append((token, session.csrf_token))
    return config, sessions


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(config: Path, port: int) -> subprocess.Popen[bytes]:
    goodwill = Path(sys.executable).with_name("goodwill")
    server = subprocess.Popen(
        [str(goodwill), "serve", "--config", str(config), "--port", str(port), "--no-sync"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(
                "goodwill serve exited: " + (server.stderr.read() if server.stderr else b"").decode()
            )
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("goodwill serve did not answer /healthz within 60 s")


async def _timed(
    tally: Tally, page: str, call: Awaitable[httpx.Response], expect: int
) -> httpx.Response | None:
    start = time.perf_counter()
    try:
        response = await call
    except httpx.HTTPError as exc:
        tally.errors.append(f"{page}: {type(exc).__name__} {exc}")
        return None
    tally.add(page, time.perf_counter() - start)
    if response.status_code != expect:
        tally.errors.append(f"{page}: {response.status_code} {response.url}")
        return None
    return response


async def user(base: str, cookie: str, csrf: str, rounds: int, think: float, seed: int, tally: Tally) -> None:
    rng = random.Random(seed)
    async with httpx.AsyncClient(
        base_url=base, cookies={"gw_session": cookie}, timeout=120, headers={"origin": base}
    ) as client:
        for _ in range(rounds):
            inbox = await _timed(tally, "inbox", client.get("/inbox" + rng.choice(FILTERS)), 200)
            ids = _CASE.findall(inbox.text) if inbox is not None else []
            if inbox is not None and not ids and inbox.url.query == b"":
                tally.errors.append(f"inbox: no case listed at {inbox.url}")  # filters may match none
            if ids:
                case_id = rng.choice(ids)
                await _timed(tally, "case", client.get(f"/cases/{case_id}"), 200)
                await asyncio.sleep(rng.uniform(0, 2 * think))
                await _timed(
                    tally,
                    "check",
                    client.post(
                        f"/cases/{case_id}/check",
                        data={"text": rng.choice(DRAFTS)},
                        headers={"hx-request": "true", "x-csrf-token": csrf},
                    ),
                    200,
                )
            await _timed(tally, "healthz", client.get("/healthz"), 200)
            await asyncio.sleep(rng.uniform(0, 2 * think))


async def crowd(
    base: str, sessions: list[tuple[str, str]], rounds: int, think: float, deadline: float
) -> tuple[Tally, float]:
    tally = Tally()
    start = time.perf_counter()
    tasks = [
        asyncio.create_task(user(base, cookie, csrf, rounds, think, i, tally))
        for i, (cookie, csrf) in enumerate(sessions)
    ]
    done, pending = await asyncio.wait(tasks, timeout=deadline)
    for task in pending:
        task.cancel()
    if pending:
        tally.errors.append(f"{len(pending)} users still working at the {deadline:.0f} s deadline")
    for task in done:
        if task.exception() is not None:
            tally.errors.append(f"user crashed: {task.exception()!r}")
    return tally, time.perf_counter() - start


def _p(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    return sorted(values)[min(len(values) - 1, round(q * (len(values) - 1)))] * 1000


def bench(n_posts: int, n_users: int, rounds: int, think: float, deadline: float) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        config, sessions = prepare(Path(tmp), n_posts, n_users)
        fill_s = time.perf_counter() - t0
        port = _free_port()
        server = start_server(config, port)
        base = f"http://127.0.0.1:{port}"
        try:
            alone, _ = asyncio.run(crowd(base, sessions[:1], 20, 0.0, deadline))
            loaded, wall = asyncio.run(crowd(base, sessions, rounds, think, deadline))
        finally:
            server.terminate()  # uvicorn first finishes what is queued, which under load takes a while
            try:
                server.wait(timeout=120)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    healthz95 = _p(loaded.times["healthz"], 0.95)
    pages = {
        page: {
            "requests": len(loaded.times[page]),
            "p50_ms": round(_p(loaded.times[page], 0.5), 1),
            "p95_ms": round(_p(loaded.times[page], 0.95), 1),
            "alone_p95_ms": round(_p(alone.times[page], 0.95), 1),
            "x_healthz_p95": round(_p(loaded.times[page], 0.95) / healthz95, 2),
        }
        for page in PAGES
    }
    total = sum(len(t) for t in loaded.times.values())
    return {
        "posts": n_posts,
        "users": n_users,
        "rounds": rounds,
        "think_s": think,
        "fill_s": round(fill_s, 1),
        "wall_s": round(wall, 1),
        "requests": total,
        "req_per_s": round(total / wall, 1),
        "errors": len(loaded.errors) + len(alone.errors),
        "error_samples": (alone.errors + loaded.errors)[:5],
        "pages": pages,
        "load_average": os.getloadavg(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3, help="inbox-case-check-healthz rounds per user")
    parser.add_argument("--think", type=float, default=0.5, help="mean pause between steps, seconds")
    parser.add_argument("--deadline", type=float, default=600, help="stop the crowd after this many seconds")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    r = bench(args.posts, args.users, args.rounds, args.think, args.deadline)
    if args.json:
        print(json.dumps(r))
        return
    print(
        f"desk under load: {r['users']} users x {r['rounds']} rounds on `goodwill serve` (SQLite), "
        f"{r['posts']:,} posts, think {r['think_s']} s; {r['requests']:,} requests in {r['wall_s']} s "
        f"({r['req_per_s']} req/s), errors {r['errors']}"
    )
    pages = r["pages"]
    assert isinstance(pages, dict)
    for page, p in pages.items():
        print(
            f"  {page:8} {p['requests']:5} requests  p50 {p['p50_ms']:7.1f} ms  p95 {p['p95_ms']:7.1f} ms"
            f"  = {p['x_healthz_p95']:5.2f} x /healthz p95  (one user alone: p95 {p['alone_p95_ms']:6.1f} ms)"
        )
    samples = r["error_samples"]
    assert isinstance(samples, list)
    if samples:
        print("  errors, first few:", *samples, sep="\n    ")
    load = r["load_average"]
    assert isinstance(load, tuple)
    print(f"  load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
