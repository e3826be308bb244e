"""One input record to one Post: a pure, strict and fast function.

The default field names are those of the ``goodwill enrich`` contract (``id``,
``text``, ``network``, ``author`` as an object or a plain handle,
``created_at``, ``reply_to``, ``url``, ``lang``, ``deleted``). Other shapes
are read with a field map, ``--map text=body,author=user.name,id=tweet_id``,
whose source paths may be dotted to reach into nested objects. A record that
cannot be used raises RecordRejected naming the field, and how to map it.
"""

from __future__ import annotations

import math
import reprlib
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from goodwill.errors import InputError, RecordRejected
from goodwill.models import Author, Post

__all__ = ["TARGETS", "parse_mapping", "record_to_post"]

#: Every field a map may point at, with its default source path.
TARGETS: dict[str, str] = {
    "id": "id",
    "text": "text",
    "network": "network",
    "author.handle": "author.handle",
    "author.name": "author.name",
    "author.id": "author.id",
    "author.followers": "author.followers",
    "created_at": "created_at",
    "reply_to": "reply_to",
    "conversation_id": "conversation_id",
    "url": "url",
    "lang": "lang",
    "deleted": "deleted",
}
_ALIASES = {"author": "author.handle", "author.native_id": "author.id"}
_MISSING = object()
_TRUE = frozenset({"true", "1", "yes", "y", "t"})
_FALSE = frozenset({"false", "0", "no", "n", "f", ""})
_TWITTER_DATE = "%a %b %d %H:%M:%S %z %Y"
#: Epoch values above this are milliseconds (1e11 s is the year 5138).
_MS_THRESHOLD = 100_000_000_000
#: no epoch in seconds or milliseconds, with a fraction, is longer
_MAX_EPOCH_CHARS = 40


def parse_mapping(spec: str) -> dict[str, str]:
    """``"text=body,author=user.name"`` -> ``{"text": "body", "author.handle": "user.name"}``."""
    out: dict[str, str] = {}
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        target, sep, source = part.partition("=")
        target, source = target.strip(), source.strip()
        if not sep or not target or not source:
            raise InputError(f"--map: {part!r} is not TARGET=SOURCE, e.g. text=body,id=tweet_id.")
        target = _ALIASES.get(target, target)
        if target not in TARGETS:
            valid = ", ".join(["author", *TARGETS])
            raise InputError(f"--map: unknown field {target!r}; map one of: {valid}.")
        out[target] = source
    return out


def _lookup(record: Mapping[str, Any], path: str) -> Any:
    """The value at ``path``: an exact key first (CSV headers like "author.name"), then a dotted walk."""
    value = record.get(path, _MISSING)
    if value is not _MISSING or "." not in path:
        return value
    node: Any = record
    for part in path.split("."):
        if isinstance(node, dict) or isinstance(node, Mapping):  # noqa: SIM101 (dict first: fast path)
            node = node.get(part, _MISSING)
        elif isinstance(node, list) and part.isdecimal() and len(part) < 10 and int(part) < len(node):
            node = node[int(part)]
        else:
            return _MISSING
        if node is _MISSING:
            return _MISSING
    return node


def _shown(value: Any) -> str:
    """A short preview of a bad value for a message: bounded in depth and length, whatever came in
    (``repr`` of a record nested hundreds deep would itself overflow the stack)."""
    return reprlib.repr(value)[:40]


def _absent(value: Any) -> bool:
    return value is _MISSING or value is None or (isinstance(value, str) and not value.strip())


def _hint(field: str) -> str:
    return f"; if your records name it differently, pass --map {field}=<your field>"


def _ident(value: Any, field: str, source: str) -> str | None:
    """An id-like value as text: strings, integers (and integral floats) accepted."""
    if _absent(value):
        return None
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        raise RecordRejected(f"'{source}' ({field}) is a boolean, not an id")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    raise RecordRejected(f"'{source}' ({field}) must be a string or an integer, not {type(value).__name__}")


def _string(value: Any, field: str, source: str) -> str | None:
    if _absent(value):
        return None
    if not isinstance(value, str):
        raise RecordRejected(f"'{source}' ({field}) must be a string, not {type(value).__name__}")
    return value


def _count(value: Any, field: str, source: str) -> int | None:
    if _absent(value):
        return None
    if isinstance(value, bool):
        raise RecordRejected(f"'{source}' ({field}) must be a whole number, not a boolean")
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdecimal() and len(value.strip()) <= 18:
        value = int(value.strip())  # longer is no real count, and past 4,300 digits int() refuses
    if not isinstance(value, int) or value < 0:
        raise RecordRejected(f"'{source}' ({field}) must be a whole number >= 0, got {_shown(value)}")
    return value


def _flag(value: Any, field: str, source: str) -> bool:
    if _absent(value):
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise RecordRejected(f"'{source}' ({field}) must be true or false, got {_shown(value)}")


