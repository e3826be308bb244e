"""The receptivity stage: a reply needs evidence, and never goes to spam or a rival's complaint."""

from __future__ import annotations

import pickle
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from goodwill.config import BrandSpec, WorkspaceConfig
from goodwill.enrich.complaint import read_complaint
from goodwill.enrich.intent import read_intent
from goodwill.enrich.receptivity import ReceptivityStage
from goodwill.enrich.stage import StageContext
from goodwill.models import Author, Post

CONFIG = WorkspaceConfig(
    brands=[
        BrandSpec(
            name="Acme Bank",
            aliases=["Acme"],
            handles={"x": ["acmebank", "AcmeHelp"]},
            category=["bank", "credit card"],
        )
    ],
    competitors=[BrandSpec(name="Globex Bank", aliases=["Globex"], handles={"x": ["globexbank"]})],
)
STAGE = ReceptivityStage(StageContext(config=CONFIG))
NOT_SPAM = {"is_spam": False, "duplicate_of": None, "reasons": []}
NEUTRAL = {"label": "neutral", "score": 0.0, "probabilities": {}}


def _brands(text: str) -> list[dict[str, Any]]:
    """What the mentions stage would say, built by hand so these tests stand alone."""
    lowered = text.lower()
    out: list[dict[str, Any]] = []
    if "acme" in lowered:
        out.append(
            {"name": "Acme Bank", "role": "brand", "addressed": "@acme" in lowered, "matched": ["Acme"]}
        )
    if "globex" in lowered:
        out.append(
            {
                "name": "Globex Bank",
                "role": "competitor",
                "addressed": "@globex" in lowered,
                "matched": ["Globex"],
            }
        )
    return out


def _judge(
    text: str | None,
    *,
    reply_to: str | None = None,
    spam: dict[str, Any] | None = None,
    author: str = "someone",
) -> dict[str, Any]:
    post = Post(native_id="1", text=text, reply_to=reply_to, author=Author(handle=author))
    known: dict[str, Any] = {
        "brands": _brands(text or ""),
        "spam": spam or NOT_SPAM,
        "sentiment": NEUTRAL,
        "intent": read_intent(text or ""),
    }
    known["complaint"] = read_complaint(post, known)
    return STAGE.judge(post, known)


WELCOME = [
    ("@acmebank my card was charged twice and I'm still waiting for a refund", "addressed to @acmebank"),
    ("@acmebank how do I reset my PIN?", "asks a question about Acme Bank"),
    ("I can't log in to the Acme app, please help", "help request"),
    ("@AcmeHelp are you open on Sunday?", "addressed to @acmehelp"),
    ("any alternatives to Globex? their app is awful", "asks for alternatives"),
    ("thinking of switching from Globex, which bank should I go with?", "asks for alternatives"),
    ("any recommendations for a good bank?", "category (bank)"),
    ("Can anyone recommend a credit card with no foreign fees?", "category (credit card)"),
    ("thinking of opening an Acme account, is it worth it?", "purchase intent"),
    ("@acmebank it would be nice if the app had dark mode", "product feedback"),
    ("Thank you @acmebank for sorting my card so quickly, great service!", "thanks Acme Bank directly"),
    ("my Acme card was declined at the store, what do I do?", "help request"),
    ("@acmebank la app no funciona, ayuda por favor", "addressed to @acmebank"),
    ("great, another outage @acmebank. love how this happens every payday", "complaint addressed"),
    ("does Acme let you open a joint account online?", "asks a question about Acme Bank"),
    ("is Acme better than Globex for students?", "asks a question about Acme Bank"),
    ("Globex just raised fees again. what are the alternatives these days?", "asks for alternatives"),
]


@pytest.mark.parametrize(("text", "reason"), WELCOME)
def test_welcome_with_a_readable_reason(text: str, reason: str) -> None:
    out = _judge(text)
    assert out["welcome"] is True, out
    assert out["score"] >= 0.5
    assert any(reason in r for r in out["reasons"]), out["reasons"]
    assert out["brand"] == "Acme Bank"


NOT_WELCOME = [
    ("wearing my Acme hoodie at grandma's 90th birthday!", "personal context"),
    ("I could kill for a coffee, Acme card in hand", "in passing"),
    ("@globexbank charged me twice again, useless", "never pile on"),
    ("Globex is down again, worst bank ever", "never pile on"),
    ("just paid with Globex, nice day", "no request for alternatives"),
    ("BREAKING: Acme Bank announces layoffs https://news.example/x", "shares news"),
    ("lol Acme is down again 😂", "joke"),
    ("haha Acme is the worst at this", "joke"),
    ("any recommendations for a good pizza place?", "nothing asks"),
    ("I hate Mondays", "nothing asks"),
    ("this movie made me cry", "nothing asks"),
    ("our wedding photos came out great, paid it all with my Acme card", "personal context"),
    ("RIP grandpa, you always said Acme was the only bank worth trusting", "personal context"),
    ("Acme Bank", "in passing"),
    ("Ich liebe meine Acme Karte", "in passing"),
]


