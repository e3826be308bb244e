"""Settling a reply whose sending did not finish: the case page's buttons and the JSON API route.

An agent has checked the thread for a reply in doubt (goodwill.desk.sending) and
says what they saw: ``posted`` (it is there; record it as sent) or ``resend``
(it is not; post it again). Thin handlers like solutions.py: the permission
check here, the rules in goodwill.desk.sending.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from goodwill.desk.roles import Permission
from goodwill.desk.sending import settle_send
from goodwill.web.app_state import services_of, store_of
from goodwill.web.params import RowId
from goodwill.web.security import ApiUser, CsrfSession, client_ip, need

__all__ = ["api_router", "page_router"]

page_router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api/v1", tags=["desk"])
_DOING = "settle a reply whose sending did not finish"


@page_router.post("/replies/{reply_id}/settle")
def settle(
    request: Request, session: CsrfSession, reply_id: RowId, decision: Annotated[str, Form()] = ""
) -> Response:
    need(session.user, Permission.REPLY_DIRECTLY, _DOING)
    case_id = settle_send(
        store_of(request),
        session.user,
        reply_id,
        decision,
        outbox=services_of(request).outbox,
        ip=client_ip(request),
    )
    return RedirectResponse(f"/cases/{case_id}#replies", status_code=303)


class SettleIn(BaseModel):
    decision: Literal["resend", "posted"] = Field(
        description="posted: it is on the network, record it as sent; resend: it is not, post it again"
    )


class SettledOut(BaseModel):
    case_id: int


@api_router.post(
    "/replies/{reply_id}/settle",
    response_model=SettledOut,
    summary="Settle a reply whose sending did not finish (409 while it may still be running)",
)
def api_settle(request: Request, user: ApiUser, reply_id: RowId, body: SettleIn) -> SettledOut:
    need(user, Permission.REPLY_DIRECTLY, _DOING)
    case_id = settle_send(
        store_of(request),
        user,
        reply_id,
        body.decision,
        outbox=services_of(request).outbox,
        ip=client_ip(request),
    )
    return SettledOut(case_id=case_id)
