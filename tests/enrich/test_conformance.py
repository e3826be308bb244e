"""Conformance: every stage registered in ``goodwill.stages`` keeps the Stage contract.

The test loops over the entry-point group, not over a hand-written list, so a new
built-in or third-party stage is checked the moment it is registered. Each stage is
judged alone, fed upstream enrichment shaped exactly like the public JSON contract
(so a stage can only rely on that contract), and then the default pipeline is run
for real on the bundled fictional sample.
"""

from __future__ import annotations

import copy
import json
import pickle
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from goodwill.config import WorkspaceConfig, load_config
from goodwill.enrich.registry import (
    DEFAULT_STAGES,
    MODE_STAGES,
    available_stages,
    build_stage,
    default_pipeline,
)
from goodwill.enrich.stage import Stage, StageContext
from goodwill.models import ENRICHMENT_KEYS, Author, Post

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "examples" / "sample"
SAMPLE_POSTS = SAMPLE_DIR / "posts.jsonl"
SAMPLE_CONFIG = SAMPLE_DIR / "goodwill.toml"

#: Every stage we expect (the defaults) plus whatever else is installed.
STAGE_NAMES: list[str] = sorted(set(DEFAULT_STAGES) | set(available_stages()))

INTENT_LABELS = (
    "question",
    "help_request",
    "complaint",
    "praise",
    "recommendation_request",
    "purchase_intent",
    "feedback",
    "social",
    "news_share",
    "spam",
)


# --------------------------------------------------------------------------- inputs


def _config() -> WorkspaceConfig:
    return load_config(SAMPLE_CONFIG)


def _context() -> StageContext:
    return StageContext(config=_config())


def _post_from_record(record: Mapping[str, Any]) -> Post:
    """Map one JSON Lines contract record onto a Post (the test does not depend on a source module)."""
    author = record.get("author")
    return Post(
        network=record["network"],
        native_id=str(record["id"]),
        text=record.get("text"),
        author=Author(**author) if author else None,
        created_at=datetime.fromisoformat(record["created_at"]) if record.get("created_at") else None,
        reply_to=record.get("reply_to"),
        url=record.get("url"),
        lang=record.get("lang"),
        deleted=bool(record.get("deleted", False)),
    )


def _sample_posts(limit: int | None = None) -> list[Post]:
    """The sample as a store would hold it: one post per key, the later line winning."""
    by_key: dict[tuple[str, str], Post] = {}
    with SAMPLE_POSTS.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                post = _post_from_record(json.loads(line))
                by_key[post.key] = post
    posts = list(by_key.values())
    return posts if limit is None else posts[:limit]


_NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def _edge_posts() -> list[Post]:
    """Inputs every stage must survive: tombstones, empty and odd text, no author."""
    texts: list[str | None] = [
        None,
        "",
        "   \n\t ",
        "🙂🙂🙂",
        "https://nimbusmobile.example/plans",
        "@NimbusHelp",
        "#NimbusMobile",
        "?",
        "x" * 12_000,
        "¿Por qué Nimbus Mobile no tiene cobertura en mi pueblo?",
        "Nimbus Home est en panne depuis ce matin, c'est nul",
        "مرحبا Nimbus",
        "zero\u200bwidth and a \x00 nul and \ud7ff",
        "NIMBUS MOBILE IS DOWN AGAIN!!!!!!!!",
        "thinking of leaving Corvid Telecom, any alternatives?",
    ]
    posts = []
    for i, text in enumerate(texts):
        posts.append(
            Post(
                network="generic" if i % 2 else "x",
                native_id=f"edge-{i}",
                text=text,
                author=None if i % 3 == 0 else Author(handle=f"edge_user_{i}", followers=i * 10),
                created_at=None if i % 4 == 0 else _NOW,
                deleted=text is None,
            )
        )
    return posts


def _tombstone() -> Post:
    return Post(network="x", native_id="gone-1", text=None, deleted=True)


# ------------------------------------------------- upstream enrichment, contract-shaped


