"""The sending part's table: where on the network each reply the desk posted went.

A reply sent through a source's reply capability (``replies.channel = 'network'``)
gets one row here with the network's id and address of the new post, so an agent
can open it and a later listen that collects it can be matched to it. Declared on
the shared ``metadata``; created by migration 0005. Written by goodwill.desk.sending.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table, Text

from goodwill.store.schema import UTCDateTime, metadata

__all__ = ["reply_posts"]

reply_posts = Table(
    "reply_posts",
    metadata,
    Column("reply_id", Integer, ForeignKey("replies.id", ondelete="CASCADE"), primary_key=True),
    # the network it went out on, as in posts.network
    Column("network", String(32), nullable=False),
    # the network's id of the posted reply, built like posts.native_id (Mastodon: HOST/ID)
    Column("native_id", String(512), nullable=False),
    Column("url", Text, nullable=True),
    Column("posted_at", UTCDateTime, nullable=False),
    Index(None, "network", "native_id"),
)
