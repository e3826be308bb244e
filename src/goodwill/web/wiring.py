"""Which care logic the desk runs with: goodwill.care, configured by the workspace's ``[care]`` table."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from goodwill.config import WorkspaceConfig
from goodwill.desk.care_services import care_services
from goodwill.desk.services import DeskServices
from goodwill.store import Store

__all__ = ["default_services"]


def default_services(
    config: WorkspaceConfig,
    *,
    workspace: Path | None = None,
    store: Store | None = None,
    knowledge_base: Path | None = None,
) -> DeskServices:
    """Routing, assignment, SLAs, the reply check and (given the store) suggestions, from goodwill.care."""
    folder = workspace or Path.cwd()
    services = care_services(config, workspace=folder, store=store, knowledge_base=knowledge_base)
    return replace(services, public_intents=frozenset(config.care.ambassadors.intents) - {"complaint"})
