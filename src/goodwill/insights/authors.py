"""Author profiles across networks: the team says which handles are the same person.

A link maps ``network:handle`` to a profile name; insights then count that person once
(top voices, segments). Links are the team's judgement, stored in ``author_links``;
goodwill never guesses them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, delete, select

from goodwill.errors import InputError
from goodwill.insights.facts import author_key
from goodwill.insights.topics_store import Also
from goodwill.store import Store
from goodwill.store.schema_insights import author_links

__all__ = [
    "AuthorLink",
    "identities",
    "link_authors",
    "list_links",
    "parse_author",
    "same_person",
    "unlink_authors",
]

#: the longest ``network:handle`` the table holds
AUTHOR_MAX = 512
_AUTHOR = re.compile(r"^\s*([a-z0-9_-]+):@?(\S+)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class AuthorLink:
    author: str
    profile: str
    linked_at: datetime


def parse_author(value: str) -> str:
    """``x:@Alice`` -> ``x:alice``; refuse anything that is not ``network:handle``."""
    match = _AUTHOR.match(value) if len(value) <= AUTHOR_MAX else None
    if not match:
        raise InputError(
            f"cannot read author {value!r}: write it as network:handle, "
            "e.g. x:alice or mastodon:ann@toot.example."
        )
    key = author_key(match.group(1).lower(), match.group(2))
    assert key is not None
    return key


#: longer profile names are refused
PROFILE_MAX = 255


def link_authors(
    store: Store,
    profile: str,
    authors: Sequence[str],
    *,
    now: datetime | None = None,
    also: Also | None = None,
) -> list[str]:
    """Link each author to ``profile`` (replacing an earlier link); returns the normalised keys."""
    name = " ".join(profile.split())
    if not name:
        raise InputError("the profile name must not be empty.")
    if len(name) > PROFILE_MAX:
        raise InputError(f"the profile name is {len(name):,} characters long: keep it under {PROFILE_MAX}.")
    keys = [parse_author(a) for a in authors]
    if not keys:
        raise InputError("name at least one author to link, e.g. x:alice mastodon:alice@toot.example.")
    moment = now or datetime.now(UTC)

    def run(conn: Connection) -> None:
        if also is not None:
            also(conn)
        conn.execute(delete(author_links).where(author_links.c.author.in_(keys)))
        conn.execute(
            author_links.insert(), [{"author": k, "profile": name, "linked_at": moment} for k in keys]
        )

    store.transaction(run)
    return keys


def unlink_authors(store: Store, authors: Sequence[str], *, also: Also | None = None) -> int:
    """Remove the links of these authors; returns how many there were."""
    keys = [parse_author(a) for a in authors]

    def run(conn: Connection) -> int:
        if also is not None:
            also(conn)
        return int(conn.execute(delete(author_links).where(author_links.c.author.in_(keys))).rowcount)

    return store.transaction(run)


def list_links(store: Store) -> list[AuthorLink]:
    """Every link, by profile then author."""
    stmt = select(author_links).order_by(author_links.c.profile, author_links.c.author)
    with store.reading() as conn:
        return [
            AuthorLink(author=r.author, profile=r.profile, linked_at=r.linked_at) for r in conn.execute(stmt)
        ]


def identities(store: Store) -> dict[str, str]:
    """``{network:handle: profile}`` for every linked author (what the insight functions take)."""
    return {link.author: link.profile for link in list_links(store)}


def same_person(store: Store, handle: str, *, network: str | None = None) -> list[str]:
    """The other authors linked to the same person as ``handle`` (on ``network``, or any).

    ``goodwill forget`` erases the links themselves; this says, before it does, which other
    handles the team knew as that person, whose posts a forget of one handle keeps.
    """
    wanted = handle.strip().lstrip("@").strip().casefold()
    net = network.strip().casefold() if network else None
    links = list_links(store)
    mine = {
        link.profile
        for link in links
        if link.author.partition(":")[2] == wanted and (net is None or link.author.partition(":")[0] == net)
    }
    return sorted(
        link.author
        for link in links
        if link.profile in mine
        and not (
            link.author.partition(":")[2] == wanted and (net is None or link.author.partition(":")[0] == net)
        )
    )
