"""A Bluesky repository export (CAR file) read into records: the account's own posts, no API.

Settings → Account → "Export my data" (or ``com.atproto.sync.getRepo``, ``goat repo
export``) gives a CAR v1 file: a DAG-CBOR header naming the root, then blocks, each
a CID and its bytes. The root is the signed commit ``{did, data, rev, ...}``;
``data`` is the root of a Merkle Search Tree whose entries map
``collection/rkey`` to record CIDs. Nodes are ``{l, e: [{p, k, v, t}]}``: ``l`` the
subtree left of every entry, each entry's key its predecessor's first ``p`` bytes
plus ``k``, ``v`` the record, ``t`` the subtree right of it.

Records come out as ``{"uri", "cid", "value"}``, the shape of
``com.atproto.repo.getRecord``, with CID links as ``{"$link": ...}`` and bytes as
``{"$bytes": base64}`` (the AT Protocol's JSON form), so the one normaliser reads
them. Only what goodwill needs is decoded; signatures are not checked.
"""

from __future__ import annotations

import base64
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from goodwill.errors import InputError

__all__ = [
    "CborReader",
    "Link",
    "Malformed",
    "as_json",
    "car_blocks",
    "car_commit",
    "car_records",
    "cid_text",
    "decode_cbor",
    "looks_like_car",
    "read_value",
]

_MAX_DEPTH = 64


class Malformed(Exception):
    """The bytes are not the CAR / DAG-CBOR we expect."""


class CborReader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.at = 0

    def take(self, n: int) -> bytes:
        if n < 0 or self.at + n > len(self.data):
            raise Malformed(f"truncated at byte {self.at}")
        chunk = self.data[self.at : self.at + n]
        self.at += n
        return chunk

    def varint(self) -> int:
        value = shift = 0
        while True:
            byte = self.take(1)[0]
            value |= (byte & 0x7F) << shift
            if not byte & 0x80:
                return value
            shift += 7
            if shift > 63:
                raise Malformed("varint too long")

    def cid(self) -> bytes:
        """The raw bytes of one CID (v0: a bare sha2-256 multihash; v1: version, codec, multihash)."""
        start = self.at
        if self.data[self.at : self.at + 2] == b"\x12\x20":
            self.take(34)
            return self.data[start : self.at]
        if self.varint() != 1:
            raise Malformed("unknown CID version")
        self.varint()  # codec
        self.varint()  # hash function
        self.take(self.varint())
        return self.data[start : self.at]


def cid_text(raw: bytes) -> str:
    """A CID as it is written in JSON: base32 lower-case with the ``b`` multibase prefix."""
    return "b" + base64.b32encode(raw).decode("ascii").lower().rstrip("=")


def read_value(reader: CborReader, depth: int = 0) -> Any:
    if depth > _MAX_DEPTH:
        raise Malformed("nested too deep")
    head = reader.take(1)[0]
    major, info = head >> 5, head & 0x1F
    if major == 7:
        if info == 20:
            return False
        if info == 21:
            return True
        if info in (22, 23):
            return None
        if info == 25:
            return _half(reader.take(2))
        if info == 26:
            return struct.unpack(">f", reader.take(4))[0]
        if info == 27:
            return struct.unpack(">d", reader.take(8))[0]
        raise Malformed(f"simple value {info}")
    if info < 24:
        arg = info
    elif info in (24, 25, 26, 27):
        arg = int.from_bytes(reader.take(1 << (info - 24)), "big")
    else:
        raise Malformed("indefinite lengths are not DAG-CBOR")
    if major == 0:
        return arg
    if major == 1:
        return -1 - arg
    if major == 2:
        return reader.take(arg)
    if major == 3:
        try:
            return reader.take(arg).decode("utf-8")
        except UnicodeDecodeError:
            raise Malformed("text is not UTF-8") from None
    if major == 4:
        if arg > len(reader.data):
            raise Malformed("array longer than the data")
        return [read_value(reader, depth + 1) for _ in range(arg)]
    if major == 5:
        if arg > len(reader.data):
            raise Malformed("map longer than the data")
        out: dict[str, Any] = {}
        for _ in range(arg):
            key = read_value(reader, depth + 1)
            if not isinstance(key, str):
                raise Malformed("map keys must be text")
            out[key] = read_value(reader, depth + 1)
        return out
    # major 6: a tag; DAG-CBOR only has 42, a CID link (bytes with a leading 0x00)
    inner = read_value(reader, depth + 1)
    if arg != 42 or not isinstance(inner, bytes) or not inner.startswith(b"\x00"):
        raise Malformed(f"tag {arg}")
    return Link(inner[1:])


class Link:
    """A CID link inside a DAG-CBOR value."""

    def __init__(self, raw: bytes) -> None:
        self.raw = raw

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Link) and other.raw == self.raw

    def __hash__(self) -> int:
        return hash(self.raw)


