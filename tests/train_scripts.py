"""A script from train/ loaded as a module, for the tests that check the training code.

train/ is not a package: its scripts import their neighbours by bare name, so
each loaded module is registered under that name in ``sys.modules``.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

TRAIN = Path(__file__).resolve().parents[1] / "train"


def load(name: str) -> ModuleType:
    """``train/<name>.py`` as the module ``name``."""
    spec = importlib.util.spec_from_file_location(name, TRAIN / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
