"""The ``[care]`` part of goodwill.toml: routing, service levels, reply policy, agents, costs, ambassadors.

It is validated with the rest of the workspace config (goodwill.config), so a
mistake here is reported with the file, the line and the key like any other::

    [care]
    default_queue = "general"
    reassign_after = "2h"

    [[care.routes]]
    name = "complaints"
    intent = ["complaint"]
    queue = "complaints"
    skills = ["billing"]
    priority = 2

    [[care.queues]]
    name = "complaints"
    first_response = "1h"
    resolution = "1d"
    calendar = "uk"

    [care.calendars.uk]
    timezone = "Europe/London"
    week = { mon = ["09:00-17:30"], tue = ["09:00-17:30"] }
    holidays = ["2026-12-25"]

    [care.costs]
    phone = 6.0
    social = 1.5

    [care.ambassadors]
    trusted_after = 20
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from goodwill.care.ambassadors import AmbassadorPolicy
from goodwill.care.calendar import BusinessHours
from goodwill.care.metrics import ContactCosts
from goodwill.care.replycheck import ReplyPolicy
from goodwill.care.routing import Agent, Routing
from goodwill.care.sla import ALWAYS, QueueSla, SlaBook

__all__ = ["AgentSpec", "CareConfig"]


class AgentSpec(BaseModel):
    """``[[care.agents]]``: an agent's skills and open-case limit, by user name."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    skills: list[str] = Field(default_factory=list)
    capacity: int = Field(default=10, ge=0)
    #: the queues this agent works; empty means every queue
    queues: list[str] = Field(default_factory=list)

    def agent(self, *, open_cases: int = 0, available: bool = True) -> Agent:
        return Agent(
            id=self.name,
            skills=frozenset(self.skills),
            capacity=self.capacity,
            open_cases=open_cases,
            available=available,
            queues=frozenset(self.queues),
        )


class CareConfig(Routing):
    """Everything under ``[care]``; the routing keys sit directly in it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    queues: list[QueueSla] = Field(default_factory=list)
    calendars: dict[str, BusinessHours] = Field(default_factory=dict)
    reply: ReplyPolicy = Field(default_factory=ReplyPolicy)
    agents: list[AgentSpec] = Field(default_factory=list)
    #: the open-case limit of an agent not listed under ``[[care.agents]]``
    default_capacity: int = Field(default=10, ge=0)
    #: contact costs for the deflection estimate on the metrics page
    costs: ContactCosts = Field(default_factory=ContactCosts)
    ambassadors: AmbassadorPolicy = Field(default_factory=AmbassadorPolicy)
    #: a folder of Markdown files for suggested answers, relative to goodwill.toml
    knowledge_base: str | None = None
    #: how suggestions compare texts: MiniLM embeddings when installed ("auto"), or one named
    encoder: Literal["auto", "minilm", "tfidf"] = "auto"

    @model_validator(mode="after")
    def _references(self) -> CareConfig:
        seen: set[str] = set()
        for index, queue in enumerate(self.queues):
            if queue.name in seen:
                raise ValueError(f"queues[{index}].name: queue {queue.name!r} is declared twice")
            seen.add(queue.name)
            if queue.calendar != ALWAYS and queue.calendar not in self.calendars:
                known = ", ".join(sorted(self.calendars)) or "none declared"
                raise ValueError(
                    f"queues[{index}].calendar: {queue.calendar!r} is not under [care.calendars] ({known}); "
                    f'declare it or use "{ALWAYS}"'
                )
        names = [a.name for a in self.agents]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"agents: {', '.join(twice)} listed twice")
        return self

    def routing(self) -> Routing:
        """Only the routing rules (what :meth:`Routing.route` needs)."""
        return Routing(
            default_queue=self.default_queue,
            routes=self.routes,
            escalations=self.escalations,
            reassign_after=self.reassign_after,
        )

    def sla_book(self) -> SlaBook:
        return SlaBook.build(self.queues, self.calendars)

    def reply_policy(self, brand_domains: Iterable[str] = ()) -> ReplyPolicy:
        """The reply policy, with the workspace brands' domains added to ``[care.reply] brand_domains``."""
        domains = list(dict.fromkeys([*self.reply.brand_domains, *brand_domains]))
        bare = ReplyPolicy(brand_domains=domains).brand_domains
        return self.reply.model_copy(update={"brand_domains": bare})

    def knowledge_base_path(self, workspace: Path) -> Path | None:
        """The knowledge-base folder, resolved against the workspace (the folder of goodwill.toml)."""
        if self.knowledge_base is None:
            return None
        folder = Path(self.knowledge_base).expanduser()
        return folder if folder.is_absolute() else workspace / folder

    def agent(self, name: str, *, open_cases: int = 0, available: bool = True) -> Agent:
        """A user as an :class:`Agent`: their ``[[care.agents]]`` entry, else no skills, default limit."""
        for spec in self.agents:
            if spec.name == name:
                return spec.agent(open_cases=open_cases, available=available)
        return Agent(id=name, capacity=self.default_capacity, open_cases=open_cases, available=available)
