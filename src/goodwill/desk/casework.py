"""Working a case: reading it whole, assigning it, replying, approving, resolving, correcting judgements.

Every operation checks the actor's role and whether they may see the case, then
writes its change, a case action and an audit row in ONE transaction, so the
history can never disagree with the state. The web pages and the JSON API both
call these functions; neither re-implements a rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, union_all, update

from goodwill.care.priority import INTENT_WEIGHT
from goodwill.desk.accounts import User
from goodwill.desk.case_access import actor_of, record_action, require, state_values, visible_case
from goodwill.desk.cases import STATES
from goodwill.desk.inbox import CaseRow, case_row, case_select, visible_to
from goodwill.desk.replied import record_approved, record_replied
from goodwill.desk.roles import Permission, Role, can
from goodwill.desk.sending import in_doubt, not_waiting, send_approved, send_new
from goodwill.desk.services import ReplyContext, ReplyFlag, ReplyOutbox
from goodwill.errors import DeskError, NotFound, ReplyBlocked
from goodwill.store import Store, StoredPost
from goodwill.store.reading import stored_posts
from goodwill.store.schema import posts
from goodwill.store.schema_desk import case_actions, cases, corrections, replies, users
from goodwill.store.schema_reply import reply_posts
from goodwill.store.schema_sending import reply_sends

__all__ = [
    "CORRECTABLE",
    "ActionEntry",
    "CaseDetail",
    "CorrectionEntry",
    "ReplyEntry",
    "assign_case",
    "correct_judgement",
    "flag_dict",
    "get_case",
    "get_case_row",
    "reply_context",
    "review_reply",
    "send_reply",
    "set_state",
]

#: The judgements an agent may correct, and the values each may take.
CORRECTABLE: dict[str, tuple[str, ...]] = {
    "sentiment": ("negative", "neutral", "positive"),
    "intent": tuple(INTENT_WEIGHT),
    "welcome": ("true", "false"),
}
MAX_REPLY_CHARS = 5000
_THREAD_LIMIT = 50
_HISTORY_LIMIT = 10


@dataclass(frozen=True)
class ActionEntry:
    at: datetime
    who: str | None
    action: str
    detail: dict[str, Any]


@dataclass(frozen=True)
class ReplyEntry:
    id: int
    text: str
    status: str
    channel: str
    who: str | None
    at: datetime
    override_reason: str | None
    flags: list[dict[str, Any]]
    #: where it went on the network (channel ``network``): the new post's id and address
    network_id: str | None = None
    url: str | None = None
    #: status ``sending`` and its attempt is over without an answer: it may be posted (goodwill.desk.sending)
    in_doubt: bool = False


@dataclass(frozen=True)
class CorrectionEntry:
    field: str
    old_value: Any
    new_value: Any
    who: str | None
    at: datetime


@dataclass(frozen=True)
class CaseDetail:
    case: CaseRow
    post: StoredPost
    thread: list[StoredPost]
    author_posts: list[StoredPost]
    author_cases: list[CaseRow]
    actions: list[ActionEntry]
    replies: list[ReplyEntry]
    corrections: list[CorrectionEntry]


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def get_case_row(store: Store, viewer: User, case_id: int, *, now: datetime | None = None) -> CaseRow:
    with store.reading() as conn:
        return visible_case(conn, viewer, case_id, _now(now))


def get_case(store: Store, viewer: User, case_id: int, *, now: datetime | None = None) -> CaseDetail:
    """The case with its thread, the author's earlier posts and cases, and its whole history."""
    stamp = _now(now)
    with store.reading() as conn:
        case = visible_case(conn, viewer, case_id, stamp)
        prow = conn.execute(select(posts).where(posts.c.id == case.post_id)).first()
        assert prow is not None
        post = stored_posts(conn, [prow], None)[0]
        thread = _thread(conn, prow)
        author_posts: list[StoredPost] = []
        author_cases: list[CaseRow] = []
        if prow.author_handle:
            arows = list(
                conn.execute(
                    select(posts)
                    .where(
                        posts.c.network == prow.network,
                        posts.c.author_handle == prow.author_handle,
                        posts.c.id != prow.id,
                        posts.c.deleted == False,  # noqa: E712
                    )
                    .order_by(posts.c.created_at.desc())
                    .limit(_HISTORY_LIMIT)
                )
            )
            author_posts = stored_posts(conn, arows, None)
            cstmt = (
                case_select()
                .where(
                    cases.c.network == prow.network,
                    cases.c.author_handle == prow.author_handle,
                    cases.c.id != case_id,
                )
                .order_by(cases.c.id.desc())
                .limit(_HISTORY_LIMIT)
            )
            seen = visible_to(viewer)
            if seen is not None:
                cstmt = cstmt.where(seen)
            author_cases = [case_row(r, stamp) for r in conn.execute(cstmt)]
        actor_name = users.c.display_name
        actions = [
            ActionEntry(at=r.at, who=r.who, action=r.action, detail=dict(r.detail or {}))
            for r in conn.execute(
                select(
                    case_actions.c.at, case_actions.c.action, case_actions.c.detail, actor_name.label("who")
                )
                .outerjoin(users, users.c.id == case_actions.c.user_id)
                .where(case_actions.c.case_id == case_id)
                .order_by(case_actions.c.id)
            )
        ]
        reply_list = [
            ReplyEntry(
                id=r.id,
                text=r.text,
                status=r.status,
                channel=r.channel,
                who=r.who,
                at=r.created_at,
                override_reason=r.override_reason,
                flags=list(r.check_flags or []),
                network_id=r.network_id,
                url=r.network_url,
                in_doubt=r.status == "sending" and in_doubt(r.attempt_at, stamp),
            )
            for r in conn.execute(
                select(
                    *replies.c,
                    actor_name.label("who"),
                    reply_posts.c.native_id.label("network_id"),
                    reply_posts.c.url.label("network_url"),
                    reply_sends.c.attempt_at,
                )
                .outerjoin(users, users.c.id == replies.c.user_id)
                .outerjoin(reply_posts, reply_posts.c.reply_id == replies.c.id)
                .outerjoin(reply_sends, reply_sends.c.reply_id == replies.c.id)
                .where(replies.c.case_id == case_id)
                .order_by(replies.c.id)
            )
        ]
        fixes = [
            CorrectionEntry(
                field=r.field, old_value=r.old_value, new_value=r.new_value, who=r.who, at=r.created_at
            )
            for r in conn.execute(
                select(*corrections.c, actor_name.label("who"))
                .outerjoin(users, users.c.id == corrections.c.user_id)
                .where(corrections.c.case_id == case_id)
                .order_by(corrections.c.id)
            )
        ]
    return CaseDetail(
        case=case,
        post=post,
        thread=thread,
        author_posts=author_posts,
        author_cases=author_cases,
        actions=actions,
        replies=reply_list,
        corrections=fixes,
    )