@pytest.mark.parametrize(("text", "counter"), NOT_WELCOME)
def test_not_welcome_with_a_counter_reason(text: str, counter: str) -> None:
    out = _judge(text)
    assert out["welcome"] is False, out
    assert any(counter in r for r in out["counter_reasons"]), out["counter_reasons"]


def test_a_question_that_is_not_about_the_brand_needs_more_than_a_mention() -> None:
    out = _judge("my Acme hoodie is the comfiest. what time does the match start tonight?")
    assert out["welcome"] is False, out


def test_spam_is_never_welcome_even_when_addressed() -> None:
    flagged = {"is_spam": True, "duplicate_of": None, "reasons": ["crypto or forex pump"]}
    out = _judge("@acmebank how do I reset my PIN?", spam=flagged)
    assert out["welcome"] is False
    assert out["score"] == 0.0
    assert "spam" in out["counter_reasons"][0]
    assert _judge("@acmebank free crypto airdrop, DM me, click the link in bio")["welcome"] is False


def test_the_brands_own_posts_are_never_welcome() -> None:
    out = _judge("@acmebank how do I reset my PIN?", author="AcmeBank")
    assert out["welcome"] is False
    assert out["counter_reasons"] == ["posted by the brand itself"]


@pytest.mark.parametrize(
    "text",
    ["Acme charged me twice this month and nobody answers", "Acme app keeps crashing every time I open it"],
)
def test_a_complaint_about_us_not_told_to_us_is_evidence_but_not_an_invitation(text: str) -> None:
    """Precision first: venting about a brand is not asking it to step in; asking for help is."""
    out = _judge(text)
    assert out["welcome"] is False, out
    assert any("complaint about Acme Bank" in r for r in out["reasons"]), out["reasons"]
    asked = _judge(text + ", can anyone help?")
    assert asked["welcome"] is True and asked["score"] > out["score"], asked


def test_a_reply_in_someone_elses_conversation_counts_against() -> None:
    alone = _judge("Acme charged me twice this month")
    inside = _judge("@dave Acme charged me twice this month", reply_to="42")
    assert inside["score"] < alone["score"]
    assert any("someone else's conversation" in r for r in inside["counter_reasons"])


def test_tombstone() -> None:
    out = _judge(None)
    assert out == {
        "welcome": False,
        "score": 0.0,
        "reasons": [],
        "counter_reasons": ["no text (deleted or empty post)"],
        "brand": None,
    }


def test_no_category_configured_means_no_brandless_welcome() -> None:
    stage = ReceptivityStage(StageContext(config=WorkspaceConfig.from_names(["Acme"], [])))
    post = Post(native_id="1", text="any recommendations for a good bank?")
    known = {"brands": [], "spam": NOT_SPAM, "sentiment": NEUTRAL, "intent": read_intent(post.text or "")}
    known["complaint"] = read_complaint(post, known)
    assert stage.judge(post, known)["welcome"] is False


def test_stage_contract_and_pickle() -> None:
    assert STAGE.requires == ("brands", "intent", "complaint", "sentiment", "spam")
    assert STAGE.provides == ("receptivity",)
    posts = [Post(native_id="1", text="@acmebank help, can't log in"), Post(native_id="2", text=None)]
    known: list[dict[str, Any]] = []
    for post in posts:
        k: dict[str, Any] = {
            "brands": _brands(post.text or ""),
            "spam": NOT_SPAM,
            "sentiment": NEUTRAL,
            "intent": read_intent(post.text or ""),
        }
        k["complaint"] = read_complaint(post, k)
        known.append(k)
    out = STAGE.process(posts, known)
    assert [set(o) for o in out] == [{"receptivity"}] * 2
    assert out[0]["receptivity"]["welcome"] is True
    assert pickle.loads(pickle.dumps(STAGE)).process(posts, known) == out


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=1500), st.booleans())
def test_any_text_gives_valid_output(text: str, reply: bool) -> None:
    out = _judge(text, reply_to="1" if reply else None)
    assert set(out) == {"welcome", "score", "reasons", "counter_reasons", "brand"}
    assert 0.0 <= out["score"] <= 1.0
    assert isinstance(out["welcome"], bool)
    assert all(isinstance(r, str) for r in out["reasons"] + out["counter_reasons"])
    if out["welcome"]:
        assert out["reasons"]
