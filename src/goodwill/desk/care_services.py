"""goodwill.care behind the desk's seams: routing, assignment, SLAs, the reply check, suggestions.

Each class adapts one pure ``goodwill.care`` decision to the one-method seam the
desk calls (goodwill.desk.services), reading the ``[care]`` table of
goodwill.toml. ``care_services`` builds them all for a workspace.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from goodwill.care.config import CareConfig
from goodwill.care.replycheck import ReplyPolicy, check_reply
from goodwill.care.routing import Agent, OpenCase, assign
from goodwill.care.routing import CaseFacts as RoutingFacts
from goodwill.care.sla import SlaBook
from goodwill.care.suggest import PastReply, build_suggester
from goodwill.care.suggest import Suggester as CareIndex
from goodwill.config import WorkspaceConfig
from goodwill.desk.services import (
    AgentLoad,
    CaseFacts,
    Deadlines,
    DeskServices,
    ReplyContext,
    ReplyFlag,
    Route,
    Suggestion,
)
from goodwill.store import Store
from goodwill.store.schema import posts
from goodwill.store.schema_desk import cases, replies

__all__ = ["CareAssigner", "CareReplyCheck", "CareRouter", "CareSla", "CareSuggester", "care_services"]

_WORD = re.compile(r"[\w-]+", re.UNICODE)


def topics_of(text: str) -> tuple[str, ...]:
    """The words and hashtags of a post, which ``topic = [...]`` routing rules match."""
    return tuple(dict.fromkeys(w.lower().lstrip("#") for w in _WORD.findall(text)))


class CareRouter:
    """``[[care.routes]]``: the first matching rule names the queue, skills and priority."""

    def __init__(self, care: CareConfig) -> None:
        self.routing = care.routing()

    def route(self, facts: CaseFacts) -> Route:
        decision = self.routing.route(
            RoutingFacts(
                intent=facts.intent,
                brand=facts.brand,
                language=facts.language,
                network=facts.network,
                topics=topics_of(facts.text),
                followers=facts.author_followers,
            )
        )
        return Route(
            queue=decision.queue,
            skills=tuple(sorted(decision.skills)),
            priority_boost=float(decision.priority),
        )


class CareAssigner:
    """Capacity-aware assignment: the least-loaded agent with the skills, working the queue, with room."""

    def __init__(self, care: CareConfig, now: datetime | None = None) -> None:
        self.care = care

    def agent(self, load: AgentLoad) -> Agent:
        listed = any(spec.name == load.username for spec in self.care.agents)
        base = self.care.agent(load.username, open_cases=load.open_cases)
        if listed:
            return base
        capacity = load.capacity if load.capacity is not None else self.care.default_capacity
        return replace(base, skills=frozenset(load.skills), capacity=capacity)

    def choose(self, route: Route, agents: Sequence[AgentLoad]) -> int | None:
        by_name = {a.username: a.user_id for a in agents}
        case = OpenCase(
            id="new",
            created_at=datetime.now().astimezone(),
            skills=frozenset(route.skills),
            priority=round(route.priority_boost),
            queue=route.queue,
        )
        result = assign([case], [self.agent(a) for a in agents])
        return by_name.get(result.assignments[0].agent_id) if result.assignments else None


class CareSla:
    """``[[care.queues]]``: first-response and resolution targets in business time, with a warning point."""

    def __init__(self, care: CareConfig) -> None:
        self.book: SlaBook = care.sla_book()

    def deadlines(self, queue: str, opened_at: datetime) -> Deadlines:
        sla = self.book.queues.get(queue)
        if sla is None:
            return Deadlines(first_response_due=None, resolution_due=None)
        calendar = self.book.calendars[sla.calendar]
        first = sla.first_response
        resolution = sla.resolution
        return Deadlines(
            first_response_due=calendar.add(opened_at, first),
            first_response_warn=calendar.add(opened_at, first * sla.warning_at),
            resolution_due=calendar.add(opened_at, resolution) if resolution is not None else None,
            resolution_warn=calendar.add(opened_at, resolution * sla.warning_at)
            if resolution is not None
            else None,
        )


class CareReplyCheck:
    """goodwill.care.replycheck: sales talk where nobody asked, canned text, unwelcome threads."""

    def __init__(self, policy: ReplyPolicy) -> None:
        self.policy = policy

    def check(self, text: str, context: ReplyContext) -> list[ReplyFlag]:
        enrichment: dict[str, Any] = dict(context.enrichment)
        receptivity = dict(enrichment.get("receptivity") or {})
        if receptivity.get("welcome", True) != context.welcome:
            receptivity["welcome"] = context.welcome
            if not context.welcome:
                receptivity.setdefault("counter_reasons", []).append("an agent corrected it to not welcome")
            enrichment["receptivity"] = receptivity
        result = check_reply(
            text,
            enrichment=enrichment,
            post_text=context.post_text,
            author=context.author,
            policy=self.policy,
        )
        return [
            ReplyFlag(code=f.code, message=f.message, evidence=f.excerpt, blocking=f.blocking)
            for f in result.flags
        ]


def past_replies(store: Store) -> list[PastReply]:
    """Replies sent on resolved cases, with the post each answered: what the desk said before."""
    stmt = (
        select(replies.c.id, posts.c.text, replies.c.text.label("reply"))
        .join(cases, cases.c.id == replies.c.case_id)
        .join(posts, posts.c.id == cases.c.post_id)
        .where(replies.c.status == "sent", cases.c.state == "resolved", posts.c.text.is_not(None))
        .order_by(replies.c.id)
    )
    with store.reading() as conn:
        return [PastReply(id=str(r.id), post_text=r.text, reply_text=r.reply) for r in conn.execute(stmt)]


class CareSuggester:
    """goodwill.care.suggest over past resolved replies and the knowledge base, rebuilt as replies come."""

    def __init__(self, store: Store, *, knowledge_base: Path | None, encoder: str) -> None:
        self.store = store
        self.knowledge_base = knowledge_base
        self.encoder = encoder
        self._index: CareIndex | None = None
        self._seen: int | None = None
        self._lock = threading.Lock()

    def _marker(self) -> int:
        stmt = (
            select(func.coalesce(func.max(replies.c.id), 0))
            .join(cases, cases.c.id == replies.c.case_id)
            .where(replies.c.status == "sent", cases.c.state == "resolved")
        )
        with self.store.reading() as conn:
            return int(conn.execute(stmt).scalar_one())

    def index(self) -> CareIndex:
        with self._lock:
            marker = self._marker()
            if self._index is None or marker != self._seen:
                self._index = build_suggester(
                    past_replies(self.store),
                    knowledge_base=self.knowledge_base,
                    encoder=self.encoder,  # type: ignore[arg-type]
                )
                self._seen = marker
            return self._index

    def suggest(self, text: str, *, limit: int = 3) -> list[Suggestion]:
        if not text.strip():
            return []
        return [
            Suggestion(text=s.text, source=str(s.citation), score=round(float(s.score), 3))
            for s in self.index().suggest(text, limit=limit)
        ]


def care_services(
    config: WorkspaceConfig,
    *,
    workspace: Path,
    store: Store | None = None,
    knowledge_base: Path | None = None,
) -> DeskServices:
    """The desk's services from a workspace's ``[care]`` settings (suggestions need the store)."""
    care = config.care
    domains = [d for b in config.brands for d in b.domains]
    services = DeskServices(
        router=CareRouter(care),
        assigner=CareAssigner(care),
        sla=CareSla(care),
        reply_checker=CareReplyCheck(care.reply_policy(domains)),
    )
    if store is not None:
        services = replace(
            services,
            suggester=CareSuggester(
                store,
                knowledge_base=knowledge_base or care.knowledge_base_path(workspace),
                encoder=care.encoder,
            ),
        )
    return services
