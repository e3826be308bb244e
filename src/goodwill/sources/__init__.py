"""Where posts come from: files (JSON Lines, CSV) and network sources.

``files`` reads records without interpreting them; ``mapping`` turns one
record into a Post with a pure function. Network sources implement the
``Source`` protocol of ``source`` (see docs/sources/README.md), talk through
the one HTTP layer in ``http``, and are found through ``registry``.
"""

from __future__ import annotations
