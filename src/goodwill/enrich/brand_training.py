"""Train brand heads from a team's corrections (``goodwill train --from-corrections``).

Corrections come from the desk (the ``corrections`` table, plus the judgements
of cases a person answered without correcting them, which confirm the shipped
judgement: see :func:`goodwill.desk.labels.iter_training_labels`) or from a
JSON Lines file, one label per line::

    {"text": "this deck is sick", "field": "sentiment", "label": "positive", "brand": "Acme"}

``goodwill corrections export`` writes exactly this shape (with more keys,
which are ignored), so an export can be edited and fed back. A label may agree
with the shipped judgement: confirmations are evidence too, and a head trained
on mistakes alone would learn that the shipped model is always wrong.

For each (brand, field) the shipped pipeline judges the texts once (without
any brand head), and a multinomial logistic regression is fitted with the
shipped logits as a fixed offset and L2 towards zero on everything it adds
(see :mod:`goodwill.enrich.brand_heads`). Deterministic: the same labels write
the same head.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize

from goodwill.config import WorkspaceConfig
from goodwill.enrich.brand_heads import (
    FIELDS,
    BrandHead,
    BrandHeads,
    base_logits_intent,
    base_logits_sentiment,
    base_logits_welcome,
    brand_slug,
)
from goodwill.enrich.intent import INTENT_LABELS
from goodwill.enrich.receptivity import WELCOME_THRESHOLD
from goodwill.enrich.sentiment import CLASSES, SentimentFeaturizer, shared_model
from goodwill.errors import InputError
from goodwill.models import Post

__all__ = [
    "MIN_LABELS",
    "Label",
    "TrainedHead",
    "classes_of",
    "fit_head",
    "read_labels_file",
    "shipped_base",
    "train_brand_heads",
]

#: Fewest labels a head is trained from, per (brand, field): fewer would move judgements on noise.
MIN_LABELS = 30
#: Fewest labels per class seen, and classes seen: a head learns a difference between classes.
MIN_CLASSES = 2
#: L2 strength on the word weights (per label, as in sklearn's 1/C), chosen on the benchmark's
#: training part only (bench/bench_corrections.py); the offset keeps the shipped judgement as prior.
L2_WORDS = 1.0
#: L2 on the bias and the base-logit mixing: class frequencies move only with clear evidence.
L2_BASE = 1.0


@dataclass(frozen=True)
class Label:
    """One corrected (or confirmed) judgement of one text."""

    text: str
    field: str
    label: str
    brand: str | None


@dataclass(frozen=True)
class TrainedHead:
    head: BrandHead
    labels: int
    shipped_agreement: float  # share of the labels the shipped judgement already had right
    head_agreement: float  # the same, for the trained head (in sample)


def classes_of(field: str) -> tuple[str, ...]:
    if field == "sentiment":
        return CLASSES
    if field == "intent":
        return tuple(INTENT_LABELS)
    return ("false", "true")


def _normal_label(field: str, value: Any) -> str | None:
    if field == "welcome":
        if value in (True, "true", "True", 1):
            return "true"
        if value in (False, "false", "False", 0):
            return "false"
        return None
    text = str(value) if isinstance(value, str) else None
    return text if text in classes_of(field) else None


def parse_label(record: Any, where: str, brand: str | None = None) -> Label | None:
    """One label from a record (a file line or a desk export row); None for a field no head learns."""
    if not isinstance(record, dict):
        raise InputError(f"{where}: expected a JSON object with text, field and label.")
    field = record.get("field")
    if field not in FIELDS:
        if isinstance(field, str):
            return None
        raise InputError(f"{where}: 'field' must be one of {', '.join(FIELDS)}.")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        return None  # a deleted post's correction: nothing to learn from
    raw = record.get("label", record.get("new_value"))
    label = _normal_label(field, raw)
    if label is None:
        raise InputError(f"{where}: {field} cannot be {raw!r}; use one of {', '.join(classes_of(field))}.")
    named = record.get("brand")
    return Label(
        text=text, field=field, label=label, brand=named if isinstance(named, str) and named else brand
    )


def read_labels_file(path: Path) -> list[Label]:
    """Labels from a JSON Lines file; a bad line is an :class:`InputError` naming the line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}; check the path.") from None
    except UnicodeDecodeError:
        raise InputError(f"{path} is not UTF-8 text; save it as UTF-8 JSON Lines.") from None
    out: list[Label] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{number}: not JSON ({exc.msg}).") from None
        label = parse_label(record, f"{path}:{number}")
        if label is not None:
            out.append(label)
    return out


