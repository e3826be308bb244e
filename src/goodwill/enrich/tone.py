"""The ``irony``, ``emotion`` and ``offensive`` stages: trained heads over the shared features.

Why three small stages and not one: each is a separate judgement with its own
version, threshold and place in the contract, and a pipeline may leave any of
them out. They cost little together because the features of a batch are
computed once and shared (see ``SentimentFeaturizer.features``); each stage
adds one sparse matrix product.

``irony`` runs before ``sentiment`` and ``emotion`` so that both can be
tempered by it ("great, another outage" is neither praise nor joy);
``receptivity`` reads it as counter-evidence for a reply.

Outputs per post::

    "irony":     {"is_ironic": true, "score": 0.81}
    "emotion":   {"label": "anger", "scores": {"anger": 0.7, "joy": 0.1, "optimism": 0.1, "sadness": 0.1},
                  "tempered_by_irony": false}
    "offensive": {"is_offensive": false, "score": 0.12}

Scores are calibrated probabilities (see docs/models.md). The emotion classes
are TweetEval's four; every post gets one, so read ``emotion`` together with
``sentiment`` (a neutral post's emotion is a weak guess).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from goodwill.enrich.linear_head import LinearHead, shared_head
from goodwill.enrich.sentiment import flagged_irony
from goodwill.enrich.stage import Judgement, StageContext
from goodwill.models import Post

__all__ = ["EmotionStage", "IronyStage", "OffensiveStage", "temper_emotion", "texts_of"]


def texts_of(posts: Sequence[Post]) -> tuple[list[int], list[str]]:
    """Indices and texts of the posts that have text (the same filter the sentiment stage uses)."""
    idx = [i for i, p in enumerate(posts) if p.text is not None and p.text.strip()]
    return idx, [posts[i].text or "" for i in idx]


class _HeadStage:
    """A stage that reads one shipped head; subclasses shape its output."""

    name = ""
    version = "1"
    requires: tuple[str, ...] = ()
    provides: tuple[str, ...] = ()
    head_name = ""

    def __init__(self, context: StageContext | None = None) -> None:
        self.context = context if context is not None else StageContext()
        self._head: LinearHead | None = None

    def __getstate__(self) -> dict[str, Any]:
        """Pickle without the weights: a worker reloads them from its own installed package."""
        state = dict(self.__dict__)
        state["_head"] = None
        return state

    @property
    def head(self) -> LinearHead:
        if self._head is None:
            self._head = shared_head(self.head_name)
        return self._head

    def _empty(self) -> Any:
        raise NotImplementedError

    def _judge(self, probs: np.ndarray[Any, Any]) -> list[Any]:
        raise NotImplementedError

    def process(self, posts: Sequence[Post], enrichment: Sequence[Mapping[str, Any]]) -> list[Judgement]:
        idx, texts = texts_of(posts)
        key = self.provides[0]
        out: list[Judgement] = [{key: self._empty()} for _ in posts]
        if texts:
            for i, judged in zip(idx, self._judge(self.head.probabilities(texts)), strict=True):
                out[i] = {key: judged}
        return out

    def explain(self, text: str, top: int = 5) -> list[tuple[str, float]]:
        """The features of ``text`` that weigh most towards this stage's judgement of it."""
        return self.head.explain(text, top=top)


class _BinaryHeadStage(_HeadStage):
    flag = ""
    threshold_key = ""

    @property
    def threshold(self) -> float:
        """The workspace's threshold when set in goodwill.toml, else the shipped one."""
        configured = getattr(self.context.config.thresholds, self.threshold_key)
        if configured is not None:
            return float(configured)
        shipped = self.head.pipeline_threshold
        return 0.5 if shipped is None else shipped

    def _empty(self) -> dict[str, Any]:
        return {self.flag: False, "score": 0.0}

    def _judge(self, probs: np.ndarray[Any, Any]) -> list[dict[str, Any]]:
        threshold = self.threshold
        positive = probs[:, -1]
        flags = (positive >= threshold).tolist()
        scores = np.round(positive, 4).tolist()
        return [{self.flag: f, "score": s} for f, s in zip(flags, scores, strict=True)]


class IronyStage(_BinaryHeadStage):
    """Is the post ironic or sarcastic? Trained on TweetEval irony (SemEval-2018 Task 3)."""

    name = "irony"
    provides = ("irony",)
    head_name = "irony"
    flag = "is_ironic"
    threshold_key = "irony"


class OffensiveStage(_BinaryHeadStage):
    """Is the post offensive (insults, threats, profanity)? Trained on TweetEval offensive (OffensEval)."""

    name = "offensive"
    version = "2"  # 2: NB-LR head, val macro-F1 0.728 -> 0.734
    provides = ("offensive",)
    head_name = "offensive"
    flag = "is_offensive"
    threshold_key = "offensive"


#: Emotions an ironic post's surface shows but does not mean, and the one it usually means.
SURFACE_EMOTIONS: tuple[str, ...] = ("joy", "optimism")
MEANT_EMOTION = "anger"


def temper_emotion(
    probs: np.ndarray[Any, Any], irony: np.ndarray[Any, Any], classes: Sequence[str]
) -> np.ndarray[Any, Any]:
    """Move the ironic share of joy and optimism to anger: "great, another outage" is annoyance.

    ``irony`` is, per row, the irony probability where the irony stage flagged
    the post, else 0. Anger and not sadness: on TweetEval emotion validation,
    sending the mass to anger alone cost 0.0006 macro-F1 (one tweet) where
    sharing it with sadness cost 0.005 (docs/models.md).
    """
    out = probs.copy()
    surface = [classes.index(c) for c in SURFACE_EMOTIONS]
    moved = out[:, surface] * irony[:, None]
    out[:, surface] -= moved
    out[:, classes.index(MEANT_EMOTION)] += moved.sum(axis=1)
    return out


class EmotionStage(_HeadStage):
    """Which of anger, joy, optimism, sadness the post expresses. Trained on TweetEval emotion.

    When the ``irony`` stage ran earlier and flagged a post, its joy and
    optimism are tempered (see :func:`temper_emotion`) and
    ``tempered_by_irony`` says so.
    """

    name = "emotion"
    version = "2"
    provides = ("emotion",)
    head_name = "emotion"

    def _empty(self) -> dict[str, Any]:
        return {"label": None, "scores": {c: 0.0 for c in self.head.classes}, "tempered_by_irony": False}

    def process(self, posts: Sequence[Post], enrichment: Sequence[Mapping[str, Any]]) -> list[Judgement]:
        idx, texts = texts_of(posts)
        out: list[Judgement] = [{"emotion": self._empty()} for _ in posts]
        if not texts:
            return out
        probs = self.head.probabilities(texts)
        irony = np.array([flagged_irony(enrichment[i]) if i < len(enrichment) else 0.0 for i in idx])
        tempered = irony > 0.0
        if tempered.any():
            probs = temper_emotion(probs, irony, self.head.classes)
        for i, judged, t in zip(idx, self._judge(probs), tempered.tolist(), strict=True):
            judged["tempered_by_irony"] = t
            out[i] = {"emotion": judged}
        return out

    def _judge(self, probs: np.ndarray[Any, Any]) -> list[dict[str, Any]]:
        classes = self.head.classes
        labels = [classes[i] for i in probs.argmax(axis=1).tolist()]
        rounded = np.round(probs, 4).tolist()
        return [
            {"label": label, "scores": dict(zip(classes, row, strict=True))}
            for label, row in zip(labels, rounded, strict=True)
        ]
