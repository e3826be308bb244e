"""Solutions: recording, for a public question, that one answer is what solved it.

On social networks the asker says "that fixed it, thanks" in a reply or a like,
not in goodwill, so someone on the desk records it on their behalf: an agent
or an admin (``Permission.MARK_SOLUTION``). An ambassador may not, not even on
their own answer: a solution earns the ambassador extra points and rank, and
ambassadors' points rest on staff accepting their work (the same reason their
answers wait for an agent's approval).

Only a **public** case's **sent** reply can be the solution (an answer still
waiting for approval, or rejected, cannot), one per case: marking another
moves the mark. Marking resolves the case, so it counts in the resolution rate;
unmarking leaves the state alone (reopen the case if it is not solved after
all). Each change is a case action and an audit row, in one transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from goodwill.desk.accounts import User
from goodwill.desk.case_access import actor_of, record_action, state_values, visible_case
from goodwill.desk.roles import Permission, can
from goodwill.errors import DeskError, Forbidden, NotFound
from goodwill.store import Store
from goodwill.store.schema_desk import cases, replies, users
from goodwill.store.schema_inbox import case_solutions

__all__ = ["mark_solution", "solution_reply", "unmark_solution"]


def _check(viewer: User) -> None:
    if not can(viewer.role, Permission.MARK_SOLUTION):
        raise Forbidden(f"a {viewer.role.value} may not mark an answer as the solution; ask an agent.")


def _current(conn: Connection, case_id: int) -> int | None:
    stmt = select(case_solutions.c.reply_id).where(case_solutions.c.case_id == case_id)
    found = conn.execute(stmt).scalar()
    return int(found) if found is not None else None


def solution_reply(store: Store, case_id: int) -> int | None:
    """The id of the reply marked as the case's solution, if any (check first that the viewer may see it)."""
    return store.read(lambda conn: _current(conn, case_id))


def mark_solution(
    store: Store,
    viewer: User,
    case_id: int,
    reply_id: int,
    *,
    ip: str | None = None,
    now: datetime | None = None,
) -> None:
    """Record that ``reply_id`` solved public case ``case_id``, and resolve the case."""
    _check(viewer)
    stamp = now or datetime.now(UTC)

    def run(conn: Connection) -> None:
        case = visible_case(conn, viewer, case_id, stamp)
        if case.visibility != "public":
            raise DeskError(
                f"case {case_id} is not a public question; solutions are for public questions. "
                "Resolve it instead."
            )
        reply = conn.execute(
            select(replies.c.status, users.c.username, users.c.role)
            .outerjoin(users, users.c.id == replies.c.user_id)
            .where(replies.c.id == reply_id, replies.c.case_id == case_id)
        ).first()
        if reply is None:
            raise NotFound(f"case {case_id} has no reply {reply_id}.")
        if reply.status != "sent":
            status = str(reply.status).replace("_", " ")
            raise DeskError(f"reply {reply_id} is {status}; only an answer that went out can be a solution.")
        before = _current(conn, case_id)
        if before == reply_id:
            return
        if before is None:
            conn.execute(
                insert(case_solutions).values(
                    case_id=case_id, reply_id=reply_id, marked_by=viewer.id, marked_at=stamp
                )
            )
        else:
            conn.execute(
                update(case_solutions)
                .where(case_solutions.c.case_id == case_id)
                .values(reply_id=reply_id, marked_by=viewer.id, marked_at=stamp)
            )
        actor = actor_of(viewer, ip)
        detail: dict[str, Any] = {"reply": reply_id, "author": reply.username, "author_role": reply.role}
        if before is not None:
            detail["replaces"] = before
        record_action(conn, case_id, actor, "solution_marked", detail, stamp)
        if case.state != "resolved":
            conn.execute(
                update(cases).where(cases.c.id == case_id).values(**state_values(case, "resolved", stamp))
            )
            why = {"from": case.state, "to": "resolved", "why": "solved by an answer"}
            record_action(conn, case_id, actor, "state", why, stamp)

    store.transaction(run)


def unmark_solution(
    store: Store, viewer: User, case_id: int, *, ip: str | None = None, now: datetime | None = None
) -> None:
    """Take the solution mark off a case (its state stays as it is)."""
    _check(viewer)
    stamp = now or datetime.now(UTC)

    def run(conn: Connection) -> None:
        visible_case(conn, viewer, case_id, stamp)
        before = _current(conn, case_id)
        if before is None:
            raise NotFound(f"case {case_id} has no answer marked as its solution.")
        conn.execute(delete(case_solutions).where(case_solutions.c.case_id == case_id))
        record_action(conn, case_id, actor_of(viewer, ip), "solution_unmarked", {"reply": before}, stamp)

    store.transaction(run)
