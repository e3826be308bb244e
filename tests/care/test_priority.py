"""Queue priority: complaints and help first, reach and waiting raise it, old threads fade."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from goodwill.care.priority import priority_of

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def judged(intent: str, *, complaint: float = 0.0, sentiment: float = 0.0) -> dict[str, object]:
    return {
        "intent": {"label": intent},
        "complaint": {"is_complaint": complaint >= 0.5, "score": complaint},
        "sentiment": {"score": sentiment},
        "receptivity": {"welcome": True, "score": 0.8},
    }


def test_a_complaint_outranks_a_question_outranks_praise() -> None:
    at = NOW - timedelta(hours=1)
    complaint = priority_of(
        judged("complaint", complaint=0.9, sentiment=-0.7), followers=10, created_at=at, now=NOW
    )
    question = priority_of(judged("question"), followers=10, created_at=at, now=NOW)
    praise = priority_of(judged("praise", sentiment=0.8), followers=10, created_at=at, now=NOW)
    assert complaint.score > question.score > praise.score
    assert complaint.parts["complaint"] == 1.8
    assert complaint.parts["negativity"] == 0.7


def test_reach_adds_half_a_point_per_tenfold_audience() -> None:
    small = priority_of(judged("question"), followers=9, created_at=None)
    large = priority_of(judged("question"), followers=99_999, created_at=None)
    assert round(large.score - small.score, 4) == 2.0


def test_waiting_raises_urgency_for_a_day_then_old_threads_fade() -> None:
    def at(hours: float) -> float:
        return priority_of(
            judged("question"), followers=0, created_at=NOW - timedelta(hours=hours), now=NOW
        ).score

    assert at(0) < at(12) < at(24)
    assert at(24) == at(48)
    assert at(96) < at(48)


def test_missing_judgements_score_low_but_do_not_fail() -> None:
    assert priority_of({}, followers=None, created_at=None).score == 0.0
