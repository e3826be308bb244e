"""A fixed, hand-checkable dataset for the insights tests (the fixtures in conftest.py use it).

Brands: Acme (ours, handle @acmebank) and Globex (a competitor). Every expected value in
the tests is computed by hand from the rows below; the comments say how.

    id  author   followers  when (UTC)        brands          sentiment  notes
    p1  alice          100  Mon 11-02 10:00   Acme            neg -0.8
    p2  bob          5,000  Mon 11-02 12:00   Acme            pos  0.6   payload: 7 likes + 3 reposts
    p3  carol      200,000  Tue 11-03 09:00   Acme, Globex    neg -0.5   p8 replies to it
    p4  alice          100  Tue 11-03 10:00   Globex          neu  0.0
    p5  dave          None  Mon 11-09 08:00   Globex          pos  0.9
    p6  spammer         10  Mon 11-02 11:00   Acme            pos  0.5   spam: left out
    p7  acmebank    50,000  Mon 11-02 13:00   Acme            pos  0.7   Acme's own post: left out
    p8  erin        20,000  Tue 11-10 15:00   Acme            neg -0.4   reply to p3
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from goodwill.config import BrandSpec, WorkspaceConfig
from goodwill.config_insights import InsightsConfig
from goodwill.enrich.registry import default_pipeline
from goodwill.enrich.stage import StageContext
from goodwill.models import Author, Post, Provenance
from goodwill.store import RawRecord, Store

PROVENANCE = Provenance(source="test", retrieved_at=datetime(2026, 11, 20, tzinfo=UTC))

CONFIG = WorkspaceConfig(
    brands=[BrandSpec(name="Acme", handles={"x": ["acmebank"]})],
    competitors=[BrandSpec(name="Globex", handles={"x": ["globexbank"]})],
    insights=InsightsConfig(audiences={"Globex": 2_000_000}),
)

ROWS: list[dict[str, Any]] = [
    dict(id="p1", author="alice", followers=100, at=(11, 2, 10), brands=["Acme"], s=("negative", -0.8)),
    dict(
        id="p2",
        author="bob",
        followers=5000,
        at=(11, 2, 12),
        brands=["Acme"],
        s=("positive", 0.6),
        metrics={"like_count": 7, "retweet_count": 3},
    ),
    dict(
        id="p3",
        author="carol",
        followers=200_000,
        at=(11, 3, 9),
        brands=["Acme", "Globex"],
        s=("negative", -0.5),
        text="Acme and Globex both lost my transfer",
    ),
    dict(id="p4", author="alice", followers=100, at=(11, 3, 10), brands=["Globex"], s=("neutral", 0.0)),
    dict(id="p5", author="dave", followers=None, at=(11, 9, 8), brands=["Globex"], s=("positive", 0.9)),
    dict(
        id="p6",
        author="spammer",
        followers=10,
        at=(11, 2, 11),
        brands=["Acme"],
        s=("positive", 0.5),
        spam=True,
    ),
    dict(id="p7", author="acmebank", followers=50_000, at=(11, 2, 13), brands=["Acme"], s=("positive", 0.7)),
    dict(
        id="p8",
        author="erin",
        followers=20_000,
        at=(11, 10, 15),
        brands=["Acme"],
        s=("negative", -0.4),
        reply_to="p3",
    ),
]


def _role(name: str) -> str:
    return "competitor" if name == "Globex" else "brand"


def fill(store: Store, rows: list[dict[str, Any]]) -> None:
    """Store posts with their payloads and enrichment rows as the stages would have written them."""
    batch = []
    for r in rows:
        month, day, hour = r["at"]
        post = Post(
            network="x",
            native_id=r["id"],
            text=r.get("text", f"post {r['id']} about {' and '.join(r['brands'])}"),
            author=Author(handle=r["author"], name=r["author"].title(), followers=r["followers"]),
            created_at=datetime(2026, month, day, hour, r.get("minute", 0), tzinfo=UTC),
            reply_to=r.get("reply_to"),
        )
        payload = post.contract_fields() | ({"public_metrics": r["metrics"]} if "metrics" in r else {})
        batch.append((post, RawRecord(payload=payload, provenance=PROVENANCE)))
    store.upsert(batch)
    versions = default_pipeline(StageContext()).versions
    enrich = []
    for r in rows:
        stored = store.get("x", r["id"])
        assert stored is not None
        label, score = r["s"]
        brands = [{"name": b, "role": _role(b), "addressed": False, "matched": [b]} for b in r["brands"]]
        enrich += [
            (stored.id, "mentions", versions["mentions"], {"brands": brands}),
            (stored.id, "sentiment", versions["sentiment"], {"sentiment": {"label": label, "score": score}}),
            (stored.id, "spam", versions["spam"], {"spam": {"is_spam": bool(r.get("spam")), "reasons": []}}),
        ]
    store.save_enrichment(enrich)


CONFIG_TOML = """
[[brands]]
name = "Acme"
handles = { x = ["acmebank"] }

[[competitors]]
name = "Globex"
handles = { x = ["globexbank"] }

[insights]
audiences = { "Globex" = 2000000 }
"""
