"""goodwill.toml: the template is valid, mistakes name the file, line and key."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from goodwill.config import config_template, load_config
from goodwill.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "goodwill.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_template_is_valid_and_describes_a_brand_and_a_competitor(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, config_template()))
    assert [b.name for b in config.brands] == ["Acme Bank"]
    assert [c.name for c in config.competitors] == ["Globex Bank"]
    acme = config.brands[0]
    assert acme.handles["x"] == ["acmebank", "AcmeHelp"]
    assert acme.domains == ["acmebank.example"]
    assert config.exclusions == ["apple pie"]
    assert config.store_url is None


def test_sigils_and_urls_are_normalised(tmp_path: Path) -> None:
    text = """
[[brands]]
name = "Acme"
hashtags = ["#Acme"]
cashtags = ["$ACME"]
domains = ["https://www.acme.example/help"]
handles = { x = ["@acme"] }
"""
    brand = load_config(write(tmp_path, text)).brands[0]
    assert brand.hashtags == ["Acme"]
    assert brand.cashtags == ["ACME"]
    assert brand.domains == ["acme.example"]
    assert brand.all_handles() == ["acme"]


def test_unknown_key_names_file_line_and_key(tmp_path: Path) -> None:
    text = 'languages = ["en"]\n\n[[brands]]\nname = "Acme"\nalias = ["A"]\n'
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert f"{path}:5" in message
    assert "brands.0.alias" in message
    assert "spelling" in message


def test_wrong_type_is_reported_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, '[[brands]]\nname = "Acme"\naliases = "Acme Inc"\n')
    with pytest.raises(ConfigError, match=r"goodwill.toml:3: key 'brands.0.aliases'"):
        load_config(path)


def test_missing_brand_name(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"brands\.0\.name"):
        load_config(write(tmp_path, '[[brands]]\naliases = ["x"]\n'))


def test_broken_toml_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(write(tmp_path, "[[brands]\nname = 1\n"))
    with pytest.raises(ConfigError, match="goodwill init"):
        load_config(tmp_path / "nope.toml")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gives_a_config_or_a_config_error(
    tmp_path_factory: pytest.TempPathFactory, text: str
) -> None:
    path = tmp_path_factory.mktemp("cfg") / "goodwill.toml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        load_config(path)
    except ConfigError as exc:
        assert str(exc).startswith(str(path))


def test_a_brand_given_by_name_also_answers_to_its_usual_handle_and_hashtag() -> None:
    from goodwill.config import WorkspaceConfig

    config = WorkspaceConfig.from_names(["Acme Bank"], ["Globex"])
    assert config.brands[0].all_handles()[:2] == ["acmebank", "acme_bank"]
    assert config.brands[0].hashtags == ["AcmeBank"]
    assert config.competitors[0].all_handles()[0] == "Globex"
    assert config.competitors[0].hashtags == []


@pytest.mark.parametrize(
    ("brand", "handle"),
    [
        ("Apple", "AppleSupport"),
        ("Amazon", "AmazonHelp"),
        ("Spotify", "SpotifyCares"),
        ("Uber", "Uber_Support"),
        ("PlayStation", "AskPlayStation"),
        ("British Airways", "British_Airways"),
    ],
)
def test_a_brand_given_by_name_also_answers_to_its_usual_care_accounts(brand: str, handle: str) -> None:
    from goodwill.config import WorkspaceConfig
    from goodwill.enrich.mentions import MentionsStage
    from goodwill.enrich.stage import StageContext

    stage = MentionsStage(StageContext(config=WorkspaceConfig.from_names([brand], [])))
    found = stage.find(f"@{handle} my order never arrived, can you check?")
    assert found == [{"name": brand, "role": "brand", "addressed": True, "matched": [f"@{handle}"]}]
    assert stage.find(f"@{handle}fan club meeting tonight") == []


def test_thresholds_are_read_and_validated(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "[thresholds]\nirony = 0.8\nwelcome = 0.65\n"))
    thresholds = config.thresholds
    assert (thresholds.irony, thresholds.welcome, thresholds.offensive) == (0.8, 0.65, None)
    with pytest.raises(ConfigError, match=r"goodwill\.toml:2: key 'thresholds\.welcome'"):
        load_config(write(tmp_path, "[thresholds]\nwelcome = 1.5\n"))
    with pytest.raises(ConfigError, match=r"thresholds\.sarcasm"):
        load_config(write(tmp_path, "[thresholds]\nsarcasm = 0.5\n"))
