"""Posting a reply through the case's network: claim it in the store, ask the network, record its answer.

A post cannot be taken back, and only Mastodon can tell a retried post from a
new one, so every send takes three steps:

1. **Claim**, in one transaction: the reply is written with status ``sending``
   and a ``reply_sends`` row with its idempotency key (an ambassador's answer
   moves from ``pending_approval`` to ``sending`` by a conditional UPDATE). Of
   two agents approving the same answer, or the same draft sent twice, exactly
   one wins; the other is told who is sending it, and nothing is posted twice.
2. **Ask the network**, outside any transaction. If it refuses (the source
   raises before the post exists) the claim is taken back, so the case is as
   it was: a new reply is removed, an answer waits for approval again, the
   agent keeps the draft. The attempt and its error go to the audit log. If
   the request went out and its answer was lost (PostOutcomeUnknown: a read
   timeout, a dropped connection, an answer without the new post's id), the
   reply is in doubt at once.
3. **Record**, in one transaction: status ``sent``, the new post's id and URL,
   the first response and the case's next state.

If the process dies between 2 and 3 the reply stays ``sending``. After
:data:`IN_FLIGHT` it is *in doubt*: it may be on the network. Where the network
honours the idempotency key (Mastodon, for :data:`KEY_HONOURED` after the first
attempt) the same draft sent again, or the answer approved again, goes out with
the same key, which posts at most once; elsewhere it refuses to post blindly
and shows the agent the thread to check, then :func:`settle_send`: send it
again, or record that it is there.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from goodwill.desk.accounts import User
from goodwill.desk.audit import Actor, record_audit
from goodwill.desk.case_access import actor_of, require, visible_case
from goodwill.desk.inbox import CaseRow
from goodwill.desk.replied import record_approved, record_replied
from goodwill.desk.roles import Permission
from goodwill.desk.services import ReplyOutbox
from goodwill.errors import (
    DeskError,
    NotFound,
    PostOutcomeUnknown,
    ReplyConflict,
    ReplyInDoubt,
    ReplyNotSent,
    SourceError,
)
from goodwill.sources.reply import ReplyTarget, SentReply
from goodwill.store import Store
from goodwill.store.schema import posts
from goodwill.store.schema_desk import cases, replies, users
from goodwill.store.schema_reply import reply_posts
from goodwill.store.schema_sending import reply_sends

__all__ = [
    "IN_FLIGHT",
    "KEY_HONOURED",
    "Claim",
    "in_doubt",
    "not_waiting",
    "reply_key",
    "reply_target",
    "send_approved",
    "send_new",
    "settle_send",
]

#: A send still "running" after this long is not running any more: its process died. The outbox's worst
#: case is about 4 minutes (Mastodon: a lookup and a post, 3 attempts of 20 s each with 30 s waits); X,
#: Bluesky and Reddit try once, well under a minute.
IN_FLIGHT = timedelta(minutes=5)
#: Mastodon answers a repeated Idempotency-Key with the first post for an hour.
KEY_HONOURED = timedelta(hours=1)


@dataclass(frozen=True)
class Claim:
    """One attempt at sending one reply, won in the store (see the module docstring)."""

    reply_id: int
    case_id: int
    network: str
    key: str
    text: str
    attempts: int
    #: the send approves an ambassador's answer (else it is an agent's own reply)
    approves: bool
    resolve: bool


def reply_key(case_id: int, user_id: int | None, text: str) -> str:
    """The same answer to the same case by the same person is one send (a double click posts once)."""
    digest = hashlib.sha256(f"{case_id}\0{user_id}\0{text}".encode()).hexdigest()
    return f"goodwill-{case_id}-{digest[:32]}"


def reply_target(conn: Connection, post_id: int) -> ReplyTarget:
    row = conn.execute(
        select(posts.c.native_id, posts.c.url, posts.c.conversation_id, posts.c.author_handle).where(
            posts.c.id == post_id
        )
    ).one()
    return ReplyTarget(
        native_id=row.native_id,
        url=row.url,
        conversation_id=row.conversation_id,
        author_handle=row.author_handle,
    )


def in_doubt(attempt_at: datetime | None, now: datetime) -> bool:
    """Whether a ``sending`` reply's attempt is over (failed, or its process died) without an answer."""
    return attempt_at is None or now - attempt_at >= IN_FLIGHT


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _send_state(conn: Connection, reply_id: int) -> Any:
    """The reply, its send, who is sending it and (once posted) the new post's address."""
    return conn.execute(
        select(
            replies.c.id,
            replies.c.case_id,
            replies.c.status,
            replies.c.text,
            replies.c.sent_at,
            reply_sends.c.idempotency_key,
            reply_sends.c.network,
            reply_sends.c.attempts,
            reply_sends.c.started_at,
            reply_sends.c.attempt_at,
            reply_sends.c.approves,
            reply_sends.c.resolve,
            users.c.display_name.label("who"),
            reply_posts.c.url.label("posted_url"),
        )
        .outerjoin(reply_sends, reply_sends.c.reply_id == replies.c.id)
        .outerjoin(users, users.c.id == reply_sends.c.user_id)
        .outerjoin(reply_posts, reply_posts.c.reply_id == replies.c.id)
        .where(replies.c.id == reply_id)
    ).first()


