"""Real payloads with fields dropped, nulled or retyped never crash the normalisers (only InputError).

The networks' genuine payloads vary (old and new API versions, missing fields,
nulls where a value is usual); mutating the recorded ones at random, anywhere in
their tree, stands for the payloads we have not seen.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from cassettes import fixture, load_cassette
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from goodwill.errors import InputError
from goodwill.sources.bluesky import BlueskySource
from goodwill.sources.mastodon import MastodonSource
from goodwill.sources.reddit import RedditSource
from goodwill.sources.source import SourceSettings


def _first(folder: str, sub: str, name: str, index: int) -> Any:
    return load_cassette(fixture(folder, sub, name))[index].json()


def _trim(document: Any, keep: int = 3) -> Any:
    """Lists cut to a few elements, so a mutation hits a post often."""
    if isinstance(document, list):
        return [_trim(d, keep) for d in document[:keep]]
    if isinstance(document, dict):
        return {k: _trim(v, keep) for k, v in document.items()}
    return document


DOCUMENTS: dict[str, list[Any]] = {
    "reddit": [
        _trim(_first("reddit", "praw", "TestMore.test_comments.json", 2)),
        _trim(_first("reddit", "praw", "TestReddit.test_info.json", 1)),
        _trim(_first("reddit", "praw", "TestMore.test_comments.json", 1)),
    ],
    "mastodon": [
        _trim(_first("mastodon", "mastodon.social", "test_entity_status.yaml", 0)),
        _trim(_first("mastodon", "mastodon.social", "test_entity_searchv2.yaml", 2)),
        _trim(_first("mastodon", "mastodon.social", "test_entity_context.yaml", 0)),
    ],
    "bluesky": [
        _trim(_first("bluesky", "bskyr", "f_autfeed.yml", 0)),
        _trim(_first("bluesky", "bskyr", "f_search.yml", 0)),
        _trim(_first("bluesky", "bskyr", "f_postthread.yml", 0)),
    ],
}
SOURCES = {
    "reddit": RedditSource(SourceSettings()),
    "mastodon": MastodonSource(
        SourceSettings(base_url="https://mastodon.social", options={"include_private": True})
    ),
    "bluesky": BlueskySource(SourceSettings()),
}
ODD = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats()
    | st.text(max_size=8)
    | st.just([])
    | st.just({})
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            out.extend(_paths(value, (*prefix, key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out.extend(_paths(value, (*prefix, index)))
    return out


def _mutate(document: Any, path: tuple[Any, ...], value: Any, drop: bool) -> Any:
    copied = copy.deepcopy(document)
    parent = copied
    for step in path[:-1]:
        parent = parent[step]
    if drop and isinstance(parent, dict):
        parent.pop(path[-1], None)
    else:
        parent[path[-1]] = value
    return copied


@pytest.mark.parametrize("network", sorted(DOCUMENTS))
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_real_payloads_never_crash(network: str, data: st.DataObject) -> None:
    document = data.draw(st.sampled_from(DOCUMENTS[network]))
    paths = _paths(document)
    for _ in range(data.draw(st.integers(1, 4))):
        path = data.draw(st.sampled_from(paths))
        document = _mutate(document, path, data.draw(ODD), data.draw(st.booleans()))
        paths = _paths(document) or paths
        if not _paths(document):
            break
    try:
        items = SOURCES[network].normalise(document)
    except InputError:
        return
    for item in items:
        assert item.post.network == network
        assert (item.post.text is None) == item.post.deleted
