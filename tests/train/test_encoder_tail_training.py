"""train/encoder_tail.py: MiniLM's last layers rebuilt in PyTorch, and their ONNX export, before any tuning.

Untuned, the rebuilt layers must be the wheel's own: run on the exact model's
3rd-layer output they give the exact model's vectors, in PyTorch and once
exported, through the encoder's tail plumbing. That is what lets fine-tuning
start from the pretrained model. PyTorch is needed only to retrain, so these
tests skip without it (CI does not install it).
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

import train_scripts
from goodwill.embeddings import EncoderTail, MiniLMEncoder

torch = pytest.importorskip("torch")

TEXTS = ["my flight got cancelled again", "love it!!", "Is the branch on Main Street open on Sundays?"]


@pytest.fixture(scope="module")
def tail_code() -> ModuleType:
    return train_scripts.load("encoder_tail")


def test_rebuilt_layers_reproduce_the_wheel(tail_code: ModuleType) -> None:
    layers = tail_code.wheel_layers()
    assert sorted(layers) == [0, 1, 2, 3, 4, 5]
    tail = tail_code.Tail([layers[i] for i in (3, 4, 5)])
    assert tail_code.check_against_wheel(tail, "layer_norm_6", TEXTS) < 1e-4
    # A wrongly mapped weight shows at once: swap query and key in one layer.
    swapped = dict(layers[4], query=layers[4]["key"], key=layers[4]["query"])
    wrong = tail_code.Tail([layers[3], swapped, layers[5]])
    assert tail_code.check_against_wheel(wrong, "layer_norm_6", TEXTS) > 1e-2


def test_the_exported_tail_runs_in_the_encoder_as_in_pytorch(
    tail_code: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOODWILL_CACHE_DIR", str(tmp_path / "cache"))
    layers = tail_code.wheel_layers()
    tail = tail_code.Tail([layers[i] for i in (3, 4, 5)])
    tail_code.export(tail, tmp_path / "tail.onnx")
    exact = MiniLMEncoder(threads=1, cache_size=0, batch_size=2)
    tailed = MiniLMEncoder(
        threads=1, cache_size=0, batch_size=2, tail=EncoderTail(tmp_path / "tail.onnx", "layer_norm_6")
    )
    assert np.abs(tailed.encode(TEXTS) - exact.encode(TEXTS)).max() < 1e-4
