"""Ambassadors: what they may see, when an agent must approve, points, ranks and the leaderboard."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from goodwill.care.ambassadors import (
    Ambassador,
    AmbassadorAnswer,
    AmbassadorPolicy,
    AnswerStatus,
    PublicCase,
    Rank,
    decide,
    leaderboard,
    needs_approval,
    points_of,
    visibility,
    visible_cases,
)
from goodwill.care.replycheck import check_reply
from goodwill.errors import CareError

POLICY = AmbassadorPolicy()
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
GAMER = Ambassador("gia", expertise=frozenset({"Controllers", "game pass", "recommendation_request"}))

CASES = [
    PublicCase("q1", "question", topics=frozenset({"controllers"})),
    PublicCase("q2", "help_request", topics=frozenset({"Game Pass", "billing"})),
    PublicCase("q3", "question", topics=frozenset({"network"})),
    PublicCase("q4", "question", topics=frozenset({"controllers"}), private=True),
    PublicCase("q5", "help_request", topics=frozenset({"controllers"}), escalated=True),
    PublicCase("q6", "complaint", topics=frozenset({"controllers"})),
    PublicCase("q7", "question", topics=frozenset({"controllers"}), complaint=True),
    PublicCase("q8", "praise", topics=frozenset({"controllers"})),
    PublicCase("q9", "recommendation_request", topics=frozenset({"headsets"})),
    PublicCase("q10", "question", topics=frozenset({"controllers"}), resolved=True),
]


def test_ambassadors_see_only_open_public_questions_in_their_field() -> None:
    assert [c.id for c in visible_cases(GAMER, CASES, POLICY)] == ["q1", "q2", "q9"]


@pytest.mark.parametrize(
    ("case_id", "reason"),
    [
        ("q3", "outside this ambassador's expertise"),
        ("q4", "private cases are for agents only"),
        ("q5", "escalated cases are for agents only"),
        ("q6", "complaints are for agents only"),
        ("q7", "complaints are for agents only"),
        ("q8", "not a public question (intent praise)"),
    ],
)
def test_each_refusal_says_why(case_id: str, reason: str) -> None:
    case = next(c for c in CASES if c.id == case_id)
    assert visibility(GAMER, case, POLICY) == reason


def test_brand_expertise_and_inactive_ambassadors() -> None:
    fan = Ambassador("fan", expertise=frozenset({"acme bank"}))
    case = PublicCase("b1", "question", brands=frozenset({"Acme Bank"}))
    assert visibility(fan, case, POLICY) is None
    retired = Ambassador("old", expertise=frozenset({"acme bank"}), active=False)
    assert visibility(retired, case, POLICY) == "this ambassador is inactive"


def answer(aid: str, who: str, *, status: AnswerStatus = AnswerStatus.ACCEPTED, solution: bool = False,
           days_ago: int = 1) -> AmbassadorAnswer:  # fmt: skip
    return AmbassadorAnswer(aid, who, f"case-{aid}", NOW - timedelta(days=days_ago), status,
                            solution=solution)  # fmt: skip


def test_answers_need_approval_until_trusted_and_whenever_flagged() -> None:
    history = [answer("a1", "gia"), answer("a2", "gia"), answer("a3", "gia", status=AnswerStatus.REJECTED)]
    assert needs_approval("gia", history, POLICY)  # default: always
    trusting = AmbassadorPolicy(trusted_after=2)
    assert not needs_approval("gia", history, trusting)
    assert needs_approval("new", history, trusting)
    pitch = check_reply("Use code GAMER10 for 10% off a new controller!")
    assert needs_approval("gia", history, trusting, check=pitch)
    clean = check_reply("Hold the pairing button for 3 seconds, gia", post_text="pairing my controller")
    assert not needs_approval("gia", history, trusting, check=clean)


def test_agents_decide_once_and_rejections_need_a_note() -> None:
    pending = answer("a1", "gia", status=AnswerStatus.PENDING)
    with pytest.raises(CareError, match="say why"):
        decide(pending, accept=False, agent="amy", now=NOW)
    accepted = decide(pending, accept=True, agent="amy", now=NOW)
    assert (accepted.status, accepted.decided_by, accepted.decided_at) == (AnswerStatus.ACCEPTED, "amy", NOW)
    with pytest.raises(CareError, match="already accepted by amy"):
        decide(accepted, accept=False, agent="kim", now=NOW, note="changed my mind")
    rejected = decide(pending, accept=False, agent="kim", now=NOW, note=" pairing steps are for the old pad ")
    assert (rejected.status, rejected.note) == (AnswerStatus.REJECTED, "pairing steps are for the old pad")


def test_points_and_ranks() -> None:
    assert points_of(answer("a", "gia"), POLICY) == 10
    assert points_of(answer("a", "gia", solution=True), POLICY) == 15
    assert points_of(answer("a", "gia", status=AnswerStatus.PENDING, solution=True), POLICY) == 0
    assert [POLICY.rank_for(p) for p in (0, 49, 50, 199, 200, 5000)] == [
        "Newcomer", "Newcomer", "Helper", "Helper", "Expert", "Legend"
    ]  # fmt: skip


def test_leaderboard_orders_by_points_then_answers_and_shares_places() -> None:
    answers = [
        *[answer(f"g{i}", "gia") for i in range(5)],  # 50
        answer("g5", "gia", solution=True),  # +15 = 65
        *[answer(f"r{i}", "raj") for i in range(3)],  # 30
        answer("r3", "raj", status=AnswerStatus.REJECTED),
        answer("r4", "raj", status=AnswerStatus.PENDING),
        *[answer(f"m{i}", "mo") for i in range(3)],  # 30
        answer("z0", "zed", solution=True),  # 15
    ]
    board = leaderboard(answers, POLICY, ambassadors=["ann"])
    assert [(r.place, r.ambassador, r.points, r.accepted, r.solutions, r.rank) for r in board] == [
        (1, "gia", 65, 6, 1, "Helper"),
        (2, "mo", 30, 3, 0, "Newcomer"),
        (2, "raj", 30, 3, 0, "Newcomer"),
        (4, "zed", 15, 1, 1, "Newcomer"),
        (5, "ann", 0, 0, 0, "Newcomer"),
    ]


def test_a_monthly_board_counts_the_period_but_ranks_stay_earned() -> None:
    answers = [*[answer(f"old{i}", "gia", days_ago=40) for i in range(5)], answer("new", "raj", days_ago=2)]
    board = leaderboard(answers, POLICY, since=NOW - timedelta(days=30))
    rows = [(r.ambassador, r.points, r.rank) for r in board]
    assert rows == [("raj", 10, "Newcomer"), ("gia", 0, "Helper")]


def test_ranks_must_start_at_zero() -> None:
    with pytest.raises(ValidationError, match="rank at 0 points"):
        AmbassadorPolicy(ranks=[Rank(name="Pro", points=10)])
    with pytest.raises(ValidationError, match="same points"):
        AmbassadorPolicy(ranks=[Rank(name="A", points=0), Rank(name="B", points=0)])
