"""The rules every case operation shares: who may act, which cases they may see, how an action is logged.

Kept apart from casework so that new operations on a case (solutions, sending) apply the same checks and
write the same history without reaching into another module's private helpers.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert

from goodwill.desk.accounts import User
from goodwill.desk.audit import Actor, record_audit
from goodwill.desk.inbox import CaseRow, case_row, case_select, visible_to
from goodwill.desk.roles import Permission, can
from goodwill.errors import Forbidden, NotFound
from goodwill.store.schema_desk import case_actions, cases

__all__ = ["actor_of", "record_action", "require", "state_values", "visible_case"]


def require(viewer: User, permission: Permission, doing: str) -> None:
    """Refuse with a message naming the role and the act (``doing``: "assign cases")."""
    if not can(viewer.role, permission):
        raise Forbidden(f"a {viewer.role.value} may not {doing}.")


def visible_case(conn: Connection, viewer: User, case_id: int, now: datetime) -> CaseRow:
    """The case, if the viewer may see it; NotFound otherwise (no hint that a hidden case exists)."""
    require(viewer, Permission.VIEW_CASES, "see cases")
    stmt = case_select().where(cases.c.id == case_id)
    seen = visible_to(viewer)
    if seen is not None:
        stmt = stmt.where(seen)
    row = conn.execute(stmt).first()
    if row is None:
        raise NotFound(f"no case {case_id} that you may see.")
    return case_row(row, now)


def record_action(
    conn: Connection, case_id: int, actor: Actor, action: str, detail: dict[str, Any], now: datetime
) -> None:
    """One entry in the case's history and the same in the audit log, in the caller's transaction."""
    conn.execute(
        insert(case_actions).values(
            case_id=case_id, user_id=actor.user_id, action=action, detail=detail, at=now
        )
    )
    record_audit(conn, actor, f"case.{action}", target=f"case:{case_id}", detail=detail, now=now)


def actor_of(viewer: User, ip: str | None) -> Actor:
    return Actor(user_id=viewer.id, username=viewer.username, ip=ip)


def state_values(case: CaseRow, state: str, now: datetime) -> dict[str, Any]:
    """The column values that move ``case`` to ``state`` (a reopened case loses its resolution time)."""
    values: dict[str, Any] = {"state": state, "updated_at": now}
    if state == "resolved":
        values["resolved_at"] = now
    elif case.state == "resolved":
        values["resolved_at"] = None  # reopened
    return values
