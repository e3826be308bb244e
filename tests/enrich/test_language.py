"""The language stage: ISO 639-1 codes from the network's tag or from py3langid, "und" when unsure."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from goodwill.config import WorkspaceConfig
from goodwill.enrich.language import LanguageStage, _encode, _shared_scorer, normalise_tag
from goodwill.enrich.stage import Stage, StageContext
from goodwill.models import Post


@pytest.fixture(scope="module")
def stage() -> LanguageStage:
    return LanguageStage(StageContext())


def _posts(*texts: str | None, lang: str | None = None) -> list[Post]:
    return [Post(native_id=str(i), text=t, lang=lang) for i, t in enumerate(texts)]


def _run(stage: LanguageStage, posts: list[Post]) -> list[str]:
    return [r["language"] for r in stage.process(posts, [{} for _ in posts])]


def test_is_a_stage(stage: LanguageStage) -> None:
    assert isinstance(stage, Stage)
    assert (stage.name, stage.requires, stage.provides) == ("language", (), ("language",))


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("My card got declined again and nobody at the bank answers the phone", "en"),
        ("Quiero cancelar mi cuenta, el servicio es terrible", "es"),
        ("Le service client ne répond jamais à mes messages", "fr"),
        ("Warum ist die App schon wieder kaputt? Das nervt total", "de"),
        ("アプリが使えません。どうすればいいですか", "ja"),
        ("@acmebank Quiero cancelar mi cuenta https://t.co/abc #fail", "es"),
    ],
)
def test_detects_common_languages(stage: LanguageStage, text: str, code: str) -> None:
    assert _run(stage, _posts(text)) == [code]


@pytest.mark.parametrize("text", ["😀😀😀", "ok", "", "   ", "@acme https://t.co/x #win", "12345 !!!"])
def test_too_little_prose_is_undetermined(stage: LanguageStage, text: str) -> None:
    assert _run(stage, _posts(text)) == ["und"]


def test_tombstone_is_undetermined(stage: LanguageStage) -> None:
    assert _run(stage, _posts(None)) == ["und"]


def test_network_tag_is_trusted_and_normalised(stage: LanguageStage) -> None:
    assert _run(stage, _posts("Quiero cancelar mi cuenta", lang="en-US")) == ["en"]
    assert _run(stage, _posts("Quiero cancelar mi cuenta", lang="und")) == ["es"]


@pytest.mark.parametrize(
    ("tag", "expected"),
    [("en-US", "en"), ("pt_BR", "pt"), ("iw", "he"), ("in", "id"), ("qme", "und"), ("zxx", "und"),
     ("und", None), ("", None), (None, None), ("eng", "en"), ("???", None)],
)  # fmt: skip
def test_normalise_tag(tag: str | None, expected: str | None) -> None:
    assert normalise_tag(tag) == expected


def test_batch_scorer_matches_py3langid() -> None:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    reference = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    scorer = _shared_scorer()
    texts = ["Hola, ¿cómo estás?", "my card got declined", "ありがとう", "x", "", "СПАСИБО БОЛЬШОЕ"]
    encoded = [_encode(t) for t in texts]
    probabilities = scorer.probabilities(encoded)
    for data, row in zip(encoded, probabilities, strict=True):
        for label, expected in reference.rank(data)[:5]:
            assert row[scorer.labels.index(label)] == pytest.approx(expected, abs=1e-5)


def test_configured_languages_break_ties() -> None:
    plain = LanguageStage(StageContext())
    danish = LanguageStage(StageContext(config=WorkspaceConfig(languages=["da"])))
    text = "I love it"
    assert _run(plain, _posts(text)) == ["en"]
    assert _run(danish, _posts(text)) in (["en"], ["da"])


def test_pickles_without_the_model(stage: LanguageStage) -> None:
    _run(stage, _posts("hello there my friend"))
    clone = pickle.loads(pickle.dumps(stage))
    assert clone._scorer is None
    assert _run(clone, _posts("Danke, das ist sehr gut")) == ["de"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text()), max_size=8))
def test_any_text_gives_a_code(texts: list[str | None]) -> None:
    stage = _shared_stage()
    codes = _run(stage, _posts(*texts))
    assert len(codes) == len(texts)
    assert all(isinstance(c, str) and 2 <= len(c) <= 3 for c in codes)


_SHARED: list[LanguageStage] = []


def _shared_stage() -> LanguageStage:
    if not _SHARED:
        _SHARED.append(LanguageStage(StageContext()))
    return _SHARED[0]
