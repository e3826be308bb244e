"""Rich-text facets to plain text: links shown shortened in a post are given back in full.

A Bluesky post's ``text`` shows links the way the app shortened them
(``www.youtube.com/watch?v=V5lD...``); the full address is in a facet, which
points at the text by **UTF-8 byte** offsets (``index.byteStart``/``byteEnd``),
not by characters. Stages look for links and domains, so a shortened link is
replaced by its full URI; a link behind other words ("my blog") keeps the
words and gets the URI after them. Facets that overlap, run outside the text or
cut a character in two are ignored rather than trusted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["facet_links", "text_with_links"]

_LINK = "app.bsky.richtext.facet#link"


def _bare(uri: str) -> str:
    for scheme in ("https://", "http://"):
        if uri.startswith(scheme):
            return uri[len(scheme) :]
    return uri


def facet_links(facets: Any) -> list[tuple[int, int, str]]:
    """``(byte_start, byte_end, uri)`` of every well-formed link facet, in text order."""
    out: list[tuple[int, int, str]] = []
    if not isinstance(facets, list):
        return out
    for facet in facets:
        if not isinstance(facet, Mapping):
            continue
        index = facet.get("index")
        features = facet.get("features")
        if not isinstance(index, Mapping) or not isinstance(features, list):
            continue
        start, end = index.get("byteStart"), index.get("byteEnd")
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end)):
            continue
        assert isinstance(start, int) and isinstance(end, int)
        for feature in features:
            if isinstance(feature, Mapping) and feature.get("$type") == _LINK:
                uri = feature.get("uri")
                if isinstance(uri, str) and uri and 0 <= start < end:
                    out.append((start, end, uri))
                break
    out.sort()
    return out


def text_with_links(text: str, facets: Any) -> str:
    """``text`` with each link facet's shortened display replaced by (or followed by) its URI."""
    links = facet_links(facets)
    if not links:
        return text
    # surrogatepass: a lone surrogate (undecodable input read leniently) keeps its 3 bytes, no crash
    data = text.encode("utf-8", "surrogatepass")
    pieces: list[bytes] = []
    at = 0
    for start, end, uri in links:
        if start < at or end > len(data):
            continue  # overlapping or past the end: not trustworthy
        if _inside_character(data, start) or _inside_character(data, end):
            continue  # cuts a character in two
        shown = data[start:end].decode("utf-8", "surrogatepass")
        trimmed = shown.rstrip(".…").strip()
        if trimmed and (_bare(uri).startswith(_bare(trimmed)) or uri.startswith(trimmed)):
            replacement = uri
        elif uri in shown:
            replacement = shown
        else:
            replacement = f"{shown} ({uri})"
        pieces.append(data[at:start])
        pieces.append(replacement.encode("utf-8", "surrogatepass"))
        at = end
    pieces.append(data[at:])
    return b"".join(pieces).decode("utf-8", errors="surrogatepass")


def _inside_character(data: bytes, index: int) -> bool:
    """True when byte ``index`` continues a UTF-8 character (0b10xxxxxx): O(1), where decoding
    everything before it was O(n) per link (a megabyte post with a thousand facets took seconds)."""
    return index < len(data) and 0x80 <= data[index] <= 0xBF
