"""Routing as data: which queue a case goes to, who takes it, and what happens when it waits.

Rules live in goodwill.toml as ``[[care.routes]]`` tables, read top to bottom;
the **first rule that matches wins**, and a case no rule matches goes to the
default queue. A rule matches on any of intent, brand, language, network and
topic (each a list: any listed value matches; an empty list matches anything)
and on the author's reach (follower bounds), and says which queue, which skills
an agent needs and what priority the case gets.

Assignment is capacity-aware: an agent takes a case only with every skill it
needs, in a queue they work, and with fewer open cases than their limit; among those, the least loaded
agent gets it, ties broken by agent id, so the same input always gives the
same result. Cases are handed out most urgent first, and a case is left
unassigned only when no agent with its skills has room. A case whose assignee
has not answered within the reassignment timeout goes to someone else, and
escalation rules move a case to another queue with a higher priority.

All of this is pure: facts and agents in, decisions out; the desk stores them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from goodwill.care.duration import Duration
from goodwill.care.sla import SlaState

__all__ = [
    "Agent",
    "Assignment",
    "AssignmentResult",
    "CaseFacts",
    "Escalation",
    "EscalationRule",
    "OpenCase",
    "Reassignment",
    "RouteDecision",
    "RouteRule",
    "Routing",
    "assign",
    "escalate",
    "reassign_stale",
]


def _lowered(values: list[str]) -> list[str]:
    return [v.strip().lower() for v in values if v.strip()]


class RouteRule(BaseModel):
    """One ``[[care.routes]]`` table: conditions, then where the case goes."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: shown with the decision so an agent can see why a case landed in a queue
    name: str = ""
    intent: list[str] = Field(default_factory=list)
    brand: list[str] = Field(default_factory=list)
    language: list[str] = Field(default_factory=list)
    network: list[str] = Field(default_factory=list)
    topic: list[str] = Field(default_factory=list)
    #: the author has at least this many followers
    min_followers: int | None = Field(default=None, ge=0)
    #: the author has fewer than this many followers
    max_followers: int | None = Field(default=None, ge=1)
    queue: str = Field(min_length=1)
    skills: list[str] = Field(default_factory=list)
    #: higher is more urgent
    priority: int = 0

    _norm = field_validator("intent", "brand", "language", "network", "topic", "skills")(_lowered)

    @model_validator(mode="after")
    def _bounds(self) -> RouteRule:
        if (
            self.min_followers is not None
            and self.max_followers is not None
            and self.max_followers <= self.min_followers
        ):
            raise ValueError("max_followers must be above min_followers")
        return self

    def matches(self, facts: CaseFacts) -> bool:
        if self.intent and facts.intent not in self.intent:
            return False
        if self.brand and facts.brand not in self.brand:
            return False
        if self.language and facts.language not in self.language:
            return False
        if self.network and facts.network not in self.network:
            return False
        if self.topic and not set(self.topic) & set(facts.topics):
            return False
        reach = facts.followers
        if self.min_followers is not None and (reach is None or reach < self.min_followers):
            return False
        return not (self.max_followers is not None and (reach is None or reach >= self.max_followers))


@dataclass(frozen=True)
class CaseFacts:
    """What routing knows about a case. Values are lower-cased so rules match regardless of case."""

    intent: str | None = None
    brand: str | None = None
    language: str | None = None
    network: str | None = None
    topics: tuple[str, ...] = ()
    followers: int | None = None

    def __post_init__(self) -> None:
        for name in ("intent", "brand", "language", "network"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, value.strip().lower())
        object.__setattr__(self, "topics", tuple(t.strip().lower() for t in self.topics))

    @classmethod
    def from_enrichment(
        cls,
        enrichment: Mapping[str, Any],
        *,
        network: str | None = None,
        followers: int | None = None,
        topics: Iterable[str] = (),
    ) -> CaseFacts:
        """Facts from a post's public enrichment object (docs/commands/enrich.md)."""
        intent = enrichment.get("intent")
        receptivity = enrichment.get("receptivity")
        brand = _text(receptivity.get("brand")) if isinstance(receptivity, Mapping) else None
        if not brand:
            listed = enrichment.get("brands")
            brands = [b for b in listed if isinstance(b, Mapping)] if isinstance(listed, list) else []
            ours = [b for b in brands if b.get("role") == "brand"] or brands
            brand = _text(ours[0].get("name")) if ours else None
        return cls(
            intent=_text(intent.get("label")) if isinstance(intent, Mapping) else None,
            brand=brand,
            language=_text(enrichment.get("language")),
            network=network,
            topics=tuple(topics),
            followers=followers,
        )


