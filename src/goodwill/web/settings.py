"""The desk server's settings: one validated object, built at the edge (the ``serve`` command or a test)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from goodwill.config import WorkspaceConfig

__all__ = ["DeskSettings"]


class DeskSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    store_url: str
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    #: how long a login lasts
    session_hours: float = Field(default=12.0, gt=0)
    #: send cookies only over HTTPS; turn on when the desk is served behind TLS
    secure_cookies: bool = False
    #: failed logins allowed per username and per address within the window
    login_attempts: int = Field(default=5, ge=1)
    login_window_s: float = Field(default=900.0, gt=0)
    #: the workspace's goodwill.toml (its [care] table drives routing, SLAs, the reply check, suggestions)
    workspace: WorkspaceConfig = Field(default_factory=WorkspaceConfig)
    #: the folder of goodwill.toml, which relative paths in it are read from
    workspace_dir: Path | None = None
    #: Markdown files the suggestions may cite (default: ``[care] knowledge_base``)
    knowledge_base: Path | None = None
    #: the stage versions whose judgements count (None: each stage's latest)
    versions: dict[str, str] | None = None
    #: open cases for newly judged posts when the app starts
    sync_on_start: bool = True
    page_size: int = Field(default=50, ge=1, le=500)
