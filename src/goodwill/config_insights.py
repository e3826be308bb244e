"""The ``[insights]`` part of goodwill.toml: audiences, situation segments and alert settings.

Kept in its own module so config.py only gains one field. Everything is optional: a
workspace without an ``[insights]`` table gets the defaults below.

    [insights]
    audiences = { "Acme Bank" = 120000 }       # a brand's own followers, when its posts are not imported

    [[insights.segments]]
    name = "newly married"
    phrases = ["just got married", "our wedding", "my husband", "my wife"]
    examples = ["we finally tied the knot last weekend"]

    [insights.alerts]
    webhook_url = "https://hooks.example/goodwill"
    email_to = ["care-lead@acme.example"]
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["AlertSettings", "InsightsConfig", "SegmentSpec"]


class SegmentSpec(BaseModel):
    """A situation the team cares about (e.g. "starting a business"): phrases that put an author in it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    #: matched as whole words, case-insensitive
    phrases: list[str] = Field(default_factory=list)
    #: whole posts that belong in the segment; their distinctive words become extra phrases
    examples: list[str] = Field(default_factory=list)


class AlertSettings(BaseModel):
    """Where alerts go and how sensitive they are."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    webhook_url: str | None = None
    email_to: list[str] = Field(default_factory=list)
    email_from: str = "goodwill@localhost"
    smtp_host: str = "localhost"
    smtp_port: int = Field(default=25, ge=1, le=65535)
    #: the window checked, in minutes (against the 12 windows before it and the same hour on earlier days)
    window_minutes: int = Field(default=60, ge=5)
    #: how many times the baseline the volume must reach to fire
    volume_ratio: float = Field(default=3.0, gt=1.0)
    #: the least number of posts in the window for a volume spike
    min_posts: int = Field(default=10, ge=1)
    #: how many percentage points the negative share must rise to fire
    negative_rise: float = Field(default=25.0, gt=0.0)


class InsightsConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    #: a brand's audience (its own followers) by brand name
    audiences: dict[str, int] = Field(default_factory=dict)
    segments: list[SegmentSpec] = Field(default_factory=list)
    alerts: AlertSettings = Field(default_factory=AlertSettings)
