"""Structure-aware fuzzing of everything goodwill reads from outside: source payloads and contract lines.

Random JSON rarely looks like an API response, so the source targets start from
the real recorded payloads (tests/sources/samples.py) and mutate them: a field
deleted, a value swapped for another type, strings full of zero-width, right-to-
left and emoji sequences, lone surrogates, megabyte texts, deep nesting. The
``enrich`` target feeds raw bytes lines (invalid UTF-8 included) through the real
pipeline. The promise under test: only goodwill's own typed errors come out,
never another exception, never a hang.

Run ``make fuzz`` (100,000 payloads per target) or ``python tests/fuzz/harness.py --examples N``;
tests/fuzz/test_fuzz_smoke.py runs a few hundred per target in the normal suite.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import json
import signal
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "sources"))

from samples import SAMPLES  # noqa: E402

from goodwill.errors import GoodwillError  # noqa: E402
from goodwill.sources.registry import available_sources, build_source  # noqa: E402
from goodwill.sources.source import Source  # noqa: E402

#: seconds one payload may take before it counts as a hang
HANG_S = 20

ODD_CHARS = [
    "\u200b",
    "\u200c",
    "\u200d",
    "\u2060",
    "\ufeff",  # zero-width
    "\u202e",
    "\u202d",
    "\u2067",
    "\u200f",
    "\u061c",  # right-to-left and isolates
    "👩‍👩‍👧‍👦",
    "🏳️‍🌈",
    "👍🏽",
    "🇺🇦",
    "\u0301\u0301\u0301",  # emoji sequences, stacked accents
    "\ud800",
    "\udfff",  # lone surrogates (invalid in UTF-8)
    "\x00",
    "\r\n",
    "<script>alert(1)</script>",
    "&amp;&#x0;&#99999999;",
    "%s%n",
    "RT @x:",
    "@",
    "#",
    "$",
]
ODD_TEXT = st.lists(st.one_of(st.sampled_from(ODD_CHARS), st.text(max_size=8)), max_size=12).map("".join)
HUGE_TEXT = st.sampled_from(["a" * 1_000_000, "é " * 500_000, "@brand " * 150_000, "😡" * 300_000])


def _deep(depth: int, leaf: Any) -> Any:
    value = leaf
    for level in range(depth):
        value = [value] if level % 2 else {"children": value, "replies": value, "data": value}
    return value


ODD_VALUE: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    ODD_TEXT,
    st.just(""),
    st.just([]),
    st.just({}),
    st.builds(_deep, st.integers(min_value=50, max_value=3000), st.just("x")),
    HUGE_TEXT,
    st.dictionaries(ODD_TEXT, st.one_of(st.none(), ODD_TEXT, st.integers()), max_size=4),
)


def _paths(value: Any, prefix: tuple[Any, ...] = (), limit: int = 4000) -> Iterator[tuple[Any, ...]]:
    stack = [(prefix, value)]
    seen = 0
    while stack and seen < limit:
        path, node = stack.pop()
        seen += 1
        yield path
        if isinstance(node, dict):
            stack.extend(((*path, k), v) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend(((*path, i), v) for i, v in enumerate(node))


def _mutate(document: Any, data: st.DataObject) -> Any:
    doc = copy.deepcopy(document)
    for _ in range(data.draw(st.integers(min_value=1, max_value=6))):
        paths = [p for p in _paths(doc) if p]
        if not paths:
            return data.draw(ODD_VALUE)
        path = data.draw(st.sampled_from(paths))
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        key = path[-1]
        op = data.draw(st.sampled_from(["replace", "delete", "wrap", "stringify"]))
        if op == "delete":
            del parent[key]
        elif op == "wrap":
            parent[key] = [parent[key]]
        elif op == "stringify":
            parent[key] = json.dumps(parent[key], default=str)[:200]
        else:
            parent[key] = data.draw(ODD_VALUE)
    return doc


class Hang(Exception):
    pass


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise Hang(f"no answer within {HANG_S} s")


@dataclass
class Report:
    target: str
    examples: int = 0
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)


def _guard(report: Report, call: Callable[[], object], payload: Callable[[], str]) -> None:
    report.examples += 1
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(HANG_S)
    try:
        call()
    except GoodwillError:
        pass
    except Exception as exc:  # anything else is what we hunt
        report.failures.append(
            f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=6)}\npayload: {payload()}"
        )
        raise
    finally:
        signal.alarm(0)


def _timed(report: Report, run: Callable[[], None]) -> Report:
    """Run one hypothesis target; it stops at the first failure, which is already in the report."""
    start = time.perf_counter()
    with contextlib.suppress(Exception):
        run()
    report.seconds = time.perf_counter() - start
    return report


def _documents(source: Source, name: str) -> list[Any]:
    return [doc for path in SAMPLES.get(name, []) for doc in source.read_export(path)]


def fuzz_source(name: str, examples: int) -> Report:
    source = build_source(name)
    documents = _documents(source, name)
    report = Report(target=f"source:{name}")
    if not documents:
        return report

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=False,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        document = _mutate(data.draw(st.sampled_from(documents)), data)
        _guard(report, lambda: source.normalise(document), lambda: json.dumps(document, default=str)[:2000])

    return _timed(report, run)


def fuzz_enrich(examples: int) -> Report:
    from goodwill.config import WorkspaceConfig
    from goodwill.enrich.registry import default_pipeline
    from goodwill.enrich.stage import StageContext
    from goodwill.jobs.enrich_stream import enrich_lines

    pipeline = default_pipeline(StageContext(config=WorkspaceConfig.from_names(["Acme Bank"], ["Globex"])))
    report = Report(target="enrich")
    record = st.fixed_dictionaries(
        {},
        optional={
            "id": st.one_of(ODD_TEXT, st.integers(), st.none(), st.floats()),
            "text": st.one_of(ODD_TEXT, HUGE_TEXT, st.integers(), st.none(), st.lists(ODD_TEXT)),
            "network": st.one_of(ODD_TEXT, st.integers()),
            "author": st.one_of(
                st.dictionaries(st.sampled_from(["handle", "followers", "name"]), ODD_VALUE), ODD_TEXT
            ),
            "created_at": st.one_of(ODD_TEXT, st.integers(), st.just("2026-02-30T25:61:00Z")),
            "reply_to": ODD_VALUE,
            "lang": ODD_VALUE,
        },
    )
    line = st.one_of(
        record.map(lambda r: json.dumps(r, ensure_ascii=False).encode("utf-8", "surrogatepass")),
        st.binary(max_size=200),
        ODD_TEXT.map(lambda t: t.encode("utf-8", "surrogatepass")),
    )

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(lines=st.lists(line, min_size=1, max_size=5))
    def run(lines: list[bytes]) -> None:
        def call() -> None:
            out = list(enrich_lines(lines, pipeline, batch_size=3))
            assert len(out) == sum(1 for raw in lines if raw.strip()), "one output per input line"

        _guard(report, call, lambda: repr([raw[:300] for raw in lines]))

    return _timed(report, run)


def fuzz_all(examples: int) -> Iterator[Report]:
    """One report per registered source, then the enrich contract (a tenth as many: each runs every stage)."""
    for name in sorted(available_sources()):
        yield fuzz_source(name, examples)
    yield fuzz_enrich(max(1, examples // 10))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--examples", type=int, default=100_000, help="payloads per source target (enrich: a tenth)"
    )
    args = parser.parse_args()
    failed = 0
    for report in fuzz_all(args.examples):
        status = "FAIL" if report.failures else "ok"
        print(f"{report.target:24} {report.examples:>9,} payloads  {report.seconds:8.1f} s  {status}")
        for failure in report.failures[:1]:
            print("   " + failure.replace("\n", "\n   "))
        failed += bool(report.failures)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