def _half(data: bytes) -> float:
    bits = int.from_bytes(data, "big")
    sign, exponent, fraction = bits >> 15, (bits >> 10) & 0x1F, bits & 0x3FF
    if exponent == 0:
        value = fraction * 2.0**-24
    elif exponent == 31:
        value = float("inf") if fraction == 0 else float("nan")
    else:
        value = (1 + fraction / 1024) * 2.0 ** (exponent - 15)
    return -value if sign else value


def decode_cbor(data: bytes) -> Any:
    """One DAG-CBOR value, as AT Protocol JSON (links ``{"$link"}``, bytes ``{"$bytes"}``)."""
    try:
        return as_json(read_value(CborReader(data)))
    except Malformed as exc:
        raise InputError(f"not DAG-CBOR: {exc}") from None


def as_json(value: Any) -> Any:
    if isinstance(value, Link):
        return {"$link": cid_text(value.raw)}
    if isinstance(value, bytes):
        return {"$bytes": base64.b64encode(value).decode("ascii").rstrip("=")}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    return value


def looks_like_car(head: bytes) -> bool:
    """A CAR v1 header: a varint length, then a CBOR map holding ``roots`` and ``version``."""
    return len(head) > 2 and head[1] in (0xA2, 0xA1) and b"roots" in head[:64]


def car_blocks(data: bytes) -> tuple[bytes, dict[bytes, bytes]]:
    reader = CborReader(data)
    header = read_value(CborReader(reader.take(reader.varint())))
    roots = header.get("roots") if isinstance(header, dict) else None
    if not isinstance(roots, list) or not roots or not isinstance(roots[0], Link):
        raise Malformed("the header names no root")
    blocks: dict[bytes, bytes] = {}
    while reader.at < len(data):
        size = reader.varint()
        start = reader.at
        cid = reader.cid()
        if reader.at - start > size:
            raise Malformed("a block shorter than its CID")
        blocks[cid] = reader.take(size - (reader.at - start))
    return roots[0].raw, blocks


def _walk(node_cid: bytes, blocks: dict[bytes, bytes], depth: int = 0) -> Iterator[tuple[str, bytes]]:
    """``(collection/rkey, record CID)`` of a Merkle Search Tree, in key order."""
    if depth > _MAX_DEPTH:
        raise Malformed("the tree is too deep")
    block = blocks.get(node_cid)
    if block is None:
        return  # a partial export: the subtree is not in the file
    node = read_value(CborReader(block))
    if not isinstance(node, dict) or not isinstance(node.get("e"), list):
        raise Malformed("an MST node without entries")
    if isinstance(node.get("l"), Link):
        yield from _walk(node["l"].raw, blocks, depth + 1)
    key = b""
    for entry in node["e"]:
        if not isinstance(entry, dict):
            raise Malformed("an MST entry is not a map")
        prefix, suffix, value = entry.get("p"), entry.get("k"), entry.get("v")
        if not isinstance(prefix, int) or not isinstance(suffix, bytes) or not isinstance(value, Link):
            raise Malformed("an MST entry lacks p, k or v")
        key = key[:prefix] + suffix
        try:
            yield key.decode("utf-8"), value.raw
        except UnicodeDecodeError:
            raise Malformed("an MST key is not UTF-8") from None
        if isinstance(entry.get("t"), Link):
            yield from _walk(entry["t"].raw, blocks, depth + 1)


def _open(path: Path) -> tuple[dict[str, Any], dict[bytes, bytes]]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc}).") from None
    root, blocks = car_blocks(data)
    commit = read_value(CborReader(blocks[root])) if root in blocks else None
    if not isinstance(commit, dict) or not isinstance(commit.get("data"), Link):
        raise Malformed("the root is not a repository commit")
    did = commit.get("did")
    if not isinstance(did, str) or not did.startswith("did:"):
        raise Malformed("the commit names no DID")
    return commit, blocks


def car_commit(path: Path) -> dict[str, Any]:
    """The export's signed commit (``did``, ``data``, ``rev``, ``version``, ``prev``) without ``sig``."""
    try:
        commit, _ = _open(path)
    except Malformed as exc:
        raise InputError(f"{path}: not a repository export (CAR): {exc}.") from None
    return {k: as_json(v) for k, v in commit.items() if k != "sig"}


def car_records(path: Path) -> Iterator[dict[str, Any]]:
    """Every record of a repository export as ``{"uri", "cid", "value"}``, in key order."""
    try:
        commit, blocks = _open(path)
        for key, cid in list(_walk(commit["data"].raw, blocks)):
            block = blocks.get(cid)
            if block is None:
                continue
            value = as_json(read_value(CborReader(block)))
            yield {"uri": f"at://{commit['did']}/{key}", "cid": cid_text(cid), "value": value}
    except Malformed as exc:
        raise InputError(f"{path}: not a repository export (CAR): {exc}.") from None
