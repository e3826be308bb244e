"""The inbox: unresolved cases, most urgent first, narrowed by filters and by who is looking.

One query on ``cases`` (joined to the post for its text and to the assignee for a
name), always on indexed columns, so it stays fast on a large store. Pages are
found by seeking, not skipping (``InboxFilter.seek``, see goodwill.desk.cursor):
the next page is the cases after the last one shown in inbox order, which the
``(…, priority DESC, id)`` indexes answer directly at any depth. Who may see
what is decided here, in SQL, not in the templates: an ambassador only ever gets
rows of public cases sharing a tag with their expertise.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, and_, exists, false, func, literal_column, or_, select

from goodwill.desk.accounts import User
from goodwill.desk.cases import ACTIVE_STATES
from goodwill.desk.cursor import Seek
from goodwill.desk.ids import parse_row_id
from goodwill.desk.roles import Permission, can
from goodwill.store import Store
from goodwill.store.schema import posts
from goodwill.store.schema_desk import case_tags, cases, users

__all__ = [
    "SLA_STATES",
    "CaseRow",
    "Facets",
    "InboxFilter",
    "InboxPage",
    "active_clause",
    "case_row",
    "case_select",
    "facets",
    "filter_digest",
    "forget_facets",
    "inbox_select",
    "list_inbox",
    "sla_state",
    "visible_to",
]

SLA_STATES = ("breached", "at_risk", "ok")


@dataclass(frozen=True)
class InboxFilter:
    brand: str | None = None
    network: str | None = None
    intent: str | None = None
    language: str | None = None
    queue: str | None = None
    #: a user id, "me", or "none" (unassigned)
    assignee: str | None = None
    #: breached, at_risk or ok
    sla: str | None = None
    #: "active" (open and pending), open, pending or resolved
    state: str = "active"
    limit: int = 50
    #: where the page starts (None: the first page)
    seek: Seek | None = None


@dataclass(frozen=True)
class CaseRow:
    id: int
    post_id: int
    state: str
    queue: str
    priority: float
    priority_parts: dict[str, float]
    network: str
    brand: str | None
    intent: str | None
    language: str | None
    sentiment: str | None
    visibility: str
    reasons: list[str]
    counter_reasons: list[str]
    text: str | None
    author_handle: str | None
    author_name: str | None
    url: str | None
    posted_at: datetime | None
    created_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    first_response_due: datetime | None
    resolution_due: datetime | None
    sla_due_at: datetime | None
    sla_warn_at: datetime | None
    assignee_id: int | None
    assignee: str | None
    sla: str = "ok"
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class InboxPage:
    rows: list[CaseRow]
    #: there are cases after this page
    has_more: bool
    filters: InboxFilter
    #: there are cases before this page
    has_previous: bool = False

    @property
    def page(self) -> int:
        """This page's number, for display (1 when a "previous" seek found nothing before it)."""
        if self.filters.seek is None or not self.has_previous:
            return 1
        return self.filters.seek.page


_DIGEST_FIELDS = ("brand", "network", "intent", "language", "queue", "assignee", "sla", "state")


def filter_digest(f: InboxFilter) -> str:
    """A short digest of what the filter selects (not its page or size): a cursor is only valid with it."""
    chosen = json.dumps([getattr(f, name) for name in _DIGEST_FIELDS], separators=(",", ":"))
    return hashlib.sha256(chosen.encode("utf-8")).hexdigest()[:16]


def sla_state(state: str, due: datetime | None, warn: datetime | None, now: datetime) -> str:
    """breached, at_risk or ok for one case's next deadline."""
    if state == "resolved" or due is None:
        return "ok"
    if due <= now:
        return "breached"
    if warn is not None and warn <= now:
        return "at_risk"
    return "ok"


def active_clause() -> ColumnElement[bool]:
    """Unresolved cases, written with literals so SQLite uses the partial inbox indexes."""
    return cases.c.state.in_([literal_column(f"'{s}'") for s in ACTIVE_STATES])


def visible_to(viewer: User) -> ColumnElement[bool] | None:
    """The SQL condition on ``cases`` for what ``viewer`` may see (None: everything)."""
    if can(viewer.role, Permission.VIEW_ALL_CASES):
        return None
    if not can(viewer.role, Permission.VIEW_CASES) or not viewer.expertise:
        return false()
    tagged = exists().where(case_tags.c.case_id == cases.c.id, case_tags.c.tag.in_(list(viewer.expertise)))
    return and_(cases.c.visibility == "public", cases.c.escalated == False, tagged)  # noqa: E712


def _sla_clause(name: str, now: datetime) -> ColumnElement[bool]:
    if name == "breached":
        return and_(cases.c.sla_due_at.is_not(None), cases.c.sla_due_at <= now)
    if name == "at_risk":
        return and_(cases.c.sla_warn_at <= now, cases.c.sla_due_at > now)
    return or_(
        cases.c.sla_due_at.is_(None),
        and_(cases.c.sla_due_at > now, or_(cases.c.sla_warn_at.is_(None), cases.c.sla_warn_at > now)),
    )


def _columns() -> list[Any]:
    return [
        *cases.c,
        posts.c.text,
        posts.c.author_name,
        posts.c.url,
        users.c.display_name.label("assignee_name"),
    ]


