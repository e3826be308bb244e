"""Fuzz everything goodwill reads from outside; a crash or a hang is a failure with its payload saved.

Targets: every registered source (``normalise`` on mutated recorded documents, and
``read_export`` + ``normalise`` on mutated recorded files), ``mapping`` (the import
contract's ``record_to_post``) and ``enrich`` (raw lines through the real pipeline).
The promise under test: only goodwill's own typed errors come out, never another
exception, never a hang.

Payloads come from fuzz_targets.py and mutator.py, each a pure function of (target,
seed, index). Work is cut into chunks run in forked worker processes (``--jobs``),
each with its own result pipe and its own progress record (the payload it is on,
and its CPU clock when that payload began, both written by the worker). A payload
past its CPU budget (``--hang`` for the big minority, a tenth of it for the rest)
gets SIGPROF (the traceback says where it was stuck); one that does not answer even
that (stuck in C), or whose CPU clock stands still for ten minutes (blocked), is
SIGKILLed by the parent's watchdog. Either way the payload is a failure, saved under
``--out``, and the chunk goes on after it: a hang is reported, never a stall.

    python tests/fuzz/harness.py --examples 100000 --jobs 2      # what `make fuzz` runs
    python tests/fuzz/harness.py --target source:mastodon --seed 1 --index 7351   # one payload again
    python tests/fuzz/harness.py --target source:rss --seed 2 --start 1300 --examples 300  # a stretch

tests/fuzz/test_fuzz_smoke.py runs a few hundred payloads per target in the normal suite.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing as mp
import multiprocessing.connection
import os
import pickle
import reprlib
import signal
import sys
import time
import traceback
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from fuzz_targets import Target, build_target, targets  # noqa: E402
from mutator import KINDS, Payload  # noqa: E402

from goodwill.errors import GoodwillError  # noqa: E402

#: CPU seconds a big payload may take before it counts as a hang (a small one: a tenth)
HANG_S = 20.0
CHUNK = 2_000
#: a progress line on stderr every so many payloads (a long run is hours)
PROGRESS_EVERY = 10_000
#: wall seconds a worker's CPU clock may stand still mid-payload (blocked, not busy) before it is killed
BLOCKED_S = 600.0
ROOT = HERE.parents[1]


class Hang(BaseException):  # not an Exception: a parser's broad ``except Exception`` must not swallow it
    """Raised by SIGPROF inside a payload that ran past its CPU budget."""


# -- reports ----------------------------------------------------------------------------------------


@dataclass
class Report:
    target: str
    payloads: int = 0
    rejects: int = 0
    seconds: float = 0.0
    times: list[float] = field(default_factory=list)
    indices: list[int] = field(default_factory=list)
    kinds: Counter[str] = field(default_factory=Counter)
    failures: list[dict[str, Any]] = field(default_factory=list)
    #: how many of the payloads were big (megabytes or deep nesting)
    big: int = 0

    @property
    def crashes(self) -> int:
        return sum(1 for f in self.failures if f["kind"] == "crash")

    @property
    def hangs(self) -> int:
        return sum(1 for f in self.failures if f["kind"] == "hang")

    def percentile(self, q: float) -> float:
        if not self.times:
            return 0.0
        ordered = sorted(self.times)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    def summary(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "payloads": self.payloads,
            "big": self.big,
            "rejects": self.rejects,
            "crashes": self.crashes,
            "hangs": self.hangs,
            "max_ms": round(max(self.times, default=0.0) * 1000, 1),
            "slowest_index": self.indices[self.times.index(max(self.times))] if self.indices else None,
            "p95_ms": round(self.percentile(0.95) * 1000, 2),
            "seconds": round(self.seconds, 1),
            "kinds": {k: self.kinds.get(k, 0) for k in KINDS},
        }

    def line(self) -> str:
        s = self.summary()
        status = "ok" if not self.failures else f"FAIL ({s['crashes']} crashes, {s['hangs']} hangs)"
        return (
            f"{self.target:20} {s['payloads']:>9,} payloads ({s['big']:,} big) {s['rejects']:>8,} rejects  "
            f"max {s['max_ms']:>8.1f} ms (#{s['slowest_index']})  p95 {s['p95_ms']:>7.2f} ms  "
            f"{s['seconds']:>7.1f} s  {status}"
        )


def signature(failure: dict[str, Any]) -> str:
    """Where and how a failure ended: its last frame and its exception's first line."""
    lines = [line.strip() for line in failure["detail"].strip().splitlines()]
    frames = [line for line in lines if line.startswith("File ")]
    last = next((line for line in reversed(lines) if line and not line.startswith(("File ", "^", "~"))), "")
    return f"{failure['kind']} {frames[-1] if frames else ''} {last.split(':')[0]}"


