"""The facts every insight is computed from: one flat, typed row per post, read once from the store.

Insights are pure functions over a list of :class:`PostFact`, so they can be tested on a
hand-built dataset and computed the same way for the CLI, the HTML report and the desk.
:func:`load_facts` is the only place that reads the store: the posts, their current
enrichment, the replies each one received and the engagement counters its raw payload
carried (likes, reposts...), where the network gave them.

Left out by default: deleted posts, posts judged spam, and posts written by one of the
tracked brands' own handles (a brand's own voice is not word of mouth).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from goodwill.config import WorkspaceConfig
from goodwill.store import PostQuery, Store, StoredPost
from goodwill.store.schema import posts, raw_payloads

__all__ = [
    "BrandMention",
    "FactFilter",
    "PostFact",
    "author_key",
    "brand_audiences",
    "facts_from_posts",
    "load_facts",
    "own_handles",
    "payload_engagement",
]

#: Counters that networks put in a payload, summed into "engagement" when present.
_ENGAGEMENT_KEYS = (
    "likes",
    "like_count",
    "favorite_count",
    "favourites_count",
    "reposts",
    "repost_count",
    "retweet_count",
    "reblogs_count",
    "quote_count",
    "replies_count",
    "reply_count",
    "shares",
    "score",
    "num_comments",
)


@dataclass(frozen=True)
class BrandMention:
    """A brand or competitor a post refers to, as the mentions stage found it."""

    name: str
    #: ``brand`` (ours) or ``competitor``
    role: str
    addressed: bool = False
    #: the words in the post that named it (an alias, a handle, a hashtag)
    matched: tuple[str, ...] = ()


@dataclass(frozen=True)
class PostFact:
    """What insights need to know about one post."""

    post_id: int
    network: str
    native_id: str
    posted_at: datetime
    text: str
    #: ``network:handle`` (lower case), the identity insights group by; None when unknown
    author: str | None = None
    author_name: str | None = None
    followers: int | None = None
    brands: tuple[BrandMention, ...] = ()
    #: negative, neutral, positive, or None when not judged
    sentiment: str | None = None
    score: float | None = None
    intent: str | None = None
    is_complaint: bool = False
    is_spam: bool = False
    #: replies stored for this post plus the payload's counters; None when nothing is known
    engagement: int | None = None
    reply_to: str | None = None
    welcome: bool | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def mentions(self, brand: str) -> bool:
        """Does this post refer to ``brand`` (case-insensitive)?"""
        wanted = brand.casefold()
        return any(b.name.casefold() == wanted for b in self.brands)


@dataclass(frozen=True)
class FactFilter:
    """Which posts count: a time window, one brand, and whether spam and own posts are left out."""

    since: datetime | None = None
    until: datetime | None = None
    brand: str | None = None
    include_spam: bool = False
    include_own: bool = False


def author_key(network: str, handle: str | None) -> str | None:
    """The identity of an author within a network (handles are case-insensitive almost everywhere)."""
    if not handle:
        return None
    return f"{network}:{handle.lstrip('@').casefold()}"


def own_handles(config: WorkspaceConfig) -> frozenset[str]:
    """Every handle of every tracked brand and competitor, lower case and without ``@``."""
    out: set[str] = set()
    for spec in [*config.brands, *config.competitors]:
        out.update(h.casefold() for h in spec.all_handles())
    return frozenset(out)


def payload_engagement(payload: Mapping[str, Any]) -> int | None:
    """The sum of the engagement counters a payload carries (also inside ``public_metrics``), or None."""
    found = False
    total = 0
    scopes: list[Mapping[str, Any]] = [payload]
    for nested in ("public_metrics", "metrics", "stats"):
        inner = payload.get(nested)
        if isinstance(inner, Mapping):
            scopes.append(inner)
    for scope in scopes:
        for key in _ENGAGEMENT_KEYS:
            value = scope.get(key)
            if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
                total += value
                found = True
    return total if found else None


def _brand_mentions(raw: Any) -> tuple[BrandMention, ...]:
    out: list[BrandMention] = []
    if isinstance(raw, list):
        for item in raw:
            if isinstance(item, Mapping) and isinstance(item.get("name"), str):
                out.append(
                    BrandMention(
                        name=item["name"],
                        role=str(item.get("role") or "brand"),
                        addressed=bool(item.get("addressed")),
                        matched=tuple(str(m) for m in item.get("matched") or () if isinstance(m, str)),
                    )
                )
    return tuple(out)


def _fact(stored: StoredPost, engagement: int | None) -> PostFact | None:
    post, e = stored.post, stored.enrichment
    if post.text is None:
        return None
    posted = post.created_at
    if posted is None:
        return None
    sentiment = e.get("sentiment") if isinstance(e.get("sentiment"), Mapping) else {}
    intent = e.get("intent") if isinstance(e.get("intent"), Mapping) else {}
    complaint = e.get("complaint") if isinstance(e.get("complaint"), Mapping) else {}
    spam = e.get("spam") if isinstance(e.get("spam"), Mapping) else {}
    receptivity = e.get("receptivity") if isinstance(e.get("receptivity"), Mapping) else {}
    assert sentiment is not None and intent is not None and complaint is not None
    assert spam is not None and receptivity is not None
    score = sentiment.get("score")
    welcome = receptivity.get("welcome")
    return PostFact(
        post_id=stored.id,
        network=post.network,
        native_id=post.native_id,
        posted_at=posted,
        text=post.text,
        author=author_key(post.network, post.author_handle),
        author_name=post.author.name if post.author else None,
        followers=post.author_followers,
        brands=_brand_mentions(e.get("brands")),
        sentiment=sentiment.get("label") if isinstance(sentiment.get("label"), str) else None,
        score=float(score) if isinstance(score, int | float) else None,
        intent=intent.get("label") if isinstance(intent.get("label"), str) else None,
        is_complaint=bool(complaint.get("is_complaint")),
        is_spam=bool(spam.get("is_spam")),
        engagement=engagement,
        reply_to=post.reply_to,
        welcome=welcome if isinstance(welcome, bool) else None,
    )


def facts_from_posts(
    stored: Iterable[StoredPost],
    *,
    engagement: Mapping[int, int] | None = None,
    own: frozenset[str] = frozenset(),
    flt: FactFilter | None = None,
) -> list[PostFact]:
    """Stored posts as facts, filtered; posts without text or a date are skipped."""
    flt = flt or FactFilter()
    known = engagement or {}
    out: list[PostFact] = []
    for sp in stored:
        fact = _fact(sp, known.get(sp.id))
        if fact is None or not _keeps(fact, sp, own, flt):
            continue
        out.append(fact)
    return out


def _keeps(fact: PostFact, stored: StoredPost, own: frozenset[str], flt: FactFilter) -> bool:
    if flt.since is not None and fact.posted_at < flt.since:
        return False
    if flt.until is not None and fact.posted_at >= flt.until:
        return False
    if flt.brand is not None and not fact.mentions(flt.brand):
        return False
    if not flt.include_spam and fact.is_spam:
        return False
    handle = stored.post.author_handle
    return flt.include_own or handle is None or handle.lstrip("@").casefold() not in own


def _engagement(store: Store, stored: Sequence[StoredPost]) -> dict[int, int]:
    """Per post id: replies stored for it plus the counters in its newest raw payload."""
    ids = [sp.id for sp in stored]
    by_key = {(sp.post.network, sp.post.native_id): sp.id for sp in stored}
    out: dict[int, int] = {}
    with store.reading() as conn:
        replies = (
            select(posts.c.network, posts.c.reply_to, func.count())
            .where(posts.c.reply_to.is_not(None), posts.c.deleted == False)  # noqa: E712
            .group_by(posts.c.network, posts.c.reply_to)
        )
        for network, reply_to, n in conn.execute(replies):
            pid = by_key.get((network, reply_to))
            if pid is not None:
                out[pid] = out.get(pid, 0) + int(n)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            newest = (
                select(raw_payloads.c.post_id, func.max(raw_payloads.c.id).label("rid"))
                .where(raw_payloads.c.post_id.in_(chunk))
                .group_by(raw_payloads.c.post_id)
                .subquery()
            )
            stmt = select(raw_payloads.c.post_id, raw_payloads.c.payload).join(
                newest, raw_payloads.c.id == newest.c.rid
            )
            for pid, payload in conn.execute(stmt):
                try:
                    body = json.loads(payload)
                except ValueError:
                    continue
                counted = payload_engagement(body) if isinstance(body, dict) else None
                if counted is not None:
                    out[pid] = out.get(pid, 0) + counted
    return out


def load_facts(
    store: Store,
    *,
    config: WorkspaceConfig | None = None,
    flt: FactFilter | None = None,
    versions: Mapping[str, str] | None = None,
) -> list[PostFact]:
    """Read the posts that count for insights, oldest first, with their engagement."""
    flt = flt or FactFilter()
    query = PostQuery(since=flt.since, brand=flt.brand, limit=None, versions=versions, newest_first=False)
    stored = store.query(query)
    own = own_handles(config) if config is not None else frozenset()
    return facts_from_posts(stored, engagement=_engagement(store, stored), own=own, flt=flt)


def brand_audiences(store: Store, config: WorkspaceConfig) -> dict[str, int | None]:
    """Each tracked brand's audience: ``[insights] audiences`` first, else the most followers seen
    on a post written by one of its own handles, else None."""
    configured = {k.casefold(): v for k, v in config.insights.audiences.items()}
    out: dict[str, int | None] = {}
    with store.reading() as conn:
        for spec in [*config.brands, *config.competitors]:
            if spec.name.casefold() in configured:
                out[spec.name] = configured[spec.name.casefold()]
                continue
            handles = [h.casefold() for h in spec.all_handles()]
            seen = None
            if handles:
                stmt = select(func.max(posts.c.author_followers)).where(
                    func.lower(posts.c.author_handle).in_(handles)
                )
                seen = conn.execute(stmt).scalar_one()
            out[spec.name] = int(seen) if seen is not None else None
    return out
