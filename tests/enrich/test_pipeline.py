"""The Pipeline checks that stages fit before it runs any, and keeps posts in order."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pytest

from goodwill.enrich.pipeline import Pipeline
from goodwill.errors import PipelineError
from goodwill.models import Post


@dataclass
class Upper:
    name: str = "upper"
    version: str = "1"
    requires: tuple[str, ...] = ()
    provides: tuple[str, ...] = ("upper",)

    def process(self, posts: Sequence[Post], enrichment: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        return [{"upper": (p.text or "").upper()} for p in posts]


@dataclass
class Length:
    name: str = "length"
    version: str = "2"
    requires: tuple[str, ...] = ("upper",)
    provides: tuple[str, ...] = ("length",)

    def process(self, posts: Sequence[Post], enrichment: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        return [{"length": len(e["upper"])} for e in enrichment]


@dataclass
class Broken:
    name: str = "broken"
    version: str = "1"
    requires: tuple[str, ...] = ()
    provides: tuple[str, ...] = ("x",)

    def process(self, posts: Sequence[Post], enrichment: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        return []


POSTS = [Post(native_id="1", text="hi"), Post(native_id="2", text="hello"), Post(native_id="3", text=None)]


def test_later_stages_see_earlier_results_in_order() -> None:
    pipeline = Pipeline([Upper(), Length()])
    assert pipeline.run(POSTS) == [
        {"upper": "HI", "length": 2},
        {"upper": "HELLO", "length": 5},
        {"upper": "", "length": 0},
    ]
    assert pipeline.versions == {"upper": "1", "length": "2"}
    assert pipeline.provides == ("upper", "length")


def test_results_by_stage_keep_each_stage_output_apart() -> None:
    per_stage = Pipeline([Upper(), Length()]).run_by_stage(POSTS[:1])
    assert per_stage == [{"upper": {"upper": "HI"}, "length": {"length": 2}}]


def test_a_missing_requirement_is_refused_before_running() -> None:
    with pytest.raises(PipelineError, match="stage 'length' requires 'upper'"):
        Pipeline([Length(), Upper()])


def test_two_stages_may_not_provide_the_same_key() -> None:
    with pytest.raises(PipelineError, match="both provide 'upper'"):
        Pipeline([Upper(), Upper(name="other")])


def test_a_stage_that_drops_posts_is_caught() -> None:
    with pytest.raises(PipelineError, match="returned 0 results for 3 posts"):
        Pipeline([Broken()]).run(POSTS)


def test_empty_batch() -> None:
    assert Pipeline([Upper(), Length()]).run([]) == []
