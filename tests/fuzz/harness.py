"""Fuzz everything goodwill reads from outside; a crash or a hang is a failure with its payload saved.

Targets: every registered source (``normalise`` on mutated recorded documents, and
``read_export`` + ``normalise`` on mutated recorded files), ``mapping`` (the import
contract's ``record_to_post``) and ``enrich`` (raw lines through the real pipeline).
The promise under test: only goodwill's own typed errors come out, never another
exception, never a hang.

Payloads come from mutator.py, each a pure function of (target, seed, index). Work
is cut into chunks run in forked worker processes (``--jobs``). A worker that takes
longer than ``--hang`` CPU seconds on one payload gets SIGPROF (the traceback says where
it was stuck); one that does not answer even that (stuck in C) is SIGKILLed by the
parent's watchdog. Either way the payload is a failure, saved under ``--out``, and
the chunk goes on after it: a hang is reported, never a stall.

    python tests/fuzz/harness.py --examples 100000 --jobs 2      # what `make fuzz` runs
    python tests/fuzz/harness.py --target source:mastodon --seed 1 --index 7351   # one payload again

tests/fuzz/test_fuzz_smoke.py runs a few hundred payloads per target in the normal suite.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing as mp
import os
import pickle
import reprlib
import signal
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "sources"))

from mutator import (  # noqa: E402
    KINDS,
    ODD_ENDPOINTS,
    Payload,
    mutate_bytes,
    mutate_document,
    odd_text,
    odd_value,
    rng_for,
    shallow,
)
from samples import SAMPLES  # noqa: E402

from goodwill.errors import GoodwillError  # noqa: E402
from goodwill.sources.registry import available_sources, build_source  # noqa: E402

#: CPU seconds one payload may take before it counts as a hang
HANG_S = 20.0
CHUNK = 2_000
#: wall seconds a payload may sit without using CPU (blocked, not busy) before it is killed
BLOCKED_S = 600.0
ROOT = HERE.parents[1]
CONTRACT_SAMPLE = ROOT / "examples" / "sample" / "posts.jsonl"


class Hang(BaseException):  # not an Exception: a parser's broad ``except Exception`` must not swallow it
    """Raised by SIGPROF inside a payload that ran past its CPU budget."""


# -- targets ----------------------------------------------------------------------------------------


@dataclass
class Target:
    """A named thing to fuzz: builds payload N and feeds it."""

    name: str
    make: Callable[[int, int], Payload]
    feed: Callable[[Payload], object]


def _source_target(name: str) -> Target:
    source = build_source(name)
    files = [p for p in SAMPLES.get(name, []) if p.exists()]
    documents = [doc for path in files for doc in source.read_export(path)]
    raws = [(path.read_bytes(), "".join(path.suffixes[-1:]) or ".json") for path in files]
    scratch = Path(tempfile.gettempdir()) / f"goodwill-fuzz-{os.getpid()}"

    def make(seed: int, index: int) -> Payload:
        rng = rng_for(name, seed, index)
        kinds: set[str] = set()
        if raws and rng.random() < 0.2:
            raw, suffix = rng.choice(raws)
            return Payload(index, kinds, raw=mutate_bytes(raw, rng, kinds), raw_suffix=suffix)
        document = mutate_document(rng.choice(documents), rng, kinds) if documents else odd_value(rng, kinds)
        return Payload(index, kinds, document=document, endpoint=rng.choice(ODD_ENDPOINTS))

    def feed(payload: Payload) -> object:
        if payload.raw is None:
            return source.normalise(payload.document, endpoint=payload.endpoint)
        path = scratch.with_name(f"{scratch.name}-{os.getpid()}{payload.raw_suffix}")
        path.write_bytes(payload.raw)
        try:
            return [source.normalise(doc, endpoint=str(path)) for doc in source.read_export(path)]
        finally:
            path.unlink(missing_ok=True)

    return Target(f"source:{name}", make, feed)


def _contract_records() -> list[dict[str, Any]]:
    lines = CONTRACT_SAMPLE.read_text(encoding="utf-8").splitlines()[:40]
    records: list[dict[str, Any]] = [json.loads(line) for line in lines if line.strip()]
    records.append({"id": "d1", "deleted": True})
    records.append({"id": 7, "text": "ok", "author": "plain_handle", "created_at": 1_764_547_200})
    return records


def _mapping_target() -> Target:
    from goodwill.sources.mapping import record_to_post

    records = _contract_records()
    maps: list[dict[str, str] | None] = [
        None,
        None,
        {"text": "author.name", "id": "url"},
        {"author.handle": "a.b.0.c"},
    ]

    def make(seed: int, index: int) -> Payload:
        rng = rng_for("mapping", seed, index)
        kinds: set[str] = set()
        return Payload(
            index, kinds, document=(mutate_document(rng.choice(records), rng, kinds), rng.choice(maps))
        )

    def feed(payload: Payload) -> object:
        record, mapping = payload.document
        if not isinstance(record, dict):
            return None  # the reader hands record_to_post objects only (it rejects the rest itself)
        return record_to_post(record, mapping)

    return Target("mapping", make, feed)


def _enrich_target() -> Target:
    from goodwill.config import WorkspaceConfig
    from goodwill.enrich.registry import default_pipeline
    from goodwill.enrich.stage import StageContext
    from goodwill.jobs.enrich_stream import enrich_lines

    pipeline = default_pipeline(StageContext(config=WorkspaceConfig.from_names(["Acme Bank"], ["Globex"])))
    records = _contract_records()

    def make(seed: int, index: int) -> Payload:
        rng = rng_for("enrich", seed, index)
        kinds: set[str] = set()
        lines: list[bytes] = []
        for _ in range(rng.randint(1, 5)):
            pick = rng.random()
            if pick < 0.6:
                record = mutate_document(rng.choice(records), rng, kinds)
                text = json.dumps(record, ensure_ascii=False, default=str) if shallow(record) else "[]"
                lines.append(text.encode("utf-8", "surrogatepass"))
            elif pick < 0.8:
                lines.append(mutate_bytes(json.dumps(rng.choice(records)).encode(), rng, kinds)[:2_000_000])
            else:
                lines.append(odd_text(rng, kinds, "").encode("utf-8", "surrogatepass"))
        return Payload(index, kinds, document=lines)

    def feed(payload: Payload) -> object:
        lines = [piece for line in payload.document for piece in line.split(b"\n")]
        out = list(enrich_lines(lines, pipeline, batch_size=3))
        if len(out) != sum(1 for raw in lines if raw.strip()):
            raise AssertionError("enrich_lines did not answer one object per input line")
        return out

    return Target("enrich", make, feed)


def targets() -> list[str]:
    return [*(f"source:{n}" for n in sorted(available_sources())), "mapping", "enrich"]


def build_target(name: str) -> Target:
    if name == "mapping":
        return _mapping_target()
    if name == "enrich":
        return _enrich_target()
    return _source_target(name.removeprefix("source:"))


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
            f"{self.target:20} {s['payloads']:>9,} payloads {s['rejects']:>8,} rejects  "
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


def run_one(target: Target, payload: Payload, hang_s: float) -> tuple[str, float, str]:
    """("ok" | "reject" | "crash" | "hang", seconds, traceback) for one payload, alarm armed."""
    signal.signal(signal.SIGPROF, _alarm)
    signal.setitimer(signal.ITIMER_PROF, hang_s)  # CPU seconds: a loaded machine is no hang
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


def _worker(
    target: Target, seed: int, indices: list[int], hang_s: float, progress: Any, results: Any, out: str
) -> None:
    """Run ``indices``; ``progress`` holds (index, start time) of the payload in hand for the watchdog."""
    batch: dict[str, Any] = _empty_batch()
    for index in indices:
        progress[0], progress[1], progress[2], progress[3] = index, _cpu(os.getpid()), 0.0, time.monotonic()
        payload = target.make(seed, index)
        progress[1], progress[2] = _cpu(os.getpid()), 1.0  # from here on, the target's time
        outcome, seconds, detail = run_one(target, payload, hang_s)
        progress[1] = 0.0
        batch["done"].append(index)
        batch["times"].append(seconds)
        batch["kinds"].update(payload.kinds)
        batch["rejects"] += outcome == "reject"
        if outcome in ("crash", "hang"):
            note = f"{outcome} after {seconds:.1f} s\n{detail}"
            saved = save_payload(Path(out), target.name, seed, payload, note)
            batch["failures"].append({"kind": outcome, "index": index, "detail": detail, "saved": str(saved)})
        if len(batch["done"]) >= 200:
            results.put(batch)
            batch = _empty_batch()
    results.put(batch)


def _empty_batch() -> dict[str, Any]:
    return {"done": [], "times": [], "kinds": Counter(), "rejects": 0, "failures": []}


def fuzz_target(
    name: str,
    examples: int,
    *,
    seed: int = 0,
    jobs: int = 2,
    hang_s: float = HANG_S,
    out: Path | None = None,
    target: Target | None = None,
) -> Report:
    """``examples`` payloads of ``name`` over ``jobs`` forked workers, with a watchdog on each."""
    target = target or build_target(name)
    out = out or ROOT / "build" / "fuzz"
    report = Report(name)
    ctx = mp.get_context("fork")
    results = ctx.Queue()
    todo: list[list[int]] = [list(range(i, min(i + CHUNK, examples))) for i in range(0, examples, CHUNK)]
    running: dict[Any, tuple[list[int], Any, set[int]]] = {}
    start = time.perf_counter()

    def launch(indices: list[int]) -> None:
        # index, CPU seconds at its start, feeding yet?, wall clock at its start
        progress = ctx.Array("d", [-1.0, 0.0, 0.0, 0.0], lock=False)
        proc = ctx.Process(target=_worker, args=(target, seed, indices, hang_s, progress, results, str(out)))
        proc.start()
        running[proc] = (indices, progress, set())

    def drain(timeout: float) -> None:
        with contextlib.suppress(Exception):
            batch = results.get(timeout=timeout)
            report.payloads += len(batch["done"])
            report.times.extend(batch["times"])
            report.indices.extend(batch["done"])
            report.kinds.update(batch["kinds"])
            report.rejects += batch["rejects"]
            report.failures.extend(batch["failures"])
            for indices, _, done in running.values():
                if batch["done"] and batch["done"][0] in indices:
                    done.update(batch["done"])
                    break

    while todo or running:
        while todo and len(running) < jobs:
            launch(todo.pop(0))
        drain(0.2)
        for proc in list(running):
            indices, progress, done = running[proc]
            # CPU past the budget (SIGPROF could not interrupt C code), or blocked for ten minutes
            stuck = progress[1] and (
                _cpu(proc.pid) - progress[1] > hang_s * 2 + 5 or time.monotonic() - progress[3] > BLOCKED_S
            )
            if stuck:  # not even SIGALRM got through: stuck in C code
                proc.kill()
                proc.join()
                index = int(progress[0])
                if not progress[2]:  # stuck building the payload: the harness's fault, not the target's
                    raise RuntimeError(f"{name}: building payload {index} (seed {seed}) took too long")
                payload = target.make(seed, index)
                saved = save_payload(out, name, seed, payload, f"hang: killed after {hang_s * 2 + 5:.0f} s")
                report.failures.append(
                    {"kind": "hang", "index": index, "detail": "killed", "saved": str(saved)}
                )
                report.payloads += 1
                report.times.append(hang_s * 2 + 5)
                report.indices.append(index)
                report.kinds.update(payload.kinds)
                del running[proc]
                while not results.empty():
                    drain(0.1)
                rest = [i for i in indices if i not in done and i != index]
                if rest:
                    todo.insert(0, rest)
            elif not proc.is_alive():
                proc.join()
                while not results.empty():
                    drain(0.1)
                del running[proc]
                if proc.exitcode != 0:
                    report.failures.append(
                        {"kind": "crash", "index": int(progress[0]), "detail": f"worker exit {proc.exitcode}"}
                    )
                    rest = [i for i in indices if i not in done and i != int(progress[0])]
                    if rest:
                        todo.insert(0, rest)
    while not results.empty():
        drain(0.1)
    report.seconds = time.perf_counter() - start
    return report


def fuzz_all(examples: int, **options: Any) -> Iterator[Report]:
    """Every target; enrich gets a tenth as many payloads (each runs every stage of the pipeline)."""
    for name in targets():
        yield fuzz_target(name, max(1, examples // 10) if name == "enrich" else examples, **options)


def replay(name: str, seed: int, index: int, hang_s: float) -> int:
    target = build_target(name)
    payload = target.make(seed, index)
    outcome, seconds, detail = run_one(target, payload, hang_s)
    print(
        f"{name} seed {seed} index {index}: {outcome} in {seconds * 1000:.1f} ms, "
        f"kinds {sorted(payload.kinds)}"
    )
    print(detail)
    return 0 if outcome in ("ok", "reject") else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=100_000, help="payloads per target (enrich: a tenth)")
    parser.add_argument(
        "--target", action="append", help=f"only these targets (default all: {', '.join(targets())})"
    )
    parser.add_argument("--seed", type=int, default=0, help="a run is reproducible from its seed")
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
        count = max(1, args.examples // 10) if name == "enrich" and not args.target else args.examples
        report = fuzz_target(name, count, seed=args.seed, jobs=args.jobs, hang_s=args.hang, out=args.out)
        print(report.line(), flush=True)
        for failure in distinct(report.failures):
            print(f"   {failure['kind']} at index {failure['index']}: {failure.get('saved', '')}")
            print("   " + failure["detail"].strip().replace("\n", "\n   ")[-1500:])
        summaries.append(report.summary())
        failed += bool(report.failures)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        document = {"started": started, "seed": args.seed, "load": os.getloadavg(), "targets": summaries}
        args.json.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
