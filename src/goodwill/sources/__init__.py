"""Where posts come from: files today (JSON Lines, CSV), network sources later.

``files`` reads records without interpreting them; ``mapping`` turns one
record into a Post with a pure function, so the raw payload can be stored as
it came and re-mapped later.
"""

from __future__ import annotations
