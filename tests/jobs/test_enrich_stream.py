"""The JSON Lines contract: one output line per input line, in order, bad lines answered in place."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from goodwill.enrich.pipeline import Pipeline
from goodwill.jobs.enrich_stream import enrich_lines
from goodwill.models import Post


class Echo:
    """A stage that records what it saw, to check batching and order."""

    name = "echo"
    version = "1"
    requires: tuple[str, ...] = ()
    provides = ("echo",)

    def __init__(self) -> None:
        self.batches: list[int] = []

    def process(self, posts: Sequence[Post], enrichment: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        self.batches.append(len(posts))
        return [{"echo": f"{p.network}:{p.native_id}:{p.text}"} for p in posts]


def run(lines: list[str], *, batch_size: int = 1000) -> tuple[list[dict[str, Any]], Echo]:
    stage = Echo()
    out = list(enrich_lines(lines, Pipeline([stage]), batch_size=batch_size))
    return out, stage


def test_every_input_field_is_kept_and_enrichment_added() -> None:
    line = json.dumps({"id": 7, "text": "hello", "network": "X", "custom": {"a": [1]}, "lang": "en"})
    [out], _ = run([line])
    assert out["id"] == 7
    assert out["custom"] == {"a": [1]}
    assert out["lang"] == "en"
    assert out["enrichment"] == {"echo": "x:7:hello"}


def test_bad_lines_are_answered_in_place_and_the_run_goes_on() -> None:
    lines = [
        json.dumps({"id": "a", "text": "first"}),
        "{not json",
        json.dumps({"id": "b"}),
        "",
        json.dumps([1, 2]),
        json.dumps({"id": "c", "text": 5}),
        json.dumps({"id": "d", "text": "last"}),
    ]
    out, _ = run(lines, batch_size=2)
    assert [o.get("id") for o in out] == ["a", None, "b", None, "c", "d"]
    assert out[0]["enrichment"] == {"echo": "generic:a:first"}
    assert out[1]["line"] == 2 and out[1]["error"].startswith("not valid JSON")
    assert out[2]["line"] == 3 and "text" in out[2]["error"]
    assert out[3] == {"id": None, "line": 5, "error": "not a JSON object"}
    assert out[4]["line"] == 6 and "error" in out[4]
    assert out[5]["enrichment"] == {"echo": "generic:d:last"}


def test_invalid_utf8_is_an_error_line() -> None:
    out = list(enrich_lines([b'{"id": "1", "text": "caf\xe9"}'], Pipeline([Echo()])))
    assert out == [{"id": None, "line": 1, "error": "not valid UTF-8 at byte 24"}]


def test_posts_are_judged_in_batches_of_the_requested_size() -> None:
    lines = [json.dumps({"id": str(i), "text": f"t{i}"}) for i in range(25)]
    out, stage = run(lines, batch_size=10)
    assert stage.batches == [10, 10, 5]
    assert [o["id"] for o in out] == [str(i) for i in range(25)]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(max_size=60),
            st.builds(
                lambda i, t: json.dumps({"id": i, "text": t}),
                st.one_of(st.integers(), st.text(max_size=8)),
                st.one_of(st.text(max_size=40), st.none(), st.integers()),
            ),
        ),
        max_size=20,
    )
)
def test_one_output_per_non_blank_line_whatever_comes_in(lines: list[str]) -> None:
    flat = [line.replace("\n", " ").replace("\r", " ") for line in lines]
    out, _ = run(flat, batch_size=3)
    assert len(out) == sum(1 for line in flat if line.strip())
    for item in out:
        assert ("enrichment" in item) != ("error" in item)