def _thread_url(conn: Connection, case: CaseRow) -> str:
    url = conn.execute(select(posts.c.url).where(posts.c.id == case.post_id)).scalar_one_or_none()
    return str(url) if url else f"the thread of case {case.id} on {case.network}"


def not_waiting(conn: Connection, reply_id: int, now: datetime) -> NotFound | ReplyConflict:
    """Why answer ``reply_id`` is not waiting for approval, said to the agent who tried to approve it."""
    row = _send_state(conn, reply_id)
    if row is None or row.status in ("pending_approval", "rejected"):
        return NotFound(f"no answer {reply_id} waiting for approval.")
    if row.status == "sending":
        return _busy(row, now)
    if row.idempotency_key is None:
        who = conn.execute(
            select(users.c.display_name)
            .join(replies, replies.c.reviewed_by == users.c.id)
            .where(replies.c.id == reply_id)
        ).scalar_one_or_none()
        return ReplyConflict(
            f"answer {reply_id} was already approved by {who or 'someone'}; nothing was done."
        )
    return _already_sent(row)


def _already_sent(row: Any) -> ReplyConflict:
    where = f" ({row.posted_url})" if row.posted_url else ""
    return ReplyConflict(
        f"this reply was already sent on {row.network} by {row.who or 'someone'} at {_when(row.sent_at)}"
        f"{where}; it was not posted again."
    )


def _busy(row: Any, now: datetime) -> ReplyConflict:
    """The conflict a ``sending`` reply makes for anyone else who tries to send it."""
    if not in_doubt(row.attempt_at, now):
        return ReplyConflict(
            f"this reply is being sent on {row.network} by {row.who or 'someone'} (since "
            f"{_when(row.attempt_at)}); it was not posted again. Reload the case in a minute."
        )
    return ReplyInDoubt(
        f"this reply may already be posted on {row.network}: the send {row.who or 'someone'} started at "
        f"{_when(row.started_at)} did not finish. Check the thread, then send it again or mark it as "
        "posted on the case page.",
        row.id,
    )


def _take_over(
    conn: Connection, viewer: User, row: Any, *, confirmed: bool, safe: bool, now: datetime
) -> Claim:
    """Another attempt at a send in doubt: only on the agent's word, or with a key the network keeps."""
    if row.status == "sent":
        raise _already_sent(row)
    if row.status != "sending":
        raise NotFound(f"reply {row.id} is not being sent; nothing was done.")
    if not in_doubt(row.attempt_at, now):
        raise _busy(row, now)
    retry_safe = safe and now - row.started_at < KEY_HONOURED
    if not (confirmed or retry_safe):
        case = visible_case(conn, viewer, row.case_id, now)
        raise ReplyInDoubt(
            f"this reply may already be posted on {row.network}: the send {row.who or 'someone'} started at "
            f"{_when(row.started_at)} did not finish, and {row.network} cannot tell a second post from the "
            f"first. Check {_thread_url(conn, case)}, then confirm that it should be sent again, or mark it "
            "as posted.",
            row.id,
        )
    won = conn.execute(
        update(reply_sends)
        .where(reply_sends.c.reply_id == row.id, reply_sends.c.attempts == row.attempts)
        .values(attempts=row.attempts + 1, attempt_at=now, user_id=viewer.id)
    )
    if won.rowcount == 0:  # another agent took it over first
        raise _busy(_send_state(conn, row.id), now)
    return Claim(
        reply_id=row.id,
        case_id=row.case_id,
        network=row.network,
        key=row.idempotency_key,
        text=row.text,
        attempts=row.attempts + 1,
        approves=bool(row.approves),
        resolve=bool(row.resolve),
    )


def _claim(conn: Connection, viewer: User, claim: Claim, now: datetime) -> Claim:
    """Write the first attempt's row (the unique key makes a second claim of the same send fail)."""
    conn.execute(
        insert(reply_sends).values(
            reply_id=claim.reply_id,
            idempotency_key=claim.key,
            network=claim.network,
            user_id=viewer.id,
            attempts=1,
            started_at=now,
            attempt_at=now,
            approves=claim.approves,
            resolve=claim.resolve,
        )
    )
    return claim


