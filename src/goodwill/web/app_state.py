"""Typed access to what create_app puts on ``app.state``, for every router.

Starlette's ``app.state`` is untyped; reading it through these functions keeps
mypy strict in the routes and names each shared object in one place.
"""

from __future__ import annotations

from fastapi import Request

from goodwill.desk.services import DeskServices
from goodwill.store import Store
from goodwill.web.render import Pages
from goodwill.web.settings import DeskSettings

__all__ = ["pages_of", "services_of", "settings_of", "store_of"]


def store_of(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def pages_of(request: Request) -> Pages:
    pages: Pages = request.app.state.pages
    return pages


def services_of(request: Request) -> DeskServices:
    services: DeskServices = request.app.state.services
    return services


def settings_of(request: Request) -> DeskSettings:
    settings: DeskSettings = request.app.state.settings
    return settings
