"""Property tests for what comes from outside: author names typed by people, labels drawn into SVG."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from goodwill.errors import InputError
from goodwill.insights.authors import parse_author
from goodwill.insights.charts import grouped_bar_chart, line_chart

NETWORK = st.from_regex(r"[a-z0-9_-]{1,12}", fullmatch=True)
HANDLE = st.text(
    st.characters(blacklist_categories=("Z", "C"), blacklist_characters="@"), min_size=1, max_size=30
)


@given(network=NETWORK, handle=HANDLE, at=st.booleans())
def test_a_network_and_handle_always_parse_to_one_key(network: str, handle: str, at: bool) -> None:
    key = parse_author(f"{network.upper()}:{'@' if at else ''}{handle}")
    assert key == f"{network}:{handle.casefold()}"
    assert parse_author(key) == key  # parsing is idempotent


@given(st.text(max_size=40))
def test_anything_typed_either_parses_or_says_how_to_write_it(value: str) -> None:
    try:
        key = parse_author(value)
    except InputError as exc:
        assert "network:handle" in str(exc)
    else:
        network, _, handle = key.partition(":")
        assert network and handle and not any(c.isspace() for c in handle)


LABEL = st.text(max_size=30)


@given(
    groups=st.lists(LABEL, min_size=1, max_size=12),
    values=st.lists(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), min_size=12, max_size=12),
    title=LABEL,
)
def test_bar_charts_are_well_formed_svg_whatever_the_labels(
    groups: list[str], values: list[float], title: str
) -> None:
    svg = grouped_bar_chart(title, groups, {"a<&>": values[: len(groups)]})
    root = ET.fromstring(svg)  # raises on any unescaped label
    assert root.tag.endswith("svg")
    assert len(root.findall(".//{http://www.w3.org/2000/svg}rect")) >= len(groups)


@given(
    names=st.lists(LABEL, min_size=1, max_size=5, unique=True),
    points=st.lists(st.floats(min_value=-1e4, max_value=1e4, allow_nan=False), min_size=1, max_size=20),
)
def test_line_charts_are_well_formed_svg(names: list[str], points: list[float]) -> None:
    start = date(2026, 11, 1)
    series = {n: {start + timedelta(days=i): v for i, v in enumerate(points)} for n in names}
    root = ET.fromstring(line_chart("t", series, unit="%"))
    assert len(root.findall(".//{http://www.w3.org/2000/svg}path")) == len(names)
