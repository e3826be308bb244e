"""X API v2 payloads to posts: response pages, stream lines, twarc2 flattened tweets, compliance.

Pure functions over the JSON the API returns. A response page is
``{"data": [...] | {...}, "includes": {"users", "tweets", ...}, "meta", "errors"}``;
a filtered-stream line has the same shape with ``data`` a single tweet; twarc2's
"flattened" files carry one tweet per line with its ``author`` folded in; a batch
compliance job writes ``{"id", "action", "reason", "created_at"}`` lines.

Choices, documented in docs/sources/x.md:

* An edited post keeps the id of its FIRST version (``edit_history_tweet_ids[0]``),
  so every edit lands on the same stored post and the store keeps the earlier
  texts as versions. A superseded version is dropped when the same document
  also holds a newer one.
* The text is what a reader sees: HTML entities decoded, t.co links replaced by
  the address they stand for, the full ``note_tweet`` text of a long post, and a
  retweet's full original text after its ``RT @user:`` prefix.
* Referenced tweets in ``includes`` give context (reply targets, retweet text)
  but are not stored as posts of their own: only what the query matched is.
* A "Not Found" partial error about a tweet is X saying that tweet is gone: it
  becomes a tombstone. Other partial errors (suspended or protected authors) are
  skipped. Compliance ``delete`` lines about tweets are tombstones; lines about
  users are skipped (erasing a person's posts is ``goodwill forget``'s job).
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from goodwill.models import Author, Post
from goodwill.sources.source import Item, tombstone

__all__ = ["NETWORK", "is_v2_document", "normalise_v2", "post_url", "snowflake"]

NETWORK = "x"
_DIGITS = re.compile(r"\d{1,20}")
#: X's pseudo language codes: undetermined, quote-only, media-only, hashtags-only, no text...
_NOT_LANGUAGES = frozenset({"und", "qst", "qme", "qam", "qht", "qct", "zxx", "art"})
_LANG = re.compile(r"[a-z]{2,3}(?:-[A-Za-z]{2,4})?")
_COMPLIANCE_ACTIONS = frozenset({"delete", "deleted"})


def snowflake(value: Any) -> str | None:
    """An X id as a string of digits (ids come as strings, or as numbers in old payloads)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and value >= 0:
        return str(value)
    if isinstance(value, str) and _DIGITS.fullmatch(value.strip()):
        return value.strip()
    return None


def post_url(native_id: str, handle: str | None) -> str:
    """Where a person reads the post."""
    return (
        f"https://x.com/{handle}/status/{native_id}" if handle else f"https://x.com/i/web/status/{native_id}"
    )


def _when(text: Any) -> datetime | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _sequence(value: Any) -> Sequence[Any]:
    return value if isinstance(value, list) else []


def _lang(value: Any) -> str | None:
    if not isinstance(value, str) or value in _NOT_LANGUAGES or not _LANG.fullmatch(value):
        return None
    return value


def _followers(user: Mapping[str, Any]) -> int | None:
    count = _mapping(user.get("public_metrics")).get("followers_count")
    if isinstance(count, bool):
        return None
    if isinstance(count, int) and count >= 0:
        return count
    if isinstance(count, str) and count.isdecimal() and len(count) <= 18:
        return int(count)
    return None


def _author(user: Mapping[str, Any]) -> Author | None:
    handle = user.get("username")
    name = user.get("name")
    native_id = snowflake(user.get("id"))
    author = Author(
        handle=handle if isinstance(handle, str) and handle else None,
        name=name if isinstance(name, str) and name else None,
        native_id=native_id,
        followers=_followers(user),
    )
    return None if author == Author() else author


def _expand_links(text: str, entities: Mapping[str, Any]) -> str:
    """t.co links replaced by what they stand for (so a brand's own domain can be recognised)."""
    for link in _sequence(entities.get("urls")):
        if not isinstance(link, Mapping):
            continue
        short, expanded = link.get("url"), link.get("unwound_url") or link.get("expanded_url")
        if isinstance(short, str) and short and isinstance(expanded, str) and expanded:
            text = text.replace(short, expanded)
    return text


def _readable(tweet: Mapping[str, Any]) -> str | None:
    note = _mapping(tweet.get("note_tweet"))
    source = note if isinstance(note.get("text"), str) else tweet
    text = source.get("text")
    if not isinstance(text, str):
        return None
    return html.unescape(_expand_links(text, _mapping(source.get("entities"))))


def _referenced(tweet: Mapping[str, Any], kind: str) -> str | None:
    for ref in _sequence(tweet.get("referenced_tweets")):
        if isinstance(ref, Mapping) and ref.get("type") == kind:
            return snowflake(ref.get("id"))
    return None