def _contract_value(key: str, i: int) -> Any:
    """A value for ``key`` that follows the public contract (plus the documented extras), varied by ``i``."""
    if key == "language":
        return ("en", "es", "und", "fr", "de", "pt")[i % 6]
    if key == "brands":
        variants: list[list[dict[str, Any]]] = [
            [],
            [{"name": "Nimbus Mobile", "role": "brand", "addressed": True, "matched": ["@NimbusMobile"]}],
            [{"name": "Corvid Telecom", "role": "competitor", "addressed": False, "matched": ["Corvid"]}],
            [
                {"name": "Nimbus Home", "role": "brand", "addressed": False, "matched": ["Nimbus Home"]},
                {
                    "name": "Corvid Telecom",
                    "role": "competitor",
                    "addressed": True,
                    "matched": ["@CorvidCares"],
                },
            ],
        ]
        return variants[i % len(variants)]
    if key == "spam":
        if i % 7 == 3:
            return {"is_spam": True, "duplicate_of": None, "reasons": ["giveaway bait"]}
        if i % 7 == 5:
            return {"is_spam": False, "duplicate_of": "x:1000", "reasons": ["near-duplicate of x:1000"]}
        return {"is_spam": False, "duplicate_of": None, "reasons": []}
    if key == "sentiment":
        label, score = (("negative", -0.7), ("neutral", 0.0), ("positive", 0.8))[i % 3]
        probs = {"negative": 0.1, "neutral": 0.1, "positive": 0.1}
        probs[label] = 0.8
        return {"label": label, "score": score, "probabilities": probs}
    if key == "intent":
        label = INTENT_LABELS[i % len(INTENT_LABELS)]
        scores = {name: 0.05 for name in INTENT_LABELS}
        scores[label] = 0.8
        return {"label": label, "scores": scores, "evidence": []}
    if key == "complaint":
        is_complaint = i % 4 == 2
        return {"is_complaint": is_complaint, "score": 0.86 if is_complaint else 0.1, "evidence": []}
    if key == "receptivity":
        welcome = i % 5 == 1
        return {
            "welcome": welcome,
            "score": 0.9 if welcome else 0.1,
            "reasons": ["addressed to @NimbusMobile"] if welcome else [],
            "counter_reasons": [],
            "brand": "Nimbus Mobile" if welcome else None,
        }
    if key == "irony":
        return {"is_ironic": i % 4 == 1, "score": 0.8 if i % 4 == 1 else 0.1}
    if key == "offensive":
        return {"is_offensive": i % 6 == 2, "score": 0.9 if i % 6 == 2 else 0.05}
    if key == "emotion":
        emotions = ("anger", "joy", "optimism", "sadness")
        label = emotions[i % 4]
        return {"label": label, "scores": {e: 0.7 if e == label else 0.1 for e in emotions}}
    pytest.skip(f"no contract-shaped stand-in for non-public key '{key}'")


def _upstream(stage: Stage, posts: Sequence[Post]) -> list[dict[str, Any]]:
    """What earlier stages would have produced: exactly the keys ``stage`` requires."""
    return [{key: _contract_value(key, i) for key in stage.requires} for i in range(len(posts))]


# ------------------------------------------------------------------ contract shapes


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _in_unit(value: Any, low: float = 0.0) -> bool:
    return _is_number(value) and low <= value <= 1.0


def _check_language(value: Any, cfg: WorkspaceConfig) -> None:
    assert isinstance(value, str) and value, f"language must be a non-empty ISO code or 'und', got {value!r}"


def _check_brands(value: Any, cfg: WorkspaceConfig) -> None:
    assert isinstance(value, list), f"brands must be a list, got {value!r}"
    roles = {b.name: "brand" for b in cfg.brands} | {c.name: "competitor" for c in cfg.competitors}
    for item in value:
        assert isinstance(item, dict), f"each brand must be an object, got {item!r}"
        assert item.get("name") in roles, f"brand name {item.get('name')!r} is not in the config"
        assert item.get("role") == roles[item["name"]], f"wrong role in {item!r}"
        assert isinstance(item.get("addressed"), bool), f"addressed must be a bool in {item!r}"


def _check_sentiment(value: Any, cfg: WorkspaceConfig) -> None:
    assert isinstance(value, dict), f"sentiment must be an object, got {value!r}"
    assert value.get("label") in {"negative", "neutral", "positive"}, f"bad sentiment label in {value!r}"
    assert _in_unit(value.get("score"), low=-1.0), f"sentiment score must be in [-1, 1]: {value!r}"


def _check_intent(value: Any, cfg: WorkspaceConfig) -> None:
    assert isinstance(value, dict), f"intent must be an object, got {value!r}"
    scores = value.get("scores")
    assert isinstance(scores, dict) and scores, f"intent scores must be a non-empty object: {value!r}"
    for label, score in scores.items():
        assert isinstance(label, str) and _in_unit(score), f"bad intent score {label!r}: {score!r}"
    assert isinstance(value.get("label"), str) and value["label"] in scores, f"label not scored: {value!r}"


def _check_complaint(value: Any, cfg: WorkspaceConfig) -> None:
    assert isinstance(value, dict), f"complaint must be an object, got {value!r}"
    assert isinstance(value.get("is_complaint"), bool), f"is_complaint must be a bool: {value!r}"
    assert _in_unit(value.get("score")), f"complaint score must be in [0, 1]: {value!r}"


