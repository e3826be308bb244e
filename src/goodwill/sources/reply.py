"""Answering a post on its network: what a source with ``Capability.REPLY`` offers the care desk.

Listening needs no account; replying does, and it speaks for the brand. So a
source that can reply declares ``Capability.REPLY`` (the network allows it) and
implements :class:`ReplySender`: ``reply_ready()`` says whether the sending
account's credential is configured (the desk offers "Send" only then, and
"copy and mark as replied" otherwise), and ``reply()`` posts one answer through
the shared :class:`~goodwill.sources.http.HttpClient`, so retries, rate limits,
costs and the redaction of tokens work exactly as for reading.

The write credential is its own entry (``reply_token``, or a separate login for
Bluesky), never the listening one: a read token that could post by accident is
the mistake this avoids. ``reply()`` raises goodwill's source errors
(CredentialError, RateLimited, GoneError, SourceError) with a message an agent can
act on, and has posted nothing when it raises before the network answered.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from goodwill.sources.source import Capability

if TYPE_CHECKING:
    from goodwill.sources.http import HttpClient
    from goodwill.sources.source import Source

__all__ = ["ReplySender", "ReplyTarget", "SentReply", "reply_sender"]


@dataclass(frozen=True)
class ReplyTarget:
    """The post being answered, as goodwill stored it (``posts`` columns of the same names)."""

    native_id: str
    url: str | None = None
    conversation_id: str | None = None
    author_handle: str | None = None


@dataclass(frozen=True)
class SentReply:
    """What the network made of the answer: its id (stored like ``posts.native_id``) and address."""

    native_id: str
    url: str | None
    #: the text as it went out (a network may need the author's handle in front)
    text: str
    #: the network's answer as it came, for provenance; never holds a credential
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


@runtime_checkable
class ReplySender(Protocol):
    """A source that can post a reply with the sending account's credential."""

    #: whether a failed send may be retried without posting twice (Mastodon's Idempotency-Key)
    reply_idempotent: bool

    def reply_ready(self) -> bool:
        """True when the sending account's credential is configured (nothing is sent to check)."""
        ...

    def reply(
        self, target: ReplyTarget, text: str, client: HttpClient, *, key: str | None = None
    ) -> SentReply:
        """Post ``text`` as a reply to ``target``; ``key`` identifies this one send for retries."""
        ...


def reply_sender(source: Source) -> ReplySender | None:
    """The source as a :class:`ReplySender` when it declares REPLY and its credential is set, else None."""
    if Capability.REPLY not in source.capabilities or not isinstance(source, ReplySender):
        return None
    return source if source.reply_ready() else None
