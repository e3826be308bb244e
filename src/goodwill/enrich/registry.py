"""Find stages through the ``goodwill.stages`` entry-point group.

The built-in stages are registered in goodwill's own pyproject.toml exactly as a
third-party package would register one, so there is one way in.
"""

from __future__ import annotations

from importlib.metadata import entry_points
from pathlib import Path

from goodwill.config import WorkspaceConfig
from goodwill.enrich.pipeline import Pipeline
from goodwill.enrich.stage import Stage, StageContext
from goodwill.errors import PipelineError

__all__ = [
    "DEFAULT_STAGES",
    "MODES",
    "MODE_STAGES",
    "available_stages",
    "build_stage",
    "context_for",
    "default_pipeline",
]

ENTRY_POINT_GROUP = "goodwill.stages"

#: The order of the default pipeline: each stage only needs what comes before it.
DEFAULT_STAGES: tuple[str, ...] = (
    "language",
    "mentions",
    "spam",
    "irony",
    "sentiment",
    "emotion",
    "offensive",
    "intent",
    "complaint",
    "receptivity",
)


#: The judgement modes: ``fast`` (sparse and lexicon models, the default) and ``accurate``
#: (sentence embeddings; needs the ``embeddings`` extra). Same output contract in both.
MODES: tuple[str, ...] = ("fast", "accurate")
#: Per mode, the stage entry points that replace default ones (same provided keys).
MODE_STAGES: dict[str, dict[str, str]] = {"fast": {}, "accurate": {"sentiment": "sentiment_accurate"}}


def context_for(
    config: WorkspaceConfig, mode: str | None = None, *, heads_dir: Path | None = None
) -> StageContext:
    """The stage context for a run: ``mode`` if given (``--mode``), else the config's ``mode``.

    ``heads_dir`` is the workspace's brand-heads folder, when it has one.
    """
    return StageContext(config=config, mode=mode or config.mode, heads_dir=heads_dir)


def available_stages() -> dict[str, str]:
    """``{name: "module:attr"}`` for every registered stage."""
    return {ep.name: ep.value for ep in entry_points(group=ENTRY_POINT_GROUP)}


def build_stage(name: str, context: StageContext) -> Stage:
    matches = [ep for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.name == name]
    if not matches:
        known = ", ".join(sorted(available_stages())) or "none"
        raise PipelineError(
            f"no stage named '{name}' is installed (known: {known}); "
            "reinstall goodwill with `make install` if a built-in one is missing."
        )
    factory = matches[0].load()
    stage = factory(context)
    if not isinstance(stage, Stage):
        raise PipelineError(f"entry point '{name}' did not build a Stage (got {type(stage).__name__}).")
    return stage


def default_pipeline(context: StageContext, *, names: tuple[str, ...] = DEFAULT_STAGES) -> Pipeline:
    """The stages ``names`` in order, with the mode's replacements (accurate mode: embedding sentiment)."""
    if context.mode not in MODE_STAGES:
        raise PipelineError(f"unknown mode {context.mode!r}; use one of: {', '.join(MODES)}.")
    swap = MODE_STAGES[context.mode]
    return Pipeline(build_stage(swap.get(n, n), context) for n in names)
