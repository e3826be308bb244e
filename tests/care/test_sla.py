"""Business hours and SLA clocks: due times in business time, states with an injected now."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from goodwill.care.calendar import BusinessCalendar, BusinessHours
from goodwill.care.duration import format_span, parse_span
from goodwill.care.sla import QueueSla, SlaBook, SlaState, sla_status

WEEKDAY = ["09:00-12:30", "13:30-17:30"]
LONDON = BusinessHours(
    timezone="Europe/London",
    week={"mon": WEEKDAY, "tue": WEEKDAY, "wed": WEEKDAY, "thu": WEEKDAY, "fri": ["09:00-17:00"]},
    holidays=[date(2026, 12, 25), date(2026, 12, 28)],
)
CAL = LONDON.calendar()


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- spans -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "minutes"), [("30m", 30), ("4h", 240), ("1h30m", 90), ("2d", 2880), ("1w", 10080), (45, 45)]
)
def test_spans_read_like_a_rota(text: str | int, minutes: int) -> None:
    assert parse_span(text) == timedelta(minutes=minutes)


@pytest.mark.parametrize("bad", ["", "4", "4 hours", "-1h", "0m", True, None, "h4"])
def test_bad_spans_are_refused(bad: object) -> None:
    with pytest.raises(ValueError, match="span"):
        parse_span(bad)


@given(st.integers(min_value=1, max_value=10**7))
def test_span_round_trips(seconds: int) -> None:
    span = timedelta(seconds=seconds)
    assert parse_span(format_span(span)) == span


# --- business hours ----------------------------------------------------------------------------------------


def test_due_time_skips_lunch_the_night_and_the_weekend() -> None:
    # Friday 2026-11-27 16:00 London (= UTC in winter): 1h left on Friday, then Monday 09:00.
    assert CAL.add(utc(2026, 11, 27, 16, 0), timedelta(hours=3)) == utc(2026, 11, 30, 11, 0)
    # Monday 12:00: 30 minutes before lunch, an hour's lunch, then 1h30 more.
    assert CAL.add(utc(2026, 11, 30, 12, 0), timedelta(hours=2)) == utc(2026, 11, 30, 15, 0)


def test_clock_starts_at_the_next_opening() -> None:
    # Saturday night: Monday opens at 09:00.
    assert CAL.add(utc(2026, 11, 28, 23, 0), timedelta(minutes=30)) == utc(2026, 11, 30, 9, 30)


def test_holidays_are_closed() -> None:
    # Thursday 24 Dec 17:00: 30 minutes left that day; Christmas (Fri), the weekend and the Monday
    # holiday are closed, so the other 30 minutes run on Tuesday the 29th.
    assert CAL.add(utc(2026, 12, 24, 17, 0), timedelta(hours=1)) == utc(2026, 12, 29, 9, 30)


def test_hours_follow_the_local_wall_clock_across_summer_time() -> None:
    # In British Summer Time 09:00 London is 08:00 UTC.
    assert CAL.add(utc(2026, 7, 6, 0, 0), timedelta(minutes=1)) == utc(2026, 7, 6, 8, 1)
    # Friday before the clocks go back (25 Oct 2026): 16:00 BST (15:00 UTC) + 2h = Mon 10:00 GMT.
    assert CAL.add(utc(2026, 10, 23, 15, 0), timedelta(hours=2)) == utc(2026, 10, 26, 10, 0)


def test_between_counts_only_open_time() -> None:
    assert CAL.between(utc(2026, 11, 27, 16, 0), utc(2026, 11, 30, 11, 0)) == timedelta(hours=3)
    assert CAL.between(utc(2026, 11, 30, 11, 0), utc(2026, 11, 27, 16, 0)) == timedelta(0)


def test_is_open() -> None:
    assert CAL.is_open(utc(2026, 11, 30, 9, 0))
    assert not CAL.is_open(utc(2026, 11, 30, 12, 45))
    assert not CAL.is_open(utc(2026, 11, 30, 17, 30))
    assert not CAL.is_open(utc(2026, 12, 25, 10, 0))


def test_always_open_calendar_is_plain_time() -> None:
    always = BusinessHours().calendar()
    assert always.add(utc(2026, 11, 28, 23, 0), timedelta(hours=2)) == utc(2026, 11, 29, 1, 0)
    assert always == BusinessCalendar.always_open()


def test_holidays_close_an_always_open_desk() -> None:
    cal = BusinessHours(holidays=[date(2026, 12, 25)]).calendar()
    assert cal.add(utc(2026, 12, 24, 23, 0), timedelta(hours=2)) == utc(2026, 12, 26, 1, 0)


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ({"timezone": "Mars/Olympus"}, "unknown timezone"),
        ({"week": {"monday": ["9:00-17:00"], "funday": ["09:00-10:00"]}}, "unknown weekday"),
        ({"week": {"mon": ["17:00-09:00"]}}, "ends before it starts"),
        ({"week": {"mon": ["09:00-12:00", "11:00-13:00"]}}, "overlap"),
        ({"week": {"mon": ["9-5"]}}, "09:00-17:30"),
        ({"week": {"mon": ["09:00-25:00"]}}, "not a time of day"),
        ({"week": {"mon": []}}, "no opening hours"),
    ],
)
def test_bad_hours_are_refused_with_a_hint(hours: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        BusinessHours.model_validate(hours)


MOMENTS = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31)).map(
    lambda d: d.replace(tzinfo=UTC)
)
SPANS = st.integers(min_value=1, max_value=60 * 60 * 60).map(lambda s: timedelta(seconds=s))


@settings(max_examples=150, deadline=None)
@given(created=MOMENTS, span=SPANS)
def test_due_time_is_never_in_closed_hours(created: datetime, span: timedelta) -> None:
    due = CAL.add(created, span)
    assert due > created
    # The last second before the due time was business time: the clock ran out while the desk was open.
    assert CAL.between(due - timedelta(seconds=1), due) == timedelta(seconds=1)
    assert CAL.between(created, due) == span


@settings(max_examples=150, deadline=None)
@given(a=MOMENTS, b=MOMENTS, span=SPANS)
def test_due_time_is_monotonic_in_created_time(a: datetime, b: datetime, span: timedelta) -> None:
    early, late = sorted((a, b))
    assert CAL.add(early, span) <= CAL.add(late, span)


@settings(max_examples=100, deadline=None)
@given(a=MOMENTS, b=MOMENTS, c=MOMENTS)
def test_business_time_adds_up(a: datetime, b: datetime, c: datetime) -> None:
    x, y, z = sorted((a, b, c))
    assert CAL.between(x, y) + CAL.between(y, z) == CAL.between(x, z)
    assert CAL.between(x, z) <= z - x


# --- SLA clocks --------------------------------------------------------------------------------------------

SLA = QueueSla(name="complaints", first_response="2h", resolution="8h", calendar="uk", warning_at=0.75)
CREATED = utc(2026, 11, 30, 9, 0)  # a Monday morning


def status(now: datetime, *, first: datetime | None = None, resolved: datetime | None = None) -> object:
    return sla_status(
        SLA, created_at=CREATED, first_response_at=first, resolved_at=resolved, calendar=CAL, now=now
    )


def test_clock_is_ok_then_warning_then_breached() -> None:
    ok = sla_status(SLA, created_at=CREATED, first_response_at=None, resolved_at=None, calendar=CAL,
                    now=utc(2026, 11, 30, 10, 0))  # fmt: skip
    assert ok.first_response.state is SlaState.OK
    assert ok.first_response.consumed == 0.5
    assert ok.first_response.due == utc(2026, 11, 30, 11, 0)
    warning = sla_status(SLA, created_at=CREATED, first_response_at=None, resolved_at=None, calendar=CAL,
                         now=utc(2026, 11, 30, 10, 30))  # fmt: skip
    assert warning.first_response.state is SlaState.WARNING
    assert warning.state is SlaState.WARNING
    late = sla_status(SLA, created_at=CREATED, first_response_at=None, resolved_at=None, calendar=CAL,
                      now=utc(2026, 11, 30, 11, 1))  # fmt: skip
    assert late.first_response.state is SlaState.BREACHED
    assert late.state is SlaState.BREACHED


def test_lunch_does_not_consume_the_clock() -> None:
    created = utc(2026, 11, 30, 12, 0)
    result = sla_status(SLA, created_at=created, first_response_at=None, resolved_at=None, calendar=CAL,
                        now=utc(2026, 11, 30, 13, 30))  # fmt: skip
    assert result.first_response.consumed == 0.25  # 30 of 120 business minutes
    assert result.first_response.due == utc(2026, 11, 30, 15, 0)


def test_a_stopped_clock_keeps_its_verdict() -> None:
    on_time = sla_status(SLA, created_at=CREATED, first_response_at=utc(2026, 11, 30, 10, 45),
                         resolved_at=None, calendar=CAL, now=utc(2026, 12, 4, 9, 0))  # fmt: skip
    assert on_time.first_response.state is SlaState.OK
    assert not on_time.first_response.running
    assert on_time.first_response.consumed == 0.875  # stopped at 1h45 of 2h: no warning once answered
    assert on_time.resolution is not None and on_time.resolution.state is SlaState.BREACHED
    assert on_time.next_due == utc(2026, 12, 1, 9, 30)  # 8h business: Mon 7h30, then Tue 30m
    late = sla_status(SLA, created_at=CREATED, first_response_at=utc(2026, 11, 30, 14, 0),
                      resolved_at=utc(2026, 11, 30, 16, 0), calendar=CAL,
                      now=utc(2026, 12, 4, 9, 0))  # fmt: skip
    assert late.first_response.state is SlaState.BREACHED
    assert late.resolution is not None and late.resolution.state is SlaState.OK
    assert late.next_due is None
    assert late.state is SlaState.BREACHED


def test_resolving_without_a_reply_stops_the_first_response_clock() -> None:
    result = sla_status(SLA, created_at=CREATED, first_response_at=None,
                        resolved_at=utc(2026, 11, 30, 9, 30), calendar=CAL,
                        now=utc(2026, 12, 2, 9, 0))  # fmt: skip
    assert result.first_response.stopped_at == utc(2026, 11, 30, 9, 30)
    assert result.state is SlaState.OK


def test_book_looks_up_queues_and_knows_no_sla() -> None:
    book = SlaBook.build([SLA], {"uk": LONDON})
    found = book.status("complaints", created_at=CREATED, now=utc(2026, 11, 30, 10, 0))
    assert found is not None and found.queue == "complaints"
    assert book.status("praise", created_at=CREATED, now=CREATED) is None


def test_queue_sla_reads_spans_and_bounds_the_warning() -> None:
    assert SLA.first_response == timedelta(hours=2)
    assert SLA.model_dump()["first_response"] == "2h"
    with pytest.raises(ValidationError, match="warning_at"):
        QueueSla(name="q", first_response="1h", warning_at=1.5)


ZONES = ["UTC", "Europe/London", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "America/Havana"]


@st.composite
def calendars(draw: st.DrawFn) -> BusinessCalendar:
    week: dict[str, list[str]] = {}
    for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"):
        cuts = sorted(draw(st.sets(st.integers(0, 48), max_size=4)))
        ranges = [
            f"{a * 30 // 60:02d}:{a * 30 % 60:02d}-{b * 30 // 60:02d}:{b * 30 % 60:02d}"
            for a, b in zip(cuts[::2], cuts[1::2], strict=False)
        ]
        if ranges:
            week[day] = ranges
    if not week:
        week = {"wed": ["00:00-24:00"]}
    days = st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31))
    holidays = draw(st.lists(days, max_size=5))
    return BusinessHours(timezone=draw(st.sampled_from(ZONES)), week=week, holidays=holidays).calendar()


@settings(max_examples=200, deadline=None)
@given(cal=calendars(), created=MOMENTS, span=SPANS)
def test_any_calendar_gives_due_times_in_open_hours(
    cal: BusinessCalendar, created: datetime, span: timedelta
) -> None:
    due = cal.add(created, span)
    assert cal.between(created, due) == span
    assert cal.between(due - timedelta(seconds=1), due) == timedelta(seconds=1)
    assert cal.add(created + timedelta(hours=5), span) >= due
