"""JSON from outside goodwill, parsed so that every way it can be bad is one ValueError.

``json.loads`` raises ``JSONDecodeError`` (a ValueError) for broken text, but
``RecursionError`` for text nested deeper than the interpreter's recursion
limit: ``"[" * 100_000`` is a few hundred kilobytes any server or file can
send. Every reader of outside JSON already handles ValueError with a message a
user can act on; :func:`load_json` makes the deep case one of them instead of a
traceback (found by tests/fuzz/harness.py).
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["load_json"]


def load_json(text: str | bytes | bytearray) -> Any:
    """``json.loads(text)``, raising ``json.JSONDecodeError`` also when the nesting is too deep."""
    try:
        return json.loads(text)
    except RecursionError:
        shown = text if isinstance(text, str) else ""
        raise json.JSONDecodeError("nested too deeply", shown, 0) from None
