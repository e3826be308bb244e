"""Cases: the posts that welcome a reply, opened from the store's judged posts.

``sync_cases`` is the one way cases come to be: it walks the posts whose current
receptivity says *welcome* (spam left out) and opens a case for each one that has
none, copying out the columns the inbox filters on, asking the router for a queue
and skills, the SLA policy for deadlines and the assigner for an agent with room.
It is idempotent, run by ``goodwill cases sync`` and by ``goodwill serve`` on
start. A case whose post was deleted by its author is resolved.

Visibility: a case is *public* (ambassadors may see it) when its intent is one of
``DeskServices.public_intents`` (by default a question or a request for a
recommendation; ``[care.ambassadors] intents`` once wired) and it is not a
complaint: complaints often involve someone's account and stay with staff.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, and_, func, insert, select, update

from goodwill.care.priority import priority_of
from goodwill.desk.accounts import normalise_tags
from goodwill.desk.audit import SYSTEM, record_audit
from goodwill.desk.roles import Role
from goodwill.desk.services import AgentLoad, CaseFacts, DeskServices
from goodwill.store import PostQuery, Store, StoredPost
from goodwill.store.schema import posts
from goodwill.store.schema_desk import case_actions, case_tags, cases, users

__all__ = [
    "ACTIVE_STATES",
    "STATES",
    "SyncCounts",
    "agent_loads",
    "case_facts",
    "case_tags_for",
    "retag_cases",
    "sync_cases",
]

STATES = ("open", "pending", "resolved")
ACTIVE_STATES = ("open", "pending")
_PAGE = 1000
_HASHTAG = re.compile(r"#(\w{2,64})", re.UNICODE)
_WORD = re.compile(r"[\w-]+", re.UNICODE)


@dataclass(frozen=True)
class SyncCounts:
    created: int = 0
    assigned: int = 0
    closed: int = 0


def _label(enrichment: Mapping[str, Any], key: str) -> str | None:
    value = enrichment.get(key)
    if isinstance(value, Mapping):
        label = value.get("label")
        return str(label) if label is not None else None
    return None


def _brand(enrichment: Mapping[str, Any]) -> str | None:
    receptivity = enrichment.get("receptivity") or {}
    if receptivity.get("brand"):
        return str(receptivity["brand"])
    for entry in enrichment.get("brands") or ():
        if isinstance(entry, Mapping) and entry.get("role") == "brand" and entry.get("name"):
            return str(entry["name"])
    return None


def case_facts(stored: StoredPost) -> CaseFacts:
    """What routing and SLAs see of a post."""
    e = stored.enrichment
    language = e.get("language")
    return CaseFacts(
        post_id=stored.id,
        network=stored.post.network,
        text=stored.post.text or "",
        brand=_brand(e),
        intent=_label(e, "intent"),
        language=str(language) if isinstance(language, str) else stored.post.lang,
        sentiment=_label(e, "sentiment"),
        is_complaint=bool((e.get("complaint") or {}).get("is_complaint")),
        author_followers=stored.post.author_followers,
        posted_at=stored.post.created_at,
        enrichment=e,
    )


def case_tags_for(facts: CaseFacts, skills: Iterable[str], vocabulary: Iterable[str]) -> tuple[str, ...]:
    """Tags a case is found by: brand, intent, language, network, hashtags, skills, expertise words."""
    words = {w.lower() for w in _WORD.findall(facts.text)}
    known = [term for term in normalise_tags(vocabulary) if term in words]
    return normalise_tags(
        [
            *(x for x in (facts.brand, facts.intent, facts.language, facts.network) if x),
            *_HASHTAG.findall(facts.text),
            *skills,
            *known,
        ]
    )


def _visibility(facts: CaseFacts, services: DeskServices) -> str:
    if facts.intent in services.public_intents and facts.intent != "complaint" and not facts.is_complaint:
        return "public"
    return "private"


def agent_loads(conn: Connection) -> list[AgentLoad]:
    """Active agents (and admins) with their skills, capacity and count of unresolved cases."""
    open_count = (
        select(cases.c.assignee_id, func.count().label("n"))
        .where(cases.c.state.in_(ACTIVE_STATES), cases.c.assignee_id.is_not(None))
        .group_by(cases.c.assignee_id)
        .subquery()
    )
    stmt = (
        select(users, func.coalesce(open_count.c.n, 0).label("open_cases"))
        .outerjoin(open_count, open_count.c.assignee_id == users.c.id)
        .where(users.c.active == True, users.c.role.in_([Role.AGENT.value, Role.ADMIN.value]))  # noqa: E712
        .order_by(users.c.id)
    )
    return [
        AgentLoad(
            user_id=r.id,
            username=r.username,
            skills=tuple(r.expertise or ()),
            capacity=r.capacity,
            open_cases=int(r.open_cases),
        )
        for r in conn.execute(stmt)
    ]


def _vocabulary(conn: Connection) -> list[str]:
    rows = conn.execute(select(users.c.expertise).where(users.c.active == True))  # noqa: E712
    return sorted({str(t) for (tags,) in rows for t in (tags or ())})


def _open_cases(
    conn: Connection, page: Sequence[StoredPost], services: DeskServices, now: datetime
) -> tuple[int, int]:
    ids = [p.id for p in page]
    have = set(conn.execute(select(cases.c.post_id).where(cases.c.post_id.in_(ids))).scalars())
    fresh = [p for p in page if p.id not in have and not (p.enrichment.get("spam") or {}).get("is_spam")]
    if not fresh:
        return 0, 0
    vocabulary = _vocabulary(conn)
    loads = {a.user_id: a for a in agent_loads(conn)}
    created = assigned = 0
    for stored in fresh:
        facts = case_facts(stored)
        route = services.router.route(facts)
        prio = priority_of(
            stored.enrichment, followers=facts.author_followers, created_at=facts.posted_at, now=now
        )
        deadlines = services.sla.deadlines(route.queue, now)
        assignee = services.assigner.choose(route, list(loads.values()))
        receptivity = stored.enrichment.get("receptivity") or {}
        parts = dict(prio.parts)
        if route.priority_boost:
            parts["routing"] = route.priority_boost
        result = conn.execute(
            insert(cases)
            .values(
                post_id=stored.id,
                state="open",
                queue=route.queue,
                assignee_id=assignee,
                assigned_at=now if assignee is not None else None,
                skills=list(route.skills),
                priority=round(prio.score + route.priority_boost, 4),
                priority_parts=parts,
                network=facts.network,
                brand=facts.brand,
                intent=facts.intent,
                language=facts.language,
                sentiment=facts.sentiment,
                visibility=_visibility(facts, services),
                reasons=[str(r) for r in receptivity.get("reasons") or ()],
                counter_reasons=[str(r) for r in receptivity.get("counter_reasons") or ()],
                author_handle=stored.post.author_handle,
                posted_at=facts.posted_at,
                created_at=now,
                updated_at=now,
                first_response_due=deadlines.first_response_due,
                resolution_due=deadlines.resolution_due,
                sla_due_at=deadlines.first_response_due,
                sla_warn_at=deadlines.first_response_warn,
                escalated=False,
            )
            .returning(cases.c.id)
        )
        case_id = int(result.scalar_one())
        tags = case_tags_for(facts, route.skills, vocabulary)
        if tags:
            conn.execute(insert(case_tags), [{"case_id": case_id, "tag": t} for t in tags])
        detail: dict[str, Any] = {"queue": route.queue, "priority": prio.score}
        conn.execute(
            insert(case_actions).values(
                case_id=case_id, user_id=None, action="created", detail=detail, at=now
            )
        )
        created += 1
        if assignee is not None and assignee in loads:
            load = loads[assignee]
            loads[assignee] = AgentLoad(
                load.user_id, load.username, load.skills, load.capacity, load.open_cases + 1
            )
            conn.execute(
                insert(case_actions).values(
                    case_id=case_id,
                    user_id=None,
                    action="assigned",
                    detail={"to": load.username, "by": "routing"},
                    at=now,
                )
            )
            assigned += 1
    return created, assigned


def _close_deleted(conn: Connection, now: datetime) -> int:
    gone = list(
        conn.execute(
            select(cases.c.id)
            .join(posts, posts.c.id == cases.c.post_id)
            .where(and_(posts.c.deleted == True, cases.c.state != "resolved"))  # noqa: E712
        ).scalars()
    )
    for case_id in gone:
        conn.execute(
            update(cases)
            .where(cases.c.id == case_id)
            .values(state="resolved", resolved_at=now, updated_at=now)
        )
        conn.execute(
            insert(case_actions).values(
                case_id=case_id,
                user_id=None,
                action="state",
                detail={"to": "resolved", "why": "post deleted"},
                at=now,
            )
        )
    return len(gone)


def _retag(conn: Connection) -> int:
    vocabulary = normalise_tags(_vocabulary(conn))
    if not vocabulary:
        return 0
    stmt = (
        select(cases.c.id, posts.c.text)
        .join(posts, posts.c.id == cases.c.post_id)
        .where(cases.c.state.in_(ACTIVE_STATES), cases.c.visibility == "public")
    )
    rows = list(conn.execute(stmt))
    have: set[tuple[int, str]] = set()
    ids = [r.id for r in rows]
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        found = conn.execute(
            select(case_tags.c.case_id, case_tags.c.tag).where(
                case_tags.c.case_id.in_(chunk), case_tags.c.tag.in_(vocabulary)
            )
        )
        have.update((int(c), str(t)) for c, t in found)
    missing = [
        {"case_id": r.id, "tag": term}
        for r in rows
        for term in vocabulary
        if term in {w.lower() for w in _WORD.findall(r.text or "")} and (r.id, term) not in have
    ]
    if missing:
        conn.execute(insert(case_tags), missing)
    return len(missing)


def _refresh_statistics(conn: Connection) -> None:
    """Sample the cases' indexes for SQLite's planner (PostgreSQL's autovacuum does this by itself).

    Without statistics SQLite guesses, and guesses the (state, priority) index for
    "unresolved, most urgent first", then sorts every unresolved case for one
    inbox page; with them it reads the partial inbox index in order. Sampling
    1,000 rows per index keeps this to milliseconds on a million cases.
    """
    conn.exec_driver_sql("PRAGMA analysis_limit = 1000")
    conn.exec_driver_sql("ANALYZE cases")


def retag_cases(store: Store) -> int:
    """Tag unresolved public cases with every expertise word their post uses (after someone new joins)."""
    return store.transaction(_retag)


def sync_cases(
    store: Store,
    *,
    versions: Mapping[str, str] | None = None,
    services: DeskServices | None = None,
    now: datetime | None = None,
) -> SyncCounts:
    """Open a case for every welcome, non-spam post that has none; resolve cases of deleted posts."""
    services = services or DeskServices()
    stamp = now or datetime.now(UTC)
    created = assigned = 0
    offset = 0
    while True:
        page = store.query(
            PostQuery(welcome=True, versions=versions, limit=_PAGE, offset=offset, newest_first=False)
        )
        if not page:
            break
        offset += len(page)
        c, a = store.transaction(lambda conn, page=page: _open_cases(conn, page, services, stamp))  # type: ignore[misc]
        created += c
        assigned += a
    closed = store.transaction(lambda conn: _close_deleted(conn, stamp))
    retag_cases(store)
    if (created or closed) and store.dialect == "sqlite":
        store.transaction(_refresh_statistics)
    if created or closed:
        detail = {"created": created, "assigned": assigned, "closed": closed}
        store.transaction(lambda conn: record_audit(conn, SYSTEM, "cases.sync", detail=detail, now=stamp))
    return SyncCounts(created=created, assigned=assigned, closed=closed)
