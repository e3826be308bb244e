"""Run topic discovery on the store: read the posts, keep pinned topics, save topics and assignments."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime

from goodwill.config import WorkspaceConfig
from goodwill.insights.embedders import make_embedder
from goodwill.insights.facts import FactFilter, load_facts
from goodwill.insights.topics import Discovery, discover_topics
from goodwill.insights.topics_store import pinned_topics, save_discovery
from goodwill.store import Store

__all__ = ["brand_words", "run_discovery"]


def brand_words(config: WorkspaceConfig) -> frozenset[str]:
    """Every word of every brand's name, aliases, handles and hashtags: they name no topic."""
    words: set[str] = set()
    for spec in [*config.brands, *config.competitors]:
        for phrase in [spec.name, *spec.aliases, *spec.all_handles(), *spec.hashtags, *spec.cashtags]:
            words.update(w.casefold() for w in re.findall(r"\w+", phrase))
            words.add(re.sub(r"\W", "", phrase).casefold())
    return frozenset(w for w in words if w)


def run_discovery(
    store: Store,
    *,
    config: WorkspaceConfig,
    since: datetime | None = None,
    embedder: str = "auto",
    seed: int = 0,
    versions: Mapping[str, str] | None = None,
) -> Discovery:
    """Discover topics in the posts since ``since`` that name a tracked brand (spam and own posts left
    out) and store them. Posts naming no brand (a weather post caught by a keyword) are off-topic noise."""
    facts = [
        f
        for f in load_facts(store, config=config, flt=FactFilter(since=since), versions=versions)
        if f.brands
    ]
    model = make_embedder(embedder, seed=seed)
    result = discover_topics(
        [f.text for f in facts],
        embedder=model,
        seed=seed,
        pinned=pinned_topics(store, model.name),
        skip_terms=brand_words(config),
    )
    save_discovery(store, result, [f.post_id for f in facts])
    return result
