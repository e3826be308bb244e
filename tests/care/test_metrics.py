"""Care metrics against values computed by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from goodwill.care.calendar import BusinessHours
from goodwill.care.metrics import (
    CaseRecord,
    ContactCosts,
    care_metrics,
    deflection,
    metrics_report,
    percentile,
)
from goodwill.care.sla import SlaState

NOW = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 30, hour, minute, tzinfo=UTC)


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


CASES = [
    CaseRecord("c1", at(9), "billing", at(9, 10), at(10), "amy", "agent", SlaState.OK),
    CaseRecord("c2", at(9, 30), "billing", at(9, 50), at(11), "amy", "agent", SlaState.OK),
    CaseRecord("c3", at(10), "support", at(10, 30), None, "kim", "agent", SlaState.WARNING),
    CaseRecord("c4", at(11), "support", at(11, 40), at(12), "sam", "ambassador", SlaState.OK),
    CaseRecord("c5", at(12), "billing", at(13, 40), None, "kim", "agent", SlaState.BREACHED),
    CaseRecord("c6", at(13), "support", None, None, None, None, SlaState.BREACHED),
    # Created after NOW: not counted yet.
    CaseRecord("c7", at(19), "support", at(19, 5), None, "amy", "agent", SlaState.OK),
]


def test_overall_figures() -> None:
    overall = metrics_report(CASES, now=NOW).overall
    # waits 10, 20, 30, 40, 100 minutes: median 30; p90 at rank 3.6 = 40 + 0.6 x 60 = 76
    assert overall.first_response_median == minutes(30)
    assert overall.first_response_p90 == minutes(76)
    assert (overall.cases, overall.responded, overall.resolved, overall.backlog) == (6, 5, 3, 3)
    assert overall.resolution_rate == 0.5
    assert overall.breaches == 2
    assert overall.handled_on_social == 5


def test_per_queue_agent_and_ambassador() -> None:
    report = metrics_report(CASES, now=NOW)
    billing, support = report.by_queue["billing"], report.by_queue["support"]
    # billing waits 10, 20, 100: median 20; p90 at rank 1.8 = 20 + 0.8 x 80 = 84
    assert (billing.first_response_median, billing.first_response_p90) == (minutes(20), minutes(84))
    assert (billing.cases, billing.resolved, billing.backlog, billing.breaches) == (3, 2, 1, 1)
    assert billing.resolution_rate == 0.6667
    # support waits 30, 40 (c6 unanswered): median 35; p90 = 30 + 0.9 x 10 = 39
    assert (support.first_response_median, support.first_response_p90) == (minutes(35), minutes(39))
    assert (support.cases, support.resolved, support.backlog, support.breaches) == (3, 1, 2, 1)
    assert support.resolution_rate == 0.3333

    assert sorted(report.by_agent) == ["amy", "kim"]
    amy, kim = report.by_agent["amy"], report.by_agent["kim"]
    assert (amy.first_response_median, amy.first_response_p90, amy.resolution_rate) == (
        minutes(15), minutes(19), 1.0
    )  # fmt: skip
    assert (kim.first_response_median, kim.first_response_p90, kim.resolution_rate) == (
        minutes(65), minutes(93), 0.0
    )  # fmt: skip
    assert (kim.backlog, kim.breaches) == (2, 1)
    assert list(report.by_ambassador) == ["sam"]
    sam = report.by_ambassador["sam"]
    assert (sam.first_response_median, sam.first_response_p90, sam.resolved) == (minutes(40), minutes(40), 1)


def test_deflection_shows_its_calculation() -> None:
    shown = metrics_report(CASES, now=NOW).deflection
    # 5 contacts x (0.5 x 6.00 + 0.5 x 4.00 - 1.50) = 5 x 3.50 = 17.50
    assert (shown.contacts, shown.per_contact, shown.total) == (5, 3.5, 17.5)
    assert shown.calculation == (
        "5 contacts handled on social x (0.5 x GBP 6.00 phone + 0.5 x GBP 4.00 email - GBP 1.50 social)"
        " = 5 x GBP 3.50 = GBP 17.50"
    )
    phone_only = deflection(1234, ContactCosts(currency="EUR", phone=5.2, social=0.7, phone_share=1))
    assert phone_only.total == 5553.0
    assert phone_only.calculation == (
        "1,234 contacts handled on social x (EUR 5.20 phone - EUR 0.70 social)"
        " = 1,234 x EUR 4.50 = EUR 5,553.00"
    )
    email_only = deflection(10, ContactCosts(email=3.0, social=1.0, phone_share=0))
    assert (email_only.per_contact, email_only.total) == (2.0, 20.0)
    assert "(GBP 3.00 email - GBP 1.00 social)" in email_only.calculation


def test_business_time_first_response() -> None:
    hours = BusinessHours(week={d: ["09:00-17:00"] for d in ("mon", "tue", "wed", "thu", "fri")})
    friday = datetime(2026, 11, 27, 16, 50, tzinfo=UTC)
    monday = datetime(2026, 11, 30, 9, 10, tzinfo=UTC)
    case = CaseRecord("c", friday, first_response_at=monday)
    assert care_metrics([case], now=NOW).first_response_median == monday - friday
    assert care_metrics([case], now=NOW, calendar=hours.calendar()).first_response_median == minutes(20)


def test_events_after_now_have_not_happened() -> None:
    case = CaseRecord("c", at(9), first_response_at=at(12), resolved_at=at(13))
    early = care_metrics([case], now=at(11))
    assert (early.responded, early.resolved, early.backlog, early.first_response_median) == (0, 0, 1, None)


def test_no_cases() -> None:
    empty = metrics_report([], now=NOW)
    assert empty.overall.resolution_rate is None
    assert empty.overall.first_response_median is None
    assert empty.by_queue == {} and empty.deflection.total == 0.0


@pytest.mark.parametrize(
    ("values", "fraction", "expected"),
    [([10, 20, 30, 40], 0.5, 25), ([5], 0.9, 5), (list(range(1, 11)), 0.9, 9.1), ([], 0.5, None)],
)
def test_percentile(values: list[float], fraction: float, expected: float | None) -> None:
    result = percentile(values, fraction)
    assert result == pytest.approx(expected) if expected is not None else result is None


def test_costs_are_validated() -> None:
    with pytest.raises(ValidationError):
        ContactCosts(phone=-1)
    with pytest.raises(ValidationError):
        ContactCosts(phone_share=1.5)
