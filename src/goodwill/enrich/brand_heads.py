"""Brand heads: a team's corrections, learnt as a small adjustment on top of the shipped judgements.

Why an adjustment and not a new model: a brand has tens or hundreds of
corrections, not the tens of thousands of tweets the shipped models learnt
from. So the shipped judgement stays the starting point (its log-probabilities
are an *offset*: a head with all weights zero judges exactly like the shipped
model) and the head learns, from the corrections only, how this brand's posts
differ: words the team reads differently ("sick" praises a skate shop), a class
the team uses more or less often. Weights are L2-regularised towards zero, so a
few corrections move only what they are evidence for.

One head per (brand, field), for the fields the desk lets an agent correct:
``sentiment`` (negative / neutral / positive), ``intent`` (the ten intent
labels) and ``welcome`` (false / true). Features are the shipped sentiment
featurizer's hashed word 1-2 grams and lexicon sums (computed once per batch and
shared with every other model) plus the shipped judgement's own base logits.

Heads live in the workspace, ``<workspace>/heads/<brand>/<field>.npz`` and
``.json``, never in the package; ``goodwill train --from-corrections`` writes
them (see :mod:`goodwill.enrich.brand_training`), and the ``sentiment``,
``intent`` and ``receptivity`` stages apply them to the posts of that brand and
say so in their output (``"head": {"brand": ..., "version": N}``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from goodwill.errors import ModelError

if TYPE_CHECKING:
    from numpy.typing import NDArray
    from scipy.sparse import csr_matrix

__all__ = [
    "FIELDS",
    "HEADS_DIRNAME",
    "BrandHead",
    "BrandHeads",
    "base_logits_intent",
    "base_logits_sentiment",
    "base_logits_welcome",
    "brand_slug",
    "post_brand",
]

#: The folder, inside the workspace, that holds the brand heads.
HEADS_DIRNAME = "heads"
#: What a brand head can adjust: the judgements an agent can correct on the desk.
FIELDS: tuple[str, ...] = ("sentiment", "intent", "welcome")
#: How far the shipped intent label leads the others in the base logits: the intent stage picks
#: its label by cue scores *and* precedence rules, so the label itself is the prior, not the
#: scores' argmax.
INTENT_MARGIN = 3.0
_CLIP = 1e-4


def brand_slug(brand: str) -> str:
    """A brand's folder name: lower case, runs of anything but letters and digits become ``-``."""
    slug = re.sub(r"[^\w]+", "-", brand.casefold(), flags=re.UNICODE).strip("-_")
    if not slug:
        raise ModelError(
            f"the brand name {brand!r} has no letters or digits; name the brand in goodwill.toml."
        )
    return slug


def post_brand(known: Mapping[str, Any]) -> str | None:
    """The brand a post belongs to: the first of *our* brands the ``mentions`` stage found, if any."""
    found = known.get("brands")
    if not isinstance(found, list):
        return None
    for entry in found:
        if isinstance(entry, Mapping) and entry.get("role") == "brand" and isinstance(entry.get("name"), str):
            return str(entry["name"])
    return None


def base_logits_sentiment(probs: NDArray[np.float64]) -> NDArray[np.float64]:
    """The shipped sentiment probabilities as logits (log-probabilities)."""
    out: NDArray[np.float64] = np.log(np.clip(probs, _CLIP, 1.0))
    return out


def base_logits_intent(
    labels: Sequence[str], scores: Sequence[Mapping[str, Any]], classes: Sequence[str]
) -> Any:
    """The shipped intent as logits: the chosen label ``INTENT_MARGIN`` ahead, then each label's cue score."""
    out = np.zeros((len(labels), len(classes)))
    index = {c: i for i, c in enumerate(classes)}
    for row, (label, row_scores) in enumerate(zip(labels, scores, strict=True)):
        for name, value in row_scores.items():
            if name in index and isinstance(value, int | float):
                out[row, index[name]] = float(value)
        if label in index:
            out[row, index[label]] += INTENT_MARGIN
    return out


def base_logits_welcome(scores: Sequence[float], welcome: Sequence[bool], threshold: float) -> Any:
    """The shipped welcome decision as two logits (false, true): the score's log-odds against the cut.

    A post the shipped stage calls welcome has a non-negative margin, one it does not a negative
    margin (also when its score clears the cut but it has no reason for a reply).
    """
    cut = np.log(threshold / (1 - threshold))
    out = np.zeros((len(scores), 2))
    for row, (score, yes) in enumerate(zip(scores, welcome, strict=True)):
        p = min(max(float(score), 0.02), 0.98)
        margin = np.log(p / (1 - p)) - cut
        out[row, 1] = abs(margin) if yes else -max(abs(margin), 0.1)
    return out