def _deliver(store: Store, outbox: ReplyOutbox, actor: Actor, claim: Claim, now: datetime) -> SentReply:
    """Ask the network; if it refuses, take the claim back and raise ReplyNotSent (module docstring)."""
    target = store.read(lambda conn: reply_target(conn, _post_of(conn, claim.case_id)))
    try:
        return outbox.send(claim.network, target, claim.text, key=claim.key)
    except PostOutcomeUnknown as exc:  # it went out, but what became of it is not known: in doubt now
        said = str(exc)

        def keep(conn: Connection) -> None:
            conn.execute(
                update(reply_sends).where(reply_sends.c.reply_id == claim.reply_id).values(attempt_at=None)
            )
            detail = {
                "network": claim.network,
                "error": said,
                "attempt": claim.attempts,
                "outcome": "unknown",
            }
            record_audit(
                conn, actor, "case.reply_failed", target=f"case:{claim.case_id}", detail=detail, now=now
            )

        store.transaction(keep)
        raise ReplyInDoubt(
            f"{said} The reply may be posted on {claim.network}: check the thread, then send it again or "
            "mark it as posted on the case page.",
            claim.reply_id,
        ) from None
    except SourceError as exc:  # the source raised before the post existed; anything else leaves it in doubt
        said = str(exc)

        def release(conn: Connection) -> None:
            if claim.attempts > 1:  # an earlier attempt may still have posted it: it stays in doubt
                conn.execute(
                    update(reply_sends)
                    .where(reply_sends.c.reply_id == claim.reply_id)
                    .values(attempt_at=None)
                )
            else:
                conn.execute(delete(reply_sends).where(reply_sends.c.reply_id == claim.reply_id))
                if claim.approves:
                    conn.execute(
                        update(replies)
                        .where(replies.c.id == claim.reply_id, replies.c.status == "sending")
                        .values(status="pending_approval")
                    )
                else:
                    conn.execute(delete(replies).where(replies.c.id == claim.reply_id))
            detail = {"network": claim.network, "error": said, "attempt": claim.attempts}
            record_audit(
                conn, actor, "case.reply_failed", target=f"case:{claim.case_id}", detail=detail, now=now
            )

        store.transaction(release)
        if claim.attempts > 1:
            raise ReplyNotSent(
                f"The reply was not sent again: {said} An earlier attempt may have posted it; check the "
                "thread before you try once more."
            ) from None
        raise ReplyNotSent(
            f"The reply was not sent: {said} Nothing was recorded and the case is unchanged; "
            "your draft is kept."
        ) from None


def _post_of(conn: Connection, case_id: int) -> int:
    return int(conn.execute(select(cases.c.post_id).where(cases.c.id == case_id)).scalar_one())


def _record(
    conn: Connection, viewer: User, ip: str | None, claim: Claim, sent: SentReply | None, now: datetime
) -> int:
    """The reply went out (``sent``: the network's answer; None: an agent saw it there): record it."""
    case = visible_case(conn, viewer, claim.case_id, now)
    values: dict[str, Any] = {"status": "sent", "channel": "network", "sent_at": now}
    detail: dict[str, Any] = {"reply": claim.reply_id, "channel": "network", "network": claim.network}
    if sent is not None:
        values["text"] = sent.text
        conn.execute(
            insert(reply_posts).values(
                reply_id=claim.reply_id,
                network=claim.network,
                native_id=sent.native_id,
                url=sent.url,
                posted_at=now,
            )
        )
        detail |= {"network_id": sent.native_id, "url": sent.url}
    else:
        detail["seen_posted_by"] = viewer.username
    if claim.approves:
        values["reviewed_by"] = viewer.id
    conn.execute(update(replies).where(replies.c.id == claim.reply_id).values(**values))
    conn.execute(update(reply_sends).where(reply_sends.c.reply_id == claim.reply_id).values(attempt_at=None))
    actor = actor_of(viewer, ip)
    if claim.approves:
        record_approved(conn, case, actor, detail, now)
        return case.id
    row = conn.execute(
        select(replies.c.override_reason, replies.c.check_flags).where(replies.c.id == claim.reply_id)
    ).one()
    if row.override_reason:
        detail |= {
            "override_reason": row.override_reason,
            "flags": [f["code"] for f in row.check_flags or []],
        }
    record_replied(conn, case, actor, detail, resolve=claim.resolve, now=now)
    return case.id


