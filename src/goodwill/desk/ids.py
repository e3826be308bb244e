"""Row ids that come from outside (a URL, a form, a JSON body): in the range both stores can hold.

Ids are 32-bit INTEGER columns on PostgreSQL and 64-bit on SQLite; a number past
that is not "no such case" to the database but an overflow error, so anything
larger than the smaller of the two is refused (or matches nothing) before a
query is built.
"""

from __future__ import annotations

__all__ = ["MAX_ROW_ID", "parse_row_id"]

#: the largest id a PostgreSQL INTEGER column holds (SQLite's are wider)
MAX_ROW_ID = 2**31 - 1


def parse_row_id(text: str) -> int | None:
    """``text`` as a row id when it is one (ASCII digits, 1..MAX_ROW_ID), else None."""
    if not text.isascii() or not text.isdigit() or len(text) > 10:
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ROW_ID else None
