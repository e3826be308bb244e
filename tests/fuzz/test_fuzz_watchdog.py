"""The fuzz harness's watchdog blames exactly the payload that is stuck, on the worker that is stuck.

The old watchdog reported a false hang (rss seed 2, payload 1347, 54 ms alone) and
aborted a run for "building payload 1482" (8 ms alone): the parent paired fields of
two different payloads, and it never watched a fresh worker's first payload at all.
These targets are stuck on purpose, in ways only the parent can see: a loop with
SIGPROF blocked (as a parser spinning in C), a payload blocked without using CPU,
a worker that dies, each beside workers that are merely busy or merely waiting.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from harness import Progress, Target, fuzz_target
from mutator import Payload

#: CPU seconds the watchdog allows before it kills (the real default is 45)
KILL_S = 0.4


def _payload(seed: int, index: int) -> Payload:
    return Payload(index, {"wrong_type"}, document=index)


def _spin_in_c() -> None:
    """Burn CPU where SIGPROF cannot interrupt, as feedparser's regex did: only the parent's kill ends it."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGPROF})
    while True:
        pass


def _loop_in_python() -> None:
    """A parser gone quadratic in Python: SIGPROF interrupts it, the traceback says where."""
    while True:
        pass


def _target(stuck: dict[int, str]) -> Target:
    """Payload N spins in "C" (``"spin"``) or in Python (``"loop"``), sleeps for good (``"block"``),
    waits half a second without CPU (``"wait"``), kills its worker (``"die"``), raises a foreign error
    (``"crash"``), works two seconds (``"busy"``), or returns at once."""

    def feed(payload: Payload) -> object:
        what = stuck.get(payload.document)
        if what == "spin":
            _spin_in_c()
        elif what == "loop":
            _loop_in_python()
        elif what == "block":
            time.sleep(3_600)
        elif what == "busy":  # two seconds of real work: slow, not stuck, its CPU clock moving
            end = time.monotonic() + 2.0
            while time.monotonic() < end:
                pass
        elif what == "wait":
            time.sleep(0.5)  # blocked, but far shorter than blocked_s: merely waiting
        elif what == "die":
            os._exit(3)
        elif what == "crash":
            raise KeyError("not one of goodwill's errors")
        return None

    return Target("stuck", _payload, feed)


def _run(tmp_path: Path, stuck: dict[int, str], examples: int, **options: float) -> tuple[list, list[int]]:
    limits = {"hang_s": KILL_S / 2, "kill_s": KILL_S, "chunk": 6, **options}
    report = fuzz_target(
        "stuck",
        examples,
        seed=3,
        jobs=2,
        out=tmp_path,
        target=_target(stuck),
        **limits,  # type: ignore[arg-type]
    )
    assert report.payloads == examples
    return sorted((f["kind"], f["index"]) for f in report.failures), sorted(report.indices)


def test_a_payload_stuck_in_c_on_one_worker_is_the_one_named(tmp_path: Path) -> None:
    # chunks of six: worker one has 0-5 (2 waits half a second without CPU), worker two 6-11 (9 spins)
    failures, indices = _run(tmp_path, {2: "wait", 9: "spin"}, 12, blocked_s=30.0)
    assert failures == [("hang", 9)]
    assert indices == list(range(12))  # each payload reported once: none lost, none run twice
    saved = (tmp_path / "stuck-3-9.txt").read_text(encoding="utf-8")
    assert "replay: python tests/fuzz/harness.py --target stuck --seed 3 --index 9" in saved


def test_a_hang_sigprof_reaches_is_reported_with_where_it_was_stuck(tmp_path: Path) -> None:
    failures, indices = _run(tmp_path, {3: "loop", 5: "crash"}, 8, blocked_s=30.0)
    assert failures == [("crash", 5), ("hang", 3)]
    assert indices == list(range(8))
    saved = (tmp_path / "stuck-3-3.txt").read_text(encoding="utf-8")
    assert "_loop_in_python" in saved  # the traceback of where it was when SIGPROF came
    assert (tmp_path / "stuck-3-5.pickle").exists()


def test_a_fresh_workers_first_payload_is_watched_too(tmp_path: Path) -> None:
    # the old watchdog took a CPU mark of 0.0 (a new process's clock) for "idle": 6 would spin forever
    failures, indices = _run(tmp_path, {0: "spin", 6: "spin", 7: "crash"}, 12, blocked_s=30.0)
    assert failures == [("crash", 7), ("hang", 0), ("hang", 6)]
    assert indices == list(range(12))


def test_a_payload_blocked_without_cpu_is_a_hang_but_waiting_a_while_is_not(tmp_path: Path) -> None:
    failures, indices = _run(tmp_path, {1: "wait", 4: "block", 8: "wait"}, 12, blocked_s=1.5)
    assert failures == [("hang", 4)]
    assert indices == list(range(12))


def test_a_payload_slow_but_working_is_never_called_blocked(tmp_path: Path) -> None:
    # the old backstop counted wall time from the payload's start: a starved worker looked blocked
    limits = {"chunk": 2, "blocked_s": 1.0, "hang_s": 60, "kill_s": 30}
    failures, indices = _run(tmp_path, {0: "busy", 2: "busy"}, 4, **limits)
    assert failures == []
    assert indices == list(range(4))


def test_a_worker_that_dies_is_a_crash_of_the_payload_it_was_on_and_the_rest_run(tmp_path: Path) -> None:
    failures, indices = _run(tmp_path, {3: "die", 10: "die"}, 12, blocked_s=30.0)
    assert failures == [("crash", 3), ("crash", 10)]
    assert indices == list(range(12))


def test_a_progress_read_is_one_payloads_fields_never_two() -> None:
    import multiprocessing as mp

    progress = Progress(mp.get_context("fork"))
    assert progress.read() == (0, -1, 0, 0.0)  # idle, on no payload
    progress.set(41, 2)
    seq, index, phase, mark = progress.read() or (0, 0, 0, 0.0)
    assert (seq, index, phase) == (2, 41, 2)
    assert mark >= 0.0
    progress._cells[0] += 1  # as if the worker were stopped halfway through writing
    assert progress.read() is None


@pytest.mark.parametrize("big", [False, True])
def test_a_big_payload_gets_the_full_budget_and_a_small_one_a_tenth(big: bool) -> None:
    from harness import budget

    assert budget(Payload(0, set(), big=big), 20.0) == (20.0 if big else 2.0)
