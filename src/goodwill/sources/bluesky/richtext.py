"""Facets for a reply the desk sends: its links, #tags and @mentions made clickable.

Why: Bluesky shows a post's ``text`` as plain characters. A link, a hashtag or
a handle is live only where a facet points at it, by **UTF-8 byte** offsets
(start inclusive, end exclusive), so a care reply that says "see
https://acme.example/help" without one shows a dead address. Links and tags are
found here; a mention needs the account's DID, which ``resolve`` looks up
(``com.atproto.identity.resolveHandle``). A handle that does not resolve stays
plain text: a facet must never point at the wrong account.

Detection is deliberately narrow (full ``http(s)://`` links, handles with a
dot, tags that are not only digits); trailing punctuation is left out of links
and tags, and nothing inside a link becomes a tag or a mention.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

__all__ = ["MAX_MENTIONS", "reply_facets"]

#: Handles looked up per reply at most: each costs a request, and a care reply names one or two.
MAX_MENTIONS = 10
_LINK_TYPE = "app.bsky.richtext.facet#link"
_MENTION_TYPE = "app.bsky.richtext.facet#mention"
_TAG_TYPE = "app.bsky.richtext.facet#tag"
_LINK = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
_LABEL = r"[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
_MENTION = re.compile(rf"(?<![\w@.])@({_LABEL}(?:\.{_LABEL})+)")
_TAG = re.compile(r"(?<![\w#&])#([^\s#]+)")
_TRAILING = ".,;:!?'\"…"
_TAG_MAX_CHARACTERS = 64


def _trimmed(found: str) -> str:
    """A link or tag without the sentence's punctuation, and without a closing bracket it did not open."""
    while found and (found[-1] in _TRAILING or (found[-1] == ")" and found.count("(") < found.count(")"))):
        found = found[:-1]
    return found


def reply_facets(text: str, resolve: Callable[[str], str | None]) -> list[dict[str, Any]]:
    """The ``facets`` of a post whose text is ``text``, in text order; ``resolve`` maps a handle to a DID."""
    spans: list[tuple[int, int, dict[str, str]]] = []
    for match in _LINK.finditer(text):
        link = _trimmed(match.group(0))
        if "." in link.split("://", 1)[1]:
            spans.append((match.start(), match.start() + len(link), {"$type": _LINK_TYPE, "uri": link}))

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e, _ in spans)

    dids: dict[str, str | None] = {}
    for match in _MENTION.finditer(text):
        handle = match.group(1).lower()
        if not free(match.start(), match.end()):
            continue
        if handle not in dids:
            if len(dids) >= MAX_MENTIONS:
                continue
            dids[handle] = resolve(handle)
        did = dids[handle]
        if did:
            spans.append((match.start(), match.end(), {"$type": _MENTION_TYPE, "did": did}))
    for match in _TAG.finditer(text):
        tag = _trimmed(match.group(1))
        end = match.start() + 1 + len(tag)
        if tag and not tag.isdigit() and len(tag) <= _TAG_MAX_CHARACTERS and free(match.start(), end):
            spans.append((match.start(), end, {"$type": _TAG_TYPE, "tag": tag}))
    spans.sort(key=lambda span: span[0])
    return [
        {"index": {"byteStart": _bytes(text[:start]), "byteEnd": _bytes(text[:end])}, "features": [feature]}
        for start, end, feature in spans
    ]


def _bytes(prefix: str) -> int:
    # surrogatepass: a lone surrogate still counts its 3 bytes instead of failing the reply
    return len(prefix.encode("utf-8", "surrogatepass"))
