"""The desk's curation pages: name, merge, unmerge and pin topics; link one person's handles across networks.

Thin handlers over goodwill.desk.curation, which checks roles and writes the audit log.
Every POST is a plain form with the session's CSRF token, answered with a redirect back to
the list (so a reload never repeats an edit).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from goodwill.desk import curation
from goodwill.desk.ids import parse_row_id
from goodwill.desk.roles import Permission
from goodwill.errors import DeskError
from goodwill.web.app_state import pages_of, store_of
from goodwill.web.params import RowId
from goodwill.web.security import CsrfSession, PageSession, client_ip, need

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


def _back(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


@router.get("/insights/topics")
def topics_page(request: Request, session: PageSession) -> Response:
    need(session.user, Permission.VIEW_INSIGHTS, "see the insights")
    found = curation.desk_topics(store_of(request), session.user)
    targets = [v for v in found if v.topic.merged_into is None]
    return pages_of(request).render(request, "topics.html", session=session, topics=found, targets=targets)


@router.post("/insights/topics/{topic_id}/name")
def name_topic(
    request: Request, session: CsrfSession, topic_id: RowId, name: Annotated[str, Form(max_length=1000)] = ""
) -> Response:
    curation.rename_topic(store_of(request), session.user, topic_id, name, ip=client_ip(request))
    return _back(f"/insights/topics#topic-{topic_id}")


@router.post("/insights/topics/{topic_id}/merge")
def merge_topic(
    request: Request, session: CsrfSession, topic_id: RowId, into: Annotated[str, Form()] = ""
) -> Response:
    target = parse_row_id(into.strip())
    if target is None:
        raise DeskError("choose the topic to merge into.")
    curation.merge_topic(store_of(request), session.user, topic_id, target, ip=client_ip(request))
    return _back(f"/insights/topics#topic-{target}")


@router.post("/insights/topics/{topic_id}/unmerge")
def unmerge_topic(request: Request, session: CsrfSession, topic_id: RowId) -> Response:
    curation.unmerge_topic(store_of(request), session.user, topic_id, ip=client_ip(request))
    return _back(f"/insights/topics#topic-{topic_id}")


@router.post("/insights/topics/{topic_id}/pin")
def pin_topic(
    request: Request, session: CsrfSession, topic_id: RowId, pinned: Annotated[str, Form()] = "1"
) -> Response:
    keep = pinned == "1"
    curation.pin_topic(store_of(request), session.user, topic_id, pinned=keep, ip=client_ip(request))
    return _back(f"/insights/topics#topic-{topic_id}")


@router.get("/insights/authors")
def authors_page(request: Request, session: PageSession) -> Response:
    need(session.user, Permission.VIEW_INSIGHTS, "see the insights")
    links = curation.desk_links(store_of(request), session.user)
    profiles: dict[str, list[str]] = {}
    for link in links:
        profiles.setdefault(link.profile, []).append(link.author)
    return pages_of(request).render(request, "authors.html", session=session, profiles=profiles)


@router.post("/insights/authors/link")
def link_authors(
    request: Request,
    session: CsrfSession,
    profile: Annotated[str, Form(max_length=1000)] = "",
    handles: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    curation.link_handles(
        store_of(request), session.user, profile, curation.split_handles(handles), ip=client_ip(request)
    )
    return _back("/insights/authors")


@router.post("/insights/authors/unlink")
def unlink_author(
    request: Request, session: CsrfSession, author: Annotated[str, Form(max_length=1000)] = ""
) -> Response:
    curation.unlink_handles(store_of(request), session.user, [author], ip=client_ip(request))
    return _back("/insights/authors")
