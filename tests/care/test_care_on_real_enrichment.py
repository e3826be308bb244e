"""The care modules read what the real enrichment pipeline writes (the public enrich contract)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from goodwill.care.replycheck import check_reply
from goodwill.care.routing import CaseFacts, Routing
from goodwill.config import load_config
from goodwill.enrich.registry import default_pipeline
from goodwill.enrich.stage import StageContext
from goodwill.models import Author, Post

CONFIG = load_config(Path(__file__).parents[2] / "examples" / "sample" / "goodwill.toml")
POSTS = {
    "complaint": Post(
        native_id="1", network="x", author=Author(handle="dana_k", name="Dana", followers=120),
        text="@NimbusHelp I've been charged twice for my phone bill this month, can you fix it?",
    ),
    "wedding": Post(
        native_id="2", network="x", author=Author(handle="lee", name="Lee"),
        text="Got married yesterday!! best day ever, even my Nimbus phone died from all the photos lol",
    ),
    "recommendation": Post(
        native_id="3", network="reddit", author=Author(handle="mo", name="Mo"),
        text="Which mobile network has the best 5G coverage in Leeds? thinking of switching",
    ),
}  # fmt: skip


@pytest.fixture(scope="module")
def judged() -> dict[str, dict[str, Any]]:
    pipeline = default_pipeline(StageContext(config=CONFIG))
    names = list(POSTS)
    return dict(zip(names, pipeline.run([POSTS[n] for n in names]), strict=True))


def check(judged: dict[str, dict[str, Any]], name: str, reply: str) -> Any:
    post = POSTS[name]
    policy = CONFIG.care.reply_policy(d for b in CONFIG.brands for d in b.domains)
    author = [post.author_handle, post.author.name if post.author else None]
    return check_reply(reply, enrichment=judged[name], post_text=post.text, author=author, policy=policy)


def test_a_care_reply_to_a_welcome_complaint_passes(judged: dict[str, dict[str, Any]]) -> None:
    result = check(judged, "complaint", "Sorry Dana, the second charge on your phone bill is refunded today.")
    assert result.flags == ()


def test_a_pitch_on_the_same_complaint_is_stopped(judged: dict[str, dict[str, Any]]) -> None:
    reply = "Sorry Dana! See https://shop.nimbusmobile.example/plans for 20% off."
    result = check(judged, "complaint", reply)
    assert {"sales.product_link", "sales.offer"} <= set(result.codes)
    assert result.needs_override


def test_a_reply_to_a_wedding_post_is_not_welcome(judged: dict[str, dict[str, Any]]) -> None:
    result = check(judged, "wedding", "Congratulations Lee! Our phones have great batteries.")
    assert result.codes[0] == "welcome.not_welcome"
    assert "personal context: 'married'" in result.flags[0].message
    assert result.needs_override


def test_a_recommendation_request_invites_a_product_answer(judged: dict[str, dict[str, Any]]) -> None:
    reply = "Hi Mo, Nimbus 5G covers all of Leeds: https://nimbusmobile.example/coverage/leeds"
    result = check(judged, "recommendation", reply)
    assert result.invited and result.flags == ()


def test_routing_reads_the_same_enrichment(judged: dict[str, dict[str, Any]]) -> None:
    routing = Routing.model_validate(
        {"routes": [{"intent": ["complaint"], "brand": ["nimbus mobile"], "queue": "mobile-complaints"},
                    {"network": ["reddit"], "queue": "community"}]}
    )  # fmt: skip
    queues = {
        name: routing.route(
            CaseFacts.from_enrichment(judged[name], network=POSTS[name].network,
                                      followers=POSTS[name].author_followers)
        ).queue
        for name in POSTS
    }  # fmt: skip
    assert queues == {"complaint": "mobile-complaints", "wedding": "general", "recommendation": "community"}


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=12,
)
KEYS = st.sampled_from(["intent", "brands", "receptivity", "spam", "language", "complaint", "label", "scores",
                        "welcome", "counter_reasons", "is_spam", "brand", "name", "role"])  # fmt: skip
ENRICHMENT = st.dictionaries(KEYS, JSON | st.dictionaries(KEYS, JSON, max_size=4), max_size=6)


ODD = [
    {"brands": 5},
    {"brands": [1, {"name": 7, "role": "brand"}]},
    {"receptivity": {"welcome": False, "counter_reasons": 5}},
    {"receptivity": {"brand": {"a": 1}}, "language": ["en"]},
    {"intent": {"label": [], "scores": {"recommendation_request": "x"}}},
    {"intent": "complaint", "spam": ["yes"]},
]


def read_without_crashing(enrichment: dict[str, Any]) -> None:
    # The contract is read from files other tools wrote: wrong types must not raise.
    result = check_reply("Sorry Dana, fixed.", enrichment=enrichment, post_text="charged twice")
    assert isinstance(result.needs_override, bool)
    facts = CaseFacts.from_enrichment(enrichment, network="x")
    assert all(v is None or isinstance(v, str) for v in (facts.intent, facts.brand, facts.language))
    assert Routing().route(facts).queue == "general"


@pytest.mark.parametrize("enrichment", ODD)
def test_known_odd_shapes_are_read_safely(enrichment: dict[str, Any]) -> None:
    read_without_crashing(enrichment)


@settings(max_examples=300, deadline=None)
@given(enrichment=ENRICHMENT)
def test_odd_enrichment_objects_never_crash(enrichment: dict[str, Any]) -> None:
    read_without_crashing(enrichment)