def _thread(conn: Connection, prow: Any) -> list[StoredPost]:
    """The conversation around a post: same conversation id, its parent, and the replies to it."""
    same_net = posts.c.network == prow.network
    links = [posts.c.reply_to == prow.native_id]
    if prow.conversation_id:
        links.append(posts.c.conversation_id == prow.conversation_id)
        links.append(posts.c.native_id == prow.conversation_id)
    if prow.reply_to:
        links.append(posts.c.native_id == prow.reply_to)
    # One indexed lookup per link, then the union: as one OR under ORDER BY ... LIMIT, SQLite walks the
    # whole created_at index instead (0.6 s a case page at 100,000 posts, 2 ms this way).
    linked = union_all(*(select(posts.c.id).where(same_net, link) for link in links))
    stmt = (
        select(posts)
        .where(posts.c.id.in_(linked), posts.c.id != prow.id)
        .order_by(posts.c.created_at, posts.c.id)
        .limit(_THREAD_LIMIT)
    )
    rows = list(conn.execute(stmt))
    return stored_posts(conn, rows, None)


def flag_dict(flag: ReplyFlag) -> dict[str, Any]:
    """A flag as stored with a reply and shown to the agent."""
    return {"code": flag.code, "message": flag.message, "evidence": flag.evidence, "blocking": flag.blocking}


def reply_context(detail: CaseDetail) -> ReplyContext:
    """What the reply check needs to judge a draft for this case."""
    receptivity = detail.post.enrichment.get("receptivity") or {}
    welcome = bool(receptivity.get("welcome", True))
    for fix in detail.corrections:
        if fix.field == "welcome":
            welcome = fix.new_value in (True, "true")
    return ReplyContext(
        post_text=detail.post.post.text or "",
        thread_texts=tuple(p.post.text or "" for p in detail.thread),
        brand=detail.case.brand,
        intent=detail.case.intent,
        welcome=welcome,
        enrichment=detail.post.enrichment,
        author=tuple(
            x
            for x in (
                detail.post.post.author_handle,
                detail.post.post.author.name if detail.post.post.author else None,
            )
            if x
        ),
    )


