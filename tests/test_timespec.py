from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from goodwill.errors import InputError
from goodwill.timespec import parse_since

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("7d", NOW - timedelta(days=7)),
        ("24h", NOW - timedelta(hours=24)),
        ("90m", NOW - timedelta(minutes=90)),
        ("2w", NOW - timedelta(weeks=2)),
        (" 3D ", NOW - timedelta(days=3)),
        ("2026-11-01", datetime(2026, 11, 1, tzinfo=UTC)),
        ("2026-11-01T08:30:00+02:00", datetime(2026, 11, 1, 6, 30, tzinfo=UTC)),
    ],
)
def test_spans_and_dates(value: str, expected: datetime) -> None:
    assert parse_since(value, now=NOW) == expected


@pytest.mark.parametrize("value", ["", "yesterday", "7 days", "-3d", "d7"])
def test_unreadable_values_say_what_to_type(value: str) -> None:
    with pytest.raises(InputError, match="24h, 7d"):
        parse_since(value, now=NOW)


@given(st.text(max_size=40))
def test_any_text_gives_an_aware_datetime_or_input_error(value: str) -> None:
    try:
        moment = parse_since(value, now=NOW)
    except InputError:
        return
    assert moment.tzinfo is not None