def case_row(row: Row[Any], now: datetime) -> CaseRow:
    m = row._mapping
    return CaseRow(
        id=m["id"],
        post_id=m["post_id"],
        state=m["state"],
        queue=m["queue"],
        priority=float(m["priority"]),
        priority_parts=dict(m["priority_parts"] or {}),
        network=m["network"],
        brand=m["brand"],
        intent=m["intent"],
        language=m["language"],
        sentiment=m["sentiment"],
        visibility=m["visibility"],
        reasons=list(m["reasons"] or []),
        counter_reasons=list(m["counter_reasons"] or []),
        text=m["text"],
        author_handle=m["author_handle"],
        author_name=m["author_name"],
        url=m["url"],
        posted_at=m["posted_at"],
        created_at=m["created_at"],
        first_response_at=m["first_response_at"],
        resolved_at=m["resolved_at"],
        first_response_due=m["first_response_due"],
        resolution_due=m["resolution_due"],
        sla_due_at=m["sla_due_at"],
        sla_warn_at=m["sla_warn_at"],
        assignee_id=m["assignee_id"],
        assignee=m["assignee_name"],
        sla=sla_state(m["state"], m["sla_due_at"], m["sla_warn_at"], now),
    )


def case_select() -> Any:
    """SELECT of cases with their post's text and author and the assignee's name."""
    return (
        select(*_columns())
        .join(posts, posts.c.id == cases.c.post_id)
        .outerjoin(users, users.c.id == cases.c.assignee_id)
    )


def _seek_clause(seek: Seek) -> ColumnElement[bool]:
    """Cases after (or before) the seek's case in inbox order, written so the index range starts there.

    ``priority <= p`` is the index range; the OR only trims the cases of equal priority.
    """
    p, i = seek.priority, seek.case_id
    if seek.backward:
        return and_(cases.c.priority >= p, or_(cases.c.priority > p, cases.c.id < i))
    return and_(cases.c.priority <= p, or_(cases.c.priority < p, cases.c.id > i))


def inbox_select(viewer: User, f: InboxFilter, now: datetime) -> Any:
    """The SELECT of one inbox page (``f.limit + 1`` rows, to tell whether another page follows).

    Forward pages read in inbox order; a backward seek reads the other way from the
    seek's case (the same index, walked backwards) and the caller turns the rows round.
    """
    where: list[ColumnElement[bool]] = []
    seen = visible_to(viewer)
    if seen is not None:
        where.append(seen)
    if f.state == "active":
        where.append(active_clause())
    else:
        where.append(cases.c.state == f.state)
    for name in ("brand", "network", "intent", "language", "queue"):
        value = getattr(f, name)
        if value:
            where.append(cases.c[name] == value)
    if f.assignee == "none":
        where.append(cases.c.assignee_id.is_(None))
    elif f.assignee == "me":
        where.append(cases.c.assignee_id == viewer.id)
    elif f.assignee and f.assignee.isdigit():
        wanted = parse_row_id(f.assignee)  # an id past what the store holds matches nobody
        where.append(false() if wanted is None else cases.c.assignee_id == wanted)
    if f.sla in SLA_STATES:
        where.append(_sla_clause(f.sla, now))
    if f.seek is not None:
        where.append(_seek_clause(f.seek))
    backward = f.seek is not None and f.seek.backward
    order = (cases.c.priority.asc(), cases.c.id.desc()) if backward else (cases.c.priority.desc(), cases.c.id)
    return case_select().where(*where).order_by(*order).limit(f.limit + 1)


def list_inbox(store: Store, viewer: User, f: InboxFilter, *, now: datetime | None = None) -> InboxPage:
    """One page of cases ``viewer`` may see, most urgent first (ties: the older case first).

    With ``f.seek`` the page starts after that case (or, backward, ends before it).
    """
    stamp = now or datetime.now(UTC)
    stmt = inbox_select(viewer, f, stamp)
    with store.reading() as conn:
        rows = [case_row(r, stamp) for r in conn.execute(stmt)]
    more = len(rows) > f.limit
    rows = rows[: f.limit]
    if f.seek is not None and f.seek.backward:
        rows.reverse()
        return InboxPage(rows=rows, has_more=True, filters=f, has_previous=more)
    return InboxPage(rows=rows, has_more=more, filters=f, has_previous=f.seek is not None)


@dataclass(frozen=True)
class Facets:
    """The values each filter can take, for the filter menus."""

    brand: list[str]
    network: list[str]
    intent: list[str]
    language: list[str]
    queue: list[str]
    assignees: list[tuple[int, str]]


_FACET_CACHE: dict[str, tuple[float, Facets]] = {}
_FACET_TTL_S = 30.0


def _distinct(conn: Connection, col: Any) -> list[str]:
    """The distinct values of an indexed column over unresolved cases, by hopping the index value to value.

    A GROUP BY would read every row; each hop here is one index seek, so the cost is the number of
    values (a handful of brands, networks, languages), not the number of cases.
    """
    out: list[str] = []
    current = conn.execute(select(func.min(col)).where(active_clause())).scalar()
    while current is not None and len(out) < 500:
        out.append(str(current))
        current = conn.execute(select(func.min(col)).where(active_clause(), col > current)).scalar()
    return out


def facets(store: Store) -> Facets:
    """Distinct filter values, cached for a few seconds: they change only when cases are synced."""
    hit = _FACET_CACHE.get(store.url)
    if hit is not None and time.monotonic() - hit[0] < _FACET_TTL_S:
        return hit[1]
    values: dict[str, list[str]] = {}
    with store.reading() as conn:
        for name in ("brand", "network", "intent", "language", "queue"):
            values[name] = _distinct(conn, cases.c[name])
        people = [
            (int(r.id), str(r.display_name))
            for r in conn.execute(
                select(users.c.id, users.c.display_name)
                .where(users.c.active == True, users.c.role.in_(["agent", "admin"]))  # noqa: E712
                .order_by(users.c.display_name)
            )
        ]
    result = Facets(assignees=people, **values)
    _FACET_CACHE[store.url] = (time.monotonic(), result)
    return result


def forget_facets(store: Store) -> None:
    _FACET_CACHE.pop(store.url, None)
