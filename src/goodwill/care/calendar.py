"""Business hours: when the care team's clock runs.

An SLA of "4h to first response" means four hours the desk is open, not four
hours of the night. A :class:`BusinessHours` (``[care.calendars.NAME]`` in
goodwill.toml) names a timezone, opening ranges per weekday and holidays; its
:class:`BusinessCalendar` adds business time to a moment and measures business
time between two moments. Ranges are read in the calendar's local time
(zoneinfo), so a change to or from daylight saving time moves them with the
wall clock. A calendar without a ``week`` is open around the clock.

Limits: a range must end on the day it starts (write a night shift as two
ranges, ``"22:00-24:00"`` and ``"00:00-06:00"`` on the next day); a range that
falls inside a daylight-saving gap is skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from goodwill.errors import CareError

__all__ = ["WEEKDAYS", "BusinessCalendar", "BusinessHours"]

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
#: How far ahead to look for an opening before giving up (a calendar closed for ten years is a mistake).
_HORIZON_DAYS = 3660


def _minutes(hours: str, minutes: str) -> int:
    h, m = int(hours), int(minutes)
    if m > 59 or h > 24 or (h == 24 and m):
        raise ValueError(f"{hours}:{minutes} is not a time of day")
    return h * 60 + m


def _parse_range(text: str) -> tuple[int, int]:
    match = _RANGE.match(text)
    if not match:
        raise ValueError(f'cannot read {text!r}: write opening hours like "09:00-17:30"')
    start, end = _minutes(*match.group(1, 2)), _minutes(*match.group(3, 4))
    if start >= end:
        raise ValueError(
            f"{text!r} ends before it starts; a range must end the same day (split a night shift in two)"
        )
    return start, end


class BusinessHours(BaseModel):
    """When a team works: ``timezone``, ``week = {mon = ["09:00-17:00"], ...}``, ``holidays``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    timezone: str = "UTC"
    #: opening ranges per weekday (mon..sun); a missing day is closed; no ``week`` at all: always open
    week: dict[str, list[str]] | None = None
    #: whole local days on which the team is closed
    holidays: list[date] = Field(default_factory=list)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f'unknown timezone {value!r}; use an IANA name like "Europe/London"') from None
        return value

    @field_validator("week")
    @classmethod
    def _valid_week(cls, value: dict[str, list[str]] | None) -> dict[str, list[str]] | None:
        if value is None:
            return None
        out: dict[str, list[str]] = {}
        for day, ranges in value.items():
            key = day.strip().lower()[:3]
            if key not in WEEKDAYS:
                raise ValueError(f"unknown weekday {day!r}; use mon, tue, wed, thu, fri, sat, sun")
            parsed = sorted(_parse_range(r) for r in ranges)
            for (_, end), (start, _) in pairwise(parsed):
                if start < end:
                    raise ValueError(f"opening ranges on {key} overlap: {ranges}")
            out[key] = list(ranges)
        if not any(out.values()):
            raise ValueError("the week has no opening hours; leave out `week` for a desk that is always open")
        return out

    def calendar(self) -> BusinessCalendar:
        """The arithmetic for these hours."""
        zone, holidays = ZoneInfo(self.timezone), frozenset(self.holidays)
        if self.week is None:
            return BusinessCalendar(tz=zone, ranges=None, holidays=holidays)
        ranges = tuple(tuple(sorted(_parse_range(r) for r in self.week.get(day, []))) for day in WEEKDAYS)
        return BusinessCalendar(tz=zone, ranges=ranges, holidays=holidays)


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@dataclass(frozen=True)
class BusinessCalendar:
    """Adds and measures business time. Naive datetimes are read as UTC; results are aware UTC."""

    tz: ZoneInfo
    #: per weekday (Monday first), sorted ``(start, end)`` minutes after local midnight; None: always open
    ranges: tuple[tuple[tuple[int, int], ...], ...] | None
    holidays: frozenset[date]

    @classmethod
    def always_open(cls) -> BusinessCalendar:
        return cls(tz=ZoneInfo("UTC"), ranges=None, holidays=frozenset())

    def intervals(self, start: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Open intervals ``[open, close)`` from ``start`` on, in order, the first clipped to ``start``."""
        start = _utc(start)
        if self.ranges is None:
            # Holidays still close an around-the-clock desk, day by local day.
            day = start.astimezone(self.tz).date()
            for _ in range(_HORIZON_DAYS):
                if day not in self.holidays:
                    yield from self._clip(self._local(day, 0), self._local(day, 24 * 60), start)
                day += timedelta(days=1)
            return
        day = start.astimezone(self.tz).date() - timedelta(days=1)
        for _ in range(_HORIZON_DAYS):
            if day not in self.holidays:
                for begin, end in self.ranges[day.weekday()]:
                    yield from self._clip(self._local(day, begin), self._local(day, end), start)
            day += timedelta(days=1)

    @staticmethod
    def _clip(opening: datetime, closing: datetime, start: datetime) -> Iterator[tuple[datetime, datetime]]:
        if closing > start and closing > opening:
            yield max(opening, start), closing

    def _local(self, day: date, minutes: int) -> datetime:
        if minutes == 24 * 60:
            return datetime.combine(day + timedelta(days=1), time(0), tzinfo=self.tz).astimezone(UTC)
        return datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=self.tz).astimezone(UTC)

    def add(self, start: datetime, span: timedelta) -> datetime:
        """The moment ``span`` of business time after ``start`` (the clock starts at the next opening)."""
        if self.ranges is None and not self.holidays:
            return _utc(start) + span
        remaining = span
        for opening, closing in self.intervals(start):
            available = closing - opening
            if remaining <= available:
                return opening + remaining
            remaining -= available
        raise CareError(f"these business hours open less than {span} in ten years; check the calendar")

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Business time elapsed from ``start`` to ``end`` (zero when ``end`` is not later)."""
        start, end = _utc(start), _utc(end)
        if end <= start:
            return timedelta(0)
        if self.ranges is None and not self.holidays:
            return end - start
        total = timedelta(0)
        for opening, closing in self.intervals(start):
            if opening >= end:
                break
            total += min(closing, end) - opening
        return total

    def is_open(self, moment: datetime) -> bool:
        """Whether the desk is open at ``moment`` (an opening counts as open, a closing as closed)."""
        moment = _utc(moment)
        for opening, closing in self.intervals(moment):
            return opening <= moment < closing
        return False
