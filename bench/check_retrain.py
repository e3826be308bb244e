"""Retrain every shipped head from ../shared and compare with the shipped artifacts.

    python bench/check_retrain.py [--data ../shared/datasets/tweeteval] [--task irony ...]

What "reproducible" means here: with the same data files (their sha256 must
match the metadata) and the same script, retraining writes the same weights
byte for byte and the same validation scores. The check prints, per head, the
shipped and retrained scores and whether the weights are identical, and exits
non-zero when a score moves by more than 0.002 (noise from a different
BLAS would show up as tiny weight changes, not as a score change).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "src" / "goodwill" / "enrich" / "artifacts"
#: ../shared beside the repository (as in CI), or GOODWILL_SHARED where it lives elsewhere.
DEFAULT_DATA = Path(os.environ.get("GOODWILL_SHARED", REPO.parent / "shared")) / "datasets" / "tweeteval"
TOLERANCE = 0.002


def load_trainer() -> Any:
    spec = importlib.util.spec_from_file_location("train_heads", REPO / "train" / "heads.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["train_heads"] = module
    spec.loader.exec_module(module)
    return module


def check(trainer: Any, task: str, data: Path) -> bool:
    shipped = json.loads((ARTIFACTS / f"{task}_metadata.json").read_text(encoding="utf-8"))
    for name, digest in shipped["training_data"]["sha256"].items():
        if hashlib.sha256((data / name).read_bytes()).hexdigest() != digest:
            print(f"{task}: {name} differs from the file the shipped model was trained on; cannot compare.")
            return False
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        for f in ARTIFACTS.glob("sentiment_*"):
            (out / f.name).write_bytes(f.read_bytes())
        folds = shipped["training"]["threshold_folds"] or 3
        metadata, arrays = trainer.train(task, data, folds)
        trainer.write(out, task, metadata, arrays)
        metadata.update(trainer.evaluate(task, data, out))
        with np.load(ARTIFACTS / f"{task}_weights.npz") as npz:
            same = all(np.array_equal(npz[k], arrays[k]) for k in ("columns", "values", "bias"))
    ok = True
    for key, value in shipped["scores"].items():
        again = metadata["scores"].get(key)
        moved = isinstance(value, float) and (again is None or abs(float(again) - value) > TOLERANCE)
        ok &= not moved
        print(
            f"  {task:<10}{key:<44}shipped {value!s:>8}  retrained {again!s:>8}{'  MOVED' if moved else ''}"
        )
    print(f"  {task:<10}weights byte-identical: {same}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the tweeteval folder")
    parser.add_argument("--task", action="append", help="repeatable; default: every shipped head")
    args = parser.parse_args()
    trainer = load_trainer()
    tasks = args.task or sorted(trainer.TASKS)
    if not (args.data / tasks[0] / "train_text.txt").is_file():
        print(
            f"no {tasks[0]}/train_text.txt under {args.data}; pass --data pointing at the tweeteval folder."
        )
        return 1
    print("retraining the shipped heads and comparing (validation scores):")
    results = [check(trainer, task, args.data) for task in tasks]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
