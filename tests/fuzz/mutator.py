"""Seeded, structure-aware payload mutation: payload N of a run is a pure function of (target, seed, N).

Random JSON rarely looks like an API response, so payloads start from real
recorded documents and change a few things: a field deleted, a value of the
wrong type, text full of zero-width, right-to-left and emoji sequences, lone
surrogates, megabyte strings, deep nesting, numbers at the edge of what JSON
carries. A fifth of the payloads are the recorded FILES mutated as bytes
(invalid UTF-8, truncation, other encodings) and read back through the source's
own ``read_export``, which is where undecodable input really arrives.

Each payload is drawn from its own ``random.Random`` seeded by its index, so a
failure found at payload 73,512 of a long run is rebuilt alone, in a second, by
``harness.py --target NAME --seed S --index 73512``. Mutation copies only the
containers on the path it changes (documents are never modified in place; the
normalisers are pure), which keeps a payload's cost far below the normaliser's.

Every payload carries the set of KINDS it exercises; the harness counts them so
a run can show (and the smoke test can check) that each kind the promise names
was fed.

Sizes are drawn the way real traffic has them: most payloads are small (the
recorded document, its odd values cut to a few kilobytes, nesting a few dozen
levels, a list repeated at most ten times), and a fixed minority, BIG_SHARE of
them (the payload's first draw), is *big*: each carries at least one megabyte
text or nesting thousands deep, and only big payloads carry those. A run of
100,000 therefore still feeds ~1,500 megabyte-or-deep payloads, but its time is
no longer spent almost wholly on them (before, 118 of the first 300 rss payloads
of seed 2 held one, and took 87% of those 300 payloads' CPU).
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

#: The kinds of odd input the reliability promise names; each payload is tagged with those it holds.
KINDS = (
    "invalid_utf8",
    "huge_text",
    "deep_nesting",
    "wrong_type",
    "zero_width",
    "rtl",
    "emoji",
    "missing_field",
    "huge_number",
)

#: the share of payloads that carry a megabyte text or nesting thousands deep
BIG_SHARE = 0.015
#: at most this many characters of a HUGE_TEXTS shape in a small payload
SMALL_TEXT = 4_000

ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u180e"]
RTL = ["\u202e", "\u202d", "\u202b", "\u2067", "\u2069", "\u200f", "\u061c", "مرحبا", "שלום"]
EMOJI = ["👩‍👩‍👧‍👦", "🏳️‍🌈", "👍🏽", "🇺🇦", "🧑🏿‍🦽‍➡️", "❤️‍🔥", "😡", "\U0001f3f4\U000e0067\U000e0062\U000e007f"]
SURROGATES = [
    "\ud800",
    "\udfff",
    "\udc80\udcff",
    "\ud83d",
]  # what undecodable bytes become under surrogateescape
OTHER = [
    "\x00",
    "\r\n",
    "\u0301\u0301\u0301\u0301",
    "<script>alert(1)</script>",
    "&amp;&#x0;&#99999999;&#xD800;",
    "<!--",
    "<![CDATA[",
    "</",
    "<?",
    "%s%n",
    "RT @x:",
    "@",
    "#",
    "$",
    "\\u0000",
    "..",
    "9" * 40,
    "-",
    "²",
    "٣",
]
_TEXT_KIND = {
    **{c: "zero_width" for c in ZERO_WIDTH},
    **{c: "rtl" for c in RTL},
    **{c: "emoji" for c in EMOJI},
}
_TEXT_KIND.update({c: "invalid_utf8" for c in SURROGATES})
ODD_PIECES = ZERO_WIDTH + RTL + EMOJI + SURROGATES + OTHER

#: Megabyte texts, each a shape that has made some parser quadratic somewhere.
HUGE_TEXTS = [
    "a" * 1_000_000,
    "é " * 500_000,
    "@brand " * 150_000,
    "😡" * 300_000,
    "<a " * 340_000,
    "<" * 1_000_000,
    "<p>" * 340_000,
    "&" * 1_000_000,
    "&#" * 500_000,
    "<!--" * 250_000,
    "</" * 500_000,
    "<![CDATA[" * 110_000,
    "<?" * 500_000,
    "\u200b" * 1_000_000,
    "\u202e" * 1_000_000,
    "1" * 1_000_000,
    "http://" + "a." * 500_000,
    " " * 1_000_000,
    "\n" * 1_000_000,
    "#tag" * 250_000,
    "[" * 1_000_000,
]

HUGE_NUMBERS: list[Any] = [
    2**63,
    -(2**63) - 1,
    2**64,
    10**4299,  # the largest integer a JSON parser hands Python (int_max_str_digits is 4,300)
    -(10**4299),
    1e308,
    -1e308,
    float("inf"),
    float("-inf"),
    float("nan"),
    -0.0,
    5e-324,
    253402300800,  # 10000-01-01 in epoch seconds
    253402300800000,
    -62135596801,
]

ODD_DATES = [
    "2026-02-30T25:61:00Z",
    "+99999-01-01T00:00:00Z",
    "0000-00-00",
    "9" * 50,
    "-" + "9" * 30,
    "1e999",
    "NaN",
    "2026-12-01T00:00:00+99:00",
    "Mon Dec 01 25:00:00 +0000 2026",
    "２０２６-１２-０１",
    "²³",
]

ODD_ENDPOINTS: list[str | None] = [
    None,
    "https://mastodon.social/api/v1/statuses/109/history",
    "https://mastodon.social/api/v1/timelines/public",
    "http://[::1",
    "https://" + "a" * 5000 + "/x",
    "wss://\u202eexample.org/stream",
    "/tmp/export.json",
    "",
]


@dataclass
class Payload:
    """One generated input: either a parsed document (``document``) or file bytes (``raw``)."""

    index: int
    kinds: set[str]
    document: Any = None
    raw: bytes | None = None
    raw_suffix: str = ".json"
    endpoint: str | None = None
    #: one of the BIG_SHARE minority (megabytes, deep nesting): the harness gives it a larger budget
    big: bool = False


def rng_for(target: str, seed: int, index: int) -> random.Random:
    return random.Random(f"{target}/{seed}/{index}")


def draw_big(rng: random.Random) -> bool:
    """Whether this payload is one of the big minority: the first draw of every payload."""
    return rng.random() < BIG_SHARE


def huge_value(rng: random.Random, kinds: set[str]) -> Any:
    """What makes a payload big: a megabyte text, nesting thousands deep, or a JSON text too deep to load."""
    pick = rng.randrange(3)
    if pick == 0:
        kinds.add("huge_text")
        return rng.choice(HUGE_TEXTS)
    kinds.add("deep_nesting")
    if pick == 1:
        return _deep(rng, rng.randint(500, 3000), rng.choice(["x", 1, None, {}]))
    depth = rng.choice([5_000, 200_000])  # deeper than json.loads can follow
    return "[" * depth + "]" * depth if rng.random() < 0.5 else '{"a":' * depth + "1" + "}" * depth


def _deep(rng: random.Random, depth: int, leaf: Any) -> Any:
    """``depth`` levels of dicts and lists, ONE child each: JSON has no aliasing, and a shared child
    would make any walk of the tree exponential (the old harness's own stall)."""
    key = rng.choice(["children", "replies", "data", "items", "kids", "text", "content", "hits"])
    value = leaf
    for level in range(depth):
        value = [value] if level % 2 else {key: value}
    return value


def odd_text(rng: random.Random, kinds: set[str], base: str = "") -> str:
    """``base`` with odd pieces spliced in at random places."""
    text = base
    for _ in range(rng.randint(1, 6)):
        piece = rng.choice(ODD_PIECES)
        if piece in _TEXT_KIND:
            kinds.add(_TEXT_KIND[piece])
        at = rng.randint(0, len(text)) if text else 0
        text = text[:at] + piece + text[at:]
    return text


def odd_value(rng: random.Random, kinds: set[str], *, big: bool = False) -> Any:
    """A value of some other type or shape than the one it replaces (megabytes only when ``big``)."""
    pick = rng.randrange(14)
    if pick in (0, 2, 3) and big:
        return huge_value(rng, kinds)
    if pick == 0:  # a huge text's shape, a few kilobytes of it
        return rng.choice(HUGE_TEXTS)[: rng.randint(100, SMALL_TEXT)]
    if pick == 1:
        kinds.add("huge_number")
        return rng.choice(HUGE_NUMBERS)
    if pick == 2:  # nesting as real documents have it
        return _deep(rng, rng.randint(2, 40), rng.choice(["x", 1, None, {}]))
    if pick == 3:  # a JSON text in a string, nested as deep as real ones go
        depth = rng.choice([10, 100])
        return "[" * depth + "]" * depth if rng.random() < 0.5 else '{"a":' * depth + "1" + "}" * depth
    if pick == 4:
        return odd_text(rng, kinds, "")
    if pick == 5:
        kinds.add("wrong_type")
        return rng.choice(ODD_DATES)
    kinds.add("wrong_type")
    return rng.choice(
        [
            None,
            True,
            False,
            0,
            -1,
            rng.randint(-(10**12), 10**12),
            rng.random(),
            "",
            " ",
            [],
            {},
            [None],
            {"": None},
            ["x", 1, {}],
        ]
    )


def _paths(value: Any, limit: int = 5000) -> list[tuple[Any, ...]]:
    """Every path to a node (containers and leaves), breadth first, at most ``limit``."""
    out: list[tuple[Any, ...]] = []
    queue: list[tuple[tuple[Any, ...], Any]] = [((), value)]
    head = 0
    while head < len(queue) and len(out) < limit:
        path, node = queue[head]
        head += 1
        if path:
            out.append(path)
        if isinstance(node, dict):
            queue.extend(((*path, k), v) for k, v in node.items())
        elif isinstance(node, list):
            queue.extend(((*path, i), v) for i, v in enumerate(node[:200]))
    return out


def _resolvable(doc: Any, path: Sequence[Any]) -> bool:
    node = doc
    for key in path:
        in_dict = isinstance(node, dict) and key in node
        if in_dict or (isinstance(node, list) and isinstance(key, int) and key < len(node)):
            node = node[key]
        else:
            return False
    return True


def _copy_path(doc: Any, path: Sequence[Any]) -> tuple[Any, Any]:
    """(new root, the copied parent of ``path[-1]``): every container on the path shallow-copied."""
    root = doc.copy()
    node = root
    for key in path[:-1]:
        child = node[key].copy()
        node[key] = child
        node = child
    return root, node


def mutate_markup(text: str, rng: random.Random, kinds: set[str], *, big: bool = False) -> str:
    """A feed or page as text (RSS, Atom, a YouTube channel feed), changed where a parser looks;
    a megabyte text or tags thousands deep only when ``big`` (and then at least one)."""
    if big:
        at = rng.randint(0, len(text))
        if rng.random() < 0.5:
            kinds.add("huge_text")
            text = text[:at] + rng.choice(HUGE_TEXTS) + text[at:]
        else:
            kinds.add("deep_nesting")
            text = text[:at] + "<a>" * rng.choice([5_000, 30_000]) + text[at:]
    for _ in range(rng.randint(1, 6)):
        at = rng.randint(0, len(text))
        op = rng.randrange(12)
        if op <= 4:
            text = text[:at] + odd_text(rng, kinds, "") + text[at:]
        elif op <= 6:
            del_to = min(len(text), at + rng.randint(1, 300))
            text = text[:at] + text[del_to:]
            kinds.add("missing_field")
        elif op == 7:
            piece = text[at : at + rng.randint(1, 300)]
            text = text[:at] + piece * rng.randint(2, 50) + text[at:]
        elif op == 8:
            text = text[:at] + "<a>" * rng.randint(5, 200) + text[at:]
        elif op == 9:
            kinds.add("huge_number")
            text = (
                text[:at] + rng.choice(["9" * 4_300, "-1e999", "&#99999999999;", "0x" + "f" * 64]) + text[at:]
            )
        elif op == 10:
            text = text[:at] + rng.choice(HUGE_TEXTS)[: rng.randint(100, SMALL_TEXT)] + text[at:]
        else:
            kinds.add("wrong_type")
            text = (
                text[:at]
                + rng.choice(["<![CDATA[", "]]>", "<?xml ?>", "<!DOCTYPE x [", "&", "</item>"])
                + text[at:]
            )
    return text


def mutate_document(doc: Any, rng: random.Random, kinds: set[str], *, big: bool = False) -> Any:
    """One to six changes to ``doc`` (never modified: changed containers are copies); when ``big``,
    one of them puts a megabyte text or nesting thousands deep somewhere."""
    if isinstance(doc, str):
        return mutate_markup(doc, rng, kinds, big=big)
    if isinstance(doc, bytes):  # lone surrogates spliced in become invalid UTF-8 on the way back
        text = mutate_markup(doc.decode("utf-8", "replace"), rng, kinds, big=big)
        return text.encode("utf-8", "surrogatepass")
    paths = _paths(doc)
    for _ in range(rng.randint(1, 6)):
        if not paths or rng.random() < 0.02:
            doc = odd_value(rng, kinds, big=big)  # the whole document is something else
            break
        path = rng.choice(paths)
        if not _resolvable(doc, path):
            continue
        doc, parent = _copy_path(doc, path)
        key = path[-1]
        current = parent[key]
        op = rng.randrange(10)
        if op <= 1:
            del parent[key]
            kinds.add("missing_field")
        elif op <= 4 and isinstance(current, str):
            parent[key] = odd_text(rng, kinds, current)
        elif op == 5:
            parent[key] = [current]
            kinds.add("wrong_type")
        elif op == 6:
            kinds.add("wrong_type")
            text = json.dumps(current, default=str, ensure_ascii=False) if shallow(current) else "[[[["
            parent[key] = text[:300] if rng.random() < 0.7 else 0
        elif op == 7 and isinstance(current, list) and current:
            parent[key] = current * rng.choice([50, 1000] if big else [2, 10])  # many of the same item
        else:
            parent[key] = odd_value(rng, kinds, big=big)
    return _plant_huge(doc, rng, kinds) if big else doc


def _plant_huge(doc: Any, rng: random.Random, kinds: set[str]) -> Any:
    """``doc`` with one of its values (or, now and then, all of it) a megabyte text or deep nesting."""
    paths = _paths(doc, limit=500)
    if not paths or rng.random() < 0.05:
        return huge_value(rng, kinds)
    path = rng.choice(paths)
    doc, parent = _copy_path(doc, path)
    parent[path[-1]] = huge_value(rng, kinds)
    return doc


def shallow(value: Any, limit: int = 400, max_chars: int = 4_000_000) -> bool:
    """True when json.dumps can write ``value`` quickly: nesting well under the recursion limit,
    and not a thousand copies of a megabyte string (a gigabyte of JSON stalled a worker)."""
    stack = [(value, 0)]
    chars = 0
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return False
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
            chars += 2 * len(node)
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)
            chars += len(node)
        elif isinstance(node, str):
            chars += len(node)
        if chars > max_chars:
            return False
    return True


