"""Suggested answers: the right source ranks first, for both encoders, with citations."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from goodwill import embeddings as minilm  # where the encoder's loader lives now
from goodwill.care.encoder import Encoder, TfidfEncoder, default_encoder, encoder_named
from goodwill.care.knowledge import load_knowledge_base, split_markdown
from goodwill.care.minilm import MiniLMEncoder, embeddings_available
from goodwill.care.suggest import Citation, PastReply, Suggester
from goodwill.errors import InputError, ModelError

KB = Path(__file__).parent / "knowledge_base"

REPLIES = [
    PastReply("r1", "@AcmeHelp I sent money to my landlord 3 days ago and it still hasn't arrived",
              "Sorry for the wait! Transfers to a new payee can be held for a security check. It usually "
              "clears within a day; if it still hasn't arrived tomorrow, reply here and we'll chase it."),
    PastReply("r2", "how do I change my address on my account? just moved",
              "You can change your address in the app under Profile > Personal details; it updates your "
              "cards and statements too."),
    PastReply("r3", "Moving house next week, where do I update my address?",
              "You can change your address in the app under Profile > Personal details; it updates your "
              "cards and statements too."),
    PastReply("r4", "can I still get paper statements from @acmebank",
              "Yes: order paper statements in the app under Documents > Statements, 2 pounds a month."),
    PastReply("r5", "is Acme down again? app won't open for me",
              "We had a short outage this morning; everything is back. The status page shows any live "
              "incident: https://status.acmebank.example"),
]  # fmt: skip

QUERIES = [
    ("@acmebank I've been charged twice for the same coffee this morning?? what happens now",
     "payments.md > Payments > Charged twice"),
    ("lost my debit card on the train last night, what should I do @acmebank",
     "cards.md > Cards > Lost or stolen card"),
    ("@AcmeHelp my rent transfer still hasn't reached my landlord, I sent it on Monday", "reply r1"),
    # r2 and r3 give the same answer; r3's post is the closer one, and the answer is suggested once.
    ("moved house last month, how do I update my address with Acme?", "reply r3"),
    ("can't log in to the acme app since the update, it keeps saying my passcode is wrong",
     "help/app.md > The Acme app > Can't log in"),
    ("my acme card keeps getting declined abroad in Spain, help",
     "payments.md > Payments > Card declined abroad"),
]  # fmt: skip


def build(encoder: Encoder) -> Suggester:
    return Suggester(replies=REPLIES, sections=load_knowledge_base(KB), encoder=encoder)


@pytest.fixture(scope="module")
def tfidf() -> Suggester:
    return build(TfidfEncoder())


@pytest.fixture(scope="module")
def embedded() -> Suggester:
    assert embeddings_available(), "the dev install includes goodwill[embeddings]"
    return build(MiniLMEncoder(threads=1))


@pytest.mark.parametrize(("query", "source"), QUERIES)
def test_tfidf_ranks_the_right_source_first(tfidf: Suggester, query: str, source: str) -> None:
    best = tfidf.suggest(query)
    assert best, "no suggestion at all"
    assert str(best[0].citation) == source, [(str(s.citation), s.score) for s in best]


@pytest.mark.parametrize(("query", "source"), QUERIES)
def test_embeddings_rank_the_right_source_first(embedded: Suggester, query: str, source: str) -> None:
    best = embedded.suggest(query)
    assert best
    assert str(best[0].citation) == source, [(str(s.citation), s.score) for s in best]


def test_embeddings_match_paraphrase_that_shares_no_words(embedded: Suggester) -> None:
    best = embedded.suggest("someone nicked my wallet with my bank card in it")
    assert str(best[0].citation) == "cards.md > Cards > Lost or stolen card"


def test_suggestions_cite_and_carry_the_answer(tfidf: Suggester) -> None:
    (first, *_) = tfidf.suggest("charged twice for one payment")
    assert first.citation == Citation(
        "knowledge", path="payments.md", headings=("Payments", "Charged twice"), anchor="charged-twice"
    )
    assert first.text.startswith("If the same card payment shows twice")
    assert 0 < first.score <= 1
    (reply, *_) = tfidf.suggest("paper statements please")
    assert reply.citation == Citation("reply", reply_id="r4")
    assert reply.text == REPLIES[3].reply_text


def test_identical_answers_are_suggested_once(embedded: Suggester, tfidf: Suggester) -> None:
    for suggester in (embedded, tfidf):
        texts = [s.text for s in suggester.suggest("how do I change my address", limit=5, min_score=0.0)]
        assert len(texts) == len(set(texts))
        assert texts[0] == REPLIES[1].reply_text


def test_limits_thresholds_and_batches(tfidf: Suggester) -> None:
    assert len(tfidf.suggest("card", limit=2, min_score=0.0)) == 2
    assert tfidf.suggest("zzqx unrelated gibberish", min_score=0.05) == []
    batch = tfidf.suggest_many([QUERIES[0][0], QUERIES[1][0]])
    assert [str(b[0].citation) for b in batch] == [QUERIES[0][1], QUERIES[1][1]]
    assert tfidf.suggest_many([]) == []


def test_an_empty_index_suggests_nothing() -> None:
    assert Suggester(encoder=TfidfEncoder()).suggest("anything") == []
    only_stop_words = Suggester(replies=[PastReply("r", "the and", "it is")], encoder=TfidfEncoder())
    assert only_stop_words.suggest("the card") == []


def test_both_encoders_agree_on_the_first_source(embedded: Suggester, tfidf: Suggester) -> None:
    queries = [q for q, _ in QUERIES]
    mine = [str(s[0].citation) for s in embedded.suggest_many(queries)]
    theirs = [str(s[0].citation) for s in tfidf.suggest_many(queries)]
    assert mine == theirs == [source for _, source in QUERIES]


def test_seen_texts_are_not_embedded_again(monkeypatch: pytest.MonkeyPatch) -> None:
    encoder = MiniLMEncoder(threads=1, cache_size=2)
    embedded: list[str] = []
    real = encoder._embed

    def counting(texts: list[str]) -> object:
        embedded.extend(texts)
        return real(texts)

    monkeypatch.setattr(encoder, "_embed", counting)
    first = encoder.encode(["card frozen", "card frozen", "refund late"])
    assert embedded == ["card frozen", "refund late"]  # a repeated text is embedded once
    again = encoder.encode(["refund late", "new text"])
    assert embedded == ["card frozen", "refund late", "new text"]
    assert abs(again[0] - first[2]).max() == 0
    assert list(encoder._cache) == ["refund late", "new text"]  # the oldest went past cache_size


def test_embedding_vectors_are_unit_length_and_order_independent() -> None:
    encoder = MiniLMEncoder(threads=1, batch_size=2, cache_size=0)
    texts = ["short", "a much longer sentence about a refund that arrived late", "card frozen"]
    vectors = encoder.encode(texts)
    assert vectors.shape == (3, 384)
    assert abs(float((vectors**2).sum(axis=1).min()) - 1.0) < 1e-5
    again = encoder.encode(list(reversed(texts)))
    assert abs(vectors - again[::-1]).max() < 1e-5


# --- choosing the encoder ----------------------------------------------------------------------------------


def test_default_is_minilm_when_installed_and_tfidf_when_not(monkeypatch: pytest.MonkeyPatch) -> None:
    assert isinstance(default_encoder(), MiniLMEncoder)
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # as if the extra were not installed
    assert not embeddings_available()
    assert isinstance(default_encoder(), TfidfEncoder)
    assert isinstance(encoder_named("auto"), TfidfEncoder)
    assert isinstance(encoder_named("tfidf"), TfidfEncoder)


def test_missing_model_package_raises_the_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(minilm, "_package_dir", lambda name: None)
    minilm._load.cache_clear()
    try:
        with pytest.raises(ModelError, match=r"pip install 'goodwill\[embeddings\]'"):
            MiniLMEncoder().encode(["hello"])
    finally:
        minilm._load.cache_clear()


def test_tfidf_must_be_fitted_first() -> None:
    with pytest.raises(ModelError, match="before fit"):
        TfidfEncoder().encode(["x"])
    with pytest.raises(ModelError, match="unknown encoder"):
        encoder_named("bert")  # type: ignore[arg-type]


# --- the knowledge base ------------------------------------------------------------------------------------


def test_knowledge_base_is_split_into_cited_sections() -> None:
    sections = load_knowledge_base(KB)
    assert [s.cite for s in sections] == [
        "cards.md > Cards",
        "cards.md > Cards > Lost or stolen card",
        "cards.md > Cards > Contactless limit",
        "help/app.md > The Acme app > Can't log in",
        "help/app.md > The Acme app > Notifications",
        "help/status.md > Service status > Where to check for outages",
        "payments.md > Payments",
        "payments.md > Payments > Charged twice",
        "payments.md > Payments > Card declined abroad",
        "payments.md > Payments > Standing orders",
    ]
    contactless = sections[2]
    assert "## This is not a heading" in contactless.text  # fenced code stays text
    assert not any("owner: payments team" in s.text for s in sections)  # front matter is skipped
    assert sections[3].anchor == "cant-log-in"


def test_markdown_split_handles_levels_and_text_before_the_first_heading() -> None:
    text = "Intro line.\n# A\n## B\nbody b\n### C ###\nbody c\n## D\nbody d\n# E\n- item\n---\nafter rule\n"
    sections = split_markdown(text, path="x.md")
    assert [(s.headings, s.text) for s in sections] == [
        ((), "Intro line."),
        (("A", "B"), "body b"),
        (("A", "B", "C"), "body c"),
        (("A", "D"), "body d"),
        (("E",), "- item\n---\nafter rule"),
    ]
    assert sections[0].cite == "x.md"


def test_a_missing_folder_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a folder"):
        load_knowledge_base(tmp_path / "nope")


@given(st.text(alphabet=st.sampled_from("#=-`~ \nab1>*"), max_size=200))
def test_any_markdown_splits_into_text_it_contains(text: str) -> None:
    for section in split_markdown(text):
        assert section.text.strip() == section.text and section.text
        for line in section.text.splitlines():
            assert line in text


def test_build_suggester_from_config(tmp_path: Path) -> None:
    from goodwill.care.config import CareConfig
    from goodwill.care.suggest import build_suggester

    care = CareConfig(knowledge_base="kb", encoder="tfidf")
    assert care.knowledge_base_path(tmp_path) == tmp_path / "kb"
    assert CareConfig().knowledge_base_path(tmp_path) is None
    suggester = build_suggester(REPLIES, knowledge_base=KB, encoder=care.encoder)
    assert suggester.encoder.name == "tfidf"
    assert len(suggester) == len(REPLIES) + 8  # ten sections, less the Cards and Payments overviews
    assert str(suggester.suggest(QUERIES[0][0])[0].citation) == QUERIES[0][1]
