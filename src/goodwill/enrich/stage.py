"""The one protocol every enrichment stage implements.

A stage is a pure, picklable object: batch in, batch out. It declares what it
``requires`` (enrichment keys produced by earlier stages) and what it
``provides`` (keys it adds), so a Pipeline can check the order before any post
is processed. Its ``version`` is stored beside each result: bump it whenever the
stage's output may change, and ``goodwill enrich --stored`` recomputes only
the posts judged by an older version.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from goodwill.config import WorkspaceConfig
from goodwill.models import Post

__all__ = ["Judgement", "Stage", "StageContext"]

#: What a stage returns for one post: ``{provided_key: json_value}``.
Judgement = dict[str, Any]


@dataclass(frozen=True)
class StageContext:
    """What a stage may know beyond the posts: the workspace's brands, and modes."""

    config: WorkspaceConfig = field(default_factory=WorkspaceConfig)
    mode: str = "fast"
    #: the workspace's brand heads (``<workspace>/heads``, goodwill.enrich.brand_heads); None: none
    heads_dir: Path | None = None


@runtime_checkable
class Stage(Protocol):
    """A plug-in that judges a batch of posts.

    ``process`` gets the posts and, aligned with them, the enrichment produced so
    far (read-only); it returns one dict per post holding exactly the keys in
    ``provides``.
    """

    name: str
    version: str
    requires: tuple[str, ...]
    provides: tuple[str, ...]

    def process(self, posts: Sequence[Post], enrichment: Sequence[Mapping[str, Any]]) -> list[Judgement]: ...


class StageFactory(Protocol):
    """What an entry point in the ``goodwill.stages`` group points at."""

    def __call__(self, context: StageContext) -> Stage: ...
