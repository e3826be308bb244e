"""Raw relay frames (``com.atproto.sync.subscribeRepos``) to posts, for when Jetstream is not an option.

A frame is two DAG-CBOR values back to back: a header ``{op, t}`` and a body.
A ``#commit`` body lists ``ops`` (``action``, ``path`` = ``collection/rkey``, ``cid``)
and carries the new records in ``blocks``, a CAR slice. Post creates and updates
become Posts (the record read from the blocks), post deletes become tombstones;
``#identity``, ``#account``, ``#sync`` and error frames hold no posts. The result
matches what Jetstream makes of the same commit, which the tests check frame by
frame on a real capture.
"""

from __future__ import annotations

from typing import Any

from goodwill.errors import InputError
from goodwill.models import Author
from goodwill.sources.bluesky.car import CborReader, Link, Malformed, as_json, car_blocks, read_value
from goodwill.sources.bluesky.posts import NETWORK, POST_COLLECTION, record_post
from goodwill.sources.source import Item, tombstone

__all__ = ["relay_items"]


def relay_items(frame: bytes) -> list[Item]:
    """The post items of one relay frame; InputError when the bytes are not a frame."""
    try:
        reader = CborReader(frame)
        header = read_value(reader)
        body = read_value(reader)
        if not isinstance(header, dict) or not isinstance(body, dict):
            raise Malformed("a frame is a header and a body")
        if header.get("op") != 1 or header.get("t") != "#commit":
            return []
        return _commit(body)
    except Malformed as exc:
        raise InputError(f"not a relay frame: {exc}") from None


def _commit(body: dict[str, Any]) -> list[Item]:
    repo, ops = body.get("repo"), body.get("ops")
    if not isinstance(repo, str) or not repo.startswith("did:") or not isinstance(ops, list):
        return []
    raw_blocks = body.get("blocks")
    blocks = car_blocks(raw_blocks)[1] if isinstance(raw_blocks, bytes) and raw_blocks else {}
    out: list[Item] = []
    for op in ops:
        if not isinstance(op, dict):
            continue
        path, action, cid = op.get("path"), op.get("action"), op.get("cid")
        if not isinstance(path, str) or not path.startswith(POST_COLLECTION + "/"):
            continue
        uri = f"at://{repo}/{path}"
        raw = {"repo": repo, "seq": body.get("seq"), "time": body.get("time"), "op": as_json(op)}
        if action == "delete":
            out.append(Item(post=tombstone(NETWORK, uri), raw=raw))
            continue
        block = blocks.get(cid.raw) if isinstance(cid, Link) else None
        if action not in ("create", "update") or block is None:
            continue
        record = as_json(read_value(CborReader(block)))
        if isinstance(record, dict):
            post = record_post(uri, record, Author(native_id=repo))
            if post is not None:
                out.append(Item(post=post, raw=raw | {"record": record}))
    return out
