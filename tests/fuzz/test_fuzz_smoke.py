"""A few hundred seeded fuzz payloads per target in every test run, so a regression shows in CI.

The same payloads as ``make fuzz`` (harness.py and mutator.py), fewer of them, run in
this process: any exception other than goodwill's own typed errors, or a payload
past the time budget, fails the test and names the payload to replay. Each target
must also have been fed every kind of odd input the reliability promise names.
"""

from __future__ import annotations

from collections import Counter

import pytest
from harness import build_target, run_one, targets
from mutator import KINDS

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