def _text(value: object) -> str | None:
    """A non-empty string from the contract, or None for anything else (a file may hold odd types)."""
    return value if isinstance(value, str) and value.strip() else None


@dataclass(frozen=True)
class RouteDecision:
    queue: str
    skills: frozenset[str]
    priority: int
    #: the rule that matched (its name, or "routes[N]"), None for the default queue
    rule: str | None


class EscalationRule(BaseModel):
    """One ``[[care.escalations]]`` table: when a case in some queues escalates, and to where."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = ""
    #: queues this rule watches; empty means every queue
    queues: list[str] = Field(default_factory=list)
    #: escalate when the SLA reaches this state
    sla: SlaState | None = None
    #: escalate when the case has had no first response this long after creation
    unanswered_for: Duration | None = None
    #: escalate at or above this priority
    min_priority: int | None = None
    to_queue: str = Field(min_length=1)
    add_skills: list[str] = Field(default_factory=list)
    raise_priority: int = Field(default=1, ge=0)

    _norm = field_validator("add_skills")(_lowered)

    @model_validator(mode="after")
    def _has_a_trigger(self) -> EscalationRule:
        if self.sla is None and self.unanswered_for is None and self.min_priority is None:
            raise ValueError("an escalation needs a trigger: sla, unanswered_for or min_priority")
        return self


class Routing(BaseModel):
    """The routing part of ``[care]``: rules, the default queue and the timeouts."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    default_queue: str = "general"
    routes: list[RouteRule] = Field(default_factory=list)
    escalations: list[EscalationRule] = Field(default_factory=list)
    #: a case assigned this long without a first response goes to another agent
    reassign_after: Duration | None = None

    def route(self, facts: CaseFacts) -> RouteDecision:
        """The first matching rule's decision, or the default queue."""
        for index, rule in enumerate(self.routes):
            if rule.matches(facts):
                return RouteDecision(
                    queue=rule.queue,
                    skills=frozenset(rule.skills),
                    priority=rule.priority,
                    rule=rule.name or f"routes[{index}]",
                )
        return RouteDecision(queue=self.default_queue, skills=frozenset(), priority=0, rule=None)


# --- assignment -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Agent:
    """Someone who can take cases. ``open_cases`` is their load before this round."""

    id: str
    skills: frozenset[str] = frozenset()
    capacity: int = 10
    open_cases: int = 0
    available: bool = True
    #: the queues this agent works; empty means every queue
    queues: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "skills", frozenset(s.strip().lower() for s in self.skills))

    def can_take(self, case: OpenCase) -> bool:
        """Has every skill the case needs and works its queue (room is checked separately)."""
        return case.skills <= self.skills and (not self.queues or case.queue in self.queues)


@dataclass(frozen=True)
class OpenCase:
    """A case as assignment sees it."""

    id: str
    created_at: datetime
    skills: frozenset[str] = frozenset()
    priority: int = 0
    queue: str = "general"
    assignee: str | None = None
    assigned_at: datetime | None = None
    first_response_at: datetime | None = None
    #: agents who already had this case and let it time out, so it does not bounce back to them
    passed_by: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        object.__setattr__(self, "skills", frozenset(s.strip().lower() for s in self.skills))


@dataclass(frozen=True)
class Assignment:
    case_id: str
    agent_id: str


@dataclass(frozen=True)
class AssignmentResult:
    assignments: tuple[Assignment, ...]
    #: case ids no agent with the skills had room for, most urgent first
    unassigned: tuple[str, ...]
    #: each agent's open cases after this round
    load: dict[str, int]


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _urgency(case: OpenCase) -> tuple[int, datetime, str]:
    return (-case.priority, _utc(case.created_at), case.id)


def assign(cases: Sequence[OpenCase], agents: Sequence[Agent]) -> AssignmentResult:
    """Hand unassigned cases to agents: most urgent case first, least loaded capable agent first.

    A case is capable-agent-less only if no available agent has all its skills
    and room under their limit, which also holds at the end of the round
    because loads only grow during it.
    """
    load = {a.id: a.open_cases for a in agents}
    capable = [a for a in sorted(agents, key=lambda a: a.id) if a.available]
    done: list[Assignment] = []
    left: list[str] = []
    for case in sorted((c for c in cases if c.assignee is None), key=_urgency):
        chosen = _least_loaded(case, capable, load)
        if chosen is None:
            left.append(case.id)
            continue
        load[chosen.id] += 1
        done.append(Assignment(case.id, chosen.id))
    return AssignmentResult(assignments=tuple(done), unassigned=tuple(left), load=load)


