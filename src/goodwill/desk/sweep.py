"""The periodic sweep: escalate, reassign stale cases, and give every waiting case to someone with room.

Routing decides when a case opens; the sweep keeps the decision true as time
passes, with the rules of ``[care]``: an assigned case with no first response
after ``reassign_after`` goes to another agent (or back to the queue), a case
that trips an ``[[care.escalations]]`` rule moves queue with its skills and
priority raised, and then one capacity-aware assignment round leaves no case
unassigned while someone able to take it has room. Each move is a case action
and an audit row with its reason. ``goodwill cases sync`` and ``goodwill serve``
(on start) run it; run `goodwill cases sync` from cron to keep it going.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, select, update

from goodwill.care.config import CareConfig
from goodwill.care.routing import Agent, OpenCase, assign, escalate, reassign_stale
from goodwill.desk.audit import SYSTEM
from goodwill.desk.care_services import CareAssigner, CareSla
from goodwill.desk.case_access import record_action
from goodwill.desk.cases import ACTIVE_STATES, agent_loads
from goodwill.store import Store
from goodwill.store.schema_desk import cases, users

__all__ = ["SweepCounts", "sweep_cases"]


@dataclass(frozen=True)
class SweepCounts:
    escalated: int = 0
    reassigned: int = 0
    assigned: int = 0


def _sweep(conn: Connection, care: CareConfig, now: datetime) -> SweepCounts:
    names = {int(r.id): str(r.username) for r in conn.execute(select(users.c.id, users.c.username))}
    ids = {v: k for k, v in names.items()}
    rows = list(conn.execute(select(cases).where(cases.c.state.in_(ACTIVE_STATES)).order_by(cases.c.id)))
    book = CareSla(care).book
    open_cases: dict[str, OpenCase] = {
        str(r.id): OpenCase(
            id=str(r.id),
            created_at=r.created_at,
            skills=frozenset(r.skills or ()),
            priority=round(r.priority),
            queue=r.queue,
            assignee=names.get(r.assignee_id) if r.assignee_id is not None else None,
            assigned_at=r.assigned_at,
            first_response_at=r.first_response_at,
        )
        for r in rows
    }
    by_id = {str(r.id): r for r in rows}
    escalated = 0
    for key, case in list(open_cases.items()):
        row = by_id[key]
        if row.escalated:
            continue
        status = book.status(
            case.queue, created_at=case.created_at, first_response_at=case.first_response_at, now=now
        )
        move = escalate(case, care.escalations, sla=status.state if status else None, now=now)
        if move is None:
            continue
        deadlines = CareSla(care).deadlines(move.to_queue, now)
        conn.execute(
            update(cases)
            .where(cases.c.id == row.id)
            .values(
                queue=move.to_queue,
                skills=sorted(move.skills),
                priority=float(row.priority) + (move.priority - case.priority),
                escalated=True,
                assignee_id=None,
                assigned_at=None,
                updated_at=now,
                **(
                    {"sla_due_at": deadlines.first_response_due, "sla_warn_at": deadlines.first_response_warn}
                    if case.first_response_at is None and deadlines.first_response_due is not None
                    else {}
                ),
            )
        )
        record_action(
            conn,
            row.id,
            SYSTEM,
            "escalated",
            {"to": move.to_queue, "rule": move.rule, "why": move.reason},
            now,
        )
        open_cases[key] = move.apply(case)
        escalated += 1

    assigner = CareAssigner(care)
    agents: list[Agent] = [assigner.agent(load) for load in agent_loads(conn)]
    reassigned = 0
    if care.reassign_after is not None:
        moves, _load = reassign_stale(list(open_cases.values()), agents, timeout=care.reassign_after, now=now)
        for m in moves:
            target = ids.get(m.to_agent) if m.to_agent else None
            conn.execute(
                update(cases)
                .where(cases.c.id == int(m.case_id))
                .values(assignee_id=target, assigned_at=now if target else None, updated_at=now)
            )
            record_action(
                conn,
                int(m.case_id),
                SYSTEM,
                "reassigned",
                {"from": m.from_agent, "to": m.to_agent, "why": m.reason},
                now,
            )
            old = open_cases[m.case_id]
            open_cases[m.case_id] = OpenCase(
                id=old.id,
                created_at=old.created_at,
                skills=old.skills,
                priority=old.priority,
                queue=old.queue,
                assignee=m.to_agent,
                assigned_at=now if m.to_agent else None,
                first_response_at=old.first_response_at,
                passed_by=old.passed_by | {m.from_agent},
            )
            reassigned += 1
        agents = [assigner.agent(load) for load in agent_loads(conn)]
    result = assign(list(open_cases.values()), agents)
    for a in result.assignments:
        target = ids.get(a.agent_id)
        if target is None:
            continue
        conn.execute(
            update(cases)
            .where(cases.c.id == int(a.case_id))
            .values(assignee_id=target, assigned_at=now, updated_at=now)
        )
        record_action(conn, int(a.case_id), SYSTEM, "assigned", {"to": a.agent_id, "by": "routing"}, now)
    return SweepCounts(escalated=escalated, reassigned=reassigned, assigned=len(result.assignments))


def sweep_cases(store: Store, care: CareConfig, *, now: datetime | None = None) -> SweepCounts:
    """Escalate, reassign stale cases and assign waiting ones, in ONE transaction."""
    stamp = now or datetime.now(UTC)
    return store.transaction(lambda conn: _sweep(conn, care, stamp))
