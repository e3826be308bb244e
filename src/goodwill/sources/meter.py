"""Quotas and spend: what each request costs, and the limits that stop collection first.

Networks count differently (YouTube in quota units per day and per bucket, X in
dollars per post read per month, most in nothing at all), so a cost is a small
value with a bucket, units and dollars, and a :class:`Meter` checks a request
BEFORE it is sent: a limit is never passed, not even by one call. ``listen``
loads what was spent earlier in the period from the store and saves the new
spend after each page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from goodwill.errors import BudgetExceeded

__all__ = ["FREE", "Cost", "Meter", "Spend"]


@dataclass(frozen=True)
class Cost:
    """What one request costs: ``units`` of quota in ``bucket`` and ``usd`` dollars."""

    units: float = 0.0
    usd: float = 0.0
    bucket: str = "requests"


FREE = Cost()


@dataclass
class Spend:
    """Running totals of one bucket in the current period."""

    requests: int = 0
    units: float = 0.0
    usd: float = 0.0


@dataclass
class Meter:
    """Spend per bucket against optional limits (``unit_limits[bucket]``, ``usd_limit`` overall).

    ``spent`` starts from what the store recorded for this period; ``added`` is
    this run's share, which listen persists and then clears.
    """

    network: str
    unit_limits: Mapping[str, float] = field(default_factory=dict)
    usd_limit: float | None = None
    spent: dict[str, Spend] = field(default_factory=dict)
    added: dict[str, Spend] = field(default_factory=dict)

    @property
    def usd_spent(self) -> float:
        return sum(s.usd for s in self.spent.values())

    def check(self, cost: Cost) -> None:
        """Raise BudgetExceeded if ``cost`` would pass a limit; nothing is recorded."""
        bucket = self.spent.get(cost.bucket, Spend())
        limit = self.unit_limits.get(cost.bucket)
        if limit is not None and cost.units and bucket.units + cost.units > limit:
            raise BudgetExceeded(
                f"{self.network}: the '{cost.bucket}' quota is spent ({bucket.units:,.0f} of {limit:,.0f} "
                "units this period); collection stops until it resets, or raise the limit in goodwill.toml."
            )
        if self.usd_limit is not None and cost.usd and self.usd_spent + cost.usd > self.usd_limit:
            raise BudgetExceeded(
                f"{self.network}: the monthly budget of ${self.usd_limit:,.2f} would be passed "
                f"(${self.usd_spent:,.2f} spent); raise it in goodwill.toml to collect more."
            )

    def record(self, cost: Cost, *, requests: int = 1) -> None:
        for book in (self.spent, self.added):
            entry = book.setdefault(cost.bucket, Spend())
            entry.requests += requests
            entry.units += cost.units
            entry.usd += cost.usd

    def take_added(self) -> dict[str, Spend]:
        """This run's spend since the last call, for the store; the meter forgets it."""
        out, self.added = self.added, {}
        return out
