"""Linear heads over the sentiment featurizer: irony, emotion and offensive language.

Why heads and not separate models: every judgement here is read from the same
cues (words, word pairs, emoji, negation, VADER valence), so each head is one
weight matrix over :class:`~goodwill.enrich.sentiment.SentimentFeaturizer`'s
features, which are computed once per batch and shared (see
``SentimentFeaturizer.features``). A head may also read the sentiment model's
log-probabilities as three extra columns ("stacking"): irony is often a
positive surface over a negative situation, and emotion follows polarity.

Each head ships as plain numpy arrays plus JSON metadata (classes, training
data hashes, validation scores, calibration, decision threshold), written by
``train/heads.py``; nothing is pickled and nothing is downloaded.

Calibration is a per-class affine map of the logits fitted on the validation
split (``z / T + offset``: temperature scaling for several classes, Platt
scaling for two), so a probability of 0.8 means right about 80 % of the time
on data like TweetEval.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from goodwill.enrich.sentiment import (
    ARTIFACT_DIR,
    ARTIFACT_PACKAGE,
    SentimentFeaturizer,
    SentimentModel,
    hashed_dot,
    shared_model,
    tokenise,
)
from goodwill.errors import ModelError

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ["HEADS", "STACKED_COLUMNS", "LinearHead", "load_head", "read_head", "softmax"]

#: The heads goodwill ships, by artifact name.
HEADS: tuple[str, ...] = ("irony", "emotion", "offensive")
#: Names of the stacked sentiment columns, appended after the featurizer's columns.
STACKED_COLUMNS: tuple[str, ...] = (
    "sentiment_logp_negative",
    "sentiment_logp_neutral",
    "sentiment_logp_positive",
)


def softmax(logits: NDArray[np.float64]) -> NDArray[np.float64]:
    """Row-wise softmax, in place on a copy."""
    out: NDArray[np.float64] = logits - logits.max(axis=1, keepdims=True)
    np.exp(out, out=out)
    out /= out.sum(axis=1, keepdims=True)
    return out


def weights_file(name: str) -> str:
    return f"{name}_weights.npz"


def metadata_file(name: str) -> str:
    return f"{name}_metadata.json"


@dataclass
class LinearHead:
    """One linear classifier over the shared features, with its calibration and threshold."""

    name: str
    classes: tuple[str, ...]
    featurizer: SentimentFeaturizer
    weights: NDArray[np.float32]  # (featurizer.width [+ 3 when stacked], n_classes)
    bias: NDArray[np.float32]  # (n_classes,)
    metadata: dict[str, Any]
    sentiment: SentimentModel | None = None  # set when the head reads sentiment log-probabilities

    @property
    def temperature(self) -> float:
        return float(self.metadata.get("calibration", {}).get("temperature", 1.0))

    @property
    def offset(self) -> NDArray[np.float64]:
        raw = self.metadata.get("calibration", {}).get("offset")
        return np.zeros(len(self.classes)) if raw is None else np.asarray(raw, dtype=np.float64)

    @property
    def threshold(self) -> float | None:
        """The task-optimal threshold on the positive class's calibrated probability (two classes).

        Chosen out of fold on the training split for the task's metric; it is
        the cut behind the validation figure in docs/models.md.
        """
        value = self.metadata.get("threshold")
        return float(value) if value is not None else None

    @property
    def pipeline_threshold(self) -> float | None:
        """The cut the enrichment stages use by default (stricter where the task's base rate is high)."""
        value = self.metadata.get("pipeline_threshold")
        return float(value) if value is not None else self.threshold

    def logits(self, texts: Sequence[str]) -> NDArray[np.float64]:
        """Raw (uncalibrated) logits, shape (len(texts), n_classes)."""
        if not texts:
            return np.zeros((0, len(self.classes)))
        nf = self.featurizer.n_features
        width = self.featurizer.width
        hashed, lexicon = self.featurizer.features(texts)
        out = hashed_dot(hashed, self.weights[:nf])
        out += lexicon @ self.weights[nf:width] + self.bias
        if self.sentiment is not None:
            raw = self.sentiment.probabilities(texts, calibrated=False)
            out += np.log(np.maximum(raw, 1e-9)) @ self.weights[width:]
        return out

    def probabilities(self, texts: Sequence[str], *, calibrated: bool = True) -> NDArray[np.float64]:
        """Class probabilities in :attr:`classes` order; calibrated unless asked otherwise."""
        z = self.logits(texts)
        if calibrated and len(z):
            z = z / self.temperature + self.offset
        return softmax(z) if len(z) else z

    def explain(self, text: str, label: str | None = None, top: int = 5) -> list[tuple[str, float]]:
        """The word features of ``text`` that push hardest towards ``label`` (+) or away from it (-).

        ``label`` defaults to the head's judgement for the text. Weights are
        read against the mean of the other classes, so for two classes it is
        simply the evidence for one over the other.
        """
        if label is None:
            label = self.classes[int(self.probabilities([text])[0].argmax())]
        k = self.classes.index(label)
        others = [i for i in range(len(self.classes)) if i != k]
        towards = self.weights[:, k] - self.weights[:, others].mean(axis=1)
        batch = self.featurizer._batch([text], with_names=True)
        contrib: dict[str, float] = {}
        for name, col in zip(batch.names or [], batch.columns.tolist(), strict=True):
            contrib[name] = float(towards[col])
        ranked = sorted(contrib.items(), key=lambda kv: abs(kv[1]), reverse=True)
        return [(g, round(w, 3)) for g, w in ranked[:top] if w != 0.0]

    def top_words(self, text: str, label: str, top: int = 3) -> list[str]:
        """The plain words of ``text`` that weigh most towards ``label``: a cheap citation for reasons.

        Unigrams only, read straight from the hashed weights (no negation
        marks, no pairs), so it costs a tokenisation and a few look-ups
        instead of :meth:`explain`'s full featurisation of one post.
        """
        k = self.classes.index(label)
        others = [i for i in range(len(self.classes)) if i != k]
        mask = self.featurizer.n_features - 1
        scored: dict[str, float] = {}
        for word in tokenise(text):
            if word not in scored and word[0].isalnum():
                row = self.weights[zlib.crc32(word.encode("utf-8", "surrogatepass")) & mask]
                scored[word] = float(row[k] - row[others].mean())
        ranked = sorted((w for w in scored if scored[w] > 0), key=scored.__getitem__, reverse=True)
        return ranked[:top]


def load_head(name: str, package: str = ARTIFACT_PACKAGE) -> LinearHead:
    """Read one head shipped inside the package."""
    return read_head(resources.files(package).joinpath(ARTIFACT_DIR), name)


def read_head(folder: Traversable | Path, name: str, sentiment: SentimentModel | None = None) -> LinearHead:
    """Read a head's weights and metadata from ``folder``; raise :class:`ModelError` with a fix if absent.

    ``sentiment`` is the model whose log-probabilities a stacked head reads
    (default: the shipped sentiment model).
    """
    try:
        metadata = json.loads(folder.joinpath(metadata_file(name)).read_text(encoding="utf-8"))
        with folder.joinpath(weights_file(name)).open("rb") as fh, np.load(fh) as npz:
            columns = npz["columns"].astype(np.int64)
            values = npz["values"].astype(np.float32)
            bias = npz["bias"].astype(np.float32)
    except (OSError, KeyError, ValueError) as exc:
        raise ModelError(
            f"the {name} model in {folder} is missing or unreadable ({exc}); reinstall goodwill, or retrain "
            f"it with `python train/heads.py --task {name} --data ../shared/datasets/tweeteval "
            "--out src/goodwill/enrich/artifacts/`."
        ) from exc
    classes = tuple(str(c) for c in metadata.get("classes", []))
    featurizer = SentimentFeaturizer(n_features=int(metadata["hashing"]["n_features"]))
    stacked = bool(metadata.get("stacked_sentiment", False))
    width = featurizer.width + (len(STACKED_COLUMNS) if stacked else 0)
    if len(classes) < 2 or values.shape[1] not in (1, len(classes)):
        raise ModelError(f"the {name} model's classes {classes} do not fit its weights {values.shape}.")
    dense = np.zeros((width, values.shape[1]), dtype=np.float32)
    dense[columns] = values
    if values.shape[1] == 1:  # a binary model stores the positive class's logit only
        dense = np.hstack([np.zeros_like(dense), dense])
        bias = np.concatenate([np.zeros(1, dtype=np.float32), bias[-1:]])
    if stacked and sentiment is None:
        sentiment = shared_model()
    return LinearHead(
        name=name,
        classes=classes,
        featurizer=featurizer,
        weights=dense,
        bias=bias,
        metadata=metadata,
        sentiment=sentiment if stacked else None,
    )


@lru_cache(maxsize=len(HEADS))
def shared_head(name: str) -> LinearHead:
    """One loaded copy of each shipped head per process."""
    return load_head(name)
