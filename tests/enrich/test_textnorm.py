"""Text folding and entity extraction: what every stage agrees a handle, tag or link is."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from goodwill.enrich.textnorm import (
    CASHTAG_RE,
    HANDLE_RE,
    HASHTAG_RE,
    URL_RE,
    fold,
    fold_aligned,
    leading_handles,
    prose_words,
    strip_entities,
)


def test_fold_strips_case_and_diacritics() -> None:
    assert fold("Acmé BANK") == "acme bank"
    assert fold("ＡＣＭＥ") == "acme"
    assert fold("Straße") == "strasse"
    assert fold("Crème Brûlée") == "creme brulee"


def test_fold_aligned_maps_back_to_the_original() -> None:
    text = "Straße Acmé"
    folded, origin = fold_aligned(text)
    assert folded == "strasse acme"
    assert origin is not None
    start = folded.index("acme")
    assert text[origin[start] : origin[start + 4]] == "Acmé"


def test_fold_aligned_has_no_map_when_positions_do_not_move() -> None:
    assert fold_aligned("Acmé") == ("acme", None)
    assert fold_aligned("plain ascii") == ("plain ascii", None)


def test_entities_are_found() -> None:
    text = "RT @acme: hi @bob@mastodon.social #Acme $ACME $20 https://t.co/x www.acme.example x@y.com &#39;"
    assert HANDLE_RE.findall(text) == ["acme", "bob@mastodon.social"]
    assert HASHTAG_RE.findall(text) == ["Acme"]
    assert CASHTAG_RE.findall(text) == ["ACME"]
    assert URL_RE.findall(text) == ["https://t.co/x", "www.acme.example"]


def test_strip_entities_keeps_only_prose() -> None:
    stripped = strip_entities("RT @acme: hola amigos https://t.co/x #Acme $ACME 😀")
    assert stripped.split() == ["hola", "amigos"]


def test_prose_words_drop_entities_and_retweet_marker() -> None:
    assert prose_words("rt @bob: my card https://t.co/x is #broken") == ["my", "card", "is"]


def test_leading_handles_is_the_reply_chain() -> None:
    assert leading_handles("@acmebank @bob thanks for nothing @carl") == ["acmebank", "bob"]
    assert leading_handles("RT @acmebank: new rates") == []
    assert leading_handles("thanks @acmebank") == []


@given(st.text())
def test_fold_never_fails_and_is_idempotent_in_case(text: str) -> None:
    folded = fold(text)
    assert fold(folded) == fold(folded.casefold())


@given(st.text())
def test_fold_aligned_agrees_with_fold(text: str) -> None:
    folded, origin = fold_aligned(text)
    assert folded == fold(text)
    if origin is None:
        assert len(folded) == len(text)
    else:
        assert len(origin) == len(folded) + 1
        assert origin == sorted(origin)
        assert all(0 <= i <= len(text) for i in origin)


@given(st.text())
def test_extractors_never_fail(text: str) -> None:
    strip_entities(text)
    prose_words(text)
    leading_handles(text)


def test_cue_tokens_undo_elongation_at_word_ends_only() -> None:
    from goodwill.enrich.cues import tokens

    assert tokens("pleaseeee help AGAINNNN sooo") == ("please", "help", "again", "so")
    assert tokens("coool 1000 hmm") == ("coool", "1000", "hmm")
