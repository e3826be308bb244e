"""The shortcuts that make small batches cheap must not change a single judgement.

A listener judges pages of a few posts and tests every firehose post for a
brand, so two fast paths exist: the heads' product reads only the weight rows
a batch uses, and the mentions stage tries a few substring searches before its
regex. Both must give exactly what the long way gives.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse import csr_matrix

from goodwill.config import BrandSpec, WorkspaceConfig
from goodwill.enrich.mentions import MentionsStage
from goodwill.enrich.sentiment import hashed_dot
from goodwill.enrich.stage import StageContext


@settings(max_examples=60, deadline=None)
@given(
    rows=st.integers(1, 6),
    seed=st.integers(0, 2**32 - 1),
    density=st.floats(0.0, 0.3),
    classes=st.integers(1, 4),
)
def test_hashed_dot_is_the_sparse_product_bit_for_bit(
    rows: int, seed: int, density: float, classes: int
) -> None:
    rng = np.random.default_rng(seed)
    features = 500
    dense = rng.random((rows, features)) * (rng.random((rows, features)) < density)
    hashed = csr_matrix(np.log1p(dense))
    weights = rng.standard_normal((features, classes)).astype(np.float32)
    expected = np.asarray(hashed @ weights, dtype=np.float64)
    got = hashed_dot(hashed, weights)
    assert got.dtype == np.float64 and got.shape == (rows, classes)
    assert np.array_equal(got, expected)


CONFIG = WorkspaceConfig(
    brands=[
        BrandSpec(
            name="Acme Bank",
            aliases=["T-Mobile"],
            handles={"x": ["AcmeHelp"], "mastodon": ["acme@mastodon.social"]},
            domains=["acme.example"],
        ),
        BrandSpec(name="Zoë", hashtags=["zoecares"], cashtags=["ZOE"]),
    ],
    competitors=[BrandSpec(name="Corvid Telecom")],
    exclusions=["acme bank holiday"],
)
PIECES = [
    "acme",
    "Acme  Bank",
    "ACME-bank",
    "@acmehelp",
    "@AcmeHelp.",
    "@acme@mastodon.social",
    "acme.example/x",
    "t-mobile",
    "t mobile",
    "ZOE",
    "Zoë",
    "ＺＯË",
    "#ZoeCares",
    "$zoe",
    "corvid\ntelecom",
    "acme bank holiday",
    "RT @acmehelp:",
    "bank",
    " ",
    "é",
    "xyz",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=8), st.text(max_size=20))
def test_mentions_literal_screen_finds_what_the_regex_alone_finds(pieces: list[str], noise: str) -> None:
    text = noise.join(pieces) if pieces else noise
    screened = MentionsStage(StageContext(config=CONFIG))
    plain = MentionsStage(StageContext(config=CONFIG))
    plain._literals = None  # the regex alone
    assert screened._literals is not None
    assert screened.find(text) == plain.find(text)
