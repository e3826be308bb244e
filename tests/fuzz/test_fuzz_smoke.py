"""A few hundred seeded fuzz payloads per target in every test run, so a regression shows in CI.

The same payloads as ``make fuzz`` (harness.py and mutator.py), fewer of them, run in
this process: any exception other than goodwill's own typed errors, or a payload
past the time budget, fails the test and names the payload to replay. Each target
must also have been fed every kind of odd input the reliability promise names.
"""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest
from harness import Target, build_target, fuzz_target, run_one, targets
from mutator import KINDS, Payload, _deep

SEED = 20261201
#: payloads per target; enrich runs the whole pipeline per payload, rss's feedparser is slow on megabytes
COUNTS = {"enrich": 40, "source:rss": 80}
DEFAULT = 300
#: far above any payload's time here (a hang is minutes); only a stuck parser reaches it
BUDGET_S = 60.0


@pytest.mark.parametrize("name", targets())
def test_only_typed_rejects_come_out_and_every_kind_is_fed(name: str) -> None:
    target = build_target(name)
    kinds: Counter[str] = Counter()
    failures: list[str] = []
    outcomes: Counter[str] = Counter()
    for index in range(COUNTS.get(name, DEFAULT)):
        payload = target.make(SEED, index)
        outcome, _, detail = run_one(target, payload, BUDGET_S)
        outcomes[outcome] += 1
        kinds.update(payload.kinds)
        if outcome in ("crash", "hang"):
            replay = f"python tests/fuzz/harness.py --target {name} --seed {SEED} --index {index}"
            failures.append(f"{outcome} at {index} ({replay}):\n{detail}")
    assert failures == []
    assert outcomes["ok"] > 0
    if name != "enrich":  # enrich answers a bad line with an error object, not an exception
        assert outcomes["reject"] > 0, "no payload was refused: the mutations are too timid"
    missing = [kind for kind in KINDS if kinds[kind] == 0]
    assert missing == [], f"{name}: no payload of kind {missing}"


def test_a_payload_is_the_same_whenever_it_is_built() -> None:
    first, again = build_target("source:hackernews"), build_target("source:hackernews")
    for index in (0, 17, 4_242):
        a, b = first.make(SEED, index), again.make(SEED, index)
        assert (a.kinds, a.raw, a.endpoint) == (b.kinds, b.raw, b.endpoint)
        assert repr(a.document)[:5_000] == repr(b.document)[:5_000]


def _spins_on_three(payload: Payload) -> object:
    if payload.document == 3:
        while True:  # a parser gone quadratic, as far as the watchdog can tell
            pass
    if payload.document == 5:
        raise KeyError("not one of goodwill's errors")
    return None


def test_a_hang_and_a_crash_are_reported_with_their_payload_saved_and_the_run_goes_on(tmp_path: Path) -> None:
    target = Target(
        "spin", lambda seed, index: Payload(index, {"wrong_type"}, document=index), _spins_on_three
    )
    report = fuzz_target("spin", 8, seed=7, jobs=1, hang_s=0.3, out=tmp_path, target=target)
    assert report.payloads == 8  # the hang did not stall the run, nor lose the payloads after it
    assert sorted((f["kind"], f["index"]) for f in report.failures) == [("crash", 5), ("hang", 3)]
    saved = (tmp_path / "spin-7-3.txt").read_text(encoding="utf-8")
    assert "replay: python tests/fuzz/harness.py --target spin --seed 7 --index 3" in saved
    assert "_spins_on_three" in saved  # where it was stuck
    assert (tmp_path / "spin-7-5.pickle").exists()


def test_deep_values_have_one_child_per_level_so_walks_stay_linear() -> None:
    deep = _deep(random.Random(1), 3000, "x")
    seen: set[int] = set()
    stack = [deep]
    while stack:
        node = stack.pop()
        assert id(node) not in seen  # a shared child makes every walk exponential (the old stall)
        seen.add(id(node))
        stack.extend(node.values() if isinstance(node, dict) else node if isinstance(node, list) else [])
    assert len(seen) == 3001
