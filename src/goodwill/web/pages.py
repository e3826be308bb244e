"""The desk's HTML pages: login, inbox, case, composer, corrections, audit log, insights.

Thin handlers: read the request, call one library function, render. Every
handler names the permission it needs; the state-changing ones also take a
CSRF-checked session (``CsrfSession``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from goodwill.desk.accounts import User, authenticate, create_session, end_session, session_for
from goodwill.desk.audit import list_audit
from goodwill.desk.cases import STATES
from goodwill.desk.casework import (
    CORRECTABLE,
    assign_case,
    correct_judgement,
    flag_dict,
    get_case,
    reply_context,
    review_reply,
    send_reply,
    set_state,
)
from goodwill.desk.counts import desk_counts
from goodwill.desk.ids import parse_row_id
from goodwill.desk.inbox import SLA_STATES, InboxFilter, facets, list_inbox
from goodwill.desk.reports import ambassador_needs_approval, desk_leaderboard, desk_metrics
from goodwill.desk.roles import Permission, Role, can
from goodwill.desk.services import Suggestion
from goodwill.desk.solutions import solution_reply
from goodwill.errors import DeskError, InputError, ReplyBlocked, ReplyConflict, ReplyNotSent
from goodwill.insights.alerts import recent_alerts
from goodwill.insights.freshness import data_version
from goodwill.insights.overview import build_overview
from goodwill.insights.overview_cache import OverviewCache, OverviewKey
from goodwill.insights.report import SECTIONS, html_table, report_charts
from goodwill.web.app_state import pages_of, services_of, settings_of, store_of
from goodwill.web.paging import page_cursors, with_cursor
from goodwill.web.params import RowId, RowIdQuery
from goodwill.web.security import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    CsrfSession,
    PageSession,
    check_login_csrf,
    client_ip,
    need,
    new_login_csrf,
)
from goodwill.web.throttle import LoginThrottle

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Only a path on this server may follow a login (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/inbox"
    return target


def _see_other(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


def _forget_cookie(request: Request, response: Response, name: str, *, path: str) -> None:
    """Expire a cookie with the flags it was set with (a bare deletion is itself a cookie without them)."""
    response.delete_cookie(
        name, path=path, httponly=True, samesite="strict", secure=settings_of(request).secure_cookies
    )


# -- login ----------------------------------------------------------------------------------------


def _login_page(
    request: Request, *, error: str | None = None, status_code: int = 200, next_path: str = ""
) -> Response:
    token = new_login_csrf()
    response = pages_of(request).render(
        request, "login.html", status_code=status_code, login_csrf=token, error=error, next_path=next_path
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=settings_of(request).secure_cookies,
        max_age=3600,
        path="/login",
    )
    return response


@router.get("/login")
def login_form(request: Request, next: str = "") -> Response:
    return _login_page(request, next_path=_safe_next(next) if next else "")


@router.post("/login", dependencies=[Depends(check_login_csrf)])
def login(
    request: Request,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str, Form()] = "",
) -> Response:
    throttle: LoginThrottle = request.app.state.throttle
    ip = client_ip(request) or "unknown"
    keys = (f"user:{username.strip().lower()}", f"ip:{ip}")
    wait = throttle.retry_after(*keys)
    if wait > 0:
        minutes = max(1, round(wait / 60))
        return _login_page(
            request, error=f"Too many failed logins. Wait {minutes} min and try again.", status_code=429
        )
    user = authenticate(store_of(request), username, password)
    if user is None:
        throttle.failed(*keys)
        return _login_page(request, error="Wrong username or password.", status_code=401, next_path=next)
    throttle.succeeded(*keys)
    settings = settings_of(request)
    previous = request.cookies.get(SESSION_COOKIE, "")
    if previous and (stale := session_for(store_of(request), previous)) is not None:
        # A new login is a new session id: the one the browser brought (maybe planted) ends here.
        end_session(store_of(request), previous, actor=stale.user.actor)
    token, _ = create_session(
        store_of(request), user, lifetime=timedelta(hours=settings.session_hours), ip=client_ip(request)
    )
    response = _see_other(_safe_next(next))
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=settings.secure_cookies,
        max_age=int(settings.session_hours * 3600),
        path="/",
    )
    _forget_cookie(request, response, LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(request: Request, session: CsrfSession) -> Response:
    end_session(store_of(request), request.cookies.get(SESSION_COOKIE, ""), actor=session.user.actor)
    response = _see_other("/login")
    _forget_cookie(request, response, SESSION_COOKIE, path="/")
    return response


# -- inbox ----------------------------------------------------------------------------------------


@router.get("/")
def home() -> Response:
    return _see_other("/inbox")


@router.get("/inbox")
def inbox(
    request: Request,
    session: PageSession,
    brand: str = "",
    network: str = "",
    intent: str = "",
    language: str = "",
    queue: str = "",
    assignee: str = "",
    sla: str = "",
    state: str = "active",
    cursor: str = "",
) -> Response:
    need(session.user, Permission.VIEW_CASES, "see the inbox")
    f = InboxFilter(
        brand=brand or None,
        network=network or None,
        intent=intent or None,
        language=language or None,
        queue=queue or None,
        assignee=assignee or None,
        sla=sla if sla in SLA_STATES else None,
        state=state if state in ("active", *STATES) else "active",
        limit=settings_of(request).page_size,
    )
    f = with_cursor(request, f, cursor)
    result = list_inbox(store_of(request), session.user, f)
    around = page_cursors(request, result)
    params = _filter_params(f)
    prev_link = None
    if around.previous is not None:
        # The page before page 2 is the first page: its plain address, which a bookmark keeps meaning.
        prev_params = params if around.page <= 2 else {**params, "cursor": around.previous}
        prev_link = "/inbox" + ("?" + urlencode(prev_params) if prev_params else "")
    next_link = "/inbox?" + urlencode({**params, "cursor": around.next}) if around.next else None
    template = "_inbox_rows.html" if request.headers.get("hx-request") == "true" else "inbox.html"
    return pages_of(request).render(
        request,
        template,
        session=session,
        result=result,
        facets=facets(store_of(request)),
        sla_states=SLA_STATES,
        states=("active", *STATES),
        page=around.page,
        prev_link=prev_link,
        next_link=next_link,
    )


def _filter_params(f: InboxFilter) -> dict[str, str]:
    """The query parameters that select ``f`` (what a page link must carry to keep the filters)."""
    params = {
        name: str(getattr(f, name))
        for name in ("brand", "network", "intent", "language", "queue", "assignee", "sla")
        if getattr(f, name)
    }
    if f.state != "active":
        params["state"] = f.state
    return params


# -- a case ---------------------------------------------------------------------------------------


def _case_page(
    request: Request,
    session: PageSession,
    case_id: int,
    *,
    draft: str = "",
    flags: list[dict[str, object]] | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    detail = get_case(store_of(request), session.user, case_id)
    suggestions: list[Suggestion] = []
    if can(session.user.role, Permission.REPLY):
        suggestions = services_of(request).suggester.suggest(detail.post.post.text or "", limit=3)
    return pages_of(request).render(
        request,
        "case.html",
        session=session,
        status_code=status_code,
        d=detail,
        draft=draft,
        flags=flags or [],
        error=error,
        suggestions=suggestions,
        sends=services_of(request).outbox.can_send(detail.case.network),
        correctable=CORRECTABLE,
        states=STATES,
        people=facets(store_of(request)).assignees,
        solution=solution_reply(store_of(request), case_id),
    )


@router.get("/cases/{case_id}")
def case_view(request: Request, session: PageSession, case_id: RowId) -> Response:
    need(session.user, Permission.VIEW_CASES, "see cases")
    return _case_page(request, session, case_id)


@router.post("/cases/{case_id}/check")
def check_reply(
    request: Request, session: CsrfSession, case_id: RowId, text: Annotated[str, Form(max_length=20_000)] = ""
) -> Response:
    need(session.user, Permission.REPLY, "reply")
    detail = get_case(store_of(request), session.user, case_id)
    found = services_of(request).reply_checker.check(text, reply_context(detail))
    flags = [flag_dict(f) for f in found]
    if request.headers.get("hx-request") == "true":
        return pages_of(request).render(
            request, "_check.html", session=session, flags=flags, checked=bool(text)
        )
    return _case_page(request, session, case_id, draft=text, flags=flags)


def _approval(request: Request, user: User, *, flagged: bool) -> bool | None:
    """For an ambassador: whether this answer waits for an agent (None: the role decides)."""
    if user.role is not Role.AMBASSADOR:
        return None
    policy = settings_of(request).workspace.care.ambassadors
    return ambassador_needs_approval(store_of(request), user.username, policy, flagged=flagged)


@router.post("/cases/{case_id}/reply")
def reply(
    request: Request,
    session: CsrfSession,
    case_id: RowId,
    text: Annotated[str, Form(max_length=20_000)] = "",
    override_reason: Annotated[str, Form(max_length=2000)] = "",
    resolve: Annotated[str, Form()] = "",
) -> Response:
    need(session.user, Permission.REPLY, "reply")
    store = store_of(request)
    detail = get_case(store, session.user, case_id)
    flags = services_of(request).reply_checker.check(text, reply_context(detail))
    try:
        send_reply(
            store,
            session.user,
            case_id,
            text,
            flags=flags,
            override_reason=override_reason,
            resolve=resolve == "1",
            needs_approval=_approval(request, session.user, flagged=bool(flags)),
            outbox=services_of(request).outbox,
            ip=client_ip(request),
        )
    except ReplyBlocked as blocked:
        return _case_page(
            request, session, case_id, draft=text, flags=blocked.flags, error=str(blocked), status_code=422
        )
    except (ReplyNotSent, ReplyConflict) as failed:
        flagged = [flag_dict(f) for f in flags]
        status = 409 if isinstance(failed, ReplyConflict) else 502
        return _case_page(
            request, session, case_id, draft=text, flags=flagged, error=str(failed), status_code=status
        )
    return _see_other(f"/cases/{case_id}#replies")


@router.post("/cases/{case_id}/assign")
def assign(
    request: Request, session: CsrfSession, case_id: RowId, assignee: Annotated[str, Form()] = ""
) -> Response:
    need(session.user, Permission.ASSIGN, "assign cases")
    target = session.user.id if assignee == "me" else parse_row_id(assignee)
    if assignee not in ("me", "") and target is None:
        raise DeskError("choose who to assign the case to from the list.")
    assign_case(store_of(request), session.user, case_id, target, ip=client_ip(request))
    return _see_other(f"/cases/{case_id}")


@router.post("/cases/{case_id}/state")
def change_state(
    request: Request, session: CsrfSession, case_id: RowId, state: Annotated[str, Form()]
) -> Response:
    need(session.user, Permission.CHANGE_STATE, "change a case's state")
    set_state(store_of(request), session.user, case_id, state, ip=client_ip(request))
    return _see_other(f"/cases/{case_id}")


@router.post("/cases/{case_id}/corrections")
def correct(
    request: Request,
    session: CsrfSession,
    case_id: RowId,
    field: Annotated[str, Form()],
    value: Annotated[str, Form()],
) -> Response:
    need(session.user, Permission.CORRECT, "correct judgements")
    correct_judgement(store_of(request), session.user, case_id, field, value, ip=client_ip(request))
    return _see_other(f"/cases/{case_id}#judgement")


@router.post("/replies/{reply_id}/review")
def review(
    request: Request, session: CsrfSession, reply_id: RowId, decision: Annotated[str, Form()]
) -> Response:
    need(session.user, Permission.APPROVE, "approve answers")
    case_id = review_reply(
        store_of(request),
        session.user,
        reply_id,
        approve=decision == "approve",
        outbox=services_of(request).outbox,
        ip=client_ip(request),
    )
    return _see_other(f"/cases/{case_id}#replies")


# -- audit and metrics ----------------------------------------------------------------------------


@router.get("/audit")
def audit(request: Request, session: PageSession, before: RowIdQuery = None) -> Response:
    need(session.user, Permission.VIEW_AUDIT, "read the audit log")
    entries = list_audit(store_of(request), limit=100, before_id=before)
    return pages_of(request).render(request, "audit.html", session=session, entries=entries)


@router.get("/metrics")
def metrics(request: Request, session: PageSession) -> Response:
    need(session.user, Permission.VIEW_METRICS, "see the care metrics")
    care = settings_of(request).workspace.care
    return pages_of(request).render(
        request,
        "metrics.html",
        session=session,
        counts=desk_counts(store_of(request)),
        report=desk_metrics(store_of(request), care),
    )


#: charts drawn under a section besides the section's own (as the HTML report does)
_EXTRA_CHARTS = {"sentiment_over_time": ("volume_over_time",), "topics": ("topics_over_time",)}


def _since_is_relative(since: str, start: datetime) -> bool:
    """Whether ``since`` counts back from now ("30d") rather than naming a date."""
    from goodwill.timespec import parse_since

    return parse_since(since, now=start + timedelta(days=1)) != parse_since(since, now=start)


@router.get("/insights")
def insights(request: Request, session: PageSession, since: str = "30d", brand: str = "") -> Response:
    """The report's charts and tables, from the same library calls; cached until the data changes."""
    need(session.user, Permission.VIEW_INSIGHTS, "see the insights")
    from goodwill.timespec import parse_since

    try:
        start = parse_since(since)
    except InputError as exc:
        raise DeskError(str(exc).replace("--since", "since")) from None
    settings = settings_of(request)
    store = store_of(request)
    chosen_brand = brand.strip() or None
    cache: OverviewCache = request.app.state.overview_cache
    key = OverviewKey(
        since=since.strip(),
        brand=chosen_brand.casefold() if chosen_brand else None,
        relative=_since_is_relative(since, start),
    )
    entry = cache.get(
        key,
        data_version(store),
        lambda: (
            build_overview(
                store, config=settings.workspace, since=start, brand=chosen_brand, versions=settings.versions
            ),
            start,
        ),
    )
    overview = entry.overview
    charts = report_charts(overview)
    sections = [
        {
            "name": name,
            "heading": heading,
            "note": note,
            "charts": [charts[c] for c in (name, *_EXTRA_CHARTS.get(name, ())) if c in charts],
            "table": html_table(overview.tables[name]),
        }
        for name, heading, note in SECTIONS
        if name in overview.tables
    ]
    chosen = overview.brand
    posts = sum(1 for f in overview.facts if f.mentions(chosen)) if chosen else len(overview.facts)
    return pages_of(request).render(
        request,
        "insights.html",
        session=session,
        since=since,
        brand=brand,
        start=entry.start or start,
        computed_at=entry.computed_at,
        posts=posts,
        sections=sections,
        alerts=recent_alerts(store, limit=20),
    )


@router.get("/leaderboard")
def ambassadors_board(request: Request, session: PageSession) -> Response:
    need(session.user, Permission.VIEW_CASES, "see the ambassadors' leaderboard")
    rows = desk_leaderboard(store_of(request), settings_of(request).workspace.care.ambassadors)
    return pages_of(request).render(request, "leaderboard.html", session=session, rows=rows)


@router.get("/healthz")
def healthz() -> Response:
    return Response("ok", media_type="text/plain")
