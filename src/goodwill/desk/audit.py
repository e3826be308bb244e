"""The audit log: one row for every action anyone takes on the desk, written in the action's transaction."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from goodwill.store import Store
from goodwill.store.schema_desk import audit_log

__all__ = ["SYSTEM", "Actor", "AuditEntry", "list_audit", "record_audit"]


@dataclass(frozen=True)
class Actor:
    """Who did something, and from where (None for the system: sync, CLI)."""

    user_id: int | None
    username: str | None
    ip: str | None = None


SYSTEM = Actor(user_id=None, username=None)


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    username: str | None
    action: str
    target: str | None
    detail: dict[str, Any]
    ip: str | None


def record_audit(
    conn: Connection,
    actor: Actor,
    action: str,
    *,
    target: str | None = None,
    detail: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> None:
    """Append one audit row on ``conn`` (inside the caller's transaction)."""
    conn.execute(
        insert(audit_log).values(
            at=now or datetime.now(UTC),
            user_id=actor.user_id,
            username=actor.username,
            action=action,
            target=target,
            detail=dict(detail or {}),
            ip=actor.ip,
        )
    )


def list_audit(store: Store, *, limit: int = 200, before_id: int | None = None) -> list[AuditEntry]:
    """The newest audit rows first; ``before_id`` pages further back."""
    stmt = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
    if before_id is not None:
        stmt = stmt.where(audit_log.c.id < before_id)
    with store.reading() as conn:
        return [
            AuditEntry(
                id=r.id,
                at=r.at,
                username=r.username,
                action=r.action,
                target=r.target,
                detail=dict(r.detail or {}),
                ip=r.ip,
            )
            for r in conn.execute(stmt)
        ]
