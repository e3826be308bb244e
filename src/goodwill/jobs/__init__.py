"""Jobs: long-running work that moves posts between sources, stages and the store.

Each job is a plain function over library objects, so the CLI (and later a
scheduler or Dask) calls the same code.
"""

from __future__ import annotations