def assign_case(
    store: Store,
    viewer: User,
    case_id: int,
    assignee_id: int | None,
    *,
    ip: str | None = None,
    now: datetime | None = None,
) -> None:
    """Give the case to an agent (or take it off everyone with None)."""
    require(viewer, Permission.ASSIGN, "assign cases")
    stamp = _now(now)

    def run(conn: Connection) -> None:
        visible_case(conn, viewer, case_id, stamp)
        name = None
        if assignee_id is not None:
            target = conn.execute(select(users).where(users.c.id == assignee_id)).first()
            if target is None or not target.active or target.role not in (Role.AGENT.value, Role.ADMIN.value):
                raise DeskError(f"user {assignee_id} is not an active agent; choose another.")
            name = target.username
        conn.execute(
            update(cases)
            .where(cases.c.id == case_id)
            .values(assignee_id=assignee_id, assigned_at=stamp if assignee_id else None, updated_at=stamp)
        )
        record_action(conn, case_id, actor_of(viewer, ip), "assigned", {"to": name}, stamp)

    store.transaction(run)


def set_state(
    store: Store,
    viewer: User,
    case_id: int,
    state: str,
    *,
    ip: str | None = None,
    now: datetime | None = None,
) -> None:
    """Open, set pending (waiting for the customer) or resolve a case."""
    require(viewer, Permission.CHANGE_STATE, "change a case's state")
    if state not in STATES:
        raise DeskError(f"unknown state {state!r}: use one of {', '.join(STATES)}.")
    stamp = _now(now)

    def run(conn: Connection) -> None:
        case = visible_case(conn, viewer, case_id, stamp)
        if case.state == state:
            return
        conn.execute(update(cases).where(cases.c.id == case_id).values(**state_values(case, state, stamp)))
        record_action(conn, case_id, actor_of(viewer, ip), "state", {"from": case.state, "to": state}, stamp)

    store.transaction(run)


def send_reply(
    store: Store,
    viewer: User,
    case_id: int,
    text: str,
    *,
    flags: list[ReplyFlag],
    override_reason: str | None = None,
    resolve: bool = False,
    channel: str = "copied",
    needs_approval: bool | None = None,
    outbox: ReplyOutbox | None = None,
    ip: str | None = None,
    now: datetime | None = None,
) -> int:
    """Log a reply sent (or, from an ambassador, waiting for approval); return its id.

    ``needs_approval=False`` lets a trusted ambassador's answer out directly (the
    ambassador policy decides that; by default every answer waits).

    A reply the check flagged goes out only with a stated reason, which is kept
    with the reply. When ``outbox`` can send on the case's network, a reply that
    goes out now is posted there (``channel`` becomes ``network``, and the new
    post's id and URL are kept), claimed in the store first so it is posted once
    (goodwill.desk.sending); if the network refuses, ReplyNotSent is raised and
    nothing changes. Otherwise ``channel`` is ``copied``: "copy and mark as replied".
    """
    require(viewer, Permission.REPLY, "reply")
    body = text.strip()
    if not body:
        raise DeskError("the reply is empty; write something first.")
    if len(body) > MAX_REPLY_CHARS:
        raise DeskError(f"the reply has {len(body):,} characters; keep it under {MAX_REPLY_CHARS:,}.")
    reason = (override_reason or "").strip() or None
    flag_list = [flag_dict(f) for f in flags]
    blocking = [f for f in flags if f.blocking]
    if blocking and (reason is None or len(reason.split()) < 2):
        raise ReplyBlocked(
            "the reply check flagged this reply: "
            + "; ".join(f.message for f in blocking)
            + ". Rewrite it, or say in a few words why it should go out anyway.",
            flag_list,
        )
    if not blocking:
        reason = None
    if channel not in ("copied", "network"):
        raise DeskError(f"unknown channel {channel!r}: use copied or network.")
    direct = can(viewer.role, Permission.REPLY_DIRECTLY) or needs_approval is False
    stamp = _now(now)
    if direct and outbox is not None:
        ahead = get_case_row(store, viewer, case_id, now=stamp)
        if outbox.can_send(ahead.network):
            return send_new(
                store,
                outbox,
                viewer,
                ahead,
                body,
                flags=flag_list,
                reason=reason,
                resolve=resolve,
                ip=ip,
                now=stamp,
            )

    def run(conn: Connection) -> int:
        case = visible_case(conn, viewer, case_id, stamp)
        if case.state == "resolved":
            raise DeskError(f"case {case_id} is resolved; reopen it before replying.")
        reply_id = int(
            conn.execute(
                insert(replies)
                .values(
                    case_id=case_id,
                    user_id=viewer.id,
                    text=body,
                    status="sent" if direct else "pending_approval",
                    channel=channel,
                    check_flags=flag_list,
                    override_reason=reason,
                    created_at=stamp,
                    sent_at=stamp if direct else None,
                )
                .returning(replies.c.id)
            ).scalar_one()
        )
        actor = actor_of(viewer, ip)
        detail: dict[str, Any] = {"reply": reply_id, "channel": channel}
        if reason:
            detail["override_reason"] = reason
            detail["flags"] = [f["code"] for f in flag_list]
        if direct:
            record_replied(conn, case, actor, detail, resolve=resolve, now=stamp)
        else:
            record_action(conn, case_id, actor, "reply_pending", detail, stamp)
        return reply_id

    return store.transaction(run)


