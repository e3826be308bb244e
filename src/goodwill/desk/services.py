"""The seams between the desk and the care logic: reply check, suggestions, routing, assignment, SLAs.

Each is a one-method Protocol with a do-nothing default, handed to the desk as one
``DeskServices`` value, so the desk runs (and is tested) without any of them and
the care implementations plug in without touching a route.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from goodwill.sources.reply import ReplyTarget, SentReply

__all__ = [
    "DEFAULT_PUBLIC_INTENTS",
    "AgentLoad",
    "Assigner",
    "CaseFacts",
    "Deadlines",
    "DeskServices",
    "ReplyChecker",
    "ReplyContext",
    "ReplyFlag",
    "ReplyOutbox",
    "Route",
    "Router",
    "SlaPolicy",
    "Suggester",
    "Suggestion",
]


@dataclass(frozen=True)
class CaseFacts:
    """What routing and SLAs may look at when a case is opened."""

    post_id: int
    network: str
    text: str
    brand: str | None
    intent: str | None
    language: str | None
    sentiment: str | None
    is_complaint: bool
    author_followers: int | None
    posted_at: datetime | None
    enrichment: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Route:
    queue: str = "general"
    skills: tuple[str, ...] = ()
    #: added to the computed priority (an escalation rule, a VIP author)
    priority_boost: float = 0.0


class Router(Protocol):
    def route(self, facts: CaseFacts) -> Route: ...


@dataclass(frozen=True)
class AgentLoad:
    user_id: int
    username: str
    skills: tuple[str, ...]
    capacity: int | None
    open_cases: int


class Assigner(Protocol):
    def choose(self, route: Route, agents: Sequence[AgentLoad]) -> int | None: ...


@dataclass(frozen=True)
class Deadlines:
    first_response_due: datetime | None
    resolution_due: datetime | None
    #: when the inbox starts warning before each deadline
    first_response_warn: datetime | None = None
    resolution_warn: datetime | None = None


class SlaPolicy(Protocol):
    def deadlines(self, queue: str, opened_at: datetime) -> Deadlines: ...


@dataclass(frozen=True)
class ReplyContext:
    """What the reply check needs to judge a draft in its thread."""

    post_text: str
    thread_texts: tuple[str, ...]
    brand: str | None
    intent: str | None
    welcome: bool
    enrichment: Mapping[str, Any] = field(default_factory=dict)
    #: the author's handle and name, so a reply that names them reads as personal
    author: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReplyFlag:
    code: str
    message: str
    evidence: str = ""
    #: a blocking flag stops the reply until a reason is given; the others are warnings
    blocking: bool = True


class ReplyChecker(Protocol):
    def check(self, text: str, context: ReplyContext) -> list[ReplyFlag]: ...


class ReplyOutbox(Protocol):
    """Sends replies through the networks' reply capability (goodwill.desk.outbox); none by default."""

    def can_send(self, network: str) -> bool: ...

    def retry_safe(self, network: str) -> bool:
        """Whether the network knows a resent ``key`` (Mastodon), so a send in doubt may simply go again."""
        ...

    def send(self, network: str, target: ReplyTarget, text: str, *, key: str) -> SentReply: ...


@dataclass(frozen=True)
class Suggestion:
    text: str
    #: where it comes from, shown as its citation: "case 12" or "kb/roaming.md"
    source: str
    score: float


class Suggester(Protocol):
    def suggest(self, text: str, *, limit: int = 3) -> list[Suggestion]: ...


class _DefaultRouter:
    def route(self, facts: CaseFacts) -> Route:
        return Route()


class _NoAssigner:
    def choose(self, route: Route, agents: Sequence[AgentLoad]) -> int | None:
        return None


class _NoSla:
    def deadlines(self, queue: str, opened_at: datetime) -> Deadlines:
        return Deadlines(first_response_due=None, resolution_due=None)


class _NoReplyCheck:
    def check(self, text: str, context: ReplyContext) -> list[ReplyFlag]:
        return []


class _NoOutbox:
    """Every network is copy-and-mark: the agent pastes the reply themselves."""

    def can_send(self, network: str) -> bool:
        return False

    def retry_safe(self, network: str) -> bool:
        return False

    def send(self, network: str, target: ReplyTarget, text: str, *, key: str) -> SentReply:
        raise NotImplementedError("no network sends replies here")  # can_send said no


class _NoSuggestions:
    def suggest(self, text: str, *, limit: int = 3) -> list[Suggestion]:
        return []


#: Intents of a case ambassadors may see (a complaint never is one).
DEFAULT_PUBLIC_INTENTS = frozenset({"question", "recommendation_request"})


@dataclass(frozen=True)
class DeskServices:
    router: Router = field(default_factory=_DefaultRouter)
    assigner: Assigner = field(default_factory=_NoAssigner)
    sla: SlaPolicy = field(default_factory=_NoSla)
    reply_checker: ReplyChecker = field(default_factory=_NoReplyCheck)
    suggester: Suggester = field(default_factory=_NoSuggestions)
    #: the networks replies are posted on (the others are copied and marked as replied)
    outbox: ReplyOutbox = field(default_factory=_NoOutbox)
    #: a case with one of these intents that is not a complaint is public (ambassadors may see it)
    public_intents: frozenset[str] = DEFAULT_PUBLIC_INTENTS
