"""Ambassadors: volunteers who answer public questions in their field, with agents in the loop.

Product enthusiasts answer other customers well, but they are not staff. So an
ambassador sees only **public questions** (a question, a help or a
recommendation request: intents listed in ``[care.ambassadors] intents``)
whose topics, brands or intent match one of their **expertise tags**, and never
a private case, an escalated case or a complaint: those are for agents. Their
answers wait for an agent's approval (:func:`needs_approval`) until they have
enough accepted answers to be trusted, and always when the reply check flags
them. Accepted answers earn **points**; points give a **rank**; the
**leaderboard** orders ambassadors by points.

Everything here is pure; the desk stores the answers and enforces roles.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from goodwill.care.replycheck import ReplyCheck
from goodwill.errors import CareError

__all__ = [
    "Ambassador",
    "AmbassadorAnswer",
    "AmbassadorPolicy",
    "AnswerStatus",
    "LeaderboardRow",
    "PublicCase",
    "Rank",
    "accepted_count",
    "decide",
    "leaderboard",
    "needs_approval",
    "points_of",
    "visibility",
    "visible_cases",
]


class Rank(BaseModel):
    """A rank an ambassador reaches at ``points``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    points: int = Field(ge=0)


DEFAULT_RANKS = (
    Rank(name="Newcomer", points=0),
    Rank(name="Helper", points=50),
    Rank(name="Expert", points=200),
    Rank(name="Legend", points=1000),
)


class AmbassadorPolicy(BaseModel):
    """``[care.ambassadors]``: what ambassadors may answer and how they are rewarded."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: intents that make a post a public question an ambassador may take
    intents: list[str] = Field(default_factory=lambda: ["question", "help_request", "recommendation_request"])
    #: accepted answers after which an ambassador's answers go out without approval; None: always approve
    trusted_after: int | None = Field(default=None, ge=0)
    points_per_answer: int = Field(default=10, ge=0)
    #: extra points when the author marks the answer as what solved it
    points_per_solution: int = Field(default=5, ge=0)
    ranks: list[Rank] = Field(default_factory=lambda: list(DEFAULT_RANKS))

    @field_validator("intents")
    @classmethod
    def _lower(cls, values: list[str]) -> list[str]:
        return [v.strip().lower() for v in values if v.strip()]

    @model_validator(mode="after")
    def _ranks_start_at_zero(self) -> AmbassadorPolicy:
        if not self.ranks or min(r.points for r in self.ranks) != 0:
            raise ValueError("ranks need one rank at 0 points, the rank every ambassador starts with")
        if len({r.points for r in self.ranks}) != len(self.ranks):
            raise ValueError("two ranks have the same points")
        return self

    def rank_for(self, points: int) -> str:
        reached = [r for r in self.ranks if r.points <= points]
        return max(reached, key=lambda r: r.points).name


@dataclass(frozen=True)
class Ambassador:
    name: str
    #: topics, brands or intents they know about, e.g. {"xbox", "billing", "recommendation_request"}
    expertise: frozenset[str]
    active: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "expertise", frozenset(t.strip().lower() for t in self.expertise))


@dataclass(frozen=True)
class PublicCase:
    """What ambassador visibility needs to know about a case."""

    id: str
    intent: str | None
    topics: frozenset[str] = frozenset()
    brands: frozenset[str] = frozenset()
    #: a direct message, or anything the author did not post in public
    private: bool = False
    escalated: bool = False
    complaint: bool = False
    resolved: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "topics", frozenset(t.strip().lower() for t in self.topics))
        object.__setattr__(self, "brands", frozenset(b.strip().lower() for b in self.brands))
        if self.intent is not None:
            object.__setattr__(self, "intent", self.intent.strip().lower())


def visibility(ambassador: Ambassador, case: PublicCase, policy: AmbassadorPolicy) -> str | None:
    """Why ``ambassador`` may not see ``case``, or None when they may. Checked on every access."""
    if not ambassador.active:
        return "this ambassador is inactive"
    if case.private:
        return "private cases are for agents only"
    if case.escalated:
        return "escalated cases are for agents only"
    if case.complaint or case.intent == "complaint":
        return "complaints are for agents only"
    if case.intent not in policy.intents:
        return f"not a public question (intent {case.intent or 'unknown'})"
    subjects = case.topics | case.brands | ({case.intent} if case.intent else set())
    if not subjects & ambassador.expertise:
        return "outside this ambassador's expertise"
    return None


def visible_cases(
    ambassador: Ambassador, cases: Iterable[PublicCase], policy: AmbassadorPolicy
) -> list[PublicCase]:
    """The open cases an ambassador may see, in the order given."""
    return [c for c in cases if not c.resolved and visibility(ambassador, c, policy) is None]


class AnswerStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


@dataclass(frozen=True)
class AmbassadorAnswer:
    id: str
    ambassador: str
    case_id: str
    submitted_at: datetime
    status: AnswerStatus = AnswerStatus.PENDING
    #: the agent who accepted or rejected it (None when it went out without approval)
    decided_by: str | None = None
    decided_at: datetime | None = None
    #: the author marked it as the answer that solved their problem
    solution: bool = False
    note: str = field(default="", compare=False)


def accepted_count(ambassador: str, answers: Iterable[AmbassadorAnswer]) -> int:
    return sum(1 for a in answers if a.ambassador == ambassador and a.status is AnswerStatus.ACCEPTED)


def needs_approval(
    ambassador: str,
    answers: Iterable[AmbassadorAnswer],
    policy: AmbassadorPolicy,
    *,
    check: ReplyCheck | None = None,
) -> bool:
    """Whether an agent must approve this ambassador's next answer before it goes out."""
    if check is not None and check.flags:
        return True  # any flag, even a warning: a volunteer's draft gets a second pair of eyes
    if policy.trusted_after is None:
        return True
    return accepted_count(ambassador, answers) < policy.trusted_after


