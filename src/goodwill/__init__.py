"""goodwill: local-first social listening and social customer care.

Importing the package is light on purpose: models, the store and the CLI load
their heavy dependencies only when used.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
