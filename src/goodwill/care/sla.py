"""Service levels: how long a case may wait, in business time, and how close it is to the line.

Each queue may promise a first response and a resolution within a target
(``[[care.queues]]`` in goodwill.toml), counted on a business calendar. A clock
is **ok**, **warning** once a configurable fraction of its target is used up,
or **breached** once its due time has passed without the event. A clock that
stopped (the reply went out, the case was resolved) keeps the state it stopped
in: on time is ok, late stays breached, so metrics can count breaches after the
fact. Everything takes ``now`` as an argument: no hidden clock, easy to test.

Limits: the clock does not pause while waiting on the customer; a case that
moves queue keeps its creation time and takes the new queue's targets.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from goodwill.care.calendar import BusinessCalendar, BusinessHours
from goodwill.care.duration import Duration

__all__ = [
    "ALWAYS",
    "Clock",
    "QueueSla",
    "SlaBook",
    "SlaState",
    "SlaStatus",
    "clock_status",
    "sla_status",
]

#: The calendar name that means "around the clock", available without being declared.
ALWAYS = "always"


class SlaState(StrEnum):
    OK = "ok"
    WARNING = "warning"
    BREACHED = "breached"

    @property
    def rank(self) -> int:
        return {"ok": 0, "warning": 1, "breached": 2}[self.value]


class QueueSla(BaseModel):
    """One queue's promise: ``[[care.queues]]`` with ``name``, ``first_response``, ``resolution``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    first_response: Duration
    resolution: Duration | None = None
    #: a name under ``[care.calendars]``, or "always"
    calendar: str = ALWAYS
    #: the fraction of a target used up that turns a clock to warning
    warning_at: float = Field(default=0.75, gt=0.0, lt=1.0)


@dataclass(frozen=True)
class Clock:
    """One SLA clock of one case."""

    target: timedelta
    due: datetime
    #: business time used so far (or until the clock stopped), as a fraction of the target
    consumed: float
    state: SlaState
    #: when the event happened, or None while the clock runs
    stopped_at: datetime | None

    @property
    def running(self) -> bool:
        return self.stopped_at is None


@dataclass(frozen=True)
class SlaStatus:
    queue: str
    first_response: Clock
    resolution: Clock | None

    @property
    def state(self) -> SlaState:
        """The worst of the clocks: what the inbox shows."""
        clocks = [self.first_response, *([self.resolution] if self.resolution else [])]
        return max((c.state for c in clocks), key=lambda s: s.rank)

    @property
    def next_due(self) -> datetime | None:
        """The earliest due time of a clock still running, for sorting the inbox."""
        running = [c.due for c in (self.first_response, self.resolution) if c is not None and c.running]
        return min(running) if running else None


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def clock_status(
    *,
    started: datetime,
    target: timedelta,
    stopped: datetime | None,
    calendar: BusinessCalendar,
    warning_at: float,
    now: datetime,
) -> Clock:
    """The state of one clock that started at ``started`` and may have stopped."""
    due = calendar.add(started, target)
    until = _utc(stopped) if stopped is not None else _utc(now)
    consumed = calendar.between(started, until) / target
    if until > due:
        state = SlaState.BREACHED
    elif stopped is None and consumed >= warning_at:
        state = SlaState.WARNING
    else:
        state = SlaState.OK
    return Clock(
        target=target,
        due=due,
        consumed=round(consumed, 6),
        state=state,
        stopped_at=_utc(stopped) if stopped is not None else None,
    )


def sla_status(
    sla: QueueSla,
    *,
    created_at: datetime,
    first_response_at: datetime | None,
    resolved_at: datetime | None,
    calendar: BusinessCalendar,
    now: datetime,
) -> SlaStatus:
    """Both clocks of a case. Resolving a case without a reply also stops its first-response clock."""
    responded = first_response_at
    if resolved_at is not None and (responded is None or _utc(resolved_at) < _utc(responded)):
        responded = resolved_at
    first = clock_status(
        started=created_at,
        target=sla.first_response,
        stopped=responded,
        calendar=calendar,
        warning_at=sla.warning_at,
        now=now,
    )
    resolution = (
        clock_status(
            started=created_at,
            target=sla.resolution,
            stopped=resolved_at,
            calendar=calendar,
            warning_at=sla.warning_at,
            now=now,
        )
        if sla.resolution is not None
        else None
    )
    return SlaStatus(queue=sla.name, first_response=first, resolution=resolution)


@dataclass(frozen=True)
class SlaBook:
    """Every queue's SLA with its calendar, looked up by queue name."""

    queues: dict[str, QueueSla]
    calendars: dict[str, BusinessCalendar]

    @classmethod
    def build(cls, queues: list[QueueSla], calendars: dict[str, BusinessHours]) -> SlaBook:
        built = {name: hours.calendar() for name, hours in calendars.items()}
        built.setdefault(ALWAYS, BusinessCalendar.always_open())
        return cls(queues={q.name: q for q in queues}, calendars=built)

    def status(
        self,
        queue: str,
        *,
        created_at: datetime,
        first_response_at: datetime | None = None,
        resolved_at: datetime | None = None,
        now: datetime,
    ) -> SlaStatus | None:
        """The SLA status of a case in ``queue``; None when that queue promises nothing."""
        sla = self.queues.get(queue)
        if sla is None:
            return None
        return sla_status(
            sla,
            created_at=created_at,
            first_response_at=first_response_at,
            resolved_at=resolved_at,
            calendar=self.calendars[sla.calendar],
            now=now,
        )