class _Context:
    """What a page's ``includes`` say about the tweets in its ``data``."""

    def __init__(self, includes: Mapping[str, Any]) -> None:
        self.users: dict[str, Mapping[str, Any]] = {}
        for user in _sequence(includes.get("users")):
            if isinstance(user, Mapping) and (uid := snowflake(user.get("id"))) is not None:
                self.users[uid] = user
        self.tweets: dict[str, Mapping[str, Any]] = {}
        for tweet in _sequence(includes.get("tweets")):
            if isinstance(tweet, Mapping) and (tid := snowflake(tweet.get("id"))) is not None:
                self.tweets[tid] = tweet

    def author_of(self, tweet: Mapping[str, Any]) -> Mapping[str, Any]:
        embedded = tweet.get("author")  # twarc2 flattened files fold the author in
        if isinstance(embedded, Mapping):
            return embedded
        uid = snowflake(tweet.get("author_id"))
        return self.users.get(uid, {}) if uid is not None else {}


def _tweet_post(tweet: Mapping[str, Any], context: _Context) -> Post | None:
    latest = snowflake(tweet.get("id"))
    if latest is None:
        return None
    text = _readable(tweet)
    if text is None:
        return None
    history = [i for i in map(snowflake, _sequence(tweet.get("edit_history_tweet_ids"))) if i is not None]
    native_id = history[0] if history else latest
    retweeted = _referenced(tweet, "retweeted")
    original = context.tweets.get(retweeted) if retweeted is not None else None
    if original is not None and text.startswith("RT @") and ": " in text:
        full = _readable(original)
        if full:
            text = text.split(": ", 1)[0] + ": " + full
    user = context.author_of(tweet)
    author = _author(user)
    return Post(
        network=NETWORK,
        native_id=native_id,
        text=text,
        author=author,
        created_at=_when(tweet.get("created_at")),
        reply_to=_referenced(tweet, "replied_to"),
        conversation_id=snowflake(tweet.get("conversation_id")),
        url=post_url(latest, author.handle if author else None),
        lang=_lang(tweet.get("lang")),
    )


def _superseded(tweets: Sequence[Mapping[str, Any]]) -> set[str]:
    """Ids of versions for which the same document also holds a later version."""
    present = {i for t in tweets if (i := snowflake(t.get("id"))) is not None}
    out: set[str] = set()
    for tweet in tweets:
        history = [i for i in map(snowflake, _sequence(tweet.get("edit_history_tweet_ids"))) if i]
        latest = snowflake(tweet.get("id"))
        if latest in history:
            out.update(i for i in history[: history.index(latest)] if i in present)
    return out


def _word(value: Any) -> str:
    """A string field as text, anything else as "": ``str()`` of a value nested thousands deep
    overflows the stack (found by the fuzz harness)."""
    return value if isinstance(value, str) else ""


def _gone(error: Mapping[str, Any]) -> Item | None:
    """A partial error saying a tweet does not exist (any more), as a tombstone."""
    if error.get("resource_type") != "tweet":
        return None
    title = _word(error.get("title"))
    kind = _word(error.get("type"))
    if "Not Found" not in title and not kind.endswith("resource-not-found"):
        return None
    native_id = snowflake(error.get("resource_id")) or snowflake(error.get("value"))
    return Item(post=tombstone(NETWORK, native_id), raw=error) if native_id else None


def _compliance(line: Mapping[str, Any], endpoint: str | None) -> Item | None:
    about_users = endpoint is not None and "user" in endpoint.lower()
    if about_users or _word(line.get("action")).lower() not in _COMPLIANCE_ACTIONS:
        return None
    native_id = snowflake(line.get("id"))
    return Item(post=tombstone(NETWORK, native_id), raw=line) if native_id else None


def is_v2_document(document: Any) -> bool:
    """Does this look like something the v2 API (or twarc2, or a compliance job) wrote?"""
    if not isinstance(document, Mapping):
        return False
    if "data" in document or "errors" in document or "includes" in document:
        return True
    has_id = snowflake(document.get("id")) is not None
    return has_id and ("text" in document or "action" in document)


def normalise_v2(document: Mapping[str, Any], *, endpoint: str | None = None) -> list[Item]:
    """Every post in one v2 document; items that cannot be used are skipped."""
    if "action" in document and "text" not in document:
        found = _compliance(document, endpoint)
        return [found] if found else []
    data = document.get("data")
    if "data" not in document and "text" in document:
        data = [document]  # a flattened tweet
    tweets = [t for t in ([data] if isinstance(data, Mapping) else _sequence(data)) if isinstance(t, Mapping)]
    context = _Context(_mapping(document.get("includes")))
    dropped = _superseded(tweets)
    out: list[Item] = []
    seen: set[str] = set()
    for tweet in tweets:
        if snowflake(tweet.get("id")) in dropped:
            continue
        post = _tweet_post(tweet, context)
        if post is not None and post.native_id not in seen:
            seen.add(post.native_id)
            out.append(Item(post=post, raw=tweet))
    for error in _sequence(document.get("errors")):
        if (
            isinstance(error, Mapping)
            and (gone := _gone(error)) is not None
            and gone.post.native_id not in seen
        ):
            seen.add(gone.post.native_id)
            out.append(gone)
    return out
