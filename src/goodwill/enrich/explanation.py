"""Why each model judgement came out as it did: the features of a post that weighed most.

Why a separate step and not part of every stage's output: naming features
needs a slower, per-post pass over the text (the batch featurizer does not keep
names), so explanations are computed only when asked for (``goodwill enrich
--explain``, the desk's "why?"), never for the whole stream by default.

Each entry says which class the weights point ``towards`` and lists the
post's features with their weights: positive pushes towards that class,
negative away from it. Features are words and word pairs as the model sees
them (lower-cased, ``neg_`` marking a word inside a negation, ``@user`` for a
handle, ``http`` for a link).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from goodwill.enrich.linear_head import HEADS, shared_head
from goodwill.enrich.sentiment import shared_model

__all__ = ["explain"]


def _features(pairs: list[tuple[str, float]]) -> list[dict[str, Any]]:
    return [{"feature": name, "weight": weight} for name, weight in pairs]


def explain(text: str, enrichment: Mapping[str, Any] | None = None, *, top: int = 5) -> dict[str, Any]:
    """``{judgement: {"towards": class, "features": [{"feature", "weight"}, ...]}}`` for one post.

    ``enrichment`` (optional) is the post's judged enrichment: each model's
    explanation then points towards the class that was judged (the emotion
    label, ``irony`` when flagged); without it, towards the model's own argmax.
    """
    known = enrichment or {}
    out: dict[str, Any] = {}
    if not text or not text.strip():
        return out
    out["sentiment"] = {"towards": "positive", "features": _features(shared_model().explain(text, top=top))}
    for name in HEADS:
        head = shared_head(name)
        judged = known.get(name)
        label = head.classes[-1]  # two classes: the evidence for irony / offensive, whichever way it went
        if len(head.classes) > 2:
            value = judged.get("label") if isinstance(judged, Mapping) else None
            if not (isinstance(value, str) and value in head.classes):
                value = head.classes[int(head.probabilities([text])[0].argmax())]
            label = value
        out[name] = {"towards": label, "features": _features(head.explain(text, label, top=top))}
    return out
