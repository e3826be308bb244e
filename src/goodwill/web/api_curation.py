"""The JSON API for curating insights: topics (list, name, merge, unmerge, pin) and linked author handles.

The same calls and role checks as the desk's curation pages (goodwill.desk.curation), so
every edit is in the audit log whichever way it came.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from goodwill.desk import curation
from goodwill.desk.ids import MAX_ROW_ID
from goodwill.web.app_state import store_of
from goodwill.web.params import RowId
from goodwill.web.security import ApiUser, client_ip

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["insights"])


class TopicOut(BaseModel):
    id: int
    label: str
    name: str | None
    shown_as: str = Field(description="the team's name, else the label")
    terms: list[str]
    posts: int
    pinned: bool
    merged_into: int | None


class NameIn(BaseModel):
    name: str = Field(max_length=1000, description="the team's name (naming pins the topic)")


class MergeIn(BaseModel):
    into: int = Field(ge=1, le=MAX_ROW_ID, description="the topic that this one becomes part of")


class PinIn(BaseModel):
    pinned: bool = True


class LinkIn(BaseModel):
    profile: str = Field(max_length=1000, description="the person's name, as the team calls them")
    authors: list[str] = Field(max_length=100, description="network:handle, e.g. x:alice")


class UnlinkIn(BaseModel):
    authors: list[str] = Field(max_length=100, description="network:handle, e.g. x:alice")


class AuthorLinkOut(BaseModel):
    author: str
    profile: str


class LinkedOut(BaseModel):
    authors: list[str] = Field(description="the linked authors, normalised")


class UnlinkedOut(BaseModel):
    removed: int


class Done(BaseModel):
    ok: bool = True


@router.get("/topics", response_model=list[TopicOut], summary="The stored topics, biggest first")
def topics(request: Request, user: ApiUser) -> list[TopicOut]:
    return [
        TopicOut(
            id=v.topic.id,
            label=v.topic.label,
            name=v.topic.name,
            shown_as=v.shown,
            terms=list(v.topic.terms),
            posts=v.topic.posts,
            pinned=v.topic.pinned,
            merged_into=v.topic.merged_into,
        )
        for v in curation.desk_topics(store_of(request), user)
    ]


@router.post("/topics/{topic_id}/name", response_model=Done, summary="Name a topic (and pin it)")
def name_topic(request: Request, user: ApiUser, topic_id: RowId, body: NameIn) -> Done:
    curation.rename_topic(store_of(request), user, topic_id, body.name, ip=client_ip(request))
    return Done()


@router.post("/topics/{topic_id}/merge", response_model=Done, summary="Count a topic as another from now on")
def merge_topic(request: Request, user: ApiUser, topic_id: RowId, body: MergeIn) -> Done:
    curation.merge_topic(store_of(request), user, topic_id, body.into, ip=client_ip(request))
    return Done()


@router.post(
    "/topics/{topic_id}/unmerge", response_model=Done, summary="Count a merged topic as itself again"
)
def unmerge_topic(request: Request, user: ApiUser, topic_id: RowId) -> Done:
    curation.unmerge_topic(store_of(request), user, topic_id, ip=client_ip(request))
    return Done()


@router.post("/topics/{topic_id}/pin", response_model=Done, summary="Keep or stop keeping a topic")
def pin_topic(request: Request, user: ApiUser, topic_id: RowId, body: PinIn) -> Done:
    curation.pin_topic(store_of(request), user, topic_id, pinned=body.pinned, ip=client_ip(request))
    return Done()


@router.get("/authors/links", response_model=list[AuthorLinkOut], summary="Handles linked as one person")
def author_links(request: Request, user: ApiUser) -> list[AuthorLinkOut]:
    return [
        AuthorLinkOut(author=link.author, profile=link.profile)
        for link in curation.desk_links(store_of(request), user)
    ]


@router.post(
    "/authors/links",
    response_model=LinkedOut,
    summary="Link handles across networks as one person (a handle linked again moves)",
)
def link_authors(request: Request, user: ApiUser, body: LinkIn) -> LinkedOut:
    keys = curation.link_handles(store_of(request), user, body.profile, body.authors, ip=client_ip(request))
    return LinkedOut(authors=keys)


@router.post("/authors/unlink", response_model=UnlinkedOut, summary="Remove handles' links")
def unlink_authors(request: Request, user: ApiUser, body: UnlinkIn) -> UnlinkedOut:
    removed = curation.unlink_handles(store_of(request), user, body.authors, ip=client_ip(request))
    return UnlinkedOut(removed=removed)
