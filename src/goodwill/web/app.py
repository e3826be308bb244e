"""The app factory: ``create_app(settings)`` opens the store, syncs cases, and mounts pages, API and assets.

Nothing happens at import: settings come in, the store is opened here and
closed when the server stops. Errors the desk raises on purpose become a page
(or, under /api/, a JSON body) with the right status and the message as text.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from goodwill import __version__
from goodwill.desk.cases import sync_cases
from goodwill.desk.services import DeskServices
from goodwill.desk.sweep import sweep_cases
from goodwill.errors import DeskError, Forbidden, NotFound, ReplyBlocked, ReplyConflict, ReplyNotSent
from goodwill.insights.overview_cache import OverviewCache
from goodwill.store import Store, open_store
from goodwill.web import api, api_curation, pages, pages_curation, settling, solutions
from goodwill.web.paging import codec_for
from goodwill.web.render import Pages
from goodwill.web.security import LoginRequired, SecurityHeaders, Unauthorized, page_session
from goodwill.web.settings import DeskSettings
from goodwill.web.throttle import LoginThrottle
from goodwill.web.wiring import default_services

__all__ = ["create_app"]

STATIC = Path(__file__).parent / "static"


def _status(exc: DeskError) -> int:
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, Forbidden):
        return 403
    if isinstance(exc, ReplyBlocked):
        return 422
    if isinstance(exc, ReplyNotSent):
        return 502  # the network refused or was unreachable
    if isinstance(exc, ReplyConflict):
        return 409  # sent, being sent, or possibly sent by an unfinished attempt
    return 400


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error_page(request: Request, message: str, status: int) -> Response:
    view: Pages = request.app.state.pages
    try:
        session = page_session(request)
    except LoginRequired:
        session = None
    return view.render(
        request, "error.html", session=session, status_code=status, message=message, status=status
    )


def create_app(
    settings: DeskSettings,
    *,
    services: DeskServices | None = None,
    store: Store | None = None,
    env: Mapping[str, str] | None = None,
) -> FastAPI:
    """The desk as an ASGI app; pass ``store`` to share an open one (tests), else it opens ``store_url``.

    ``env`` holds the networks' sending credentials (default: the process environment).
    """
    owned = store is None
    the_store = store if store is not None else open_store(settings.store_url)
    the_services = services or default_services(
        settings.workspace,
        workspace=settings.workspace_dir,
        store=the_store,
        knowledge_base=settings.knowledge_base,
        env=os.environ if env is None else env,
    )
    if settings.sync_on_start:
        sync_cases(the_store, versions=settings.versions, services=the_services)
        sweep_cases(the_store, settings.workspace.care)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if owned:
            the_store.close()

    app = FastAPI(
        title="goodwill care desk API",
        version=__version__,
        description=(
            "The care desk's operations as JSON: list and read cases, check and send replies, "
            "approve answers, change state and assignment, correct judgements. Authenticate with "
            "`Authorization: Bearer TOKEN` (create one with `goodwill users token NAME`)."
        ),
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
        lifespan=lifespan,
    )
    app.state.store = the_store
    app.state.settings = settings
    app.state.services = the_services
    app.state.pages = Pages()
    app.state.overview_cache = OverviewCache()
    app.state.cursors = codec_for(the_store)
    app.state.throttle = LoginThrottle(attempts=settings.login_attempts, window_s=settings.login_window_s)
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(pages.router)
    app.include_router(pages_curation.router)
    app.include_router(api.router)
    app.include_router(api_curation.router)
    app.include_router(solutions.page_router)
    app.include_router(solutions.api_router)
    app.include_router(settling.page_router)
    app.include_router(settling.api_router)

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired) -> Response:
        if request.headers.get("hx-request") == "true":
            return Response(status_code=401, headers={"HX-Redirect": "/login"})
        return RedirectResponse("/login?next=" + quote(exc.next_path, safe="/"), status_code=303)

    @app.exception_handler(Unauthorized)
    async def _unauthorized(request: Request, exc: Unauthorized) -> Response:
        return JSONResponse(
            {"detail": "send a valid API token: Authorization: Bearer TOKEN"},
            status_code=401,
            headers={"WWW-Authenticate": "Bearer"},
        )

    @app.exception_handler(DeskError)
    async def _desk_error(request: Request, exc: DeskError) -> Response:
        status = _status(exc)
        if _is_api(request):
            body: dict[str, object] = {"detail": str(exc)}
            if isinstance(exc, ReplyBlocked):
                body["flags"] = exc.flags
            return JSONResponse(body, status_code=status)
        return _error_page(request, str(exc), status)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        message = "No such page." if exc.status_code == 404 else str(exc.detail)
        return _error_page(request, message, exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": exc.errors()}, status_code=422)
        fields = ", ".join(str(e.get("loc", ["?"])[-1]) for e in exc.errors())
        return _error_page(request, f"Some fields are missing or invalid: {fields}.", 422)

    return app