def decide(
    answer: AmbassadorAnswer, *, accept: bool, agent: str, now: datetime, note: str = ""
) -> AmbassadorAnswer:
    """An agent's decision on a pending answer; a decided answer cannot be decided again."""
    if answer.status is not AnswerStatus.PENDING:
        raise CareError(f"answer {answer.id} was already {answer.status.value} by {answer.decided_by}.")
    if not accept and not note.strip():
        raise CareError("say why the answer is rejected, so the ambassador can learn from it.")
    return replace(
        answer,
        status=AnswerStatus.ACCEPTED if accept else AnswerStatus.REJECTED,
        decided_by=agent,
        decided_at=now if now.tzinfo else now.replace(tzinfo=UTC),
        note=note.strip(),
    )


@dataclass(frozen=True)
class LeaderboardRow:
    place: int
    ambassador: str
    points: int
    accepted: int
    solutions: int
    rank: str


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def points_of(answer: AmbassadorAnswer, policy: AmbassadorPolicy) -> int:
    """What one answer earns: nothing until accepted, a bonus when it solved the problem."""
    if answer.status is not AnswerStatus.ACCEPTED:
        return 0
    return policy.points_per_answer + (policy.points_per_solution if answer.solution else 0)


def leaderboard(
    answers: Sequence[AmbassadorAnswer],
    policy: AmbassadorPolicy,
    *,
    ambassadors: Iterable[str] = (),
    since: datetime | None = None,
) -> list[LeaderboardRow]:
    """Ambassadors by points (then accepted answers, then name); equal points and answers share a place.

    ``ambassadors`` adds people with no answers yet (at 0 points); ``since``
    counts only answers submitted from then on, for a monthly board. A rank is
    always earned over all time: a quiet month does not demote anyone.
    """
    names = list(dict.fromkeys([*ambassadors, *(a.ambassador for a in answers)]))
    lifetime = dict.fromkeys(names, 0)
    points = dict.fromkeys(names, 0)
    accepted = dict.fromkeys(names, 0)
    solutions = dict.fromkeys(names, 0)
    start = None if since is None else _aware(since)
    for answer in answers:
        earned = points_of(answer, policy)
        lifetime[answer.ambassador] += earned
        if answer.status is not AnswerStatus.ACCEPTED:
            continue
        if start is not None and _aware(answer.submitted_at) < start:
            continue
        points[answer.ambassador] += earned
        accepted[answer.ambassador] += 1
        solutions[answer.ambassador] += int(answer.solution)
    order = sorted(names, key=lambda n: (-points[n], -accepted[n], n))
    rows: list[LeaderboardRow] = []
    for index, name in enumerate(order):
        previous = rows[-1] if rows else None
        tied = previous is not None and (previous.points, previous.accepted) == (points[name], accepted[name])
        rows.append(
            LeaderboardRow(
                place=previous.place if tied and previous is not None else index + 1,
                ambassador=name,
                points=points[name],
                accepted=accepted[name],
                solutions=solutions[name],
                rank=policy.rank_for(lifetime[name]),
            )
        )
    return rows