def _least_loaded(
    case: OpenCase, agents: Sequence[Agent], load: Mapping[str, int], *, exclude: Iterable[str] = ()
) -> Agent | None:
    excluded = set(exclude) | set(case.passed_by)
    room = [a for a in agents if a.id not in excluded and a.can_take(case) and load[a.id] < a.capacity]
    return min(room, key=lambda a: (load[a.id], a.id)) if room else None


@dataclass(frozen=True)
class Reassignment:
    case_id: str
    from_agent: str
    #: None when nobody else could take it: the case goes back to the queue unassigned
    to_agent: str | None
    reason: str


def reassign_stale(
    cases: Sequence[OpenCase],
    agents: Sequence[Agent],
    *,
    timeout: timedelta,
    now: datetime,
) -> tuple[list[Reassignment], dict[str, int]]:
    """Take back cases assigned longer than ``timeout`` without a first response and give them to others.

    ``agents[].open_cases`` must include the stale cases. A case goes to the
    least loaded other capable agent; when nobody else has room it goes back to
    the queue unassigned (and its old assignee's load drops), so it is picked up
    by the next :func:`assign` round. Returns the moves and the loads after them.
    """
    now = _utc(now)
    load = {a.id: a.open_cases for a in agents}
    capable = [a for a in sorted(agents, key=lambda a: a.id) if a.available]
    stale = [
        c
        for c in cases
        if c.assignee is not None
        and c.first_response_at is None
        and c.assigned_at is not None
        and now - _utc(c.assigned_at) >= timeout
    ]
    moves: list[Reassignment] = []
    for case in sorted(stale, key=_urgency):
        previous = case.assignee
        if previous is None:  # filtered above; keeps the type checker and a reader sure
            continue
        if previous in load:
            load[previous] = max(0, load[previous] - 1)
        waited = now - _utc(case.assigned_at or now)
        chosen = _least_loaded(case, capable, load, exclude=[previous])
        if chosen is not None:
            load[chosen.id] += 1
        moves.append(
            Reassignment(
                case_id=case.id,
                from_agent=previous,
                to_agent=chosen.id if chosen else None,
                reason=f"no first response {_hours(waited)} after assignment (limit {_hours(timeout)})",
            )
        )
    return moves, load


def _hours(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    return f"{minutes // 60}h{minutes % 60:02d}m"


# --- escalation -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Escalation:
    case_id: str
    rule: str
    from_queue: str
    to_queue: str
    skills: frozenset[str]
    priority: int
    reason: str

    def apply(self, case: OpenCase) -> OpenCase:
        """The case after escalating: new queue, skills and priority, and no assignee (it is routed anew)."""
        return replace(
            case,
            queue=self.to_queue,
            skills=self.skills,
            priority=self.priority,
            assignee=None,
            assigned_at=None,
        )


def escalate(
    case: OpenCase,
    rules: Sequence[EscalationRule],
    *,
    sla: SlaState | None = None,
    now: datetime,
) -> Escalation | None:
    """The first escalation rule that fires for ``case``, or None; never into the queue it is in."""
    for index, rule in enumerate(rules):
        if rule.queues and case.queue not in rule.queues:
            continue
        if rule.to_queue == case.queue:
            continue
        why = _trigger(rule, case, sla, _utc(now))
        if why is None:
            continue
        return Escalation(
            case_id=case.id,
            rule=rule.name or f"escalations[{index}]",
            from_queue=case.queue,
            to_queue=rule.to_queue,
            skills=case.skills | frozenset(rule.add_skills),
            priority=case.priority + rule.raise_priority,
            reason=why,
        )
    return None


def _trigger(rule: EscalationRule, case: OpenCase, sla: SlaState | None, now: datetime) -> str | None:
    """Why ``rule`` fires (every trigger it names must hold), or None."""
    reasons = []
    if rule.sla is not None:
        if sla is None or sla.rank < rule.sla.rank:
            return None
        reasons.append(f"SLA {sla.value}")
    if rule.unanswered_for is not None:
        waited = now - _utc(case.created_at)
        if case.first_response_at is not None or waited < rule.unanswered_for:
            return None
        reasons.append(f"unanswered for {_hours(waited)}")
    if rule.min_priority is not None:
        if case.priority < rule.min_priority:
            return None
        reasons.append(f"priority {case.priority}")
    return ", ".join(reasons)
