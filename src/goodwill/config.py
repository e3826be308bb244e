"""The workspace configuration, ``goodwill.toml``: which brands we listen for.

It is read once, at the edge (the CLI), validated, and handed down as a plain
object. A mistake is reported with the file, the line and the key, and a hint
on how to fix it, because a listening setup is edited by hand.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from goodwill.care.config import CareConfig
from goodwill.config_insights import InsightsConfig
from goodwill.errors import ConfigError

__all__ = [
    "CONFIG_FILENAME",
    "BrandSpec",
    "QueryConfig",
    "RetentionConfig",
    "SourceConfig",
    "Thresholds",
    "WorkspaceConfig",
    "config_template",
    "default_store_url",
    "load_config",
]

CONFIG_FILENAME = "goodwill.toml"
DEFAULT_DB_NAME = "goodwill.db"


class BrandSpec(BaseModel):
    """One brand (ours or a competitor's) and every way people refer to it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)
    #: handles per network, e.g. ``{"x": ["acmebank"], "mastodon": ["acme@mastodon.social"]}``
    handles: dict[str, list[str]] = Field(default_factory=dict)
    hashtags: list[str] = Field(default_factory=list)
    cashtags: list[str] = Field(default_factory=list)
    domains: list[str] = Field(default_factory=list)
    #: the category people ask recommendations in, e.g. "bank", "phone"
    category: list[str] = Field(default_factory=list)

    @field_validator("hashtags", "cashtags")
    @classmethod
    def _strip_sigils(cls, values: list[str]) -> list[str]:
        return [v.lstrip("#$").strip() for v in values if v.strip("#$ ")]

    @field_validator("handles")
    @classmethod
    def _strip_at(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        return {
            net.lower(): [h.lstrip("@").strip() for h in hs if h.strip("@ ")] for net, hs in value.items()
        }

    @field_validator("domains")
    @classmethod
    def _bare_domains(cls, values: list[str]) -> list[str]:
        out = []
        for v in values:
            d = re.sub(r"^https?://", "", v.strip().lower()).split("/")[0]
            if d.startswith("www."):
                d = d[4:]
            if d:
                out.append(d)
        return out

    def all_handles(self) -> list[str]:
        """Every handle on every network, without the leading ``@``."""
        return [h for hs in self.handles.values() for h in hs]


_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class SourceConfig(BaseModel):
    """``[sources.NAME]``: how to reach one network, its credentials (by env var) and limits."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    enabled: bool = True
    base_url: str | None = None
    user_agent: str | None = None
    #: credential name -> the ENVIRONMENT VARIABLE holding it (never the secret itself)
    credentials: dict[str, str] = Field(default_factory=dict)
    #: source-specific settings, see docs/sources/<network>.md
    options: dict[str, str | int | float | bool] = Field(default_factory=dict)
    #: seconds between passes of ``listen --follow``
    poll_seconds: float = Field(default=300.0, gt=0)
    #: pages per query per pass, a guard against runaway cost
    max_pages: int = Field(default=50, ge=1)
    #: quota units per UTC day, per bucket (e.g. YouTube ``{default = 10000, search = 100}``)
    daily_units: dict[str, float] = Field(default_factory=dict)
    monthly_budget_usd: float | None = Field(default=None, ge=0)

    @field_validator("credentials")
    @classmethod
    def _names_not_secrets(cls, value: dict[str, str]) -> dict[str, str]:
        for name, var in value.items():
            if not _ENV_NAME.match(var):
                raise ValueError(
                    f"credentials.{name} must name an environment variable (like X_BEARER_TOKEN), "
                    "not hold the secret; put the secret in that variable"
                )
        return value


class QueryConfig(BaseModel):
    """``[[queries]]``: one thing to listen for on one source."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str = Field(min_length=1)
    kind: str = Field(default="search", min_length=1)
    value: str = Field(min_length=1)
    #: names the query's cursor; default ``source:kind:value``
    name: str | None = None
    params: dict[str, str] = Field(default_factory=dict)

    @property
    def key(self) -> str:
        return self.name or f"{self.source}:{self.kind}:{self.value}"


class Thresholds(BaseModel):
    """Per-judgement decision thresholds on calibrated scores; unset means the shipped default.

    Raise one to make that judgement stricter (fewer, surer flags), lower it to
    catch more. ``welcome`` is the receptivity cut: a wrong reply is an
    intrusion, so its default leans to precision.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    irony: float | None = Field(default=None, gt=0.0, lt=1.0)
    offensive: float | None = Field(default=None, gt=0.0, lt=1.0)
    complaint: float | None = Field(default=None, gt=0.0, lt=1.0)
    welcome: float | None = Field(default=None, gt=0.0, lt=1.0)


class RetentionConfig(BaseModel):
    """``[retention]``: how long goodwill keeps what it does not need forever (docs/privacy.md).

    Each key names a table's ``retention`` declaration (goodwill.store.privacy); unset keeps forever.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: raw payloads (the JSON exactly as a network sent it) older than this many days are dropped
    #: by ``goodwill retention apply``; the posts and their judgements stay.
    raw_payload_days: int | None = Field(default=None, ge=0)

    def settings(self) -> dict[str, int | None]:
        return self.model_dump()


class WorkspaceConfig(BaseModel):
    """Everything ``goodwill.toml`` holds, validated."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    brands: list[BrandSpec] = Field(default_factory=list)
    competitors: list[BrandSpec] = Field(default_factory=list)
    #: phrases that mean a match is not about the brand, e.g. "apple pie"
    exclusions: list[str] = Field(default_factory=list)
    #: ISO 639-1 codes we care about; empty means every language
    languages: list[str] = Field(default_factory=list)
    store_url: str | None = None
    #: judgement mode: "fast" (default) or "accurate" (sentence embeddings; the `embeddings` extra)
    mode: Literal["fast", "accurate"] = "fast"
    #: the care desk: routing, SLAs, reply policy, agents (goodwill.care.config)
    care: CareConfig = Field(default_factory=CareConfig)
    sources: dict[str, SourceConfig] = Field(default_factory=dict)
    queries: list[QueryConfig] = Field(default_factory=list)
    retention: RetentionConfig = Field(default_factory=RetentionConfig)

    @field_validator("queries")
    @classmethod
    def _unique_query_names(cls, value: list[QueryConfig]) -> list[QueryConfig]:
        seen: set[str] = set()
        for query in value:
            if query.key in seen:
                raise ValueError(f"two queries are named {query.key!r}; give each a different `name`")
            seen.add(query.key)
        return value

    insights: InsightsConfig = Field(default_factory=InsightsConfig)
    #: per-judgement thresholds, ``[thresholds]`` in goodwill.toml
    thresholds: Thresholds = Field(default_factory=Thresholds)

    def resolved_store_url(self, workspace: Path) -> str:
        return self.store_url or default_store_url(workspace)

    @classmethod
    def from_names(cls, brands: list[str], competitors: list[str]) -> WorkspaceConfig:
        """A config for ``goodwill enrich --brand X --competitor Y`` without a file.

        Without a file we only know the name, so we assume the usual social
        spelling of it too: "Acme Bank" also answers to @acmebank and #AcmeBank.
        """
        return cls(
            brands=[_spec_from_name(n) for n in brands],
            competitors=[_spec_from_name(n) for n in competitors],
        )


#: How brands usually name their customer-care accounts: @AppleSupport, @AmazonHelp, @SpotifyCares,
#: @Uber_Support, @AskPlayStation. A post to one of these is a post to the brand.
_CARE_SUFFIXES: tuple[str, ...] = (
    "support",
    "help",
    "helps",
    "helpers",
    "care",
    "cares",
    "service",
    "assist",
    "_support",
    "_help",
    "_care",
    "_cares",
    "_service",
)
_CARE_PREFIXES: tuple[str, ...] = ("ask", "ask_")


def _care_variants(name: str, compact: str) -> list[str]:
    """The usual care-account spellings of a brand's handle (its main handle not included)."""
    base = compact.lower()
    words = re.findall(r"\w+", name.lower(), flags=re.UNICODE)
    joined = ["_".join(words)] if len(words) > 1 else []
    return [
        *joined,
        *(base + suffix for suffix in _CARE_SUFFIXES),
        *(prefix + base for prefix in _CARE_PREFIXES),
    ]


def _spec_from_name(name: str) -> BrandSpec:
    compact = re.sub(r"[^\w]", "", name, flags=re.UNICODE)
    if not compact:
        return BrandSpec(name=name)
    variants = _care_variants(name, compact)
    if compact.lower() == name.lower():
        return BrandSpec(name=name, handles={"any": [compact, *variants]})
    return BrandSpec(name=name, handles={"any": [compact.lower(), *variants]}, hashtags=[compact])


def default_store_url(workspace: Path) -> str:
    return f"sqlite:///{(workspace / DEFAULT_DB_NAME).resolve()}"


def _line_of(text: str, loc: tuple[int | str, ...]) -> int | None:
    """Best-effort line number of the key at ``loc`` in a TOML document."""
    lines = text.splitlines()
    keys = [k for k in loc if isinstance(k, str)]
    if not keys:
        return None
    # Walk the path: find each table header or key after the previous match.
    start = 0
    found: int | None = None
    for key in keys:
        pattern = re.compile(
            rf"^\s*(\[\[?\s*[\w.\"]*\b{re.escape(key)}\b[\w.\"]*\s*\]\]?|\"?{re.escape(key)}\"?\s*=)"
        )
        for i in range(start, len(lines)):
            if pattern.search(lines[i]):
                found = i + 1
                start = i
                break
    return found


def load_config(path: Path) -> WorkspaceConfig:
    """Read and validate ``goodwill.toml``; raise ConfigError naming file, line and key."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: no such file. Run `goodwill init` to write a commented one, or pass --config PATH."
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read ({exc}).") from None
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}. Check quotes and brackets on that line.") from None
    try:
        return WorkspaceConfig.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(first["loc"])
        key = ".".join(str(p) for p in loc)
        line = _line_of(text, loc)
        where = f"{path}:{line}" if line else str(path)
        msg = first["msg"]
        hint = ""
        if first["type"] == "extra_forbidden":
            hint = " Remove it or check its spelling; `goodwill init --print` shows every key."
        elif first["type"] in {"string_type", "list_type", "dict_type"}:
            hint = " See the commented example written by `goodwill init`."
        raise ConfigError(f"{where}: key '{key}': {msg}.{hint}") from None


def config_template() -> str:
    """The commented ``goodwill.toml`` written by ``goodwill init``."""
    return _TEMPLATE


_TEMPLATE = """\
# goodwill.toml: what this workspace listens for.
# Every key is optional except each brand's `name`. Edit, then run `goodwill enrich --stored`.

# Where posts and judgements are stored. Leave unset for a SQLite file next to this one
# (goodwill.db). A team shares PostgreSQL: "postgresql+psycopg://user@host/db" (docs/deploy.md).
# GOODWILL_DATABASE_URL overrides it (and keeps a password out of this file).
# store_url = "sqlite:///goodwill.db"

# How posts are judged: "fast" (the default) or "accurate" (sentence embeddings: better
# sentiment, far slower; needs pip install 'goodwill[embeddings]'). See docs/accurate.md.
# mode = "fast"

# ISO 639-1 codes of the languages you care about; empty means all.
languages = ["en"]

# Phrases that look like a brand mention but are not about it (case-insensitive).
exclusions = ["apple pie"]

# Decision thresholds on the calibrated scores (0..1); leave unset for the shipped defaults
# (docs/models.md). Raise `welcome` to suggest fewer, surer replies.
# [thresholds]
# irony = 0.5
# offensive = 0.5
# complaint = 0.5
# welcome = 0.5

# Your own brands. Posts addressed to these (a mention of a handle, a reply) may welcome a reply.
[[brands]]
name = "Acme Bank"
aliases = ["Acme", "AcmeBank"]
hashtags = ["AcmeBank"]
cashtags = ["ACME"]
domains = ["acmebank.example"]
category = ["bank", "banking", "credit card", "current account"]
# handles per network, without the @
handles = { x = ["acmebank", "AcmeHelp"], mastodon = ["acme@mastodon.example"] }

# Competitors: listened to as well. goodwill never suggests piling on a complaint about a
# competitor; their posts are only "welcome" when someone asks for alternatives.
[[competitors]]
name = "Globex Bank"
aliases = ["Globex"]
hashtags = ["Globex"]
domains = ["globex.example"]
category = ["bank"]
handles = { x = ["globexbank"] }

# How long raw payloads (the JSON as each network sent it) are kept; `goodwill retention apply`
# drops older ones, posts and judgements stay. Unset: kept forever (docs/privacy.md).
# [retention]
# raw_payload_days = 90

# What `goodwill listen` collects: one [[queries]] per search, thread or feed.
# Credentials are given by the NAME of the environment variable that holds them.
# [sources.hackernews]
# poll_seconds = 300            # between passes of `listen --follow`
# [[queries]]
# source = "hackernews"
# kind = "search"               # see docs/sources/<network>.md for each source's kinds
# value = "acme bank"
# [[queries]]
# source = "rss"
# kind = "feed"
# value = "https://www.google.com/alerts/feeds/00000000000000000000/0000000000000000000"
"""
