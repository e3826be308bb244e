"""The care desk's tables: people, cases, what was done to them, and the audit trail.

A case is one post that welcomes a reply, with the columns the inbox filters and
sorts on copied out of the post's enrichment (brand, network, intent, language,
priority) so the inbox is one indexed query on ``cases`` and never reads JSON.
Each filter column has an index ending in ``(state, priority)``: the inbox always
asks for "not resolved, most urgent first" within a filter.

The SLA columns hold deadlines computed in business hours by the SLA rules when a
case is routed; ``sla_due_at``/``sla_warn_at`` are the next deadline the case has
to meet (first response, then resolution), so "breached" and "at risk" are plain
range comparisons that an index answers.

The audit log keeps the username as text and no foreign key: it must outlive the
accounts it mentions.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    text,
)

from goodwill.store.schema import UTCDateTime, metadata

__all__ = [
    "ACTIVE_SQL",
    "INBOX_FILTER_COLUMNS",
    "api_tokens",
    "audit_log",
    "case_actions",
    "case_tags",
    "cases",
    "corrections",
    "desk_sessions",
    "replies",
    "users",
]

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # Stored case-folded: "Ada" and "ada" are one account.
    Column("username", String(64), nullable=False, unique=True),
    Column("display_name", String(255), nullable=False),
    Column("password_hash", String(255), nullable=False),
    # admin, agent, ambassador or analyst
    Column("role", String(16), nullable=False),
    # lowercase tags an ambassador (or an agent's routing skills) answers for
    Column("expertise", JSON, nullable=False),
    # how many open cases routing may give this person; NULL: no limit
    Column("capacity", Integer, nullable=True),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_login_at", UTCDateTime, nullable=True),
)

desk_sessions = Table(
    "desk_sessions",
    metadata,
    # sha256 of the cookie value: a stolen database does not yield live sessions
    Column("id", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Index(None, "user_id"),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(255), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_used_at", UTCDateTime, nullable=True),
    Column("revoked_at", UTCDateTime, nullable=True),
)

cases = Table(
    "cases",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("post_id", Integer, ForeignKey("posts.id", ondelete="CASCADE"), nullable=False, unique=True),
    # open, pending (waiting for the customer or an approval) or resolved
    Column("state", String(16), nullable=False),
    Column("queue", String(64), nullable=False),
    Column("assignee_id", Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    Column("assigned_at", UTCDateTime, nullable=True),
    # what an agent needs to take the case (from routing and escalation)
    Column("skills", JSON, nullable=False),
    Column("priority", Float, nullable=False),
    Column("priority_parts", JSON, nullable=False),
    Column("network", String(64), nullable=False),
    Column("brand", String(255), nullable=True),
    Column("intent", String(64), nullable=True),
    Column("language", String(16), nullable=True),
    Column("sentiment", String(16), nullable=True),
    # public: anyone may see and answer it (ambassadors included); private: staff only
    Column("visibility", String(16), nullable=False),
    Column("reasons", JSON, nullable=False),
    Column("counter_reasons", JSON, nullable=False),
    Column("author_handle", String(255), nullable=True),
    Column("posted_at", UTCDateTime, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("first_response_at", UTCDateTime, nullable=True),
    Column("resolved_at", UTCDateTime, nullable=True),
    Column("first_response_due", UTCDateTime, nullable=True),
    Column("resolution_due", UTCDateTime, nullable=True),
    Column("sla_due_at", UTCDateTime, nullable=True),
    Column("sla_warn_at", UTCDateTime, nullable=True),
    Column("escalated", Boolean, nullable=False, default=False),
    Index("ix_cases_network_author_handle", "network", "author_handle"),
)

#: The inbox's usual question, "not resolved", as literal SQL: a partial index is used only when the
#: query's WHERE holds this very expression (a bound parameter would not match).
ACTIVE_SQL = "state IN ('open', 'pending')"
_ACTIVE = text(ACTIVE_SQL)
#: Each inbox filter has a partial index over unresolved cases in inbox order (priority down, then
#: the older case), so a filtered inbox reads 50 index entries and never sorts.
INBOX_FILTER_COLUMNS = ("brand", "network", "intent", "language", "queue", "assignee_id")
# The unfiltered inbox, and the SLA filters: the deadlines ride along in the index, so "breached" or
# "at risk" is checked while reading the index in inbox order, with no lookup and no sort.
Index(
    "ix_cases_active_priority",
    cases.c.priority.desc(),
    cases.c.id,
    cases.c.sla_due_at,
    cases.c.sla_warn_at,
    sqlite_where=_ACTIVE,
    postgresql_where=_ACTIVE,
)
for _name in INBOX_FILTER_COLUMNS:
    Index(
        f"ix_cases_active_{_name}",
        cases.c[_name],
        cases.c.priority.desc(),
        cases.c.id,
        sqlite_where=_ACTIVE,
        postgresql_where=_ACTIVE,
    )
Index("ix_cases_state_priority", cases.c.state, cases.c.priority.desc(), cases.c.id)

case_tags = Table(
    "case_tags",
    metadata,
    Column("case_id", Integer, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    Column("tag", String(64), nullable=False),
    PrimaryKeyConstraint("case_id", "tag"),
    Index("ix_case_tags_tag_case_id", "tag", "case_id"),
)

case_actions = Table(
    "case_actions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", Integer, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    # created, assigned, state, replied, reply_pending, reply_approved, reply_rejected, corrected, escalated
    Column("action", String(32), nullable=False),
    Column("detail", JSON, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Index("ix_case_actions_case_id_id", "case_id", "id"),
)

replies = Table(
    "replies",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", Integer, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    Column("text", Text, nullable=False),
    # sent, pending_approval (an ambassador's answer awaiting an agent) or rejected
    Column("status", String(24), nullable=False),
    # network: posted through the source's reply capability; copied: copied and marked as replied
    Column("channel", String(16), nullable=False),
    # what the reply check flagged when the reply was written
    Column("check_flags", JSON, nullable=False),
    # why the sender overrode the reply check (required when it flagged anything)
    Column("override_reason", Text, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime, nullable=True),
    Column("reviewed_by", Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    Index("ix_replies_case_id", "case_id"),
    Index("ix_replies_status_created_at", "status", "created_at"),
    Index("ix_replies_user_id_created_at", "user_id", "created_at"),
)

corrections = Table(
    "corrections",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("post_id", Integer, ForeignKey("posts.id", ondelete="CASCADE"), nullable=False),
    Column("case_id", Integer, ForeignKey("cases.id", ondelete="SET NULL"), nullable=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    # sentiment, intent or welcome
    Column("field", String(32), nullable=False),
    Column("old_value", JSON, nullable=True),
    Column("new_value", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_corrections_post_id", "post_id"),
    Index("ix_corrections_field_created_at", "field", "created_at"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False),
    Column("user_id", Integer, nullable=True),
    Column("username", String(64), nullable=True),
    Column("action", String(64), nullable=False),
    Column("target", String(255), nullable=True),
    # names in it (author links' handles and profiles) become "(forgotten)" on `goodwill forget`
    Column("detail", JSON, nullable=False, info={"person": "names"}),
    Column("ip", String(64), nullable=True),
    Index("ix_audit_log_at", "at"),
    Index("ix_audit_log_user_id_at", "user_id", "at"),
)

# Indexes the desk needs on the core's posts table: a case shows its thread and the author's earlier posts.
from goodwill.store.schema import posts  # noqa: E402

Index("ix_posts_network_conversation_id", posts.c.network, posts.c.conversation_id)
Index("ix_posts_network_reply_to", posts.c.network, posts.c.reply_to)
Index("ix_posts_network_author_handle_created_at", posts.c.network, posts.c.author_handle, posts.c.created_at)
