"""The complaint stage: a problem with a target is a complaint; negativity alone is not."""

from __future__ import annotations

import pickle
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from goodwill.enrich.complaint import ComplaintStage, read_complaint
from goodwill.enrich.intent import read_intent
from goodwill.enrich.stage import StageContext
from goodwill.models import Post

NEG = {"label": "negative", "score": -0.6, "probabilities": {}}
NEU = {"label": "neutral", "score": 0.0, "probabilities": {}}
POS = {"label": "positive", "score": 0.7, "probabilities": {}}


def _judge(
    text: str | None,
    sentiment: dict[str, Any] = NEU,
    brands: list[dict[str, Any]] | None = None,
    reply_to: str | None = None,
) -> dict[str, Any]:
    post = Post(native_id="1", text=text, reply_to=reply_to)
    known: dict[str, Any] = {"sentiment": sentiment, "intent": read_intent(text or "")}
    if brands is not None:
        known["brands"] = brands
    return read_complaint(post, known)


ACME = [{"name": "Acme Bank", "role": "brand", "addressed": False, "matched": ["Acme"]}]


@pytest.mark.parametrize(
    ("text", "sentiment"),
    [
        ("@acmebank my card was charged twice", NEG),
        ("ugh my flight got cancelled again @airline", NEG),
        ("Been on hold for 2 hours with @telco. Unacceptable.", NEG),
        ("I'm still waiting for my refund, it's been three weeks", NEG),
        ("my app keeps crashing when I open it", NEG),
        ("I can't log in to my account since the update", NEG),
        ("My parcel never arrived and nobody answers the phone", NEG),
        ("@isp internet down again, third time this week", NEG),
        ("worst customer service ever, @shopco", NEG),
        ("you overcharged me and hid the fees, sort it out", NEG),
        ("where is my order? it's been 2 weeks", NEU),
        ("great, another outage @acmebank. love how this happens every payday", POS),
        ("la app no funciona desde ayer, pésimo servicio", NEG),
        ("lost my luggage again @airline, this is ridiculous", NEG),
        ("my card keeps getting declined at every shop", NEG),
        ("the website is down and support won't reply", NEG),
    ],
)
def test_complaints(text: str, sentiment: dict[str, Any]) -> None:
    out = _judge(text, sentiment)
    assert out["is_complaint"], out
    assert out["score"] >= 0.5
    assert out["evidence"]


@pytest.mark.parametrize(
    ("text", "sentiment"),
    [
        ("I hate Mondays", NEG),
        ("this movie made me cry", NEG),
        ("I could kill for a coffee right now", NEG),
        ("my cat is sick, feeling awful", NEG),
        ("no complaints, the service was great", POS),
        ("how do I reset my PIN?", NEU),
        ("thanks @acmebank for fixing the outage so quickly!", POS),
        ("Acme Bank outage hits millions of customers https://news.example/a", NEG),
        ("wearing my Acme hoodie at grandma's 90th birthday!", POS),
        ("if my card gets charged twice I'll scream", NEU),
        ("the weather is ridiculous today", NEG),
        ("so sad the season finale is over", NEG),
        ("any recommendations for a good bank?", NEU),
        ("free crypto airdrop DM me, click the link", NEU),
        ("Mi perro está enfermo, qué tristeza", NEG),
    ],
)
def test_not_complaints(text: str, sentiment: dict[str, Any]) -> None:
    out = _judge(text, sentiment)
    assert not out["is_complaint"], out
    assert out["score"] < 0.5


def test_a_named_brand_is_a_stronger_target_than_nothing() -> None:
    bare = _judge("still waiting, so fed up", NEG)
    named = _judge("still waiting, so fed up with Acme", NEG, brands=ACME)
    assert named["score"] > bare["score"]
    assert named["is_complaint"]
    assert "target: Acme Bank" in named["evidence"]


def test_negative_sentiment_nudges_but_does_not_decide() -> None:
    neutral = _judge("my order is delayed", NEU)["score"]
    negative = _judge("my order is delayed", NEG)["score"]
    assert negative > neutral
    assert _judge("I hate everything", NEG)["score"] == 0.0


def test_tombstone_and_spam_are_no_complaints() -> None:
    assert _judge(None) == {"is_complaint": False, "score": 0.0, "evidence": []}
    post = Post(native_id="1", text="refund scam")
    out = read_complaint(post, {"intent": {"label": "spam", "scores": {}, "evidence": []}, "sentiment": NEU})
    assert out["is_complaint"] is False


def test_stage_contract() -> None:
    stage = ComplaintStage(StageContext())
    assert (stage.name, stage.requires, stage.provides) == (
        "complaint",
        ("brands", "intent", "sentiment"),
        ("complaint",),
    )
    posts = [Post(native_id="1", text="@bank charged twice"), Post(native_id="2", text=None)]
    known = [{"intent": read_intent(p.text or ""), "sentiment": NEG} for p in posts]
    out = stage.process(posts, known)
    assert out[0]["complaint"]["is_complaint"] is True
    assert out[1]["complaint"]["is_complaint"] is False
    assert pickle.loads(pickle.dumps(stage)).process(posts, known) == out


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=1500), st.sampled_from([NEG, NEU, POS, {}]))
def test_any_text_gives_valid_output(text: str, sentiment: dict[str, Any]) -> None:
    out = read_complaint(
        Post(native_id="x", text=text), {"intent": read_intent(text), "sentiment": sentiment}
    )
    assert set(out) == {"is_complaint", "score", "evidence"}
    assert 0.0 <= out["score"] <= 1.0
    assert out["is_complaint"] == (out["score"] >= 0.5)


@pytest.mark.parametrize(
    "text",
    [
        "@acmebank you promised the refund in 5 days. that was 3 weeks ago",
        "@courierco nobody can tell me where my parcel is",
        "@courierco tracking says delivered but it isn't here",
        "@railco the 8:10 is cancelled for the fourth time this week",
        "@shopco ordered a blue lamp, received someone else's kettle",
        "@telco the engineer was supposed to come on Monday. nobody came",
        "@acmebank you took £30 for a fee nobody mentioned",
        "@acmebank nadie me responde y llevo dos semanas esperando",
    ],
)
def test_breaches_of_expectation_are_complaints(text: str) -> None:
    out = _judge(text, NEU)
    assert out["is_complaint"], out


@pytest.mark.parametrize(
    "text",
    [
        "counting down the days until my holiday, 3 weeks to go!",
        "I've been running for 20 minutes and I already want to stop",
        "is there a good guide for the new expansion? I'm lost",
        "3rd time watching this film and I still cry at the end",
    ],
)
def test_time_and_repetition_alone_are_no_complaint(text: str) -> None:
    assert not _judge(text, NEU)["is_complaint"]


def test_negativity_without_a_failure_ranks_but_never_decides() -> None:
    negative = {"label": "negative", "score": -0.8, "probabilities": {"negative": 0.9}}
    out = _judge("@acmebank honestly what is this", negative)
    assert out["is_complaint"] is False
    assert 0.0 < out["score"] < 0.5
    assert out["evidence"][0] == "negative sentiment, no failure named"
    assert _judge("@acmebank honestly what is this", NEU)["score"] == 0.0


def test_a_care_reply_apologising_is_not_the_authors_complaint() -> None:
    out = _judge("@ben_k We're sorry your order was late, Ben. Please DM us your order number.", NEU)
    assert not out["is_complaint"]
    assert "reads as a care agent's reply" in out["evidence"]


def test_a_quoted_status_is_a_breach() -> None:
    assert _judge('@courierco my parcel has said "arriving today" for a week', NEU)["is_complaint"]
