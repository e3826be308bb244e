"""The spam stage: promotional cues with reasons, and near-duplicates within a run."""

from __future__ import annotations

import pickle
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from goodwill.enrich.spam import SpamStage
from goodwill.enrich.stage import Stage, StageContext
from goodwill.models import Author, Post

COMPLAINT = "My Acme card was declined three times today and nobody answers the phone"


def _judge(stage: SpamStage, *texts: str | None, prefix: str = "p") -> list[dict[str, Any]]:
    posts = [Post(native_id=f"{prefix}{i}", text=t) for i, t in enumerate(texts)]
    return [r["spam"] for r in stage.process(posts, [{} for _ in posts])]


def test_is_a_stage() -> None:
    stage = SpamStage(StageContext())
    assert isinstance(stage, Stage)
    assert (stage.name, stage.requires, stage.provides) == ("spam", (), ("spam",))


def test_honest_post_with_a_link_is_not_spam() -> None:
    [result] = _judge(
        SpamStage(), "Acme's new savings app is out, looks decent: https://acmebank.example/app"
    )
    assert result == {"is_spam": False, "duplicate_of": None, "reasons": [], "score": 0.0}


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            "🚀🚀🚀🚀 $PEPE presale LIVE now, 100x gem, DM me for the whitelist, link in bio",
            "crypto or forex pump",
        ),
        ("GIVEAWAY!!! Win a free iPhone 15, follow me and RT to win, link in bio", "giveaway"),
        ("Follow for follow #f4f #followback #instagood #love #like #photooftheday", "follow-for-follow"),
        ("Earn $500 per day with forex signals, WhatsApp +1 555 123 4567", "messaging-app contact"),
        ("Hot singles near you, click here https://x.example/a", "adult content promotion"),
    ],
)
def test_promotional_spam_is_flagged_with_reasons(text: str, reason: str) -> None:
    [result] = _judge(SpamStage(), text)
    assert result["is_spam"] is True
    assert reason in result["reasons"]
    assert 0.5 <= result["score"] <= 1.0


@pytest.mark.parametrize(
    "text",
    [
        "I called customer service at 1-800-555-0199 and waited an hour",
        "Can you DM me the details of my account? @acmebank",
        "Does anyone know if Acme's card works abroad?",
        "WHY IS THE APP DOWN AGAIN",
    ],
)
def test_one_weak_cue_is_not_spam(text: str) -> None:
    assert _judge(SpamStage(), text)[0]["is_spam"] is False


def test_retweet_and_small_edit_are_near_duplicates() -> None:
    results = _judge(
        SpamStage(),
        COMPLAINT + " https://acme.example/help",
        "RT @bob: " + COMPLAINT + " https://acme.example/help",
        COMPLAINT.replace("three", "4") + "!!",
        COMPLAINT.replace("phone", "telephone line"),
    )
    assert [r["duplicate_of"] for r in results] == [None, "p0", "p0", "p0"]
    assert not any(r["is_spam"] for r in results)


def test_different_posts_are_not_duplicates() -> None:
    results = _judge(
        SpamStage(),
        COMPLAINT,
        "Acme's new savings account looks decent, has anyone tried it yet?",
        "The Acme branch on Main Street closes at five on Saturdays now",
    )
    assert [r["duplicate_of"] for r in results] == [None, None, None]


def test_short_posts_are_never_duplicates() -> None:
    assert [r["duplicate_of"] for r in _judge(SpamStage(), "thanks!", "thanks!", "ok great thanks")] == [
        None,
        None,
        None,
    ]


def test_repeated_promo_becomes_spam_after_three_copies() -> None:
    texts = [
        f"Check out this amazing deal on sneakers today only at https://x{i}.example/r @u{i}"
        for i in range(5)
    ]
    results = _judge(SpamStage(), *texts)
    assert [r["duplicate_of"] for r in results] == [None, "p0", "p0", "p0", "p0"]
    assert [r["is_spam"] for r in results] == [False, False, False, True, True]
    assert "same text posted 4 times" in results[3]["reasons"]


def test_repeated_plain_text_without_link_is_not_spam() -> None:
    results = _judge(SpamStage(), *[COMPLAINT] * 5)
    assert not any(r["is_spam"] for r in results)
    assert results[-1]["duplicate_of"] == "p0"


