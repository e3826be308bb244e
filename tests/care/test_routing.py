"""Routing rules as data, capacity-aware assignment, reassignment after a timeout, escalation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from goodwill.care.routing import (
    Agent,
    CaseFacts,
    EscalationRule,
    OpenCase,
    RouteRule,
    Routing,
    assign,
    escalate,
    reassign_stale,
)
from goodwill.care.sla import SlaState

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)

ROUTING = Routing.model_validate(
    {
        "default_queue": "general",
        "routes": [
            {"name": "vip", "min_followers": 100_000, "queue": "priority", "skills": ["senior"],
             "priority": 3},
            {"name": "billing complaints", "intent": ["Complaint"], "topic": ["billing", "fees"],
             "queue": "billing", "skills": ["Billing"], "priority": 2},
            {"intent": ["complaint", "help_request"], "language": ["de"], "queue": "german",
             "skills": ["de"]},
            {"name": "help", "intent": ["help_request", "question"], "network": ["x", "mastodon"],
             "queue": "support"},
            {"name": "small sales", "intent": ["purchase_intent"], "max_followers": 1000, "queue": "sales"},
        ],
    }
)  # fmt: skip


@pytest.mark.parametrize(
    ("facts", "queue", "rule", "priority", "skills"),
    [
        (CaseFacts(intent="complaint", followers=250_000, topics=("billing",)), "priority", "vip", 3,
         {"senior"}),
        (CaseFacts(intent="complaint", topics=("Billing",), followers=20), "billing", "billing complaints", 2,
         {"billing"}),
        (CaseFacts(intent="complaint", topics=("app",), language="DE"), "german", "routes[2]", 0, {"de"}),
        (CaseFacts(intent="question", network="X"), "support", "help", 0, set()),
        (CaseFacts(intent="question", network="reddit"), "general", None, 0, set()),
        (CaseFacts(intent="purchase_intent", followers=999), "sales", "small sales", 0, set()),
        (CaseFacts(intent="purchase_intent", followers=1000), "general", None, 0, set()),
        (CaseFacts(intent="purchase_intent", followers=None), "general", None, 0, set()),
    ],
)  # fmt: skip
def test_first_matching_rule_wins(
    facts: CaseFacts, queue: str, rule: str | None, priority: int, skills: set[str]
) -> None:
    decision = ROUTING.route(facts)
    assert (decision.queue, decision.rule, decision.priority, set(decision.skills)) == (
        queue,
        rule,
        priority,
        skills,
    )


def test_facts_come_from_the_enrichment_contract() -> None:
    enrichment = {
        "language": "en",
        "brands": [{"name": "Globex", "role": "competitor"}, {"name": "Acme Bank", "role": "brand"}],
        "intent": {"label": "complaint", "scores": {}},
        "receptivity": {"welcome": True, "brand": None},
    }
    facts = CaseFacts.from_enrichment(enrichment, network="x", followers=12, topics=["Fees"])
    assert facts == CaseFacts(
        intent="complaint", brand="acme bank", language="en", network="x", topics=("fees",), followers=12
    )
    assert ROUTING.route(facts).queue == "billing"
    assert CaseFacts.from_enrichment({}) == CaseFacts()


def test_rule_bounds_are_checked() -> None:
    with pytest.raises(ValidationError, match="max_followers must be above min_followers"):
        RouteRule(queue="q", min_followers=100, max_followers=10)
    with pytest.raises(ValidationError, match="queue"):
        RouteRule.model_validate({"intent": ["complaint"]})


# --- assignment --------------------------------------------------------------------------------------------


def case(cid: str, *, minutes_ago: int = 0, skills: tuple[str, ...] = (), priority: int = 0) -> OpenCase:
    return OpenCase(id=cid, created_at=NOW - timedelta(minutes=minutes_ago), skills=frozenset(skills),
                    priority=priority)  # fmt: skip


def test_least_loaded_agent_with_the_skills_gets_the_most_urgent_case() -> None:
    agents = [
        Agent("bo", skills=frozenset({"billing"}), capacity=3, open_cases=2),
        Agent("al", skills=frozenset({"billing", "de"}), capacity=2, open_cases=1),
        Agent("cy", capacity=5, open_cases=0),
    ]
    cases = [
        case("c1", minutes_ago=5),
        case("c2", minutes_ago=50, skills=("billing",)),
        case("c3", minutes_ago=10, skills=("billing",), priority=2),
        case("c4", minutes_ago=1, skills=("de",)),
    ]
    result = assign(cases, agents)
    assert [(a.case_id, a.agent_id) for a in result.assignments] == [
        ("c3", "al"),  # priority 2 first; al has 1 open, bo 2
        ("c2", "bo"),  # al is now at 2 = full, bo has room
        ("c1", "cy"),  # no skill needed: cy has 0 open
    ]
    assert result.unassigned == ("c4",)  # only al speaks German and al is full
    assert result.load == {"bo": 3, "al": 2, "cy": 1}


def test_ties_go_to_the_agent_id_and_order_is_deterministic() -> None:
    agents = [Agent("zed"), Agent("amy"), Agent("kim")]
    cases = [case(f"c{i}", minutes_ago=10 - i) for i in range(4)]
    result = assign(cases, agents)
    assert [(a.case_id, a.agent_id) for a in result.assignments] == [
        ("c0", "amy"), ("c1", "kim"), ("c2", "zed"), ("c3", "amy")
    ]  # fmt: skip
    assert assign(list(reversed(cases)), list(reversed(agents))) == result


def test_agents_take_cases_only_from_the_queues_they_work() -> None:
    agents = [Agent("amy", queues=frozenset({"billing"})), Agent("kim", open_cases=4)]
    billing = OpenCase(id="b", created_at=NOW, queue="billing")
    support = OpenCase(id="s", created_at=NOW, queue="support")
    result = assign([billing, support], agents)
    assert [(a.case_id, a.agent_id) for a in result.assignments] == [("b", "amy"), ("s", "kim")]


def test_unavailable_agents_and_assigned_cases_are_left_alone() -> None:
    agents = [Agent("amy", available=False), Agent("kim", capacity=1)]
    cases = [case("c1"), OpenCase(id="c2", created_at=NOW, assignee="amy")]
    result = assign(cases, agents)
    assert [(a.case_id, a.agent_id) for a in result.assignments] == [("c1", "kim")]
    assert result.unassigned == ()


SKILLS = st.frozensets(st.sampled_from(["billing", "de", "senior"]), max_size=2)
QUEUES = st.frozensets(st.sampled_from(["general", "billing"]), max_size=1)


@settings(max_examples=200, deadline=None)
@given(
    agents=st.lists(
        st.builds(Agent, id=st.text("abcdef", min_size=1, max_size=3), skills=SKILLS,
                  capacity=st.integers(0, 4), open_cases=st.integers(0, 4), available=st.booleans(),
                  queues=QUEUES),
        max_size=5, unique_by=lambda a: a.id,
    ),
    cases=st.lists(
        st.builds(OpenCase, id=st.text("0123456789", min_size=1, max_size=3),
                  created_at=st.just(NOW), skills=SKILLS, priority=st.integers(0, 3),
                  queue=st.sampled_from(["general", "billing"])),
        max_size=12, unique_by=lambda c: c.id,
    ),
)  # fmt: skip
def test_no_case_is_left_while_someone_with_the_skill_has_room(
    agents: list[Agent], cases: list[OpenCase]
) -> None:
    result = assign(cases, agents)
    by_id = {c.id: c for c in cases}
    assert len(result.assignments) + len(result.unassigned) == len(cases)
    for agent in agents:
        taken = [a for a in result.assignments if a.agent_id == agent.id]
        assert result.load[agent.id] == agent.open_cases + len(taken)
        if taken:
            assert agent.available and result.load[agent.id] <= agent.capacity
        for a in taken:
            assert agent.can_take(by_id[a.case_id])
    for cid in result.unassigned:
        for agent in agents:
            if agent.available and agent.can_take(by_id[cid]):
                assert result.load[agent.id] >= agent.capacity


# --- reassignment ------------------------------------------------------------------------------------------


def test_stale_cases_move_to_another_agent_with_room() -> None:
    agents = [Agent("amy", open_cases=2), Agent("kim", open_cases=0), Agent("lee", open_cases=1)]
    stale = OpenCase(id="c1", created_at=NOW - timedelta(hours=5), assignee="amy",
                     assigned_at=NOW - timedelta(hours=3))  # fmt: skip
    fresh = OpenCase(id="c2", created_at=NOW, assignee="amy", assigned_at=NOW - timedelta(minutes=30))
    answered = OpenCase(
        id="c3",
        created_at=NOW - timedelta(hours=5),
        assignee="lee",
        assigned_at=NOW - timedelta(hours=4),
        first_response_at=NOW - timedelta(hours=3),
    )
    moves, load = reassign_stale([stale, fresh, answered], agents, timeout=timedelta(hours=2), now=NOW)
    assert [(m.case_id, m.from_agent, m.to_agent) for m in moves] == [("c1", "amy", "kim")]
    assert moves[0].reason == "no first response 3h00m after assignment (limit 2h00m)"
    assert load == {"amy": 1, "kim": 1, "lee": 1}


def test_a_stale_case_goes_back_to_the_queue_when_nobody_else_has_room() -> None:
    agents = [Agent("amy", open_cases=1, skills=frozenset({"de"})), Agent("kim", open_cases=0)]
    stale = OpenCase(id="c1", created_at=NOW, skills=frozenset({"de"}), assignee="amy",
                     assigned_at=NOW - timedelta(hours=3))  # fmt: skip
    moves, load = reassign_stale([stale], agents, timeout=timedelta(hours=2), now=NOW)
    assert [(m.case_id, m.from_agent, m.to_agent) for m in moves] == [("c1", "amy", None)]
    assert load == {"amy": 0, "kim": 0}


def test_passed_by_agents_do_not_get_the_case_back() -> None:
    agents = [Agent("amy"), Agent("kim"), Agent("lee", open_cases=3)]
    stale = OpenCase(id="c1", created_at=NOW, assignee="amy", assigned_at=NOW - timedelta(hours=3),
                     passed_by=frozenset({"kim"}))  # fmt: skip
    moves, _ = reassign_stale([stale], agents, timeout=timedelta(hours=1), now=NOW)
    assert moves[0].to_agent == "lee"


# --- escalation --------------------------------------------------------------------------------------------

ESCALATIONS = [
    EscalationRule(name="breach", queues=["support"], sla=SlaState.BREACHED, to_queue="supervisors",
                   add_skills=["Senior"], raise_priority=2),
    EscalationRule(name="stuck", unanswered_for="4h", to_queue="supervisors"),
    EscalationRule(name="urgent", min_priority=5, to_queue="incident"),
]  # fmt: skip


def test_breached_sla_escalates_with_skills_and_priority() -> None:
    open_case = OpenCase(id="c1", created_at=NOW - timedelta(hours=1), queue="support",
                         skills=frozenset({"billing"}), priority=1, assignee="amy",
                         assigned_at=NOW)  # fmt: skip
    assert escalate(open_case, ESCALATIONS, sla=SlaState.WARNING, now=NOW) is None
    up = escalate(open_case, ESCALATIONS, sla=SlaState.BREACHED, now=NOW)
    assert up is not None
    assert (up.rule, up.from_queue, up.to_queue, up.priority, up.reason) == (
        "breach", "support", "supervisors", 3, "SLA breached"
    )  # fmt: skip
    moved = up.apply(open_case)
    assert moved.queue == "supervisors" and moved.assignee is None
    assert moved.skills == frozenset({"billing", "senior"})


def test_unanswered_cases_escalate_after_the_wait_but_never_into_their_own_queue() -> None:
    waiting = OpenCase(id="c2", created_at=NOW - timedelta(hours=5), queue="general")
    up = escalate(waiting, ESCALATIONS, now=NOW)
    assert up is not None and (up.rule, up.reason) == ("stuck", "unanswered for 5h00m")
    already = OpenCase(id="c3", created_at=NOW - timedelta(hours=5), queue="supervisors")
    assert escalate(already, ESCALATIONS, now=NOW) is None
    answered = OpenCase(id="c4", created_at=NOW - timedelta(hours=5), first_response_at=NOW)
    assert escalate(answered, ESCALATIONS, now=NOW) is None
    urgent = OpenCase(id="c5", created_at=NOW, priority=5, first_response_at=NOW)
    up = escalate(urgent, ESCALATIONS, now=NOW)
    assert up is not None and (up.to_queue, up.priority) == ("incident", 6)


def test_an_escalation_needs_a_trigger() -> None:
    with pytest.raises(ValidationError, match="needs a trigger"):
        EscalationRule(to_queue="x")
