"""The priority score of :func:`goodwill.care.priority.priority_of`, as SQL, so the database ranks the queue.

The same parts, added in the same order with the same weights (read from
goodwill.care.priority, never copied): intent weight, twice the complaint
score when it is a complaint, negativity, reach (log10 of followers + 1, over
2), the welcome score, and for a dated post the waiting and fading parts from
the hours since it was posted; the sum rounded to 4 decimals.

Each part reads the post's *merged* enrichment as goodwill.store.reading builds
it: for every key (intent, complaint, sentiment, receptivity, spam) the value
comes from the newest current stage result that has the key (by computed time,
then stage name), which is what ``dict.update`` oldest-to-newest leaves. The
values are gathered in one pass over the post's current rows, grouped by post
(:func:`merged_value`), not by a subquery per key: a fifth of the time.

Where the two can differ: a JSON value of the wrong type (a string score, a
flag that is 1 rather than true) counts as 0 / false here, where Python would
convert or fail; and hours are computed by the database's clock arithmetic,
so a score that lands within about 1e-9 of a 4th-decimal rounding boundary
may round the other way.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Float,
    Numeric,
    Subquery,
    Text,
    case,
    cast,
    func,
    literal,
    select,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql.elements import ColumnElement

from goodwill.care.priority import FRESH_HOURS, INTENT_WEIGHT
from goodwill.store.schema import UTCDateTime, posts

__all__ = [
    "MERGED_KEYS",
    "TIME_PART_MAX",
    "dated_score",
    "hours_since",
    "merged_judgements",
    "merged_value",
    "round4",
    "spam_flag",
    "static_score",
]

#: the enrichment keys the score reads
MERGED_KEYS = ("intent", "complaint", "sentiment", "receptivity", "spam")


def _has_key(dialect: str, result: Any, key: str) -> ColumnElement[bool]:
    if dialect == "postgresql":
        return result.op("?")(key)  # type: ignore[no-any-return]
    return func.json_type(result, f'$."{key}"').is_not(None)


#: between the sort prefix and the JSON text; JSON text never holds a raw control character
_SEP = 1


def merged_value(dialect: str, e: Any, key: str) -> ColumnElement[Any]:
    """An aggregate over a post's current rows ``e``: the JSON under ``key`` of the newest row that has it.

    ``max`` of "computed time, stage name, separator, JSON" picks the row that a
    ``dict.update`` in (computed time, stage) order leaves last; the prefix is cut
    off again. The time is written at a fixed width, and a shorter stage name sorts
    before a longer one that starts with it (the separator sorts before any
    character), so the text order is the tuple order. On PostgreSQL the text is
    compared byte by byte (``COLLATE "C"``); SQLite compares bytes anyway; goodwill.store.reading orders stage
    names by the database's collation, which can only differ for two stages that
    wrote the same key at the same instant and whose names sort differently.
    """
    stamp: Any
    value: Any
    if dialect == "postgresql":
        stamp = func.to_char(func.timezone("UTC", e.c.computed_at), "YYYY-MM-DD HH24:MI:SS.US")
        value = cast(e.c.result.op("->")(key), Text)
        keyed = stamp.op("||")(e.c.stage).op("||")(func.chr(_SEP)).op("||")(value)
        best = func.max(case((_has_key(dialect, e.c.result, key), keyed.collate("C"))))
        cut = func.substr(best, func.strpos(best, func.chr(_SEP)) + 1)
        return cast(cut, JSONB)
    stamp = cast(e.c.computed_at, Text)  # stored as fixed-width text, microseconds included
    value = func.json_quote(func.json_extract(e.c.result, f'$."{key}"'))
    keyed = stamp.op("||")(e.c.stage).op("||")(func.char(_SEP)).op("||")(value)
    best = func.max(case((_has_key(dialect, e.c.result, key), keyed)))
    return func.substr(best, func.instr(best, func.char(_SEP)) + 1)


def merged_judgements(dialect: str, e: Any, where: Sequence[ColumnElement[bool]]) -> Subquery:
    """``judged``: per post matching ``where`` (over ``posts`` joined to its rows ``e``), ``qid`` and the
    merged value of every key in :data:`MERGED_KEYS`, one column each, for the score to read."""
    return (
        select(posts.c.id.label("qid"), *(merged_value(dialect, e, key).label(key) for key in MERGED_KEYS))
        .select_from(posts.join(e, e.c.post_id == posts.c.id))
        .where(*where)
        .group_by(posts.c.id)
        .subquery("judged")
    )


def _number(dialect: str, value: Any, field: str) -> ColumnElement[float]:
    """A JSON number under ``field`` of ``value`` as a float; 0.0 when absent or not a number."""
    if dialect == "postgresql":
        node = value.op("->")(field)
        as_float = cast(value.op("->>")(field), Float)
        return func.coalesce(case((func.jsonb_typeof(node) == "number", as_float)), 0.0)
    path = f'$."{field}"'
    as_float = cast(func.json_extract(value, path), Float)
    return func.coalesce(case((func.json_type(value, path).in_(["real", "integer"]), as_float)), 0.0)


def _is_true(dialect: str, value: Any, field: str) -> ColumnElement[bool]:
    if dialect == "postgresql":
        return func.coalesce(value.op("->>")(field) == "true", False)
    return func.coalesce(func.json_type(value, f'$."{field}"') == "true", False)


def _text(dialect: str, value: Any, field: str) -> ColumnElement[str]:
    if dialect == "postgresql":
        return value.op("->>")(field)  # type: ignore[no-any-return]
    return func.json_extract(value, f'$."{field}"')


def hours_since(dialect: str, moment: Any, now: datetime) -> ColumnElement[Any]:
    """Hours from ``moment`` (a timestamp column) to ``now``, as a float."""
    stamp = now.astimezone(UTC)
    if dialect == "postgresql":
        at = literal(stamp, UTCDateTime)
        return cast(func.extract("epoch", at - moment), Float) / 3600.0
    naive = stamp.replace(tzinfo=None).isoformat(" ")
    return (func.julianday(literal(naive)) - func.julianday(moment)) * 24.0


def round4(dialect: str, value: ColumnElement[float]) -> ColumnElement[float]:
    """``round(value, 4)`` (PostgreSQL rounds only numerics)."""
    if dialect == "postgresql":
        return cast(func.round(cast(value, Numeric), 4), Float)
    return func.round(value, 4)


def static_score(dialect: str, judged: Any, followers: Any) -> ColumnElement[float]:
    """The parts that do not move with the clock (intent, complaint, negativity, reach, welcome), unrounded.

    Read from the columns of ``judged`` (:func:`merged_judgements`) and the author's followers.
    Added left to right, as ``priority_of`` adds them, so ``static + waiting + fading``
    (:func:`dated_score`) is the very same double as the whole sum: a stored static part
    (goodwill.store.ranking) ranks bit for bit as the score computed whole.
    """
    intent, complaint, sentiment, receptivity = (
        judged.c.intent,
        judged.c.complaint,
        judged.c.sentiment,
        judged.c.receptivity,
    )
    label = _text(dialect, intent, "label")
    weight = case(
        *((label == name, literal(float(w))) for name, w in INTENT_WEIGHT.items()),
        else_=literal(0.0),
    )
    complained = case(
        (_is_true(dialect, complaint, "is_complaint"), 2.0 * _number(dialect, complaint, "score")),
        else_=literal(0.0),
    )
    sent = _number(dialect, sentiment, "score")
    negativity = case((sent < 0.0, -sent), else_=literal(0.0))
    reach = func.log10(func.coalesce(followers, 0) + 1.0) / 2.0
    welcome = _number(dialect, receptivity, "score")
    return cast(weight + complained + negativity + reach + welcome, Float)


def dated_score(dialect: str, static: Any, created_at: Any, now: datetime) -> ColumnElement[float]:
    """``round(static + waiting + fading, 4)``: the score from its static part and the posting time.

    The time part is at most :data:`TIME_PART_MAX` (waiting tops out at 1 after a day; fading
    is never positive) and 0 for an undated post, so the score never exceeds
    ``round(static + 1, 4)``: what lets the queue read the best static parts first.
    """
    raw_hours = hours_since(dialect, created_at, now)
    hours = case((raw_hours > 0.0, raw_hours), else_=literal(0.0))
    waiting = case((hours < 24.0, hours), else_=literal(24.0)) / 24.0
    over = hours - FRESH_HOURS
    fading = (-case((over > 0.0, over), else_=literal(0.0)) / 24.0) * 0.5
    dated = case((created_at.is_(None), literal(0.0)), else_=waiting)
    faded = case((created_at.is_(None), literal(0.0)), else_=fading)
    return round4(dialect, static + dated + faded)


#: the most the time part (waiting + fading) adds to a post's static part
TIME_PART_MAX = 1.0


def spam_flag(dialect: str, spam: Any) -> ColumnElement[bool]:
    """True when the merged spam result says ``is_spam: true``."""
    return _is_true(dialect, spam, "is_spam")