def test_memory_spans_batches_and_survives_pickling() -> None:
    stage = SpamStage()
    _judge(stage, COMPLAINT, prefix="a")
    clone = pickle.loads(pickle.dumps(stage))
    assert _judge(clone, COMPLAINT, prefix="b")[0]["duplicate_of"] == "a0"
    assert _judge(stage, COMPLAINT, prefix="c")[0]["duplicate_of"] == "a0"


def test_same_post_seen_again_is_not_its_own_duplicate() -> None:
    stage = SpamStage()
    _judge(stage, COMPLAINT)
    assert _judge(stage, COMPLAINT)[0]["duplicate_of"] is None


def test_memory_is_bounded() -> None:
    stage = SpamStage(memory=10)
    _judge(
        stage, *[f"post number {w} about the acme bank branch today" for w in "abcdefghijklmnopqrstuvwxyz"]
    )
    assert sum(len(e) for e in stage._entries) <= 20


def test_tombstone() -> None:
    assert _judge(SpamStage(), None) == [
        {"is_spam": False, "duplicate_of": None, "reasons": [], "score": 0.0}
    ]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text()), max_size=8))
def test_any_text_gives_valid_shape(texts: list[str | None]) -> None:
    for result in _judge(SpamStage(), *texts):
        assert set(result) == {"is_spam", "duplicate_of", "reasons", "score"}
        assert isinstance(result["is_spam"], bool)
        assert result["duplicate_of"] is None or isinstance(result["duplicate_of"], str)
        assert all(isinstance(r, str) for r in result["reasons"])
        assert 0.0 <= result["score"] <= 1.0


def test_judging_the_same_batch_again_gives_the_same_answer() -> None:
    stage = SpamStage()
    texts = [f"Check out this amazing deal on sneakers today only at https://x{i}.example" for i in range(5)]
    assert _judge(stage, *texts) == _judge(stage, *texts)


def test_a_headline_shared_by_many_accounts_is_not_spam() -> None:
    headline = "Corvid Telecom fined over billing errors, regulator says"
    posts = [
        Post(
            native_id=f"n{i}",
            text=f"{headline} https://news{i}.example/a",
            author=Author(handle=f"reader{i}"),
        )
        for i in range(6)
    ]
    results = [r["spam"] for r in SpamStage().process(posts, [{} for _ in posts])]
    assert [r["duplicate_of"] for r in results] == [None] + ["n0"] * 5
    assert not any(r["is_spam"] for r in results)


def test_one_account_repeating_a_link_is_spam() -> None:
    text = "Corvid Telecom fined over billing errors, regulator says https://news.example/a"
    posts = [Post(native_id=f"n{i}", text=text, author=Author(handle="bot")) for i in range(5)]
    results = [r["spam"] for r in SpamStage().process(posts, [{} for _ in posts])]
    assert [r["is_spam"] for r in results] == [False, False, False, True, True]


def test_care_replies_asking_to_dm_are_not_spam() -> None:
    texts = [f"Hi {n}, really sorry about the wait. Please DM us and we'll chase this" for n in "ABCDEF"]
    assert not any(r["is_spam"] for r in _judge(SpamStage(), *texts))


def test_only_the_first_words_of_a_long_post_make_its_fingerprint() -> None:
    from goodwill.enrich.spam import MAX_FINGERPRINT_WORDS

    opening = " ".join(f"word{i}" for i in range(MAX_FINGERPRINT_WORDS))
    # The same opening, then endings with nothing in common (each longer than the opening itself):
    # past the cut they cost nothing and change nothing.
    first = opening + " " + " ".join(f"tail{i}" for i in range(3 * MAX_FINGERPRINT_WORDS))
    second = opening + " " + " ".join(f"other{i}" for i in range(3 * MAX_FINGERPRINT_WORDS))
    different_opening = " ".join(f"else{i}" for i in range(MAX_FINGERPRINT_WORDS)) + " " + opening
    results = _judge(SpamStage(), first, second, different_opening)
    assert [r["duplicate_of"] for r in results] == [None, "p0", None]
