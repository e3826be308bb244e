"""Builders for the desk tests: judged posts written straight into a real store, and one user per role."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta
from typing import Any

from goodwill.desk.accounts import User, add_user
from goodwill.desk.casework import get_case, send_reply
from goodwill.models import Author, Post, Provenance
from goodwill.sources.reply import ReplyTarget, SentReply
from goodwill.store import RawRecord, Store

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"
PROVENANCE = Provenance(source="file:jsonl", endpoint="/tmp/in.jsonl", retrieved_at=NOW)
#: A brand-safe version map: every result saved by add_post is of these versions.
VERSIONS = {"judged": "1"}


def enrichment(
    *,
    intent: str = "question",
    welcome: bool = True,
    brand: str | None = "Acme Bank",
    sentiment: str = "neutral",
    language: str = "en",
    complaint: bool = False,
    spam: bool = False,
    reasons: list[str] | None = None,
) -> dict[str, Any]:
    return {
        "language": language,
        "brands": [{"name": brand, "role": "brand", "addressed": True, "matched": []}] if brand else [],
        "sentiment": {"label": sentiment, "score": -0.6 if sentiment == "negative" else 0.0},
        "intent": {"label": intent, "scores": {intent: 0.9}, "evidence": []},
        "complaint": {"is_complaint": complaint, "score": 0.8 if complaint else 0.0, "evidence": []},
        "receptivity": {
            "welcome": welcome,
            "score": 0.9 if welcome else 0.1,
            "reasons": reasons if reasons is not None else ["addressed to @acmebank"],
            "counter_reasons": [] if welcome else ["not addressed"],
            "brand": brand,
        },
        "spam": {"is_spam": spam, "duplicate_of": None, "reasons": [], "score": 0.0},
    }


def add_post(
    store: Store,
    native_id: str,
    text: str,
    *,
    network: str = "x",
    handle: str = "ada",
    name: str = "Ada L.",
    url: str | None = None,
    hours_ago: float = 2.0,
    followers: int = 10,
    reply_to: str | None = None,
    conversation_id: str | None = None,
    **judged: Any,
) -> int:
    """Store one post with a hand-made judgement; return its id."""
    post = Post(
        network=network,
        native_id=native_id,
        text=text,
        author=Author(handle=handle, name=name, followers=followers),
        created_at=NOW - timedelta(hours=hours_ago),
        url=url,
        reply_to=reply_to,
        conversation_id=conversation_id,
    )
    store.upsert([(post, RawRecord(payload=post.contract_fields(), provenance=PROVENANCE))])
    stored = store.get(network, native_id)
    assert stored is not None
    store.save_enrichment([(stored.id, "judged", "1", enrichment(**judged))])
    return stored.id


def add_people(store: Store) -> dict[str, User]:
    """One active user per role; the ambassador knows about roaming."""
    return {
        "admin": add_user(store, username="root", password=PASSWORD, role="admin", display_name="Rita Admin"),
        "agent": add_user(
            store, username="alice", password=PASSWORD, role="agent", display_name="Alice Agent", capacity=5
        ),
        "ambassador": add_user(
            store,
            username="amb",
            password=PASSWORD,
            role="ambassador",
            display_name="Ami Bassador",
            expertise=["roaming"],
        ),
        "analyst": add_user(
            store, username="ana", password=PASSWORD, role="analyst", display_name="Ana Lyst"
        ),
    }


class ProcessDied(BaseException):
    """Stands for the process dying mid-send: nothing in goodwill catches it, as nothing runs after a kill."""


class DiesAfterPosting:
    """An outbox whose network takes the reply, after which the process dies before the store hears of it."""

    def can_send(self, network: str) -> bool:
        return True

    def retry_safe(self, network: str) -> bool:
        return False

    def send(self, network: str, target: ReplyTarget, text: str, *, key: str) -> SentReply:
        raise ProcessDied


def crashed_send(store: Store, agent: User, case_id: int, text: str = "We are looking into it.") -> int:
    """The id of an agent's reply whose sending died two hours ago: status ``sending``, in doubt now."""
    earlier = datetime.now(UTC) - timedelta(hours=2)
    with contextlib.suppress(ProcessDied):
        send_reply(store, agent, case_id, text, flags=[], outbox=DiesAfterPosting(), now=earlier)
    (reply,) = [r for r in get_case(store, agent, case_id).replies if r.status == "sending"]
    assert reply.in_doubt
    return reply.id
