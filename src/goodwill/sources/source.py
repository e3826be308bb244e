"""The Source protocol: what every network connector offers goodwill, and nothing more.

A source does three small things, each testable alone:

* ``normalise(document)`` is PURE: one payload document (a response body as
  parsed JSON, or feed text) to :class:`Item` s, each a Post plus the raw item
  it came from (4CAT's map_item habit: the raw is kept, absent fields are None).
* ``read_export(path)`` reads the network's native files (API bodies saved by
  other tools, archives) into documents for ``goodwill import --network NAME``.
* ``fetch(query, cursor, client)`` yields :class:`Page` s: items plus the cursor
  to store once they are. ``goodwill listen`` saves a page's posts and its cursor
  in ONE transaction, so a killed listener resumes exactly where it stopped.

Deletions and edits need no extra channel: an edit is a newer Post with the same
key (the store keeps the old text as a version); a deletion is an Item whose
Post is a tombstone (``deleted=True, text=None``, see docs/store.md), made with
:func:`tombstone`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from goodwill.errors import InputError
from goodwill.json_input import load_json
from goodwill.models import Post

if TYPE_CHECKING:
    from goodwill.sources.http import HttpClient

__all__ = [
    "Capability",
    "Cursor",
    "Item",
    "Page",
    "Query",
    "Source",
    "SourceSettings",
    "read_json_documents",
    "tombstone",
]

#: What a source stores between pages and runs: small, JSON-serialisable, opaque to goodwill.
Cursor = Mapping[str, Any]


class Capability(StrEnum):
    """What a source can do; ``goodwill sources`` lists them and listen checks queries against them."""

    SEARCH = "search"  # find posts by words
    STREAM = "stream"  # live tail (``listen --follow`` holds a connection open)
    THREAD = "thread"  # fetch a post and the replies under it
    REPLY = "reply"  # post a reply (care desk): the source is a goodwill.sources.reply.ReplySender


@dataclass(frozen=True)
class Item:
    """One normalised post and the raw item it was made from (kept as it came)."""

    post: Post
    raw: Mapping[str, Any]


@dataclass(frozen=True)
class Page:
    """One step of a fetch: what came, and where to resume.

    ``cursor`` is stored with the page's posts in one transaction; it is what the
    NEXT fetch of this query (now or in a later run) starts from. ``endpoint``
    names the request that produced the page, for provenance.
    """

    items: Sequence[Item]
    cursor: Cursor | None
    endpoint: str | None = None


@dataclass(frozen=True)
class Query:
    """One configured listening query: ``kind`` (search, thread, feed...) and its ``value``.

    ``name`` identifies the query's cursor in the store, so renaming a query starts
    it afresh and two queries never share a place. ``follow`` is True under
    ``listen --follow``: a query of one of the source's ``stream_kinds`` may then hold
    its connection open and yield a page every few events (or seconds); otherwise it
    catches up and returns.

    ``match``, when set, is the listener's test of a post's text (does it name a
    configured brand?). A source that reads everything (a firehose) may drop new
    posts that fail it before building them; the listener filters every page
    anyway, so a source is free to ignore it.
    """

    source: str
    kind: str
    value: str
    name: str
    params: Mapping[str, str] = field(default_factory=dict)
    follow: bool = False
    match: Callable[[str], bool] | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class SourceSettings:
    """A source's settings from ``[sources.NAME]`` in goodwill.toml, already validated.

    ``credentials`` maps a credential name (``token``, ``client_id``) to the
    environment variable that holds it; ``env`` is the environment to read them
    from (given at the edge, so library code never reads os.environ itself).
    """

    base_url: str | None = None
    user_agent: str | None = None
    credentials: Mapping[str, str] = field(default_factory=dict)
    options: Mapping[str, Any] = field(default_factory=dict)
    env: Mapping[str, str] = field(default_factory=dict, repr=False)

    def secret(self, name: str, default_env: str) -> tuple[str | None, str]:
        """``(value or None, env var name)`` of a credential, so errors can name the variable."""
        var = self.credentials.get(name, default_env)
        value = self.env.get(var)
        return (value if value else None, var)


@runtime_checkable
class Source(Protocol):
    """A network connector. Built by its entry point from :class:`SourceSettings`."""

    #: the network's name as stored on posts (``posts.network``) and used in config
    name: str
    capabilities: frozenset[Capability]
    #: the query kinds ``fetch`` accepts, e.g. ``{"search": "words to find", "thread": "item id"}``
    kinds: Mapping[str, str]
    #: the kinds whose fetch streams under ``--follow`` (each gets its own thread); may be empty
    stream_kinds: frozenset[str]

    def normalise(self, document: Any, *, endpoint: str | None = None) -> list[Item]:
        """Every post in one payload document; pure and deterministic, raises nothing for
        items it cannot use (it skips them), InputError only when the document is not this
        network's shape at all."""
        ...

    def read_export(self, path: Path) -> Iterator[Any]:
        """The payload documents in one native file (for ``goodwill import --network``)."""
        ...

    def fetch(self, query: Query, cursor: Cursor | None, client: HttpClient) -> Iterator[Page]:
        """Pages for ``query`` starting from ``cursor`` (None: the first run)."""
        ...


def tombstone(network: str, native_id: str) -> Post:
    """The Post that tells the store a post was deleted (its words are purged, its id kept)."""
    return Post(network=network, native_id=native_id, text=None, deleted=True)


def read_json_documents(path: Path) -> Iterator[Any]:
    """One JSON document per file, or one per line for JSON Lines: the usual export shapes.

    A file holding a single JSON value (an API response body saved to disk) is one
    document; otherwise each non-blank line is parsed on its own (twarc, Jetstream
    dumps). A line that is not JSON raises InputError naming file and line.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot be read ({exc}).") from None
    try:
        yield load_json(text)
        return
    except json.JSONDecodeError:
        pass
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield load_json(line)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"{path}:{number}: not JSON ({exc.msg}); give the API's own response body."
            ) from None
