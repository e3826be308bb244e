"""The desk's cache of computed overviews: one per filter, kept while the data stays the same.

Computing an overview reads every post of the window; the desk's insights page asked for it
on every request. An entry is served again when the store's fingerprint
(:func:`goodwill.insights.freshness.data_version`) is unchanged and, for a window relative to
now ("30d"), when it is younger than ``max_age`` (the window's start moves with the clock).
Any import, enrichment, forget or curation edit changes the fingerprint, so the next request
recomputes. Entries live in this process only; a few filters are kept, least recently used
first out.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from goodwill.insights.overview import Overview

__all__ = ["CachedOverview", "OverviewCache", "OverviewKey"]


@dataclass(frozen=True)
class OverviewKey:
    """The filters an overview was computed for (as the person typed them, normalised)."""

    since: str
    brand: str | None
    bucket: str = "day"
    #: whether ``since`` is relative to now ("30d") rather than a fixed date
    relative: bool = True


@dataclass(frozen=True)
class CachedOverview:
    overview: Overview
    version: str
    computed_at: datetime
    start: datetime | None


class OverviewCache:
    """Thread-safe, bounded; ``clock`` is injectable so tests can age entries."""

    def __init__(
        self,
        *,
        size: int = 8,
        max_age: timedelta = timedelta(minutes=15),
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.size = size
        self.max_age = max_age
        self.clock = clock or (lambda: datetime.now(UTC))
        self.computed = 0
        self._entries: OrderedDict[OverviewKey, CachedOverview] = OrderedDict()
        self._lock = threading.Lock()

    def get(
        self,
        key: OverviewKey,
        version: str,
        compute: Callable[[], tuple[Overview, datetime | None]],
    ) -> CachedOverview:
        """The cached overview for ``key`` at ``version``, or a fresh one from ``compute()``.

        ``compute`` returns the overview and the window start it used.
        """
        now = self.clock()
        with self._lock:
            hit = self._entries.get(key)
            fresh = hit is not None and (not key.relative or now - hit.computed_at < self.max_age)
            if hit is not None and fresh and hit.version == version:
                self._entries.move_to_end(key)
                return hit
        overview, start = compute()
        entry = CachedOverview(overview=overview, version=version, computed_at=now, start=start)
        with self._lock:
            self.computed += 1
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return entry