def shipped_base(
    field: str, texts: Sequence[str], config: WorkspaceConfig, brand: str
) -> NDArray[np.float64]:
    """The shipped judgement of ``texts`` as base logits, judged as posts about ``brand``.

    Runs the shipped pipeline without brand heads, so a head always adjusts the
    shipped model and never another head.
    """
    if field == "sentiment":
        return base_logits_sentiment(shared_model().probabilities(list(texts)))
    from goodwill.enrich.registry import default_pipeline
    from goodwill.enrich.stage import StageContext

    if not any(b.name == brand for b in config.brands):
        config = config.model_copy(
            update={"brands": [*config.brands, *WorkspaceConfig.from_names([brand], []).brands]}
        )
    pipeline = default_pipeline(StageContext(config=config, mode="fast"))
    judged = pipeline.run([Post(native_id=str(i), text=t) for i, t in enumerate(texts)])
    if field == "intent":
        intents = [j["intent"] for j in judged]
        return np.asarray(
            base_logits_intent(
                [i["label"] for i in intents], [i["scores"] for i in intents], classes_of("intent")
            )
        )
    threshold = config.thresholds.welcome or WELCOME_THRESHOLD
    recs = [j["receptivity"] for j in judged]
    return np.asarray(
        base_logits_welcome([r["score"] for r in recs], [r["welcome"] for r in recs], threshold)
    )


