"""Conformance: every source registered in ``goodwill.sources`` keeps the Source contract.

The loop is over the entry-point group, not a hand-written list, so a new
built-in or third-party source is checked the moment it is registered: it must
declare capabilities and query kinds, and its normaliser must be pure (same
input, same output, input untouched), keep each raw item, and make valid posts
of its own network.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from samples import SAMPLES

from goodwill.errors import InputError
from goodwill.models import Post
from goodwill.sources.registry import available_sources, build_source
from goodwill.sources.reply import ReplySender, reply_sender
from goodwill.sources.source import Capability, Item, Source

NAMES = sorted(available_sources())
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=20,
)


def test_the_built_in_sources_are_registered() -> None:
    assert "hackernews" in NAMES


@pytest.mark.parametrize("name", NAMES)
def test_declares_capabilities_and_kinds(name: str) -> None:
    source = build_source(name)
    assert isinstance(source, Source)
    assert source.name == name
    assert isinstance(source.capabilities, frozenset) and source.capabilities
    assert all(isinstance(c, Capability) for c in source.capabilities)
    assert source.stream_kinds <= set(source.kinds)
    assert bool(source.stream_kinds) <= (Capability.STREAM in source.capabilities)
    assert source.kinds and all(
        isinstance(k, str) and isinstance(v, str) and v for k, v in source.kinds.items()
    )


@pytest.mark.parametrize("name", NAMES)
def test_a_source_that_replies_is_a_reply_sender_and_idle_without_credentials(name: str) -> None:
    source = build_source(name)
    if Capability.REPLY not in source.capabilities:
        assert reply_sender(source) is None
        return
    assert isinstance(source, ReplySender)
    assert isinstance(source.reply_idempotent, bool)
    # built with no settings there is no sending account: the desk must fall back to copying
    assert source.reply_ready() is False
    assert reply_sender(source) is None


def _documents(source: Source, name: str) -> list[Any]:
    assert SAMPLES.get(name), f"add sample payloads for '{name}' to tests/sources/samples.py"
    return [doc for path in SAMPLES[name] for doc in source.read_export(path)]


def _check_items(name: str, items: list[Item]) -> None:
    for item in items:
        assert isinstance(item.post, Post)
        assert item.post.network == name
        assert item.raw, "the raw item must be kept"
        serialised = json.dumps(item.raw, ensure_ascii=False)
        native = item.post.native_id
        # an id the network did not give is derived from content and says so ("sha256:...")
        assert native.startswith("sha256:") or native.split("/")[-1] in serialised, "raw: the post's"
        if item.post.deleted:
            assert item.post.text is None
        else:
            assert isinstance(item.post.text, str)


@pytest.mark.parametrize("name", NAMES)
def test_normaliser_is_pure_deterministic_and_keeps_raw(name: str) -> None:
    source = build_source(name)
    documents = _documents(source, name)
    total = 0
    for document in documents:
        before = copy.deepcopy(document)
        first = source.normalise(document)
        second = source.normalise(copy.deepcopy(document))
        assert document == before, "normalise must not change its input"
        assert [(i.post, dict(i.raw)) for i in first] == [(i.post, dict(i.raw)) for i in second]
        _check_items(name, first)
        total += len(first)
    assert total > 0, f"the samples of '{name}' yield no posts"


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(document=JSON)
def test_normaliser_never_crashes_on_foreign_json(name: str, document: Any) -> None:
    source = build_source(name)
    try:
        items = source.normalise(document)
    except InputError:
        return
    _check_items(name, items)