def _send(
    store: Store, outbox: ReplyOutbox, viewer: User, ip: str | None, claim: Claim, now: datetime
) -> int:
    sent = _deliver(store, outbox, actor_of(viewer, ip), claim, now)
    return store.transaction(lambda conn: _record(conn, viewer, ip, claim, sent, now))


def send_new(
    store: Store,
    outbox: ReplyOutbox,
    viewer: User,
    case: CaseRow,
    text: str,
    *,
    flags: list[dict[str, Any]],
    reason: str | None,
    resolve: bool,
    ip: str | None,
    now: datetime,
) -> int:
    """Post an agent's reply on the case's network; return the reply's id (ReplyNotSent: nothing changed)."""
    key = reply_key(case.id, viewer.id, text)

    def claim(conn: Connection) -> Claim:
        here = visible_case(conn, viewer, case.id, now)
        if here.state == "resolved":
            raise DeskError(f"case {case.id} is resolved; reopen it before replying.")
        known = conn.execute(
            select(reply_sends.c.reply_id).where(reply_sends.c.idempotency_key == key)
        ).first()
        if known is not None:  # the same draft again: sent, being sent, or in doubt
            row = _send_state(conn, known.reply_id)
            return _take_over(
                conn, viewer, row, confirmed=False, safe=outbox.retry_safe(here.network), now=now
            )
        reply_id = int(
            conn.execute(
                insert(replies)
                .values(
                    case_id=case.id,
                    user_id=viewer.id,
                    text=text,
                    status="sending",
                    channel="network",
                    check_flags=flags,
                    override_reason=reason,
                    created_at=now,
                )
                .returning(replies.c.id)
            ).scalar_one()
        )
        made = Claim(reply_id, case.id, here.network, key, text, 1, approves=False, resolve=resolve)
        return _claim(conn, viewer, made, now)

    won = store.transaction(claim)
    _send(store, outbox, viewer, ip, won, now)
    return won.reply_id


def send_approved(
    store: Store, outbox: ReplyOutbox, viewer: User, reply_id: int, *, ip: str | None, now: datetime
) -> int:
    """Approve an ambassador's answer by posting it on the case's network; return the case id."""

    def claim(conn: Connection) -> Claim:
        row = conn.execute(select(replies.c.case_id, replies.c.text).where(replies.c.id == reply_id)).first()
        if row is None:
            raise NotFound(f"no answer {reply_id} waiting for approval.")
        case = visible_case(conn, viewer, row.case_id, now)
        won = conn.execute(
            update(replies)
            .where(replies.c.id == reply_id, replies.c.status == "pending_approval")
            .values(status="sending")
        )
        if won.rowcount == 0:
            state = _send_state(conn, reply_id)
            if state is not None and state.status == "sending" and state.idempotency_key is not None:
                safe = outbox.retry_safe(case.network)
                return _take_over(conn, viewer, state, confirmed=False, safe=safe, now=now)
            raise not_waiting(conn, reply_id, now)
        key = f"goodwill-{case.id}-answer-{reply_id}"
        made = Claim(reply_id, case.id, case.network, key, row.text, 1, approves=True, resolve=False)
        return _claim(conn, viewer, made, now)

    return _send(store, outbox, viewer, ip, store.transaction(claim), now)


def settle_send(
    store: Store,
    viewer: User,
    reply_id: int,
    decision: str,
    *,
    outbox: ReplyOutbox,
    ip: str | None = None,
    now: datetime | None = None,
) -> int:
    """An agent has checked the thread of a reply in doubt: send it again, or record that it is posted.

    Returns the case id. Either way only one agent settles it (the claim is taken over atomically).
    """
    require(viewer, Permission.REPLY_DIRECTLY, "settle a reply whose sending did not finish")
    if decision not in ("resend", "posted"):
        raise DeskError(f"unknown decision {decision!r}: use resend or posted.")
    stamp = now or datetime.now(UTC)

    seen = store.read(lambda conn: _send_state(conn, reply_id))
    if seen is None or seen.idempotency_key is None:
        raise NotFound(f"no reply {reply_id} whose sending did not finish.")
    if decision == "resend" and not outbox.can_send(seen.network):
        raise DeskError(
            f"goodwill cannot send on {seen.network} now (no sending account is configured); post it "
            "there by hand, then mark it as posted."
        )

    def claim(conn: Connection) -> Claim:
        row = _send_state(conn, reply_id)
        visible_case(conn, viewer, row.case_id, stamp)
        return _take_over(conn, viewer, row, confirmed=True, safe=False, now=stamp)

    won = store.transaction(claim)
    if decision == "resend":
        return _send(store, outbox, viewer, ip, won, stamp)
    return store.transaction(lambda conn: _record(conn, viewer, ip, won, None, stamp))