def _check_receptivity(value: Any, cfg: WorkspaceConfig) -> None:
    assert isinstance(value, dict), f"receptivity must be an object, got {value!r}"
    assert isinstance(value.get("welcome"), bool), f"welcome must be a bool: {value!r}"
    assert _in_unit(value.get("score")), f"receptivity score must be in [0, 1]: {value!r}"
    reasons = value.get("reasons")
    assert isinstance(reasons, list) and all(isinstance(r, str) for r in reasons), f"bad reasons: {value!r}"


def _check_spam(value: Any, cfg: WorkspaceConfig) -> None:
    assert isinstance(value, dict), f"spam must be an object, got {value!r}"
    assert isinstance(value.get("is_spam"), bool), f"is_spam must be a bool: {value!r}"
    dup = value.get("duplicate_of", "missing")
    assert dup is None or isinstance(dup, str), f"duplicate_of must be null or a post id: {value!r}"
    reasons = value.get("reasons")
    assert isinstance(reasons, list) and all(isinstance(r, str) for r in reasons), f"bad reasons: {value!r}"


def _check_flag(flag: str) -> Callable[[Any, WorkspaceConfig], None]:
    def check(value: Any, cfg: WorkspaceConfig) -> None:
        assert isinstance(value, dict), f"expected an object with {flag}, got {value!r}"
        assert isinstance(value.get(flag), bool), f"{flag} must be a bool: {value!r}"
        assert _in_unit(value.get("score")), f"score must be in [0, 1]: {value!r}"

    return check


def _check_emotion(value: Any, cfg: WorkspaceConfig) -> None:
    assert isinstance(value, dict), f"emotion must be an object, got {value!r}"
    scores = value.get("scores")
    assert isinstance(scores, dict) and set(scores) == {"anger", "joy", "optimism", "sadness"}, value
    assert all(_in_unit(v) for v in scores.values()), f"bad emotion scores: {value!r}"
    assert value.get("label") is None or value["label"] in scores, f"label not scored: {value!r}"


CONTRACT_CHECKS: dict[str, Callable[[Any, WorkspaceConfig], None]] = {
    "irony": _check_flag("is_ironic"),
    "offensive": _check_flag("is_offensive"),
    "emotion": _check_emotion,
    "language": _check_language,
    "brands": _check_brands,
    "sentiment": _check_sentiment,
    "intent": _check_intent,
    "complaint": _check_complaint,
    "receptivity": _check_receptivity,
    "spam": _check_spam,
}


def _assert_conforms(stage: Stage, posts: Sequence[Post], out: Any, cfg: WorkspaceConfig) -> None:
    """One dict per post, exactly the provided keys, JSON values, public keys in the public shape."""
    assert isinstance(out, list), f"stage '{stage.name}' must return a list, got {type(out).__name__}"
    assert len(out) == len(posts), f"stage '{stage.name}' returned {len(out)} results for {len(posts)} posts"
    for post, judged in zip(posts, out, strict=True):
        assert isinstance(judged, dict), f"stage '{stage.name}' returned {judged!r} for {post.key}"
        assert set(judged) == set(stage.provides), (
            f"stage '{stage.name}' returned keys {sorted(judged)} for {post.key}, "
            f"expected {list(stage.provides)}"
        )
        json.dumps(judged, allow_nan=False)
        for key, value in judged.items():
            check = CONTRACT_CHECKS.get(key)
            if check is not None:
                check(value, cfg)


# ------------------------------------------------------------------- stage building

_BUILT: dict[str, Stage] = {}


def _stage(name: str) -> Stage:
    """Build (once) the stage registered as ``name`` with the sample workspace's context."""
    if name not in _BUILT:
        try:
            _BUILT[name] = build_stage(name, _context())
        except ImportError as exc:
            # TODO(integration): remove this skip once every stage module exists.
            pytest.skip(f"stage '{name}' is not importable yet ({exc})")  # TODO(integration)
    return _BUILT[name]


@pytest.fixture(scope="module")
def sample_posts() -> list[Post]:
    return _sample_posts(limit=400)


# ------------------------------------------------------------------------- the tests


def test_sample_config_and_posts_load() -> None:
    cfg = _config()
    assert [b.name for b in cfg.brands] == ["Nimbus Mobile", "Nimbus Home"]
    assert [c.name for c in cfg.competitors] == ["Corvid Telecom"]
    posts = _sample_posts()
    assert len(posts) >= 1_000
    assert any(p.text is None for p in posts), "the sample should hold a tombstone"


def test_every_default_stage_is_registered() -> None:
    missing = set(DEFAULT_STAGES) - set(available_stages())
    assert not missing, f"default stages without an entry point in pyproject.toml: {sorted(missing)}"


