"""Posting a reply through the case's network, before the desk records it.

The network is asked FIRST and the store written after, in one transaction, only
once the network has answered with the new post's id: a refusal, a rate limit or
an unreachable server leaves the case exactly as it was (no reply row, no state
change, no first-response time) and the agent keeps the draft. The attempt and
its error are still written to the audit log, with who tried; the token never is
(the source's HttpClient redacts it from every message).
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import Connection, insert, select

from goodwill.desk.audit import Actor, record_audit
from goodwill.desk.inbox import CaseRow
from goodwill.desk.services import ReplyOutbox
from goodwill.errors import GoodwillError, ReplyNotSent
from goodwill.sources.reply import ReplyTarget, SentReply
from goodwill.store import Store
from goodwill.store.schema import posts
from goodwill.store.schema_reply import reply_posts

__all__ = ["post_reply", "record_post", "reply_key", "reply_target"]


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


def post_reply(
    store: Store, outbox: ReplyOutbox, actor: Actor, case: CaseRow, text: str, *, now: datetime
) -> SentReply:
    """Send ``text`` on the case's network; on failure audit the attempt and raise ReplyNotSent."""
    target = store.read(lambda conn: reply_target(conn, case.post_id))
    try:
        return outbox.send(case.network, target, text, key=reply_key(case.id, actor.user_id, text))
    except GoodwillError as exc:
        said = str(exc)

        def audit(conn: Connection) -> None:
            detail = {"network": case.network, "error": said}
            record_audit(conn, actor, "case.reply_failed", target=f"case:{case.id}", detail=detail, now=now)

        store.transaction(audit)
        raise ReplyNotSent(
            f"The reply was not sent: {said} Nothing was recorded and the case is unchanged; "
            "your draft is kept."
        ) from None


def record_post(conn: Connection, reply_id: int, network: str, sent: SentReply, now: datetime) -> None:
    """Keep where the reply went (in the transaction that records the reply)."""
    conn.execute(
        insert(reply_posts).values(
            reply_id=reply_id, network=network, native_id=sent.native_id, url=sent.url, posted_at=now
        )
    )