def review_reply(
    store: Store,
    viewer: User,
    reply_id: int,
    *,
    approve: bool,
    outbox: ReplyOutbox | None = None,
    ip: str | None = None,
    now: datetime | None = None,
) -> int:
    """Approve (it counts as sent) or reject an ambassador's answer; return the case id.

    Approving on a network the ``outbox`` sends on posts the answer there, as
    :func:`send_reply` does; if the network refuses, the answer stays waiting.
    Of two agents reviewing the same answer at once, one does; the other is told
    (ReplyConflict), and the answer is posted once.
    """
    require(viewer, Permission.APPROVE, "approve answers")
    stamp = _now(now)
    if approve and outbox is not None:
        with store.reading() as conn:
            row = conn.execute(select(replies.c.case_id).where(replies.c.id == reply_id)).first()
            if row is None:
                raise NotFound(f"no answer {reply_id} waiting for approval.")
            ahead = visible_case(conn, viewer, row.case_id, stamp)
        if outbox.can_send(ahead.network):
            return send_approved(store, outbox, viewer, reply_id, ip=ip, now=stamp)

    def run(conn: Connection) -> int:
        row = conn.execute(select(replies.c.case_id).where(replies.c.id == reply_id)).first()
        if row is None:
            raise NotFound(f"no answer {reply_id} waiting for approval.")
        case = visible_case(conn, viewer, row.case_id, stamp)
        status = "sent" if approve else "rejected"
        won = conn.execute(
            update(replies)
            .where(replies.c.id == reply_id, replies.c.status == "pending_approval")
            .values(status=status, reviewed_by=viewer.id, sent_at=stamp if approve else None)
        )
        if won.rowcount == 0:  # reviewed meanwhile (or never waiting)
            raise not_waiting(conn, reply_id, stamp)
        actor = actor_of(viewer, ip)
        detail: dict[str, Any] = {"reply": reply_id}
        if approve:
            record_approved(conn, case, actor, detail, stamp)
        else:
            record_action(conn, case.id, actor, "reply_rejected", detail, stamp)
        return case.id

    return store.transaction(run)


def correct_judgement(
    store: Store,
    viewer: User,
    case_id: int,
    field: str,
    value: str,
    *,
    ip: str | None = None,
    now: datetime | None = None,
) -> None:
    """Store a corrected sentiment, intent or welcome as a label, and show it on the case at once.

    Saying a post does not welcome a reply resolves its case: the desk should not answer it.
    """
    require(viewer, Permission.CORRECT, "correct judgements")
    allowed = CORRECTABLE.get(field)
    if allowed is None:
        raise DeskError(f"cannot correct {field!r}: use one of {', '.join(CORRECTABLE)}.")
    if value not in allowed:
        raise DeskError(f"{field} cannot be {value!r}: use one of {', '.join(allowed)}.")
    stamp = _now(now)
    new_value: Any = (value == "true") if field == "welcome" else value

    def run(conn: Connection) -> None:
        case = visible_case(conn, viewer, case_id, stamp)
        previous = conn.execute(
            select(corrections.c.new_value)
            .where(corrections.c.post_id == case.post_id, corrections.c.field == field)
            .order_by(corrections.c.id.desc())
            .limit(1)
        ).first()
        old: Any
        if previous is not None:
            old = previous[0]
        elif field == "welcome":
            old = True
        else:
            old = getattr(case, field)
        conn.execute(
            insert(corrections).values(
                post_id=case.post_id,
                case_id=case_id,
                user_id=viewer.id,
                field=field,
                old_value=old,
                new_value=new_value,
                created_at=stamp,
            )
        )
        values: dict[str, Any] = {"updated_at": stamp}
        if field in ("sentiment", "intent"):
            values[field] = value
        conn.execute(update(cases).where(cases.c.id == case_id).values(**values))
        actor = actor_of(viewer, ip)
        change = {"field": field, "from": old, "to": new_value}
        record_action(conn, case_id, actor, "corrected", change, stamp)
        if field == "welcome" and new_value is False and case.state != "resolved":
            conn.execute(
                update(cases).where(cases.c.id == case_id).values(**state_values(case, "resolved", stamp))
            )
            record_action(
                conn,
                case_id,
                actor,
                "state",
                {"from": case.state, "to": "resolved", "why": "not welcome"},
                stamp,
            )

    store.transaction(run)
