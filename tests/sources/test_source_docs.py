"""Every registered source has its page, naming each of its query kinds; every setting is documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from goodwill.config import QueryConfig, SourceConfig
from goodwill.sources.registry import available_sources, build_source

DOCS = Path(__file__).resolve().parents[2] / "docs" / "sources"


@pytest.mark.parametrize("name", sorted(available_sources()))
def test_each_source_has_a_page_naming_its_kinds(name: str) -> None:
    page = DOCS / f"{name}.md"
    assert page.exists(), f"write docs/sources/{name}.md (credentials, limits, costs, what is collected)"
    text = page.read_text(encoding="utf-8")
    for heading in ("## Credentials", "## Limits and costs", "## What is collected"):
        assert heading in text, f"docs/sources/{name}.md lacks '{heading}'"
    for kind in build_source(name).kinds:
        assert f'kind = "{kind}"' in text, f"docs/sources/{name}.md shows no query of kind '{kind}'"


def test_every_setting_is_documented_in_the_guide() -> None:
    guide = (DOCS / "README.md").read_text(encoding="utf-8")
    for field in [*SourceConfig.model_fields, *QueryConfig.model_fields]:
        assert f"{field} =" in guide, f"docs/sources/README.md does not show the setting '{field}'"
