"""Find the workspace a command runs in: its config file and its store URL.

Resolved once, at the edge, so library code never reads files or the
environment on its own. Precedence for the store: GOODWILL_DATABASE_URL, then
``store_url`` in goodwill.toml, then ``goodwill.db`` beside the config file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from goodwill.config import CONFIG_FILENAME, WorkspaceConfig, default_store_url, load_config

__all__ = ["DATABASE_URL_ENV", "Workspace", "resolve_workspace"]

DATABASE_URL_ENV = "GOODWILL_DATABASE_URL"


@dataclass(frozen=True)
class Workspace:
    config: WorkspaceConfig
    config_path: Path | None
    store_url: str

    @property
    def heads_dir(self) -> Path:
        """Where the workspace's brand heads live: ``heads/`` beside goodwill.toml (or in the cwd)."""
        from goodwill.enrich.brand_heads import HEADS_DIRNAME

        base = self.config_path.parent if self.config_path is not None else Path.cwd()
        return base / HEADS_DIRNAME

    def stage_versions(self) -> dict[str, str]:
        """The versions of the stages this workspace's mode runs: judgements by other versions do not count.

        One place for every command that reads judgements back (queue, desk, insights), so an
        ``accurate``-mode workspace never filters out its own ``accurate.N`` sentiment.
        """
        from goodwill.enrich.registry import context_for, default_pipeline

        return default_pipeline(context_for(self.config)).versions


def resolve_workspace(
    config_path: Path | None,
    *,
    brands: list[str] | None = None,
    competitors: list[str] | None = None,
    require_config: bool = False,
) -> Workspace:
    """The workspace for a command; ``--brand`` names replace a config file."""
    path = config_path
    if path is None and not brands:
        candidate = Path.cwd() / CONFIG_FILENAME
        if candidate.exists() or require_config:
            path = candidate
    if brands:
        config = WorkspaceConfig.from_names(brands, competitors or [])
    elif path is not None:
        config = load_config(path)
    else:
        config = WorkspaceConfig()
    base = path.parent if path is not None else Path.cwd()
    url = os.environ.get(DATABASE_URL_ENV) or config.store_url or default_store_url(base)
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        # A relative SQLite path in goodwill.toml is relative to that file, not to the shell's cwd.
        relative = url.removeprefix("sqlite:///")
        if relative and relative != ":memory:":
            url = f"sqlite:///{(base / relative).resolve()}"
    return Workspace(config=config, config_path=path, store_url=url)
