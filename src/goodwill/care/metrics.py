"""Care metrics: how fast people get an answer, how many get resolved, and what social care saves.

Computed from plain case records (:class:`CaseRecord`), so the desk's metrics
page, the CLI and a notebook all get the same numbers:

* **first response time**, median and 90th percentile, over cases that got a
  first response (wall-clock time, or business time when a calendar is given);
* **resolution rate**: resolved cases / cases;
* **backlog**: cases not resolved at ``now``;
* **SLA breaches**: cases whose SLA state is breached;
* **contacts handled on social**: cases that got a response on the network;
* a **deflection estimate**: handled contacts x (what a phone or email contact
  costs - what a social contact costs), with the costs configurable
  (``[care.costs]``) and the calculation written out, because an estimate
  nobody can check persuades nobody.

Each figure comes for everything, per queue, per agent and per ambassador.
Percentiles interpolate linearly between the two nearest ranks (the common
"type 7" definition): the median of 10, 20, 30, 40 minutes is 25 minutes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from goodwill.care.calendar import BusinessCalendar
from goodwill.care.sla import SlaState

__all__ = [
    "CareMetrics",
    "CaseRecord",
    "ContactCosts",
    "Deflection",
    "MetricsReport",
    "care_metrics",
    "metrics_report",
    "percentile",
]

Role = Literal["agent", "ambassador"]


@dataclass(frozen=True)
class CaseRecord:
    """One case as the metrics see it."""

    id: str
    created_at: datetime
    queue: str = "general"
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None
    #: who handled it (the user name), and in which role
    assignee: str | None = None
    role: Role | None = None
    sla_state: SlaState | None = None


class ContactCosts(BaseModel):
    """``[care.costs]``: what one contact costs on each channel, for the deflection estimate."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    currency: str = "GBP"
    phone: float = Field(default=6.0, ge=0)
    email: float = Field(default=4.0, ge=0)
    social: float = Field(default=1.5, ge=0)
    #: the share of social contacts that would otherwise have been phone calls (the rest, emails)
    phone_share: float = Field(default=0.5, ge=0, le=1)

    @property
    def avoided(self) -> float:
        """What the contact would have cost elsewhere, blended by ``phone_share``."""
        return self.phone_share * self.phone + (1 - self.phone_share) * self.email


@dataclass(frozen=True)
class Deflection:
    contacts: int
    per_contact: float
    total: float
    #: the calculation, written out for the metrics page
    calculation: str


@dataclass(frozen=True)
class CareMetrics:
    cases: int
    responded: int
    resolved: int
    backlog: int
    breaches: int
    first_response_median: timedelta | None
    first_response_p90: timedelta | None
    resolution_rate: float | None

    @property
    def handled_on_social(self) -> int:
        """Contacts answered on the network itself (they did not need a phone call or an email)."""
        return self.responded


@dataclass(frozen=True)
class MetricsReport:
    overall: CareMetrics
    by_queue: dict[str, CareMetrics]
    by_agent: dict[str, CareMetrics]
    by_ambassador: dict[str, CareMetrics]
    deflection: Deflection


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """The ``fraction`` quantile (0..1) with linear interpolation between the nearest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def care_metrics(
    cases: Iterable[CaseRecord], *, now: datetime, calendar: BusinessCalendar | None = None
) -> CareMetrics:
    """The figures for one set of cases. Events after ``now`` have not happened yet."""
    now = _utc(now)
    rows = [c for c in cases if _utc(c.created_at) <= now]
    waits: list[float] = []
    resolved = 0
    for case in rows:
        if case.first_response_at is not None and _utc(case.first_response_at) <= now:
            start, end = _utc(case.created_at), _utc(case.first_response_at)
            span = calendar.between(start, end) if calendar is not None else max(end - start, timedelta(0))
            waits.append(span.total_seconds())
        if case.resolved_at is not None and _utc(case.resolved_at) <= now:
            resolved += 1
    median, p90 = percentile(waits, 0.5), percentile(waits, 0.9)
    return CareMetrics(
        cases=len(rows),
        responded=len(waits),
        resolved=resolved,
        backlog=len(rows) - resolved,
        breaches=sum(1 for c in rows if c.sla_state is SlaState.BREACHED),
        first_response_median=timedelta(seconds=median) if median is not None else None,
        first_response_p90=timedelta(seconds=p90) if p90 is not None else None,
        resolution_rate=round(resolved / len(rows), 4) if rows else None,
    )


def _money(amount: float, currency: str) -> str:
    return f"{currency} {amount:,.2f}"


def deflection(contacts: int, costs: ContactCosts) -> Deflection:
    """contacts x (blended phone/email cost - social cost), with the sum written out."""
    per_contact = costs.avoided - costs.social
    total = contacts * per_contact
    c = costs.currency
    share = costs.phone_share
    if share in (0.0, 1.0):
        elsewhere = f"{_money(costs.phone if share else costs.email, c)} {'phone' if share else 'email'}"
    else:
        elsewhere = (
            f"{share:g} x {_money(costs.phone, c)} phone + {1 - share:g} x {_money(costs.email, c)} email"
        )
    calculation = (
        f"{contacts:,} contacts handled on social x ({elsewhere} - {_money(costs.social, c)} social)"
        f" = {contacts:,} x {_money(per_contact, c)} = {_money(total, c)}"
    )
    return Deflection(
        contacts=contacts, per_contact=round(per_contact, 4), total=round(total, 2), calculation=calculation
    )


def _grouped(
    cases: Sequence[CaseRecord],
    key: Callable[[CaseRecord], str | None],
    *,
    now: datetime,
    calendar: BusinessCalendar | None,
) -> dict[str, CareMetrics]:
    groups: dict[str, list[CaseRecord]] = {}
    for case in cases:
        name = key(case)
        if name is not None:
            groups.setdefault(name, []).append(case)
    return {name: care_metrics(groups[name], now=now, calendar=calendar) for name in sorted(groups)}


def metrics_report(
    cases: Iterable[CaseRecord],
    *,
    now: datetime,
    costs: ContactCosts | None = None,
    calendar: BusinessCalendar | None = None,
) -> MetricsReport:
    """Every figure overall and per queue, per agent, per ambassador, with the deflection estimate."""
    rows = list(cases)
    overall = care_metrics(rows, now=now, calendar=calendar)
    return MetricsReport(
        overall=overall,
        by_queue=_grouped(rows, lambda c: c.queue, now=now, calendar=calendar),
        by_agent=_grouped(
            rows, lambda c: c.assignee if c.role == "agent" else None, now=now, calendar=calendar
        ),
        by_ambassador=_grouped(
            rows, lambda c: c.assignee if c.role == "ambassador" else None, now=now, calendar=calendar
        ),
        deflection=deflection(overall.handled_on_social, costs or ContactCosts()),
    )