# -- bytes ----------------------------------------------------------------------------------------

INVALID_BYTES = [
    b"\xff",
    b"\xfe\xff",
    b"\xc3",  # a truncated two-byte sequence
    b"\xc0\xaf",  # overlong '/'
    b"\xed\xa0\x80",  # an encoded surrogate
    b"\xf4\x90\x80\x80",  # above U+10FFFF
    b"\x80\x80\x80",
    b"\x00",
]


def mutate_bytes(raw: bytes, rng: random.Random, kinds: set[str], *, big: bool = False) -> bytes:
    """A recorded file's bytes broken the ways files break: bad sequences, cuts, other encodings;
    bloated to a megabyte or nested thousands deep only when ``big`` (and then at least once)."""
    data = bytearray(raw)
    if big:
        at = rng.randint(0, len(data))
        if data and rng.random() < 0.5:
            piece = bytes(data[(start := rng.randrange(len(data))) : start + rng.randint(1, 400)])
            data[at:at] = piece * max(1, 1_000_000 // max(1, len(piece)))
            kinds.add("huge_text")
        else:
            data[at:at] = rng.choice([b"[" * 100_000, b"{" * 100_000, b"<a>" * 50_000])
            kinds.add("deep_nesting")
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(7)
        if op <= 1:
            at = rng.randint(0, len(data))
            data[at:at] = rng.choice(INVALID_BYTES)
            kinds.add("invalid_utf8")
        elif op == 2 and data:
            for _ in range(rng.randint(1, 8)):
                data[rng.randrange(len(data))] = rng.randrange(256)
            kinds.add("invalid_utf8")
        elif op == 3 and data:
            del data[rng.randint(0, len(data)) :]
            kinds.add("missing_field")
        elif op == 4:
            text = bytes(data).decode("utf-8", "replace")
            data = bytearray(text.encode(rng.choice(["utf-16", "utf-16-be", "latin-1", "cp1252"]), "replace"))
            kinds.add("invalid_utf8")
        elif op == 5 and data:
            start = rng.randrange(len(data))
            piece = bytes(data[start : start + rng.randint(1, 400)])
            at = rng.randint(0, len(data))
            data[at:at] = piece * rng.randint(2, 20)
        else:
            at = rng.randint(0, len(data))
            if rng.random() < 0.25:
                data[at:at] = "\u202e👍🏽".encode()
                kinds.update(("rtl", "emoji"))
            else:
                data[at:at] = rng.choice([b"[" * 40, b"{" * 40, b"<a>" * 40])
    return bytes(data)
