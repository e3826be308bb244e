"""train/heads.py on tiny made-up data: it runs end to end, is deterministic, and its pieces are right.

Full training is too slow for CI; this checks the code path that writes the
shipped artifacts, on a few dozen lines.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

import train_scripts
from goodwill.enrich.linear_head import read_head

IRONIC = [
    "oh great, another delay. love it",
    "fantastic, my phone died again. just perfect",
    "wonderful, stuck in traffic for hours. so fun",
    "yay another monday, best day ever",
    "love it when the wifi drops every five minutes",
    "perfect, the train is cancelled again. brilliant",
]
PLAIN = [
    "the meeting is at noon tomorrow",
    "we walked the dog in the park",
    "the library opens at nine",
    "she bought bread and milk",
    "the bus goes to the station",
    "rain is expected this afternoon",
]


@pytest.fixture(scope="module")
def heads() -> ModuleType:
    return train_scripts.load("heads")


def write_task(root: Path) -> Path:
    folder = root / "irony"
    folder.mkdir(parents=True)
    texts = (IRONIC + PLAIN) * 2
    labels = ([1] * len(IRONIC) + [0] * len(PLAIN)) * 2
    # Validation: the same texts with two labels flipped, so calibration has errors to fit.
    val_labels = [1 - y if i in (0, len(IRONIC)) else y for i, y in enumerate(labels)]
    for split, ys in (("train", labels), ("val", val_labels)):
        (folder / f"{split}_text.txt").write_text("\n".join(texts) + "\n", encoding="utf-8")
        (folder / f"{split}_labels.txt").write_text("\n".join(map(str, ys)) + "\n", encoding="utf-8")
    return root


def train_once(heads: ModuleType, data: Path, out: Path) -> dict[str, object]:
    metadata, arrays = heads.train("irony", data, 2)
    heads.write(out, "irony", metadata, arrays)
    metadata.update(heads.evaluate("irony", data, out))
    heads.write(out, "irony", metadata, arrays)
    return dict(json.loads((out / "irony_metadata.json").read_text(encoding="utf-8")))


def test_training_writes_a_head_that_loads_and_separates_the_classes(
    heads: ModuleType, tmp_path: Path
) -> None:
    data = write_task(tmp_path / "data")
    meta = train_once(heads, data, tmp_path / "a")
    assert meta["task"] == "irony" and meta["classes"] == ["non_irony", "irony"]
    assert meta["training_data"]["rows"] == 24  # type: ignore[index]
    assert meta["calibration"]["method"] == "platt"  # type: ignore[index]
    assert 0.0 < float(meta["threshold"]) < 1.0  # type: ignore[arg-type]
    head = read_head(tmp_path / "a", "irony")
    probs = head.probabilities(["oh great, another delay. love it", "the library opens at nine"])
    assert probs[0, 1] > probs[1, 1]
    assert 0.8 <= meta["scores"]["val_f1_positive"] < 1.0  # type: ignore[index]


def test_retraining_is_byte_identical(heads: ModuleType, tmp_path: Path) -> None:
    data = write_task(tmp_path / "data")
    train_once(heads, data, tmp_path / "a")
    train_once(heads, data, tmp_path / "b")
    with (
        np.load(tmp_path / "a" / "irony_weights.npz") as a,
        np.load(tmp_path / "b" / "irony_weights.npz") as b,
    ):
        for key in ("columns", "values", "bias"):
            assert np.array_equal(a[key], b[key])


def test_calibration_recovers_a_known_temperature(heads: ModuleType) -> None:
    rng = np.random.default_rng(0)
    true_logits = rng.normal(0, 2, size=(4000, 3))
    p = np.exp(true_logits) / np.exp(true_logits).sum(axis=1, keepdims=True)
    labels = np.array([rng.choice(3, p=row) for row in p])
    temperature, offset = heads.fit_calibration(true_logits * 3.0, labels)  # over-confident by 3x
    assert temperature == pytest.approx(3.0, rel=0.1)
    assert offset == [0.0, 0.0, 0.0]


def test_score_uses_the_task_metric(heads: ModuleType) -> None:
    gold = np.array([1, 1, 0, 0])
    pred = np.array([1, 0, 0, 0])
    assert heads.score(heads.TASKS["irony"], gold, pred) == pytest.approx(2 / 3)
    assert heads.score(heads.TASKS["offensive"], gold, pred) == pytest.approx((2 / 3 + 0.8) / 2)
