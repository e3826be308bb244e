"""What a reply that went out does to its case: the first response, the history, the next state.

The same whether the reply was copied and pasted by the agent or posted through
the network, and whenever it is recorded (at once, or when an agent settles a
send that did not finish), so casework and sending both call these, in the
transaction that records the reply.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, update

from goodwill.desk.audit import Actor
from goodwill.desk.case_access import record_action, state_values
from goodwill.desk.inbox import CaseRow
from goodwill.store.schema_desk import cases

__all__ = ["mark_first_response", "record_approved", "record_replied"]


def mark_first_response(conn: Connection, case: CaseRow, now: datetime) -> None:
    """The case's first response is now, unless it had one; its next deadline becomes the resolution."""
    if case.first_response_at is not None:
        return
    conn.execute(
        update(cases)
        .where(cases.c.id == case.id)
        .values(updated_at=now, first_response_at=now, sla_due_at=case.resolution_due, sla_warn_at=None)
    )


def record_replied(
    conn: Connection, case: CaseRow, actor: Actor, detail: dict[str, Any], *, resolve: bool, now: datetime
) -> None:
    """An agent's reply went out: it answers the case, which then waits for the customer (or is resolved)."""
    mark_first_response(conn, case, now)
    record_action(conn, case.id, actor, "replied", detail, now)
    new_state = "resolved" if resolve else "pending"
    if case.state != new_state:
        conn.execute(update(cases).where(cases.c.id == case.id).values(**state_values(case, new_state, now)))
        record_action(conn, case.id, actor, "state", {"from": case.state, "to": new_state}, now)


def record_approved(
    conn: Connection, case: CaseRow, actor: Actor, detail: dict[str, Any], now: datetime
) -> None:
    """An ambassador's answer was approved and went out: it answers the case; an open case now waits."""
    record_action(conn, case.id, actor, "reply_approved", detail, now)
    mark_first_response(conn, case, now)
    if case.state == "open":
        conn.execute(update(cases).where(cases.c.id == case.id).values(state="pending", updated_at=now))
        record_action(conn, case.id, actor, "state", {"from": "open", "to": "pending"}, now)