@dataclass
class BrandHead:
    """One brand's adjustment of one judgement: ``base + words @ V + base @ B + b``."""

    brand: str
    field: str
    classes: tuple[str, ...]
    columns: NDArray[np.int64]  # featurizer columns the corrections used
    values: NDArray[np.float64]  # (len(columns), n_classes)
    base_weights: NDArray[np.float64]  # (n_classes, n_classes)
    bias: NDArray[np.float64]  # (n_classes,)
    metadata: dict[str, Any]

    @property
    def version(self) -> int:
        return int(self.metadata.get("version", 1))

    @property
    def tag(self) -> dict[str, Any]:
        """What a judgement made with this head says about it."""
        return {"brand": self.brand, "version": self.version}

    def logits(self, features: csr_matrix, base: NDArray[np.float64]) -> NDArray[np.float64]:
        """Adjusted logits for rows of the shared feature matrix (hashed block then lexicon block)."""
        out: NDArray[np.float64] = base + base @ self.base_weights + self.bias
        if len(self.columns):
            out += np.asarray(features[:, self.columns] @ self.values)
        return out

    def probabilities(self, features: csr_matrix, base: NDArray[np.float64]) -> NDArray[np.float64]:
        z = self.logits(features, base)
        z -= z.max(axis=1, keepdims=True)
        np.exp(z, out=z)
        z /= z.sum(axis=1, keepdims=True)
        return z

    def save(self, folder: Path) -> None:
        """Write ``<folder>/<brand slug>/<field>.npz`` and ``.json``."""
        target = folder / brand_slug(self.brand)
        target.mkdir(parents=True, exist_ok=True)
        with (target / f"{self.field}.npz").open("wb") as fh:
            np.savez_compressed(
                fh,
                columns=self.columns.astype(np.int64),
                values=self.values.astype(np.float32),
                base_weights=self.base_weights.astype(np.float32),
                bias=self.bias.astype(np.float32),
            )
        meta = dict(self.metadata, brand=self.brand, field=self.field, classes=list(self.classes))
        (target / f"{self.field}.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", "utf-8")


def read_head(folder: Path, brand_dir: str, field: str) -> BrandHead:
    """Read one head; a damaged file is a :class:`ModelError` naming the file and the fix."""
    base = folder / brand_dir / field
    try:
        metadata = json.loads(base.with_suffix(".json").read_text(encoding="utf-8"))
        with base.with_suffix(".npz").open("rb") as fh, np.load(fh) as npz:
            arrays = {k: npz[k] for k in ("columns", "values", "base_weights", "bias")}
        classes = tuple(str(c) for c in metadata["classes"])
        brand = str(metadata["brand"])
    except (OSError, KeyError, ValueError, TypeError) as exc:
        raise ModelError(
            f"the brand head {base}.npz/.json is missing or unreadable ({exc}); retrain it with "
            "`goodwill train --from-corrections`, or delete the folder to use the shipped model."
        ) from exc
    k = len(classes)
    if arrays["values"].shape[1:] not in ((k,), ()) or arrays["base_weights"].shape != (k, k):
        raise ModelError(f"the brand head {base}.npz does not fit its {k} classes; retrain it.")
    return BrandHead(
        brand=brand,
        field=field,
        classes=classes,
        columns=arrays["columns"].astype(np.int64),
        values=arrays["values"].astype(np.float64).reshape(len(arrays["columns"]), k),
        base_weights=arrays["base_weights"].astype(np.float64),
        bias=arrays["bias"].astype(np.float64),
        metadata=metadata,
    )


class BrandHeads:
    """The heads of a workspace, found by brand; read on first use and left out of pickles.

    Holds only the folder until asked, so a stage built with it stays cheap to
    build and to ship to a worker (which reads the same folder).
    """

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._loaded: dict[str, dict[str, BrandHead]] | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {"folder": self.folder, "_loaded": None}

    def _all(self) -> dict[str, dict[str, BrandHead]]:
        if self._loaded is None:
            loaded: dict[str, dict[str, BrandHead]] = {}
            if self.folder is not None and self.folder.is_dir():
                for brand_dir in sorted(p for p in self.folder.iterdir() if p.is_dir()):
                    for field in FIELDS:
                        if (brand_dir / f"{field}.json").is_file():
                            loaded.setdefault(field, {})[brand_dir.name] = read_head(
                                self.folder, brand_dir.name, field
                            )
            self._loaded = loaded
        return self._loaded

    def any(self, field: str) -> bool:
        return bool(self._all().get(field))

    def get(self, brand: str | None, field: str) -> BrandHead | None:
        """The head for ``brand``'s ``field``, or None (no brand, or no head: the shipped model judges)."""
        if brand is None:
            return None
        by_brand = self._all().get(field)
        if not by_brand:
            return None
        try:
            return by_brand.get(brand_slug(brand))
        except ModelError:
            return None

    def heads(self) -> list[BrandHead]:
        return [h for by_brand in self._all().values() for h in by_brand.values()]


def rows_by_head(
    heads: BrandHeads, field: str, enrichment: Sequence[Mapping[str, Any]], idx: Sequence[int]
) -> dict[int, tuple[BrandHead, list[int]]]:
    """Group positions in ``idx`` by the head that judges them: ``{id(head): (head, [positions])}``."""
    groups: dict[int, tuple[BrandHead, list[int]]] = {}
    if not heads.any(field):
        return groups
    for pos, i in enumerate(idx):
        head = heads.get(post_brand(enrichment[i]) if i < len(enrichment) else None, field)
        if head is not None:
            groups.setdefault(id(head), (head, []))[1].append(pos)
    return groups


