"""JSON from outside goodwill, parsed so that every way it can be bad is one ValueError.

``json.loads`` raises ``JSONDecodeError`` (a ValueError) for broken text, but
``RecursionError`` for text nested deeper than the interpreter's recursion
limit: ``"[" * 100_000`` is a few hundred kilobytes any server or file can
send; and a plain ValueError (not JSONDecodeError) for an integer of more than
4,300 digits. Every reader of outside JSON already handles ValueError with a message a
user can act on; :func:`load_json` makes the deep case one of them instead of a
traceback (found by tests/fuzz/harness.py).
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["load_json"]


def load_json(text: str | bytes | bytearray) -> Any:
    """``json.loads(text)``, raising ``json.JSONDecodeError`` also when the nesting is too deep."""
    shown = text if isinstance(text, str) else ""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise
    except RecursionError:
        raise json.JSONDecodeError("nested too deeply", shown, 0) from None
    except ValueError:  # an integer of more than 4,300 digits (sys.int_info.default_max_str_digits)
        raise json.JSONDecodeError("a number too long to read", shown, 0) from None
