"""An encoder that stops part-way through MiniLM and hands its token vectors to a tail model.

Accurate sentiment runs the quantised MiniLM only up to its 3rd layer and its
own fine-tuned layers after that. These tests pin the plumbing with tails
whose answer is known: cutting at the last layer and pooling in the tail must
give the ordinary encoder's vectors, and a cut copy must compute exactly the
full model's intermediate tensor.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import numpy as np
import onnx
import onnxruntime
import pytest
from onnx import TensorProto, helper

from goodwill import embedding_quantization, embeddings
from goodwill.embeddings import EncoderTail, MiniLMEncoder
from goodwill.errors import ModelError

TEXTS = [
    "@user my flight got cancelled again and nobody answers the phone",
    "love it",
    "Is the branch on Main Street open on Sundays? " * 12,  # longer than the 128-token cut below
    "",
    "\U0001f621\U0001f621 third time this week",
]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GOODWILL_CACHE_DIR", str(tmp_path))
    return tmp_path


def mean_pooling_tail(path: Path) -> Path:
    """A tail with no layers of its own: masked mean of the token vectors, then L2 normalisation."""
    dims = ["batch", "tokens", embeddings.DIMENSIONS]
    nodes = [
        helper.make_node("Unsqueeze", ["attention_mask", "axis2"], ["mask3"]),
        helper.make_node("Mul", ["hidden", "mask3"], ["masked"]),
        helper.make_node("ReduceSum", ["masked", "axis1"], ["summed"], keepdims=0),
        helper.make_node("ReduceSum", ["mask3", "axis1"], ["count"], keepdims=0),
        helper.make_node("Div", ["summed", "count"], ["mean"]),
        helper.make_node("LpNormalization", ["mean"], ["embedding"], axis=1, p=2),
    ]
    graph = helper.make_graph(
        nodes,
        "mean-pooling",
        [
            helper.make_tensor_value_info("hidden", TensorProto.FLOAT, dims),
            helper.make_tensor_value_info("attention_mask", TensorProto.FLOAT, dims[:2]),
        ],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", embeddings.DIMENSIONS])],
        initializer=[
            helper.make_tensor("axis1", TensorProto.INT64, [1], [1]),
            helper.make_tensor("axis2", TensorProto.INT64, [1], [2]),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=10)
    onnx.save(model, str(path))
    return path


def test_a_pooling_tail_after_the_last_layer_gives_the_plain_vectors(cache: Path) -> None:
    tail = EncoderTail(mean_pooling_tail(cache / "pool.onnx"), "last_hidden_state")
    plain = MiniLMEncoder(threads=1, cache_size=0, max_tokens=128, batch_size=2)
    tailed = MiniLMEncoder(threads=1, cache_size=0, max_tokens=128, batch_size=2, tail=tail)
    assert tailed.name == "minilm+pool"
    expected, got = plain.encode(TEXTS), tailed.encode(TEXTS)
    assert np.allclose(got, expected, atol=1e-5)
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)


def test_token_states_are_what_the_pooling_averages(cache: Path) -> None:
    encoder = MiniLMEncoder(threads=1, cache_size=0, max_tokens=128, batch_size=2)
    states = encoder.token_states(TEXTS, "last_hidden_state")
    _, tokenizer = embeddings._load(1)
    counts = [min(len(e.ids), 128) for e in tokenizer.encode_batch([t or " " for t in TEXTS])]
    assert [len(s) for s in states] == counts  # padding left out, the 128-token cut kept
    pooled = np.stack([s.mean(axis=0) for s in states])
    pooled /= np.linalg.norm(pooled, axis=1, keepdims=True)
    assert np.allclose(pooled, encoder.encode(TEXTS), atol=1e-5)


def test_a_cut_copy_computes_the_full_models_intermediate_tensor(cache: Path) -> None:
    full = embeddings.model_file(quantized=True)
    cut = embedding_quantization.truncated_model(full, "layer_norm_8")
    # Two int8 layers (2 x 1.8M weights) fewer; the float32 word embeddings (47 MB) stay.
    assert cut.parent == cache and cut.stat().st_size < full.stat().st_size - 3_000_000
    model = onnx.load(str(full))
    model.graph.output.append(helper.make_tensor_value_info("layer_norm_8", TensorProto.FLOAT, None))
    whole = onnxruntime.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    part = onnxruntime.InferenceSession(str(cut), providers=["CPUExecutionProvider"])
    ids = np.array([[101, 2026, 3462, 2288, 8014, 102], [101, 2293, 2009, 102, 0, 0]], dtype=np.int64)
    feeds = {"input_ids": ids, "attention_mask": (ids > 0).astype(np.int64), "token_type_ids": ids * 0}
    (expected,) = whole.run(["layer_norm_8"], feeds)
    (got,) = part.run(["layer_norm_8"], feeds)
    assert np.array_equal(got, expected)
    stamp = cut.stat().st_mtime_ns
    assert embedding_quantization.truncated_model(full, "layer_norm_8") == cut  # cached, not cut again
    assert cut.stat().st_mtime_ns == stamp


def test_cutting_at_a_tensor_the_model_lacks_says_so(cache: Path) -> None:
    full = embeddings.model_file(quantized=True)
    with pytest.raises(ModelError, match="has no tensor 'layer_norm_99'"):
        embedding_quantization.truncated_model(full, "layer_norm_99")
    assert not list(cache.glob("*layer_norm_99*"))


def test_a_changed_source_is_cut_afresh(
    cache: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # A new wheel installs a model.onnx under the same name: its cut must not be the old file's.
    source = tmp_path / "model.onnx"
    source.write_bytes(embeddings.model_file(quantized=True).read_bytes())
    with caplog.at_level(logging.INFO, logger="goodwill"):
        first = embedding_quantization.truncated_model(source, "layer_norm_8")
        assert embedding_quantization.truncated_model(source, "layer_norm_8") == first
        os.utime(source, ns=(source.stat().st_atime_ns, source.stat().st_mtime_ns + 10**9))
        second = embedding_quantization.truncated_model(source, "layer_norm_8")
    assert first != second and first.is_file() and second.is_file()
    assert "layer_norm_8" in second.name
    # Each derivation says so (seconds that would be silent otherwise); the cached read does not.
    notes = [r.getMessage() for r in caplog.records if r.name.startswith("goodwill")]
    assert notes == [
        f"preparing {f.name} in {cache} (once on this machine, a few seconds)" for f in (first, second)
    ]
