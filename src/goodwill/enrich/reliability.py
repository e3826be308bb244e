"""Reliability tables and expected calibration error (ECE) for probabilistic judgements.

Why in the package and not only in the training scripts: the same table is
printed by ``train/heads.py`` for the shipped heads, by the benchmark, and by
whoever checks a model retrained on their own corrections, and they must all
compute it the same way.

The table bins predictions by confidence into equal-width bins and compares,
per bin, the mean confidence with how often the judgement was right. ECE is
the bin-size-weighted mean of ``|accuracy - confidence|``; 0 is perfect.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ["binary_reliability", "reliability"]


def _table(confidence: NDArray[np.float64], correct: NDArray[np.float64], bins: int) -> dict[str, Any]:
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.searchsorted(edges, confidence, side="right") - 1, 0, bins - 1)
    rows: list[dict[str, Any]] = []
    ece = 0.0
    n = len(confidence)
    for b in range(bins):
        mask = which == b
        count = int(mask.sum())
        if count == 0:
            continue
        conf = float(confidence[mask].mean())
        acc = float(correct[mask].mean())
        ece += count / n * abs(acc - conf)
        rows.append(
            {"bin": f"{edges[b]:.1f}-{edges[b + 1]:.1f}", "n": count, "confidence": round(conf, 4),
             "observed": round(acc, 4)}
        )  # fmt: skip
    return {"ece": round(ece, 4), "n": n, "bins": rows}


def reliability(probs: NDArray[np.float64], labels: NDArray[np.int64], bins: int = 10) -> dict[str, Any]:
    """Top-label reliability: confidence = the highest class probability, observed = accuracy."""
    if len(labels) == 0:
        return {"ece": 0.0, "n": 0, "bins": []}
    confidence = probs.max(axis=1).astype(np.float64)
    correct = (probs.argmax(axis=1) == labels).astype(np.float64)
    return _table(confidence, correct, bins)


def binary_reliability(
    scores: NDArray[np.float64], truth: NDArray[np.bool_], bins: int = 10
) -> dict[str, Any]:
    """Reliability of a yes/no score: per bin, mean score against the share that was truly yes."""
    if len(truth) == 0:
        return {"ece": 0.0, "n": 0, "bins": []}
    return _table(np.clip(scores.astype(np.float64), 0.0, 1.0), truth.astype(np.float64), bins)
