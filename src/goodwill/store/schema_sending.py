"""The sending part's claim table: a row per reply the desk sends through a network, written BEFORE the call.

A network post cannot be undone and most networks cannot tell a retried post
from a new one, so the desk first claims the send in the store (this row, with
the reply's status set to ``sending``) and only then asks the network. The
primary key and the unique ``idempotency_key`` make the claim atomic: of two
agents sending the same answer at once, one inserts or updates the row and the
other is told who is sending it. A row whose reply is still ``sending`` after
the process died says the answer may be on the network already: the desk
shows it to an agent instead of posting it again.

``attempt_at`` is when the attempt now running began (NULL: none is running,
the last one failed and the outcome of an earlier one is unknown);
``started_at`` is the first attempt (Mastodon honours an Idempotency-Key for
an hour after it). Declared on the shared ``metadata``; created by migration
0008. Written by goodwill.desk.sending.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table

from goodwill.store.schema import UTCDateTime, metadata

__all__ = ["reply_sends"]

reply_sends = Table(
    "reply_sends",
    metadata,
    Column("reply_id", Integer, ForeignKey("replies.id", ondelete="CASCADE"), primary_key=True),
    # sent with the request where the network honours one (Mastodon); unique: one send per key
    Column("idempotency_key", String(96), nullable=False, unique=True),
    Column("network", String(32), nullable=False),
    # who is sending (the agent who approved an ambassador's answer, or the author of a direct reply)
    Column("user_id", Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    Column("attempts", Integer, nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("attempt_at", UTCDateTime, nullable=True),
    # the send approves an ambassador's answer (else: an agent's own reply)
    Column("approves", Boolean, nullable=False),
    # an agent's reply that resolves the case once it is out
    Column("resolve", Boolean, nullable=False),
)