def _features(texts: Sequence[str], rows: Sequence[int]) -> csr_matrix:
    """The shared features of ``rows`` of a batch (hashed block then lexicon block).

    ``texts`` is the whole batch as the sentiment featurizer saw it, so this reads its memo.
    """
    from scipy.sparse import csr_matrix, hstack

    from goodwill.enrich.sentiment import shared_model

    hashed, lexicon = shared_model().featurizer.features(texts)
    picked = np.asarray(rows, dtype=np.int64)
    return csr_matrix(hstack([hashed[picked], csr_matrix(lexicon[picked])], format="csr"))


def _texts(posts: Sequence[Any]) -> tuple[list[int], list[str]]:
    idx = [i for i, p in enumerate(posts) if p.text is not None and p.text.strip()]
    return idx, [posts[i].text or "" for i in idx]


def adjust_sentiment(
    heads: BrandHeads,
    texts: Sequence[str],
    probs: NDArray[np.float64],
    enrichment: Sequence[Mapping[str, Any]],
    idx: Sequence[int],
) -> dict[int, dict[str, Any]]:
    """Replace, in place, the rows of ``probs`` whose post has a brand head; return ``{row: head tag}``."""
    tags: dict[int, dict[str, Any]] = {}
    for head, rows in rows_by_head(heads, "sentiment", enrichment, idx).values():
        probs[rows] = head.probabilities(_features(texts, rows), base_logits_sentiment(probs[rows]))
        tags.update((r, head.tag) for r in rows)
    return tags


def adjust_intents(
    heads: BrandHeads,
    posts: Sequence[Any],
    enrichment: Sequence[Mapping[str, Any]],
    out: list[dict[str, Any]],
) -> None:
    """Re-judge, in place, the ``intent`` of the posts whose brand has an intent head.

    The head's probability becomes the score of the label it picks (and of the
    shipped label it drops), so the stages that read intent scores see the change.
    """
    idx, texts = _texts(posts)
    for head, rows in rows_by_head(heads, "intent", enrichment, idx).values():
        judged = [out[idx[r]]["intent"] for r in rows]
        base = base_logits_intent([j["label"] for j in judged], [j["scores"] for j in judged], head.classes)
        probs = head.probabilities(_features(texts, rows), base)
        for r, j, row in zip(rows, judged, probs, strict=True):
            label = head.classes[int(row.argmax())]
            scores = dict(j["scores"])
            if label != j["label"]:
                scores[label] = max(float(scores.get(label, 0.0)), round(float(row.max()), 4))
                if j["label"] in head.classes:
                    dropped = round(float(row[head.classes.index(j["label"])]), 4)
                    scores[j["label"]] = min(float(scores.get(j["label"], 0.0)), dropped)
            out[idx[r]] = {"intent": dict(j, label=label, scores=scores, head=head.tag)}


#: Receptivity's hard rules: no head overrides them (spam, the brand's own posts, empty posts).
HARD_RULES: tuple[str, ...] = ("no text", "flagged as spam", "reads as spam", "posted by the brand itself")


def adjust_welcome(
    heads: BrandHeads, posts: Sequence[Any], out: list[dict[str, Any]], threshold: float
) -> None:
    """Re-decide, in place, ``receptivity.welcome`` for posts about a brand with a welcome head.

    The brand is the one receptivity judged for; a change is cited as a reason
    (or counter-reason) so an agent sees that the team's corrections decided it.
    """
    if not heads.any("welcome"):
        return
    idx, texts = _texts(posts)
    groups: dict[int, tuple[BrandHead, list[int]]] = {}
    for pos, i in enumerate(idx):
        judged = out[i]["receptivity"]
        counter = judged.get("counter_reasons") or []
        if counter and str(counter[0]).startswith(HARD_RULES) and not judged.get("reasons"):
            continue
        head = heads.get(judged.get("brand"), "welcome")
        if head is not None:
            groups.setdefault(id(head), (head, []))[1].append(pos)
    for head, rows in groups.values():
        judged = [out[idx[r]]["receptivity"] for r in rows]
        base = base_logits_welcome([j["score"] for j in judged], [j["welcome"] for j in judged], threshold)
        probs = head.probabilities(_features(texts, rows), base)[:, 1]
        for r, j, p in zip(rows, judged, probs.tolist(), strict=True):
            welcome = p >= 0.5
            reasons, counter = list(j["reasons"]), list(j["counter_reasons"])
            if welcome and not j["welcome"]:
                reasons.append(f"{head.brand}'s corrections: a reply is welcome ({p:.2f})")
            elif j["welcome"] and not welcome:
                counter.append(f"{head.brand}'s corrections: no reply ({1 - p:.2f})")
            out[idx[r]] = {
                "receptivity": dict(
                    j, welcome=welcome, reasons=reasons, counter_reasons=counter, head=head.tag
                )
            }
