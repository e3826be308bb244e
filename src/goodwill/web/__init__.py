"""The care desk on the web: ``create_app(settings)`` builds the FastAPI app (pages and JSON API)."""

from __future__ import annotations

from goodwill.web.app import create_app
from goodwill.web.settings import DeskSettings

__all__ = ["DeskSettings", "create_app"]
