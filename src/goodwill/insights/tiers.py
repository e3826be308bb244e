"""Follower tiers: the usual influencer-marketing bands, so "who" reads in familiar words.

The bands are by followers alone (what every network tells us). Engagement, where known,
ranks voices inside a tier: see :mod:`goodwill.insights.voices`.
"""

from __future__ import annotations

__all__ = ["AUDIENCE_TIERS", "TIERS", "audience_tier", "follower_tier"]

#: (name, lowest follower count), smallest first. "unknown" is used when the network said nothing.
TIERS: tuple[tuple[str, int], ...] = (
    ("nano", 0),
    ("micro", 1_000),
    ("mid", 10_000),
    ("macro", 100_000),
    ("mega", 1_000_000),
)

#: Brand audience bands (a brand's own followers), smallest first.
AUDIENCE_TIERS: tuple[tuple[str, int], ...] = (
    ("small", 0),
    ("medium", 10_000),
    ("large", 100_000),
    ("very large", 1_000_000),
)


def _band(count: int | None, bands: tuple[tuple[str, int], ...]) -> str:
    if count is None:
        return "unknown"
    name = bands[0][0]
    for candidate, floor in bands:
        if count >= floor:
            name = candidate
    return name


def follower_tier(followers: int | None) -> str:
    """``nano`` (< 1k), ``micro`` (< 10k), ``mid`` (< 100k), ``macro`` (< 1M), ``mega``, or ``unknown``."""
    return _band(followers, TIERS)


def audience_tier(followers: int | None) -> str:
    """A brand's audience band: ``small`` (< 10k), ``medium`` (< 100k), ``large`` (< 1M), ``very large``."""
    return _band(followers, AUDIENCE_TIERS)
