"""The JSON API (/api/v1): the desk's operations for scripts and other tools, with bearer-token auth.

Same library calls as the pages, same permission checks; the OpenAPI document
is served at /api/v1/openapi.json.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from goodwill.desk.accounts import User
from goodwill.desk.audit import list_audit
from goodwill.desk.casework import (
    assign_case,
    correct_judgement,
    get_case,
    reply_context,
    review_reply,
    send_reply,
    set_state,
)
from goodwill.desk.inbox import CaseRow, InboxFilter, list_inbox
from goodwill.desk.reports import ambassador_needs_approval
from goodwill.desk.roles import Permission, Role
from goodwill.desk.solutions import solution_reply
from goodwill.store import StoredPost
from goodwill.web.app_state import services_of, store_of
from goodwill.web.paging import page_cursors, with_cursor
from goodwill.web.params import MAX_ROW_ID, RowId, RowIdQuery
from goodwill.web.security import ApiUser, client_ip, need
from goodwill.web.settings import DeskSettings

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["desk"])


class UserOut(BaseModel):
    id: int
    username: str
    display_name: str
    role: str
    expertise: list[str]


class CaseOut(BaseModel):
    id: int
    post_id: int
    state: str
    queue: str
    priority: float
    priority_parts: dict[str, float]
    network: str
    brand: str | None
    intent: str | None
    language: str | None
    sentiment: str | None
    visibility: str
    reasons: list[str]
    counter_reasons: list[str]
    text: str | None
    author_handle: str | None
    author_name: str | None
    url: str | None
    posted_at: datetime | None
    created_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    sla: str
    sla_due_at: datetime | None
    assignee_id: int | None
    assignee: str | None


class CaseList(BaseModel):
    cases: list[CaseOut]
    has_more: bool
    #: pass as ``cursor`` for the next page (null: this is the last)
    next_cursor: str | None = None
    #: pass as ``cursor`` for the previous page (null: this is the first)
    previous_cursor: str | None = None


class PostOut(BaseModel):
    id: int
    network: str
    native_id: str
    text: str | None
    author_handle: str | None
    created_at: datetime | None
    url: str | None
    enrichment: dict[str, Any]


class ActionOut(BaseModel):
    at: datetime
    who: str | None
    action: str
    detail: dict[str, Any]


class ReplyOut(BaseModel):
    id: int
    text: str
    status: str
    channel: str
    who: str | None
    at: datetime
    override_reason: str | None
    flags: list[dict[str, Any]]
    network_id: str | None = Field(default=None, description="the network's id of the posted reply")
    url: str | None = Field(default=None, description="the posted reply on the network")
    in_doubt: bool = Field(
        default=False,
        description="status sending, and its sending did not finish: it may be posted; check the thread, "
        "then POST /api/v1/replies/{id}/settle",
    )


class CaseDetailOut(BaseModel):
    case: CaseOut
    post: PostOut
    thread: list[PostOut]
    author_posts: list[PostOut]
    actions: list[ActionOut]
    replies: list[ReplyOut]
    #: the reply marked as what solved this public question (null: none)
    solution_reply_id: int | None = None


class DraftIn(BaseModel):
    text: str = Field(max_length=20_000)


class FlagOut(BaseModel):
    code: str
    message: str
    evidence: str
    blocking: bool


class CheckOut(BaseModel):
    flags: list[FlagOut]


class ReplyIn(BaseModel):
    text: str = Field(max_length=20_000)
    override_reason: str | None = Field(default=None, max_length=2000)
    resolve: bool = False


class CreatedOut(BaseModel):
    id: int


class ReplyCreatedOut(CreatedOut):
    status: str = Field(description="sent, or pending_approval for an ambassador's answer")
    channel: str = Field(description="network: posted on the network; copied: copy it and paste it yourself")
    network_id: str | None = None
    url: str | None = None


class StateIn(BaseModel):
    state: str


class AssignIn(BaseModel):
    assignee_id: int | None = Field(ge=1, le=MAX_ROW_ID)


class CorrectionIn(BaseModel):
    field: str
    value: str


class ReviewIn(BaseModel):
    approve: bool


class SuggestionOut(BaseModel):
    text: str
    source: str
    score: float


class AuditOut(BaseModel):
    id: int
    at: datetime
    username: str | None
    action: str
    target: str | None
    detail: dict[str, Any]


class Done(BaseModel):
    ok: bool = True


def _approval(request: Request, user: User, *, flagged: bool) -> bool | None:
    if user.role is not Role.AMBASSADOR:
        return None
    settings: DeskSettings = request.app.state.settings
    return ambassador_needs_approval(
        store_of(request), user.username, settings.workspace.care.ambassadors, flagged=flagged
    )


def _case(row: CaseRow) -> CaseOut:
    return CaseOut.model_validate(row, from_attributes=True)


def _post(p: StoredPost) -> PostOut:
    return PostOut(
        id=p.id,
        network=p.post.network,
        native_id=p.post.native_id,
        text=p.post.text,
        author_handle=p.post.author_handle,
        created_at=p.post.created_at,
        url=p.post.url,
        enrichment=p.enrichment,
    )


@router.get("/me", response_model=UserOut, summary="Who the token belongs to")
def me(user: ApiUser) -> UserOut:
    return UserOut(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role.value,
        expertise=list(user.expertise),
    )


@router.get("/cases", response_model=CaseList, summary="The inbox: cases you may see, most urgent first")
def cases(
    request: Request,
    user: ApiUser,
    brand: str | None = None,
    network: str | None = None,
    intent: str | None = None,
    language: str | None = None,
    queue: str | None = None,
    assignee: Annotated[str | None, Query(description="a user id, 'me' or 'none'")] = None,
    sla: Annotated[str | None, Query(description="breached, at_risk or ok")] = None,
    state: Annotated[str, Query(description="active, open, pending or resolved")] = "active",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[
        str | None,
        Query(description="next_cursor or previous_cursor of a page with the same filters; 400 if altered"),
    ] = None,
) -> CaseList:
    need(user, Permission.VIEW_CASES, "see cases")
    f = InboxFilter(
        brand=brand,
        network=network,
        intent=intent,
        language=language,
        queue=queue,
        assignee=assignee,
        sla=sla,
        state=state,
        limit=limit,
    )
    page = list_inbox(store_of(request), user, with_cursor(request, f, cursor))
    around = page_cursors(request, page)
    return CaseList(
        cases=[_case(r) for r in page.rows],
        has_more=page.has_more,
        next_cursor=around.next,
        previous_cursor=around.previous,
    )


@router.get("/cases/{case_id}", response_model=CaseDetailOut, summary="A case with its thread and history")
def case(request: Request, user: ApiUser, case_id: RowId) -> CaseDetailOut:
    d = get_case(store_of(request), user, case_id)
    return CaseDetailOut(
        case=_case(d.case),
        post=_post(d.post),
        thread=[_post(p) for p in d.thread],
        author_posts=[_post(p) for p in d.author_posts],
        actions=[ActionOut.model_validate(a, from_attributes=True) for a in d.actions],
        replies=[ReplyOut.model_validate(r, from_attributes=True) for r in d.replies],
        solution_reply_id=solution_reply(store_of(request), case_id),
    )


@router.post("/cases/{case_id}/check", response_model=CheckOut, summary="Run the reply check on a draft")
def check(request: Request, user: ApiUser, case_id: RowId, body: DraftIn) -> CheckOut:
    need(user, Permission.REPLY, "reply")
    d = get_case(store_of(request), user, case_id)
    found = services_of(request).reply_checker.check(body.text, reply_context(d))
    return CheckOut(
        flags=[
            FlagOut(code=f.code, message=f.message, evidence=f.evidence, blocking=f.blocking) for f in found
        ]
    )


@router.get(
    "/cases/{case_id}/suggestions", response_model=list[SuggestionOut], summary="Suggested answers, cited"
)
def suggestions(request: Request, user: ApiUser, case_id: RowId) -> list[SuggestionOut]:
    need(user, Permission.REPLY, "reply")
    d = get_case(store_of(request), user, case_id)
    found = services_of(request).suggester.suggest(d.post.post.text or "", limit=3)
    return [SuggestionOut(text=s.text, source=s.source, score=s.score) for s in found]


@router.post(
    "/cases/{case_id}/replies",
    response_model=ReplyCreatedOut,
    status_code=201,
    summary="Send a reply: posted on the network when it can take replies, else copied and marked as "
    "replied; 422 with the flags when the check stops it, 502 when the network refuses (nothing changes), "
    "409 when the same reply is sent or being sent already",
)
def reply(request: Request, user: ApiUser, case_id: RowId, body: ReplyIn) -> ReplyCreatedOut:
    need(user, Permission.REPLY, "reply")
    store = store_of(request)
    d = get_case(store, user, case_id)
    flags = services_of(request).reply_checker.check(body.text, reply_context(d))
    reply_id = send_reply(
        store,
        user,
        case_id,
        body.text,
        flags=flags,
        override_reason=body.override_reason,
        resolve=body.resolve,
        needs_approval=_approval(request, user, flagged=bool(flags)),
        outbox=services_of(request).outbox,
        ip=client_ip(request),
    )
    made = next(r for r in get_case(store, user, case_id).replies if r.id == reply_id)
    return ReplyCreatedOut(
        id=reply_id, status=made.status, channel=made.channel, network_id=made.network_id, url=made.url
    )


@router.post("/cases/{case_id}/state", response_model=Done, summary="Open, set pending or resolve a case")
def state(request: Request, user: ApiUser, case_id: RowId, body: StateIn) -> Done:
    set_state(store_of(request), user, case_id, body.state, ip=client_ip(request))
    return Done()


@router.post("/cases/{case_id}/assign", response_model=Done, summary="Assign a case (null: unassign)")
def assign(request: Request, user: ApiUser, case_id: RowId, body: AssignIn) -> Done:
    assign_case(store_of(request), user, case_id, body.assignee_id, ip=client_ip(request))
    return Done()


@router.post(
    "/cases/{case_id}/corrections",
    response_model=Done,
    summary="Correct a judgement (sentiment, intent, welcome); kept as a label",
)
def correction(request: Request, user: ApiUser, case_id: RowId, body: CorrectionIn) -> Done:
    correct_judgement(store_of(request), user, case_id, body.field, body.value, ip=client_ip(request))
    return Done()


@router.post(
    "/replies/{reply_id}/review", response_model=Done, summary="Approve or reject an ambassador's answer"
)
def review(request: Request, user: ApiUser, reply_id: RowId, body: ReviewIn) -> Done:
    review_reply(
        store_of(request),
        user,
        reply_id,
        approve=body.approve,
        outbox=services_of(request).outbox,
        ip=client_ip(request),
    )
    return Done()


@router.get("/audit", response_model=list[AuditOut], summary="The audit log, newest first")
def audit(
    request: Request,
    user: ApiUser,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    before: RowIdQuery = None,
) -> list[AuditOut]:
    need(user, Permission.VIEW_AUDIT, "read the audit log")
    return [
        AuditOut.model_validate(e, from_attributes=True)
        for e in list_audit(store_of(request), limit=limit, before_id=before)
    ]
