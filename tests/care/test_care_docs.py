"""docs/care.md documents every [care] setting, and each care module's __all__ is real."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
from pydantic import BaseModel

from goodwill.care.config import CareConfig

DOC = (Path(__file__).parents[2] / "docs" / "care.md").read_text(encoding="utf-8")
MODULES = [
    "ambassadors", "calendar", "config", "duration", "encoder", "knowledge", "metrics", "minilm",
    "replycheck", "routing", "sla", "suggest",
]  # fmt: skip


def settings(model: type[BaseModel], prefix: str) -> list[str]:
    """Every key under a config model, as dotted paths."""
    out = []
    for name, field in model.model_fields.items():
        out.append(f"{prefix}.{name}")
        annotation = field.annotation
        for inner in getattr(annotation, "__args__", ()) or (annotation,):
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                out.extend(settings(inner, f"{prefix}.{name}"))
    return out


@pytest.mark.parametrize("key", settings(CareConfig, "care"))
def test_every_care_setting_is_documented(key: str) -> None:
    name = key.rsplit(".", 1)[1]
    # A key is documented when the page shows it set in TOML, names it in code quotes, or heads a table.
    pattern = rf"(^|[\s{{,\[`]){re.escape(name)} = |`{re.escape(name)}`|\[{re.escape(key)}[.\]]"
    assert re.search(pattern, DOC, re.M), key


@pytest.mark.parametrize("module", MODULES)
def test_all_names_exist(module: str) -> None:
    loaded = importlib.import_module(f"goodwill.care.{module}")
    assert loaded.__all__, module
    for name in loaded.__all__:
        assert hasattr(loaded, name), f"goodwill.care.{module}.{name}"
