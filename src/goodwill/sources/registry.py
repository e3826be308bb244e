"""Find sources through the ``goodwill.sources`` entry-point group.

Built-in sources are registered in goodwill's own pyproject.toml exactly as a
third-party package registers one, so there is one way in. An entry point names
a callable taking :class:`SourceSettings` and returning a :class:`Source`
(usually the class itself).
"""

from __future__ import annotations

from importlib.metadata import entry_points

from goodwill.errors import ConfigError
from goodwill.sources.source import Capability, Source, SourceSettings

__all__ = ["ENTRY_POINT_GROUP", "available_sources", "build_source"]

ENTRY_POINT_GROUP = "goodwill.sources"


def available_sources() -> dict[str, str]:
    """``{name: "module:attr"}`` for every registered source."""
    return {ep.name: ep.value for ep in entry_points(group=ENTRY_POINT_GROUP)}


def build_source(name: str, settings: SourceSettings | None = None) -> Source:
    """The source registered as ``name``, built from its settings (defaults when None)."""
    matches = [ep for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.name == name]
    if not matches:
        known = ", ".join(sorted(available_sources())) or "none"
        raise ConfigError(
            f"no source named '{name}' is installed (known: {known}); check the name in goodwill.toml, "
            "or reinstall goodwill with `make install` if a built-in one is missing."
        )
    factory = matches[0].load()
    source = factory(settings or SourceSettings())
    if not isinstance(source, Source):
        raise ConfigError(f"entry point '{name}' did not build a Source (got {type(source).__name__}).")
    if source.name != name:
        raise ConfigError(f"entry point '{name}' built a source named '{source.name}'; the names must match.")
    if not source.capabilities or not all(isinstance(c, Capability) for c in source.capabilities):
        raise ConfigError(f"source '{name}' declares no valid capabilities.")
    return source