def distinct(failures: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One failure per signature, so a run's report names each bug once."""
    seen: dict[str, dict[str, Any]] = {}
    for failure in failures:
        seen.setdefault(signature(failure), failure)
    return list(seen.values())


def save_payload(out: Path, target: str, seed: int, payload: Payload, note: str) -> Path:
    """The payload as replay recipe + preview (.txt), pickle and, for bytes, the file itself."""
    out.mkdir(parents=True, exist_ok=True)
    stem = out / f"{target.replace(':', '-')}-{seed}-{payload.index}"
    preview = reprlib.Repr()
    preview.maxstring, preview.maxother, preview.maxlevel = 2_000, 200, 12
    body = repr(payload.raw[:2_000]) if payload.raw is not None else preview.repr(payload.document)
    stem.with_suffix(".txt").write_text(
        f"{note}\n\nreplay: python tests/fuzz/harness.py "
        f"--target {target} --seed {seed} --index {payload.index}\n"
        f"kinds: {sorted(payload.kinds)}  endpoint: {payload.endpoint!r}\n\n{body}\n",
        encoding="utf-8",
        errors="backslashreplace",
    )
    if payload.raw is not None:
        stem.with_suffix(payload.raw_suffix).write_bytes(payload.raw)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(50_000)
    try:
        with contextlib.suppress(RecursionError, pickle.PicklingError):
            stem.with_suffix(".pickle").write_bytes(pickle.dumps(payload))
    finally:
        sys.setrecursionlimit(limit)
    return stem.with_suffix(".txt")


# -- workers and the watchdog -----------------------------------------------------------------------


def _cpu(pid: int) -> float:
    """CPU seconds process ``pid`` has used (user + system, /proc): the watchdog's clock. Wall time
    would call a payload hung because the machine is busy (nice 10 under load 15 gets ~1% of a core)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise Hang("no answer within the time budget")


def budget(payload: Payload, hang_s: float) -> float:
    """CPU seconds ``payload`` may take: ``hang_s`` for a big one, a tenth of it for the rest, whose
    few kilobytes take milliseconds (a small payload past two CPU seconds is superlinear somewhere)."""
    return hang_s if payload.big else hang_s / 10


def run_one(target: Target, payload: Payload, hang_s: float) -> tuple[str, float, str]:
    """("ok" | "reject" | "crash" | "hang", seconds, traceback) for one payload, alarm armed."""
    signal.signal(signal.SIGPROF, _alarm)
    signal.setitimer(signal.ITIMER_PROF, budget(payload, hang_s))  # CPU seconds: a loaded machine is no hang
    start = time.perf_counter()
    try:
        target.feed(payload)
        outcome, detail = "ok", ""
    except GoodwillError:
        outcome, detail = "reject", ""
    except Hang:
        outcome, detail = "hang", traceback.format_exc(limit=-12)
    except Exception:  # anything else is what we hunt
        outcome, detail = "crash", traceback.format_exc(limit=-12)
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
    return outcome, time.perf_counter() - start, detail


IDLE, BUILDING, FEEDING = 0, 1, 2


class Progress:
    """What ONE worker is on, in memory shared with the parent: (payload index, phase, the worker's
    CPU seconds when that phase began), all three written by the worker itself.

    A sequence number, odd while the worker writes, makes every read one consistent triple: the
    old harness wrote index, CPU mark and phase one by one, and used a CPU mark of 0.0 to mean
    "idle", so the parent could pair one payload's index with another payload's start, and never
    watched a fresh worker's first payload (its CPU clock reads 0.0 until its first tick).
    """

    def __init__(self, ctx: Any) -> None:
        self._cells = ctx.Array("d", [0.0, -1.0, float(IDLE), 0.0], lock=False)

    def set(self, index: int, phase: int) -> None:
        """Worker side: ``phase`` of payload ``index`` starts now."""
        cells = self._cells
        cells[0] += 1  # odd: being written
        cells[1], cells[2], cells[3] = index, phase, _cpu(os.getpid())
        cells[0] += 1

    def read(self) -> tuple[int, int, int, float] | None:
        """Parent side: (sequence, index, phase, CPU mark), or None while the worker is writing."""
        cells = self._cells
        for _ in range(1_000):
            seq = cells[0]
            if seq % 2 == 0:
                index, phase, mark = cells[1], cells[2], cells[3]
                if cells[0] == seq:
                    return int(seq), int(index), int(phase), mark
        return None


def _worker(
    target: Target, seed: int, indices: list[int], hang_s: float, progress: Progress, conn: Any, out: str
) -> None:
    """Run ``indices``, saying in ``progress`` which payload is in hand, sending results on ``conn``."""
    batch: dict[str, Any] = _empty_batch()
    for index in indices:
        progress.set(index, BUILDING)
        payload = target.make(seed, index)
        progress.set(index, FEEDING)  # from here on, the target's time
        outcome, seconds, detail = run_one(target, payload, hang_s)
        progress.set(index, IDLE)
        batch["done"].append(index)
        batch["times"].append(seconds)
        batch["kinds"].update(payload.kinds)
        batch["rejects"] += outcome == "reject"
        batch["big"] += payload.big
        if outcome in ("crash", "hang"):
            note = f"{outcome} after {seconds:.1f} s\n{detail}"
            saved = save_payload(Path(out), target.name, seed, payload, note)
            batch["failures"].append({"kind": outcome, "index": index, "detail": detail, "saved": str(saved)})
        if len(batch["done"]) >= 200:
            conn.send(batch)
            batch = _empty_batch()
    conn.send(batch)
    conn.close()


def _empty_batch() -> dict[str, Any]:
    return {"done": [], "times": [], "kinds": Counter(), "rejects": 0, "big": 0, "failures": []}


@dataclass
class _Watched:
    """A running worker as the parent sees it: its own channel, its own progress, what it finished."""

    proc: Any
    conn: Any
    indices: list[int]
    progress: Progress
    done: set[int] = field(default_factory=set)
    #: the last (sequence, CPU seconds) seen, and when it last changed: no change for long = blocked
    seen: tuple[int, float] = (-1, -1.0)
    still_since: float = field(default_factory=time.monotonic)


def fuzz_target(
    name: str,
    examples: int,
    *,
    seed: int = 0,
    start: int = 0,
    jobs: int = 2,
    hang_s: float = HANG_S,
    kill_s: float | None = None,
    blocked_s: float = BLOCKED_S,
    chunk: int = CHUNK,
    out: Path | None = None,
    target: Target | None = None,
) -> Report:
    """Payloads ``start`` .. ``start + examples - 1`` of ``name`` over ``jobs`` forked workers.

    The watchdog kills a worker whose payload used ``kill_s`` CPU seconds (default twice the
    largest budget plus 5: SIGPROF did not get through, it is stuck in C), or whose CPU clock
    has not moved for ``blocked_s`` wall seconds (blocked, not busy: a starved worker on a
    loaded machine still gets some CPU, so load alone never trips it). The verdict names the
    payload that worker itself says it is on, read while the worker is stopped.
    """
    target = target or build_target(name)
    target.warm()
    out = out or ROOT / "build" / "fuzz"
    kill_s = hang_s * 2 + 5 if kill_s is None else kill_s
    report = Report(name)
    ctx = mp.get_context("fork")
    todo = [list(range(i, min(i + chunk, start + examples))) for i in range(start, start + examples, chunk)]
    running: list[_Watched] = []
    began = time.perf_counter()

    def launch(indices: list[int]) -> None:
        progress = Progress(ctx)
        reader, writer = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_worker, args=(target, seed, indices, hang_s, progress, writer, str(out)))
        proc.start()
        writer.close()  # the worker holds the only write end: its exit is this end's EOF
        running.append(_Watched(proc, reader, indices, progress))

    def take(batch: dict[str, Any], watched: _Watched) -> None:
        report.payloads += len(batch["done"])
        report.times.extend(batch["times"])
        report.indices.extend(batch["done"])
        report.kinds.update(batch["kinds"])
        report.rejects += batch["rejects"]
        report.big += batch["big"]
        report.failures.extend(batch["failures"])
        watched.done.update(batch["done"])
        if report.payloads // PROGRESS_EVERY != (report.payloads - len(batch["done"])) // PROGRESS_EVERY:
            elapsed = time.perf_counter() - began
            print(
                f"  {name}: {report.payloads:,} of {examples:,} payloads, {len(report.failures)} failures, "
                f"{elapsed:.0f} s",
                file=sys.stderr,
                flush=True,
            )

    def receive(watched: _Watched, timeout: float = 0.0) -> None:
        """Every whole batch waiting on this worker's channel (a killed one may leave half of one)."""
        with contextlib.suppress(EOFError, OSError, pickle.UnpicklingError, ValueError):
            while watched.conn.poll(timeout):
                take(watched.conn.recv(), watched)
                timeout = 0.0

    def verdict(watched: _Watched) -> tuple[int, int] | None:
        """(index, phase) of a payload past its CPU limit or blocked, else None."""
        snap = watched.progress.read()
        if snap is None:
            return None
        seq, index, phase, mark = snap
        cpu, now = _cpu(watched.proc.pid), time.monotonic()
        if (seq, cpu) != watched.seen:
            watched.seen, watched.still_since = (seq, cpu), now
        if phase == IDLE or not (cpu - mark > kill_s or now - watched.still_since > blocked_s):
            return None
        # stop it, and look again: the payload it is on now is the one to blame (or it moved on);
        # its pid is its own (alive a moment ago, and nothing reaps it but our join)
        os.kill(watched.proc.pid, signal.SIGSTOP)
        again = watched.progress.read()
        if again is None or again[0] != seq:
            os.kill(watched.proc.pid, signal.SIGCONT)
            return None
        return index, phase

    try:
        while todo or running:
            while todo and len(running) < jobs:
                launch(todo.pop(0))
            mp.connection.wait([w.conn for w in running], timeout=0.2)
            for watched in list(running):
                receive(watched)
                stuck = verdict(watched) if watched.proc.is_alive() else None  # a dead one is no hang
                if stuck is not None:
                    index, phase = stuck
                    watched.proc.kill()
                    watched.proc.join()
                    receive(watched)
                    running.remove(watched)
                    if phase == BUILDING:  # the harness's own fault, not the target's
                        raise RuntimeError(f"{name}: building payload {index} (seed {seed}) took too long")
                    payload = target.make(seed, index)
                    note = f"hang: killed by the watchdog ({kill_s:.0f} CPU s, or {blocked_s:.0f} s blocked)"
                    saved = save_payload(out, name, seed, payload, note)
                    report.failures.append(
                        {"kind": "hang", "index": index, "detail": "killed", "saved": str(saved)}
                    )
                    report.payloads += 1
                    report.times.append(kill_s)
                    report.indices.append(index)
                    report.kinds.update(payload.kinds)
                    report.big += payload.big
                    watched.done.add(index)
                elif not watched.proc.is_alive():
                    watched.proc.join()
                    receive(watched)
                    running.remove(watched)
                    if watched.proc.exitcode != 0:
                        snap = watched.progress.read()
                        index = snap[1] if snap else -1
                        report.failures.append(
                            {
                                "kind": "crash",
                                "index": index,
                                "detail": f"worker exit {watched.proc.exitcode}",
                            }
                        )
                        if snap and snap[2] != IDLE:  # it died on that payload (else between two)
                            report.payloads += 1
                            report.indices.append(index)
                            report.times.append(0.0)
                        watched.done.add(index)
                else:
                    continue
                watched.conn.close()
                rest = [i for i in watched.indices if i not in watched.done]
                if rest:
                    todo.insert(0, rest)
    finally:  # a RuntimeError (or ^C) must not leave workers behind
        for watched in running:
            watched.proc.kill()
            watched.proc.join()
    report.seconds = time.perf_counter() - began
    return report


def fuzz_all(examples: int, **options: Any) -> Iterator[Report]:
    """Every target, ``examples`` payloads each (enrich too, now that only 1.5% of them are megabytes)."""
    for name in targets():
        yield fuzz_target(name, examples, **options)


def replay(name: str, seed: int, index: int, hang_s: float) -> int:
    target = build_target(name)
    target.warm()
    payload = target.make(seed, index)
    outcome, seconds, detail = run_one(target, payload, hang_s)
    size = "big" if payload.big else "small"
    print(
        f"{name} seed {seed} index {index} ({size}): {outcome} in {seconds * 1000:.1f} ms, "
        f"kinds {sorted(payload.kinds)}"
    )
    print(detail)
    return 0 if outcome in ("ok", "reject") else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=100_000, help="payloads per target")
    parser.add_argument(
        "--target", action="append", help=f"only these targets (default all: {', '.join(targets())})"
    )
    parser.add_argument("--seed", type=int, default=0, help="a run is reproducible from its seed")
    parser.add_argument(
        "--start", type=int, default=0, help="first payload index (to rerun a stretch of a run)"
    )
    parser.add_argument("--jobs", type=int, default=2, help="worker processes")
    parser.add_argument("--hang", type=float, default=HANG_S, help="CPU seconds one payload may take")
    parser.add_argument("--index", type=int, help="replay one payload (with --target and --seed)")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "fuzz", help="where failures are saved")
    parser.add_argument("--json", type=Path, help="write the per-target summaries here")
    args = parser.parse_args()
    if args.index is not None:
        if not args.target or len(args.target) != 1:
            parser.error("--index needs exactly one --target")
        return replay(args.target[0], args.seed, args.index, args.hang)
    names = args.target or targets()
    started = datetime.now(UTC).isoformat(timespec="seconds")
    summaries = []
    failed = 0
    for name in names:
        options = {"seed": args.seed, "start": args.start, "jobs": args.jobs, "hang_s": args.hang}
        report = fuzz_target(name, args.examples, out=args.out, **options)
        print(report.line(), flush=True)
        for failure in distinct(report.failures):
            print(f"   {failure['kind']} at index {failure['index']}: {failure.get('saved', '')}")
            print("   " + failure["detail"].strip().replace("\n", "\n   ")[-1500:])
        summaries.append(report.summary())
        failed += bool(report.failures)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        document = {
            "started": started,
            "seed": args.seed,
            "start": args.start,
            "load": os.getloadavg(),
            "targets": summaries,
        }
        args.json.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
