"""A Pipeline runs stages in order and checks they fit before running any."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from goodwill.enrich.stage import Stage
from goodwill.errors import PipelineError
from goodwill.models import Post

__all__ = ["Pipeline"]


class Pipeline:
    """An ordered list of stages; every requirement must be provided earlier."""

    def __init__(self, stages: Iterable[Stage]) -> None:
        self.stages: tuple[Stage, ...] = tuple(stages)
        provided: dict[str, str] = {}
        for stage in self.stages:
            for need in stage.requires:
                if need not in provided:
                    raise PipelineError(
                        f"stage '{stage.name}' requires '{need}', which no earlier stage provides; "
                        f"put a stage providing '{need}' before it."
                    )
            for key in stage.provides:
                if key in provided:
                    raise PipelineError(
                        f"stages '{provided[key]}' and '{stage.name}' both provide '{key}'; keep one."
                    )
                provided[key] = stage.name
        self.provides: tuple[str, ...] = tuple(provided)

    @property
    def versions(self) -> dict[str, str]:
        """``{stage name: version}``, what the store compares to find stale results."""
        return {s.name: s.version for s in self.stages}

    def run(self, posts: Sequence[Post]) -> list[dict[str, Any]]:
        """Judge a batch; returns one enrichment dict per post, in order."""
        results: list[dict[str, Any]] = [{} for _ in posts]
        for stage in self.stages:
            out = stage.process(posts, results)
            if len(out) != len(posts):
                raise PipelineError(
                    f"stage '{stage.name}' returned {len(out)} results for {len(posts)} posts."
                )
            for acc, judged in zip(results, out, strict=True):
                acc.update(judged)
        return results

    def run_by_stage(self, posts: Sequence[Post]) -> list[dict[str, Mapping[str, Any]]]:
        """Judge a batch; per post, each stage's own output, for keyed storage."""
        results: list[dict[str, Any]] = [{} for _ in posts]
        per_stage: list[dict[str, Mapping[str, Any]]] = [{} for _ in posts]
        for stage in self.stages:
            out = stage.process(posts, results)
            for acc, own, judged in zip(results, per_stage, out, strict=True):
                acc.update(judged)
                own[stage.name] = judged
        return per_stage
