"""How urgent a post that welcomes a reply is, and why.

The queue is sorted by this number. It is a plain, explainable sum so an agent
can see why a post is at the top: what the person wants (intent), whether it is
a complaint, how upset they sound, how many people will see the answer (reach),
and how long they have waited.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

__all__ = ["INTENT_WEIGHT", "Priority", "priority_of"]

#: What each intent weighs: a person stuck or let down comes before a chat.
INTENT_WEIGHT: Mapping[str, float] = {
    "complaint": 3.0,
    "help_request": 3.0,
    "question": 2.0,
    "recommendation_request": 2.0,
    "purchase_intent": 2.0,
    "feedback": 1.0,
    "praise": 0.5,
    "social": 0.0,
    "news_share": 0.0,
    "spam": 0.0,
}

#: Hours after which a post's urgency starts to fade: the conversation has moved on.
FRESH_HOURS = 48.0


@dataclass(frozen=True)
class Priority:
    score: float
    parts: dict[str, float]


def _object(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _number(value: Any) -> float:
    """A JSON number as a float; anything else (absent, null, text, true/false) as 0.0."""
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return 0.0


def priority_of(
    enrichment: Mapping[str, Any],
    *,
    followers: int | None,
    created_at: datetime | None,
    now: datetime | None = None,
) -> Priority:
    """Score one post from its enrichment; higher means answer sooner.

    A judgement of the wrong shape (a score that is not a number, a flag that is
    not ``true``, a result that is not an object) counts as nothing, exactly as
    in the SQL twin of this function (goodwill.care.priority_sql).
    """
    intent = _object(enrichment.get("intent"))
    complaint = _object(enrichment.get("complaint"))
    sentiment = _object(enrichment.get("sentiment"))
    receptivity = _object(enrichment.get("receptivity"))
    parts = {
        "intent": INTENT_WEIGHT.get(str(intent.get("label", "social")), 0.0),
        "complaint": 2.0 * _number(complaint.get("score")) if complaint.get("is_complaint") is True else 0.0,
        "negativity": max(0.0, -_number(sentiment.get("score"))),
        "reach": math.log10((followers or 0) + 1) / 2.0,
        "welcome": _number(receptivity.get("score")),
    }
    if created_at is not None:
        now = now or datetime.now(UTC)
        stamp = created_at if created_at.tzinfo else created_at.replace(tzinfo=UTC)
        hours = max(0.0, (now - stamp).total_seconds() / 3600.0)
        # Waiting raises urgency for the first day; after FRESH_HOURS the thread has moved on.
        parts["waiting"] = min(hours, 24.0) / 24.0
        parts["fading"] = -max(0.0, hours - FRESH_HOURS) / 24.0 * 0.5
    score = round(sum(parts.values()), 4)
    return Priority(score=score, parts={k: round(v, 4) for k, v in parts.items()})