def fit_head(
    brand: str,
    field: str,
    texts: Sequence[str],
    labels: Sequence[str],
    base: NDArray[np.float64],
    *,
    l2_words: float = L2_WORDS,
    l2_base: float = L2_BASE,
    balanced: bool = True,
) -> BrandHead:
    """Fit ``base + X V + base B + b`` to ``labels`` by L-BFGS; deterministic (no random start)."""
    classes = classes_of(field)
    k = len(classes)
    y = np.array([classes.index(label) for label in labels], dtype=np.int64)
    featurizer = SentimentFeaturizer(n_features=shared_model().featurizer.n_features)
    full = featurizer.transform(list(texts))
    used = np.unique(full.indices).astype(np.int64)
    x = full[:, used].tocsr()
    n, d = len(y), len(used)
    onehot = np.zeros((n, k))
    onehot[np.arange(n), y] = 1.0
    # Class-balanced, like the shipped sentiment model: a rare class the team uses (neutral, say)
    # must not be learnt away because most corrections are of another.
    counts = np.bincount(y, minlength=k).astype(np.float64)
    weight = (n / (np.count_nonzero(counts) * counts[y]))[:, None] if balanced else np.ones((n, 1))

    def unpack(theta: NDArray[np.float64]) -> tuple[Any, Any, Any]:
        v = theta[: d * k].reshape(d, k)
        b_mix = theta[d * k : d * k + k * k].reshape(k, k)
        return v, b_mix, theta[d * k + k * k :]

    def loss(theta: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
        v, b_mix, bias = unpack(theta)
        z = base + np.asarray(x @ v) + base @ b_mix + bias
        z -= z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        p = np.exp(logp)
        nll = -float((weight * onehot * logp).sum()) / n
        g = weight * (p - onehot) / n
        reg = 0.5 * (l2_words * float((v**2).sum()) + l2_base * float((b_mix**2).sum() + (bias**2).sum())) / n
        grad_v = np.asarray(x.T @ g) + l2_words * v / n
        grad_b = base.T @ g + l2_base * b_mix / n
        grad_bias = g.sum(axis=0) + l2_base * bias / n
        return nll + reg, np.concatenate([grad_v.ravel(), grad_b.ravel(), grad_bias])

    start = np.zeros(d * k + k * k + k)
    best = minimize(loss, start, jac=True, method="L-BFGS-B", options={"maxiter": 500})
    v, b_mix, bias = unpack(best.x)
    keep = np.flatnonzero(np.abs(v).max(axis=1) > 1e-6)
    return BrandHead(
        brand=brand,
        field=field,
        classes=classes,
        columns=used[keep],
        values=v[keep],
        base_weights=b_mix,
        bias=bias,
        metadata={
            "l2_words": l2_words,
            "l2_base": l2_base,
            "class_weight": "balanced" if balanced else None,
            "n_features": featurizer.n_features,
        },
    )


def _check_counts(brand: str, field: str, labels: Sequence[Label]) -> None:
    counts = Counter(label.label for label in labels)
    if len(labels) < MIN_LABELS:
        raise InputError(
            f"{brand} has {len(labels)} {field} correction(s); a brand head needs at least {MIN_LABELS} "
            f"({MIN_LABELS - len(labels)} more). Correct more posts on the desk, or add labels to the file."
        )
    if len(counts) < MIN_CLASSES:
        only = next(iter(counts))
        raise InputError(
            f"every {field} label for {brand} is {only!r}; a brand head needs labels of at least "
            f"{MIN_CLASSES} different values (confirm some posts the model judged right, too)."
        )


def _digest(labels: Sequence[Label]) -> str:
    h = hashlib.sha256()
    for label in labels:
        h.update(json.dumps([label.text, label.field, label.label], ensure_ascii=False).encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()


def train_brand_heads(
    labels: Iterable[Label],
    folder: Path,
    config: WorkspaceConfig,
    *,
    brand: str | None = None,
    source: str = "file",
    now: dt.datetime | None = None,
) -> list[TrainedHead]:
    """Train (and write to ``folder``) one head per (brand, field) with enough labels.

    ``brand`` names the brand of labels that name none, and limits training to
    that brand. A (brand, field) with too few labels raises :class:`InputError`
    saying how many are needed, before anything is written.
    """
    groups: dict[tuple[str, str], list[Label]] = {}
    unbranded = 0
    for label in labels:
        owner = label.brand or brand
        if owner is None:
            unbranded += 1
            continue
        if brand is not None and brand_slug(owner) != brand_slug(brand):
            continue
        groups.setdefault((owner, label.field), []).append(label)
    if unbranded and brand is None:
        raise InputError(
            f"{unbranded} correction(s) name no brand; pass --brand to say whose they are "
            '(or add "brand" to each line).'
        )
    if not groups:
        whose = f" for {brand}" if brand else ""
        raise InputError(
            f"no corrections{whose} to learn from; a brand head needs at least {MIN_LABELS} labels of "
            f"one field ({', '.join(FIELDS)})."
        )
    for (owner, field), group in sorted(groups.items()):
        _check_counts(owner, field, group)
    existing = BrandHeads(folder)
    stamp = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    trained: list[TrainedHead] = []
    for (owner, field), group in sorted(groups.items()):
        texts = [g.text for g in group]
        gold = [g.label for g in group]
        base = shipped_base(field, texts, config, owner)
        head = fit_head(owner, field, texts, gold, base)
        previous = existing.get(owner, field)
        classes = head.classes
        y = np.array([classes.index(g) for g in gold])
        shipped_ok = float((base.argmax(axis=1) == y).mean())
        features = SentimentFeaturizer(n_features=head.metadata["n_features"]).transform(texts)
        head_ok = float((head.logits(features, base).argmax(axis=1) == y).mean())
        head.metadata.update(
            {
                "version": (previous.version + 1) if previous is not None else 1,
                "slug": brand_slug(owner),
                "trained_at": stamp.isoformat(),
                "source": source,
                "labels": len(group),
                "label_counts": dict(sorted(Counter(gold).items())),
                "labels_sha256": _digest(group),
                "shipped_agreement_in_sample": round(shipped_ok, 4),
                "head_agreement_in_sample": round(head_ok, 4),
                "base": "goodwill fast mode, shipped models",
            }
        )
        head.save(folder)
        trained.append(
            TrainedHead(head=head, labels=len(group), shipped_agreement=shipped_ok, head_agreement=head_ok)
        )
    return trained