def _epoch(number: float, source: str) -> datetime:
    try:  # an int too big for a float (10**400) overflows already in the division
        seconds = number / 1000 if abs(number) >= _MS_THRESHOLD else number
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise RecordRejected(f"'{source}' (created_at) is out of range: {_shown(number)}") from None


def _timestamp(value: Any, source: str) -> datetime | None:
    """ISO 8601, the Twitter v1 format, or unix epoch seconds/milliseconds; naive means UTC."""
    if _absent(value):
        return None
    if isinstance(value, bool):
        raise RecordRejected(f"'{source}' (created_at) must be a date, not a boolean")
    if isinstance(value, int):
        return _epoch(value, source)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise RecordRejected(f"'{source}' (created_at) is not a finite number")
        return _epoch(value, source)
    if not isinstance(value, str):
        raise RecordRejected(f"'{source}' (created_at) must be a date string, not {type(value).__name__}")
    text = value.strip()
    parsed: datetime | None = None
    if text.lstrip("-").replace(".", "", 1).isdecimal():  # "²" is a digit, yet no number
        if len(text) > _MAX_EPOCH_CHARS:  # float() of a million digits takes minutes
            raise RecordRejected(f"'{source}' (created_at) is out of range: {_shown(text)}")
        return _epoch(float(text), source)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        try:
            parsed = datetime.strptime(text, _TWITTER_DATE)
        except ValueError:
            raise RecordRejected(
                f"'{source}' (created_at) is not a date: {text!r:.60}; use ISO 8601 or unix seconds"
            ) from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _path(mapping: Mapping[str, str] | None, target: str) -> str:
    if mapping:
        found = mapping.get(target)
        if found is not None:
            return found
    return TARGETS[target]


def _author(record: Mapping[str, Any], mapping: Mapping[str, str] | None) -> Author | None:
    handle_src = _path(mapping, "author.handle")
    raw_author = record.get("author", _MISSING) if handle_src == "author.handle" else _MISSING
    if isinstance(raw_author, str):  # the contract allows "author": "handle"
        return Author(handle=raw_author.strip().lstrip("@") or None) if raw_author.strip() else None
    if raw_author is not _MISSING and raw_author is not None and not isinstance(raw_author, Mapping):
        kind = type(raw_author).__name__
        raise RecordRejected(f"'author' must be an object or a handle string, not {kind}")
    handle = _string(_lookup(record, handle_src), "author.handle", handle_src)
    name_src = _path(mapping, "author.name")
    name = _string(_lookup(record, name_src), "author.name", name_src)
    id_src = _path(mapping, "author.id")
    native_id = _ident(_lookup(record, id_src), "author.id", id_src)
    followers_src = _path(mapping, "author.followers")
    followers = _count(_lookup(record, followers_src), "author.followers", followers_src)
    if handle is None and name is None and native_id is None and followers is None:
        return None
    if handle is not None:
        handle = handle.strip().lstrip("@") or None
    return Author(handle=handle, name=name, native_id=native_id, followers=followers)


def record_to_post(
    record: Mapping[str, Any], mapping: Mapping[str, str] | None = None, *, default_network: str = "generic"
) -> Post:
    """The Post in ``record``; raises RecordRejected naming the field that is missing or wrong.

    ``mapping`` is what :func:`parse_mapping` returns (None: the contract's field names).
    A deleted record (``deleted: true``) needs only an id and yields a tombstone (text None).
    """
    id_src = _path(mapping, "id")
    native_id = _ident(_lookup(record, id_src), "id", id_src)
    if native_id is None:
        raise RecordRejected(f"missing 'id' (looked for '{id_src}'){_hint('id')}")
    deleted_src = _path(mapping, "deleted")
    deleted = _flag(_lookup(record, deleted_src), "deleted", deleted_src)
    text_src = _path(mapping, "text")
    raw_text = _lookup(record, text_src)
    text: str | None = None
    if not deleted:
        if raw_text is _MISSING or raw_text is None:
            raise RecordRejected(f"missing 'text' (looked for '{text_src}'){_hint('text')}")
        if not isinstance(raw_text, str):
            raise RecordRejected(f"'{text_src}' (text) must be a string, not {type(raw_text).__name__}")
        text = raw_text
    net_src = _path(mapping, "network")
    network = _string(_lookup(record, net_src), "network", net_src) or default_network
    created_src = _path(mapping, "created_at")
    fields: dict[str, Any] = {}
    for target in ("reply_to", "conversation_id"):
        src = _path(mapping, target)
        fields[target] = _ident(_lookup(record, src), target, src)
    for target in ("url", "lang"):
        src = _path(mapping, target)
        fields[target] = _string(_lookup(record, src), target, src)
    try:
        return Post(
            network=network,
            native_id=native_id,
            text=text,
            author=_author(record, mapping),
            created_at=_timestamp(_lookup(record, created_src), created_src),
            deleted=deleted,
            **fields,
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise RecordRejected(f"invalid '{where}': {first['msg']}") from None