@pytest.mark.parametrize("name", STAGE_NAMES)
def test_stage_declares_the_protocol(name: str) -> None:
    stage = _stage(name)
    assert isinstance(stage, Stage)
    # A mode's replacement (e.g. sentiment_accurate) keeps the name of the stage it stands in for.
    replaces = {swap: default for swaps in MODE_STAGES.values() for default, swap in swaps.items()}
    expected = replaces.get(name, name)
    assert stage.name == expected, f"entry point '{name}' built a stage named '{stage.name}'"
    assert isinstance(stage.version, str) and stage.version.strip(), "version must be a non-empty str"
    for attr in ("requires", "provides"):
        keys = getattr(stage, attr)
        assert isinstance(keys, tuple), f"{attr} must be a tuple, got {type(keys).__name__}"
        assert all(isinstance(k, str) and k for k in keys), f"{attr} must hold non-empty str keys: {keys!r}"
        assert len(set(keys)) == len(keys), f"{attr} repeats a key: {keys!r}"
    assert stage.provides, "a stage must provide at least one key"
    assert not set(stage.requires) & set(stage.provides), "a stage cannot require what it provides"


@pytest.mark.parametrize("name", STAGE_NAMES)
def test_process_conforms_on_the_sample(name: str, sample_posts: list[Post]) -> None:
    stage = _stage(name)
    out = stage.process(sample_posts, _upstream(stage, sample_posts))
    _assert_conforms(stage, sample_posts, out, _config())


@pytest.mark.parametrize("name", STAGE_NAMES)
def test_process_survives_tombstones_and_odd_text(name: str) -> None:
    stage = _stage(name)
    posts = _edge_posts()
    out = stage.process(posts, _upstream(stage, posts))
    _assert_conforms(stage, posts, out, _config())


@pytest.mark.parametrize("name", STAGE_NAMES)
def test_tombstone_gets_a_neutral_judgement(name: str) -> None:
    stage = _stage(name)
    posts = [_tombstone()]
    judged = stage.process(posts, _upstream(stage, posts))[0]
    if "brands" in judged:
        assert judged["brands"] == []
    if "sentiment" in judged:
        assert judged["sentiment"]["label"] == "neutral"
    if "complaint" in judged:
        assert judged["complaint"]["is_complaint"] is False
    if "receptivity" in judged:
        assert judged["receptivity"]["welcome"] is False
    if "spam" in judged:
        assert judged["spam"]["is_spam"] is False


@pytest.mark.parametrize("name", STAGE_NAMES)
def test_empty_batch_gives_empty_list(name: str) -> None:
    assert _stage(name).process([], []) == []


@pytest.mark.parametrize("name", STAGE_NAMES)
def test_pickle_round_trip_gives_equal_output(name: str, sample_posts: list[Post]) -> None:
    stage = _stage(name)
    posts = sample_posts[:150] + _edge_posts()
    upstream = _upstream(stage, posts)
    clone = pickle.loads(pickle.dumps(stage))
    assert clone.name == stage.name and clone.version == stage.version
    assert clone.process(posts, upstream) == stage.process(posts, upstream)


@pytest.mark.parametrize("name", STAGE_NAMES)
def test_process_is_deterministic_and_leaves_input_alone(name: str, sample_posts: list[Post]) -> None:
    stage = _stage(name)
    posts = sample_posts[:200] + _edge_posts()
    upstream = _upstream(stage, posts)
    before = copy.deepcopy(upstream)
    first = stage.process(posts, upstream)
    assert upstream == before, f"stage '{name}' changed the enrichment it was given (it is read-only)"
    assert stage.process(posts, upstream) == first


_texts = st.lists(st.one_of(st.none(), st.text(max_size=300)), min_size=1, max_size=8)


@pytest.mark.parametrize("name", STAGE_NAMES)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=_texts)
def test_any_text_gives_a_valid_judgement(name: str, texts: list[str | None]) -> None:
    stage = _stage(name)
    posts = [
        Post(network="x", native_id=f"h-{i}", text=t, deleted=t is None, author=Author(handle="someone"))
        for i, t in enumerate(texts)
    ]
    _assert_conforms(stage, posts, stage.process(posts, _upstream(stage, posts)), _config())


def test_default_pipeline_builds_and_fills_the_public_contract() -> None:
    try:
        pipeline = default_pipeline(_context())
    except ImportError as exc:
        pytest.skip(f"a default stage is not importable yet ({exc})")  # TODO(integration)
    assert [s.name for s in pipeline.stages] == list(DEFAULT_STAGES)
    assert set(ENRICHMENT_KEYS) <= set(pipeline.provides)
    posts = _sample_posts()
    results = pipeline.run(posts)
    assert len(results) == len(posts)
    cfg = _config()
    for enrichment in results:
        json.dumps(enrichment, allow_nan=False)
        for key in ENRICHMENT_KEYS:
            CONTRACT_CHECKS[key](enrichment[key], cfg)
