"""The metrics page and the ambassadors' leaderboard: the desk's records handed to goodwill.care to measure.

The store knows who did what; goodwill.care.metrics and goodwill.care.ambassadors
compute the figures. Times are measured from when the case was opened on the desk
(the SLA clocks start there too).

Who handled a case, for the per-agent and per-ambassador tables: the ambassador
whose answer is marked as its solution; else the ambassador who answered first;
else the agent it is assigned to. An answer marked as a solution earns its
ambassador the solution bonus on the leaderboard.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from goodwill.care.ambassadors import (
    AmbassadorAnswer,
    AmbassadorPolicy,
    AnswerStatus,
    LeaderboardRow,
    leaderboard,
    needs_approval,
)
from goodwill.care.config import CareConfig
from goodwill.care.metrics import CaseRecord, MetricsReport, metrics_report
from goodwill.store import Store
from goodwill.store.schema_desk import cases, replies, users
from goodwill.store.schema_inbox import case_solutions

__all__ = ["ambassador_answers", "ambassador_needs_approval", "desk_leaderboard", "desk_metrics"]

_STATUS = {
    "sent": AnswerStatus.ACCEPTED,
    "pending_approval": AnswerStatus.PENDING,
    "rejected": AnswerStatus.REJECTED,
}


def desk_metrics(store: Store, care: CareConfig, *, now: datetime | None = None) -> MetricsReport:
    """First response and resolution figures, backlog, breaches and the deflection estimate."""
    stamp = now or datetime.now(UTC)
    book = care.sla_book()
    first_by = (
        select(replies.c.case_id, users.c.role, users.c.username)
        .join(users, users.c.id == replies.c.user_id)
        .where(replies.c.status == "sent")
        .order_by(replies.c.case_id, replies.c.sent_at, replies.c.id)
    )
    solved_by = (
        select(case_solutions.c.case_id, users.c.role, users.c.username)
        .join(replies, replies.c.id == case_solutions.c.reply_id)
        .join(users, users.c.id == replies.c.user_id)
    )
    assignee = users.alias("assignee")
    stmt = select(
        cases.c.id,
        cases.c.created_at,
        cases.c.queue,
        cases.c.first_response_at,
        cases.c.resolved_at,
        assignee.c.username,
    ).outerjoin(assignee, assignee.c.id == cases.c.assignee_id)
    with store.reading() as conn:
        responder: dict[int, tuple[str, str]] = {}
        for case_id, role, username in conn.execute(first_by):
            responder.setdefault(int(case_id), (str(role), str(username)))
        solver = {int(c): (str(role), str(name)) for c, role, name in conn.execute(solved_by)}
        rows = list(conn.execute(stmt))
    records = []
    for r in rows:
        status = book.status(
            r.queue,
            created_at=r.created_at,
            first_response_at=r.first_response_at,
            resolved_at=r.resolved_at,
            now=stamp,
        )
        handler, role = r.username, "agent"
        for who in (solver.get(int(r.id)), responder.get(int(r.id))):
            if who is not None and who[0] == "ambassador":
                handler, role = who[1], "ambassador"
                break
        records.append(
            CaseRecord(
                id=str(r.id),
                created_at=r.created_at,
                queue=r.queue,
                first_response_at=r.first_response_at,
                resolved_at=r.resolved_at,
                assignee=handler,
                role="ambassador" if role == "ambassador" else "agent",
                sla_state=status.state if status is not None else None,
            )
        )
    return metrics_report(records, now=stamp, costs=care.costs)


def ambassador_answers(store: Store) -> tuple[list[AmbassadorAnswer], list[str]]:
    """Every answer an ambassador wrote, as goodwill.care.ambassadors reads them, and every ambassador."""
    reviewer = users.alias("reviewer")
    stmt = (
        select(
            replies,
            users.c.username,
            reviewer.c.username.label("reviewer"),
            case_solutions.c.marked_at.label("solved_at"),
        )
        .join(users, users.c.id == replies.c.user_id)
        .outerjoin(reviewer, reviewer.c.id == replies.c.reviewed_by)
        .outerjoin(case_solutions, case_solutions.c.reply_id == replies.c.id)
        .where(users.c.role == "ambassador")
        .order_by(replies.c.id)
    )
    with store.reading() as conn:
        answers = [
            AmbassadorAnswer(
                id=str(r.id),
                ambassador=r.username,
                case_id=str(r.case_id),
                submitted_at=r.created_at,
                status=_STATUS.get(r.status, AnswerStatus.PENDING),
                decided_by=r.reviewer,
                decided_at=r.sent_at,
                solution=r.solved_at is not None,
            )
            for r in conn.execute(stmt)
        ]
        names = list(
            conn.execute(
                select(users.c.username).where(
                    users.c.role == "ambassador",
                    users.c.active == True,  # noqa: E712
                )
            ).scalars()
        )
    return answers, [str(n) for n in names]


def ambassador_needs_approval(
    store: Store, username: str, policy: AmbassadorPolicy, *, flagged: bool
) -> bool:
    """Whether this ambassador's next answer waits for an agent (always once the reply check flagged it)."""
    if flagged:
        return True
    answers, _ = ambassador_answers(store)
    return needs_approval(username, answers, policy)


def desk_leaderboard(
    store: Store, policy: AmbassadorPolicy, *, since: datetime | None = None
) -> list[LeaderboardRow]:
    answers, names = ambassador_answers(store)
    return leaderboard(answers, policy, ambassadors=names, since=since)
