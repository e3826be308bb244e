"""Plain counts of the desk's work (cases per state, replies, waiting answers) for the metrics page."""

from __future__ import annotations

from sqlalchemy import func, select

from goodwill.store import Store
from goodwill.store.schema_desk import cases, replies
from goodwill.store.schema_inbox import case_solutions

__all__ = ["desk_counts"]


def desk_counts(store: Store) -> dict[str, int]:
    """Cases open, pending and resolved, replies sent and waiting, questions solved by a marked answer."""
    out = {"open": 0, "pending": 0, "resolved": 0}
    with store.reading() as conn:
        for state, n in conn.execute(select(cases.c.state, func.count()).group_by(cases.c.state)):
            out[str(state)] = int(n)
        for status, n in conn.execute(select(replies.c.status, func.count()).group_by(replies.c.status)):
            out[f"replies_{status}"] = int(n)
        out["solutions"] = int(conn.execute(select(func.count()).select_from(case_solutions)).scalar_one())
    out.setdefault("replies_sent", 0)
    out.setdefault("replies_pending_approval", 0)
    return out
