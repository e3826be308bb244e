"""How suggested answers compare texts: an :class:`Encoder` turns text into unit vectors.

Two encoders ship. :class:`MiniLMEncoder` (goodwill.care.minilm) understands
paraphrase ("charged twice" finds "duplicate payment") and needs the
``embeddings`` extra; :class:`TfidfEncoder` needs only scikit-learn, learns its
vocabulary from the documents it indexes and matches shared words (with light
suffix stripping, so "refunds" meets "refunded"). :func:`default_encoder`
picks MiniLM when its packages are installed and TF-IDF otherwise, so the desk
always has suggestions.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from itertools import pairwise
from typing import Any, Literal, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from goodwill.care.minilm import MiniLMEncoder, embeddings_available
from goodwill.errors import ModelError

__all__ = ["Encoder", "EncoderName", "TfidfEncoder", "default_encoder", "encoder_named"]

EncoderName = Literal["auto", "minilm", "tfidf"]


@runtime_checkable
class Encoder(Protocol):
    """Texts to L2-normalised row vectors (dense or SciPy sparse), so a dot product is a cosine."""

    name: str

    def fit(self, texts: Sequence[str]) -> None:
        """Learn whatever the encoder learns from the documents it will search (maybe nothing)."""

    def encode(self, texts: Sequence[str]) -> Any:
        """One row per text."""


_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)?", re.UNICODE)
_SUFFIXES = ("ments", "ment", "ings", "ing", "ies", "ied", "ers", "er", "ed", "es", "ly", "s")


def _stem(word: str) -> str:
    """A few English suffixes off, so inflections meet; crude by design, and only for TF-IDF."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)] + ("y" if suffix in {"ies", "ied"} else "")
            break
    return word[:-1] if word.endswith("e") and len(word) > 4 else word


@cache
def _stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS)


def _analyse(text: str) -> list[str]:
    stop = _stop_words()
    words = [w.lower().replace("'", "") for w in _TOKEN.findall(text)]
    stems = [_stem(w) for w in words if w not in stop and len(w) > 1]
    return stems + [f"{a} {b}" for a, b in pairwise(stems)]


class TfidfEncoder:
    """Word and word-pair TF-IDF over the indexed documents (scikit-learn)."""

    name = "tfidf"

    def __init__(self) -> None:
        self._vectorizer: Any = None
        self._fitted = False

    def fit(self, texts: Sequence[str]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self._vectorizer = TfidfVectorizer(analyzer=_analyse, sublinear_tf=True, norm="l2")
        self._fitted = True
        try:
            self._vectorizer.fit(list(texts))
        except ValueError:
            # No documents, or only stop words: nothing can match anything.
            self._vectorizer = None

    def encode(self, texts: Sequence[str]) -> Any:
        if not self._fitted:
            raise ModelError("TfidfEncoder.encode before fit: index the documents first.")
        if self._vectorizer is None:
            from scipy.sparse import csr_matrix

            return csr_matrix((len(texts), 1), dtype=np.float64)
        return self._vectorizer.transform(list(texts))


def default_encoder() -> Encoder:
    """MiniLM when the ``embeddings`` extra is installed, else TF-IDF."""
    return MiniLMEncoder() if embeddings_available() else TfidfEncoder()


def encoder_named(name: EncoderName) -> Encoder:
    """The encoder for a setting: ``auto`` (see :func:`default_encoder`), ``minilm`` or ``tfidf``."""
    if name == "auto":
        return default_encoder()
    if name == "tfidf":
        return TfidfEncoder()
    if name == "minilm":
        return MiniLMEncoder()
    raise ModelError(f"unknown encoder {name!r}; use auto, minilm or tfidf")


def similarities(queries: Any, documents: Any) -> npt.NDArray[np.float64]:
    """Cosines between every query row and every document row, dense ``(queries, documents)``."""
    product = queries @ documents.T
    dense = product.toarray() if hasattr(product, "toarray") else np.asarray(product)
    return np.asarray(dense, dtype=np.float64)
