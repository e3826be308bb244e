"""Typed request parameters shared by the pages and the API: ids are bounded where they enter.

An id past what the store's columns hold would otherwise reach the database and
come back as a 500; bounded here, it is a 422 naming the field.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from goodwill.desk.ids import MAX_ROW_ID

__all__ = ["MAX_ROW_ID", "RowId", "RowIdQuery"]

RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
#: an optional id in the query string (``before`` on the audit log)
RowIdQuery = Annotated[int | None, Query(ge=1, le=MAX_ROW_ID)]
