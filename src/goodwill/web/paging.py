"""The inbox's page links, for the HTML pages and the JSON API alike: cursors in, cursors out.

Both faces read a ``cursor`` parameter and hand out the cursors of the pages
before and after the one shown, signed by the app's one :class:`CursorCodec`
(keyed by the store, so every desk process on the store accepts them).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from fastapi import Request

from goodwill.desk.cursor import CursorCodec, Seek
from goodwill.desk.inbox import InboxFilter, InboxPage, filter_digest
from goodwill.desk.keys import signing_key
from goodwill.errors import InvalidCursor
from goodwill.store import Store

__all__ = ["CURSOR_KEY", "PageCursors", "codec_for", "page_cursors", "with_cursor"]

#: the name of the store's key that signs inbox cursors
CURSOR_KEY = "inbox-cursor"


def codec_for(store: Store) -> CursorCodec:
    return CursorCodec(signing_key(store, CURSOR_KEY))


def _codec(request: Request) -> CursorCodec:
    codec: CursorCodec = request.app.state.cursors
    return codec


def with_cursor(request: Request, f: InboxFilter, cursor: str | None) -> InboxFilter:
    """The filter starting where ``cursor`` says (InvalidCursor, a 400, when it is not a good one)."""
    if cursor is None or cursor == "":
        return f
    if not cursor.isascii():
        raise InvalidCursor("This page link is invalid. Go back to the first page of the inbox.")
    return replace(f, seek=_codec(request).decode(cursor, filter_digest(f)))


@dataclass(frozen=True)
class PageCursors:
    #: the cursor of the next page (None: this is the last)
    next: str | None
    #: the cursor of the previous page (None: this is the first)
    previous: str | None
    #: the number of the page shown
    page: int


def page_cursors(request: Request, result: InboxPage) -> PageCursors:
    """The cursors of the pages around ``result``; the first page needs none."""
    codec = _codec(request)
    digest = filter_digest(result.filters)
    page = result.page
    after = None
    if result.has_more and result.rows:
        last = result.rows[-1]
        after = codec.encode(Seek(priority=last.priority, case_id=last.id, page=page + 1), digest)
    before = None
    if result.has_previous and result.rows:
        first = result.rows[0]
        before = codec.encode(
            Seek(priority=first.priority, case_id=first.id, backward=True, page=max(1, page - 1)), digest
        )
    return PageCursors(next=after, previous=before, page=page)
