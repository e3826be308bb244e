"""Which care logic the desk runs with: the implementations in goodwill.care, when they are there."""

from __future__ import annotations

from pathlib import Path

from goodwill.desk.services import DeskServices

__all__ = ["default_services"]


def default_services(*, knowledge_base: Path | None = None) -> DeskServices:
    """The desk's reply check, suggestions, routing, assignment and SLAs (no-op defaults until wired)."""
    del knowledge_base
    return DeskServices()
