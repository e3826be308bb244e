"""The MiniLM encoder's batching: token-sorted, per-batch padding gives the vectors it gave before.

``data/minilm_reference.npz`` holds vectors computed by the previous encoder
(tokenizer padding, batches sorted by characters, one text per batch) for a
fixed set of texts: a tweet, a handle, a one-word post, an empty post, emoji,
Spanish and a text past the model's 256-token window.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from goodwill import embeddings
from goodwill.embeddings import MAX_TOKENS, MiniLMEncoder
from goodwill.errors import ModelError

REFERENCE = Path(__file__).parent / "data" / "minilm_reference.npz"


@pytest.fixture(scope="module")
def reference() -> tuple[list[str], np.ndarray]:
    with np.load(REFERENCE) as npz:
        return [str(t) for t in npz["texts"]], npz["vectors"]


@pytest.mark.parametrize("batch_size", [1, 3, 64])
def test_vectors_match_the_previous_encoder(reference: tuple[list[str], np.ndarray], batch_size: int) -> None:
    texts, expected = reference
    got = MiniLMEncoder(threads=1, batch_size=batch_size, cache_size=0).encode(texts)
    assert got.shape == expected.shape == (7, 384)
    # Padding is masked out, so batch mates do not change a vector beyond float rounding.
    assert float(np.abs(got - expected).max()) < 1e-5
    assert float((got * expected).sum(axis=1).min()) > 0.99999


def test_batches_are_sorted_by_tokens_and_padded_to_their_longest(monkeypatch: pytest.MonkeyPatch) -> None:
    session, tokenizer = embeddings._load(1)
    shapes: list[tuple[int, int]] = []

    class Recording:
        def run(self, names: list[str], feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
            shapes.append(feeds["input_ids"].shape)
            assert (feeds["attention_mask"].sum(axis=1) > 0).all()
            result: list[np.ndarray] = session.run(names, feeds)
            return result

    def recording(threads: int, quantized: bool = False, stop_at: str | None = None) -> tuple[object, object]:
        return Recording(), tokenizer

    monkeypatch.setattr(embeddings, "_load", recording)
    texts = ["a much longer sentence about a refund that arrived late", "hi", "card frozen", "ok"]
    MiniLMEncoder(threads=1, batch_size=2, cache_size=0).encode(texts)
    # [CLS] hi [SEP] and [CLS] ok [SEP] together (3 tokens), then "card frozen" with the long one.
    assert shapes[0] == (2, 3)
    assert shapes[1][0] == 2 and shapes[1][1] == len(tokenizer.encode(texts[0]).ids)


def test_max_tokens_cuts_long_texts_like_the_tokenizer_does() -> None:
    long = " ".join(["refund late again"] * 80)  # 240 words, past 128 tokens
    cut = MiniLMEncoder(threads=1, cache_size=0, max_tokens=128).encode([long, "short text"])
    full = MiniLMEncoder(threads=1, cache_size=0).encode([long, "short text"])
    _, tokenizer = embeddings._load(1)
    encoding = tokenizer.encode(long)
    assert len(encoding.ids) > 128
    prefix = long[: encoding.offsets[126][1]]  # the text the first 126 word pieces came from
    assert len(tokenizer.encode(prefix).ids) == 128
    same = MiniLMEncoder(threads=1, cache_size=0).encode([prefix])
    assert float(np.abs(cut[0] - same[0]).max()) < 1e-5
    assert float(np.abs(cut[0] - full[0]).max()) > 1e-3  # the cut changed the long text...
    assert float(np.abs(cut[1] - full[1]).max()) < 1e-5  # ...and nothing else


@pytest.mark.parametrize("bad", [0, 1, MAX_TOKENS + 1])
def test_max_tokens_outside_the_window_is_refused(bad: int) -> None:
    with pytest.raises(ModelError, match=f"between 2 and {MAX_TOKENS}"):
        MiniLMEncoder(max_tokens=bad)


def test_encoder_threads_follow_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(embeddings.THREADS_ENV, "3")
    assert MiniLMEncoder().threads == 3
    assert MiniLMEncoder(threads=1).threads == 1  # an explicit count wins
    monkeypatch.setenv(embeddings.THREADS_ENV, "two")
    with pytest.raises(ModelError, match="GOODWILL_ENCODER_THREADS must be a whole number"):
        MiniLMEncoder()
    monkeypatch.delenv(embeddings.THREADS_ENV)
    assert MiniLMEncoder().threads == min(4, os.cpu_count() or 1)
