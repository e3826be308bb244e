"""Which care logic the desk runs with: goodwill.care, configured by the workspace's ``[care]`` table.

Replies go out through the networks whose sending credential ``env`` holds
(goodwill.desk.outbox); the rest are copied and marked as replied.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from goodwill.config import WorkspaceConfig
from goodwill.desk.care_services import care_services
from goodwill.desk.outbox import NetworkOutbox
from goodwill.desk.services import DeskServices
from goodwill.store import Store

__all__ = ["default_services"]


def default_services(
    config: WorkspaceConfig,
    *,
    workspace: Path | None = None,
    store: Store | None = None,
    knowledge_base: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> DeskServices:
    """Routing, assignment, SLAs, the reply check and (given the store) suggestions, from goodwill.care;
    sending on the networks whose credentials ``env`` holds (none without it)."""
    folder = workspace or Path.cwd()
    services = care_services(config, workspace=folder, store=store, knowledge_base=knowledge_base)
    return replace(
        services,
        public_intents=frozenset(config.care.ambassadors.intents) - {"complaint"},
        outbox=NetworkOutbox(config, env or {}, store=store),
    )
