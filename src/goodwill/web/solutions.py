"""Marking an answer as what solved a public question: the case page's button and the JSON API route.

Kept beside pages.py and api.py (same thin handlers, same permission check,
CSRF on the page form, bearer token on the API); the rules live in
goodwill.desk.solutions.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from goodwill.desk.ids import MAX_ROW_ID, parse_row_id
from goodwill.desk.roles import Permission
from goodwill.desk.solutions import mark_solution, unmark_solution
from goodwill.errors import DeskError
from goodwill.web.app_state import store_of
from goodwill.web.params import RowId
from goodwill.web.security import ApiUser, CsrfSession, client_ip, need

__all__ = ["api_router", "page_router"]

page_router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api/v1", tags=["desk"])


@page_router.post("/cases/{case_id}/solution")
def mark(
    request: Request, session: CsrfSession, case_id: RowId, reply_id: Annotated[str, Form()] = ""
) -> Response:
    need(session.user, Permission.MARK_SOLUTION, "mark an answer as the solution")
    chosen = parse_row_id(reply_id.strip())
    if chosen is None:
        raise DeskError("choose the reply that solved it.")
    mark_solution(store_of(request), session.user, case_id, chosen, ip=client_ip(request))
    return RedirectResponse(f"/cases/{case_id}#replies", status_code=303)


@page_router.post("/cases/{case_id}/solution/remove")
def unmark(request: Request, session: CsrfSession, case_id: RowId) -> Response:
    need(session.user, Permission.MARK_SOLUTION, "mark an answer as the solution")
    unmark_solution(store_of(request), session.user, case_id, ip=client_ip(request))
    return RedirectResponse(f"/cases/{case_id}#replies", status_code=303)


class SolutionIn(BaseModel):
    #: the reply that solved the question; null takes the mark off
    reply_id: Annotated[int, Field(ge=1, le=MAX_ROW_ID)] | None


class SolutionOut(BaseModel):
    case_id: int
    reply_id: int | None


@api_router.post(
    "/cases/{case_id}/solution",
    response_model=SolutionOut,
    summary="Mark the reply that solved a public question (resolves the case); null unmarks",
)
def api_mark(request: Request, user: ApiUser, case_id: RowId, body: SolutionIn) -> SolutionOut:
    need(user, Permission.MARK_SOLUTION, "mark an answer as the solution")
    if body.reply_id is None:
        unmark_solution(store_of(request), user, case_id, ip=client_ip(request))
    else:
        mark_solution(store_of(request), user, case_id, body.reply_id, ip=client_ip(request))
    return SolutionOut(case_id=case_id, reply_id=body.reply_id)
