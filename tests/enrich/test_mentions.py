"""The mentions stage: brands and competitors by name, handle, tag, cashtag and domain."""

from __future__ import annotations

import pickle
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from goodwill.config import BrandSpec, WorkspaceConfig
from goodwill.enrich.mentions import MentionsStage
from goodwill.enrich.stage import Stage, StageContext
from goodwill.models import Post

CONFIG = WorkspaceConfig(
    brands=[
        BrandSpec(
            name="Acme Bank",
            aliases=["Acme", "AcmeBank"],
            hashtags=["AcmeBank"],
            cashtags=["ACME"],
            domains=["acmebank.example"],
            handles={"x": ["acmebank", "AcmeHelp"], "mastodon": ["acme@mastodon.example"]},
        ),
        BrandSpec(name="Apple", handles={"x": ["apple"]}),
    ],
    competitors=[BrandSpec(name="Globex Bank", aliases=["Globex"], handles={"x": ["globexbank"]})],
    exclusions=["apple pie"],
)


@pytest.fixture(scope="module")
def stage() -> MentionsStage:
    return MentionsStage(StageContext(config=CONFIG))


def _brands(stage: MentionsStage, text: str | None) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = stage.process([Post(native_id="1", text=text)], [{}])[0]["brands"]
    return result


def _names(stage: MentionsStage, text: str) -> list[str]:
    return [b["name"] for b in _brands(stage, text)]


def test_is_a_stage(stage: MentionsStage) -> None:
    assert isinstance(stage, Stage)
    assert (stage.name, stage.requires, stage.provides) == ("mentions", (), ("brands",))


def test_output_shape(stage: MentionsStage) -> None:
    assert _brands(stage, "@AcmeHelp my card is blocked, thinking of Globex") == [
        {"name": "Acme Bank", "role": "brand", "addressed": True, "matched": ["@AcmeHelp"]},
        {"name": "Globex Bank", "role": "competitor", "addressed": False, "matched": ["Globex"]},
    ]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("ACMÉ bank is the worst", ["Acme Bank"]),
        ("acme-bank and Acme  Bank", ["Acme Bank"]),
        ("Acme's app is down.", ["Acme Bank"]),
        ("myacmebankaccount is fine", []),
        ("acmebanking is not us", []),
        ("visit acmebank.example.com", []),
        ("I baked an apple pie", []),
        ("apple pie and my new Apple watch", ["Apple"]),
        ("Apple Pie is my favourite", []),
        ("nothing to see", []),
    ],
)
def test_names_respect_boundaries_folding_and_exclusions(
    stage: MentionsStage, text: str, names: list[str]
) -> None:
    assert _names(stage, text) == names


def test_exclusion_only_removes_its_own_span(stage: MentionsStage) -> None:
    assert _brands(stage, "apple pie and my new Apple watch")[0]["matched"] == ["Apple"]


@pytest.mark.parametrize(
    ("text", "matched"),
    [
        ("#AcmeBank is down again", ["#AcmeBank"]),
        ("#acmebanking rocks", []),
        ("$ACME up 3% today", ["$ACME"]),
        ("$ACMEX is another ticker", []),
        ("log in at https://www.login.acmebank.example/x", ["acmebank.example"]),
        ("mail support@acmebank.example", ["acmebank.example"]),
    ],
)
def test_tags_and_domains(stage: MentionsStage, text: str, matched: list[str]) -> None:
    found = _brands(stage, text)
    assert (found[0]["matched"] if found else []) == matched


@pytest.mark.parametrize(
    ("text", "addressed"),
    [
        ("@acmebank my card is blocked", True),
        ("@bob @AcmeHelp please help", True),
        ("thanks a lot @acmebank", True),
        ("RT @acmebank: new rates for savers", False),
        ("Acme bank froze my card", False),
        ("@acme@mastodon.example hello", True),
    ],
)
def test_addressed(stage: MentionsStage, text: str, addressed: bool) -> None:
    assert _brands(stage, text)[0]["addressed"] is addressed


def test_other_instance_handle_is_not_ours(stage: MentionsStage) -> None:
    assert _names(stage, "@acme@other.social hello") == []


def test_no_brands_configured_finds_nothing() -> None:
    empty = MentionsStage(StageContext())
    assert empty.process([Post(native_id="1", text="Acme bank")], [{}]) == [{"brands": []}]


def test_tombstone(stage: MentionsStage) -> None:
    assert _brands(stage, None) == []


def test_pickles(stage: MentionsStage) -> None:
    clone = pickle.loads(pickle.dumps(stage))
    assert _names(clone, "Globex and Acme") == ["Acme Bank", "Globex Bank"]


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_any_text_gives_valid_shape(text: str) -> None:
    stage = MentionsStage(StageContext(config=CONFIG))
    for brand in _brands(stage, text):
        assert set(brand) == {"name", "role", "addressed", "matched"}
        assert brand["role"] in ("brand", "competitor")
        assert isinstance(brand["addressed"], bool)
        assert all(isinstance(m, str) and m for m in brand["matched"])


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(["Acme", "acmé", "ACME", "#AcmeBank", "@acmebank", "$ACME"]), st.text(), st.text())
def test_a_mention_survives_surrounding_text(term: str, before: str, after: str) -> None:
    stage = MentionsStage(StageContext(config=CONFIG))
    assert "Acme Bank" in _names(stage, f"{before} {term} {after}") or any(
        c.isalnum() or c in "@#$&/._-" for c in before[-1:] + after[:1]
    )
