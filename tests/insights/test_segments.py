"""Segments: each author lands where the words of a post put them, with that evidence; links merge people."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from goodwill.cli.main import invoke
from goodwill.config_insights import SegmentSpec
from goodwill.errors import InputError
from goodwill.insights.authors import identities, link_authors, list_links, parse_author, unlink_authors
from goodwill.insights.facts import BrandMention, PostFact
from goodwill.insights.segments import find_evidence, segment_authors, summarise
from goodwill.store import Store

ACME = BrandMention("Acme", "brand")
GLOBEX = BrandMention("Globex", "competitor")
SITUATIONS = [
    SegmentSpec(name="newly married", phrases=["just got married"]),
    SegmentSpec(name="starting a business", examples=["we are opening our own bakery next month"]),
]


def fact(pid: int, text: str, *brands: BrandMention, author: str = "x:ann", **more: object) -> PostFact:
    return PostFact(
        post_id=pid,
        network="x",
        native_id=f"n{pid}",
        posted_at=datetime(2026, 11, 1, tzinfo=UTC),
        text=text,
        author=author,
        brands=brands,
        **more,  # type: ignore[arg-type]
    )


def found(*facts: PostFact) -> list[tuple[str, str | None, str]]:
    return [(e.segment, e.brand, e.cue) for e in find_evidence(facts, situations=SITUATIONS)]


def test_customer_from_what_they_own_or_complain_about() -> None:
    assert found(fact(1, "my Acme plan keeps dropping calls", ACME)) == [
        ("customer", "Acme", "uses: 'my Acme plan'")
    ]
    assert found(fact(2, "still no signal", ACME, intent="complaint")) == [
        ("customer", "Acme", "complaint about Acme")
    ]
    assert found(fact(3, "I've been with Globex for years", GLOBEX)) == [
        ("competitor_customer", "Globex", "uses: 'I've been with'")
    ]


def test_prospects_and_churn_follow_the_direction_of_a_switch() -> None:
    assert found(fact(1, "thinking of switching to Acme, any good?", ACME)) == [
        ("prospect", "Acme", "considering: 'thinking of switching to'")
    ]
    assert found(fact(2, "leaving Acme for Globex next month", ACME, GLOBEX)) == [
        ("churn_risk", "Acme", "leaving: 'leaving'"),
        ("prospect", "Globex", "considering: 'moving to Globex'"),
    ]
    # Leaving a competitor makes a prospect for us and shows they were its customer.
    assert found(fact(3, "cancelling my Globex contract", GLOBEX)) == [
        ("prospect", "Globex", "leaving: 'cancelling'"),
        ("competitor_customer", "Globex", "leaving: 'cancelling'"),
    ]
    assert found(fact(4, "which isp should I get? any recommendations", intent="recommendation_request")) == [
        ("prospect", None, "intent: recommendation_request")
    ]


def test_media_and_peer_helpers() -> None:
    assert found(fact(1, "Acme raises prices", ACME, intent="news_share")) == [("media", None, "shares news")]
    assert found(fact(2, "a post", author_name="Harbour Herald")) == [
        ("media", None, "profile name 'Harbour Herald'")
    ]
    helper = fact(3, "try restarting the router, fixed it for me", reply_to="n9", intent="social")
    assert found(helper) == [("peer_helper", None, "advice in a reply: 'try restarting'")]
    # A question in a reply is not help.
    assert found(fact(4, "you can? how?", reply_to="n9", intent="question")) == []


def test_situation_segments_from_phrases_and_examples() -> None:
    assert found(fact(1, "We just got married!! honeymoon next")) == [
        ("newly married", None, "phrase: 'just got married'")
    ]
    assert found(fact(2, "finally opening my bakery this month")) == [
        ("starting a business", None, "like an example: bakery, month, opening")
    ]
    assert found(fact(3, "the weather is lovely today")) == []


def test_members_gather_evidence_per_linked_person_and_summaries_count_authors() -> None:
    facts = [
        fact(1, "my Acme plan is fine", ACME, author="x:ann", followers=40),
        fact(2, "my Acme bill doubled", ACME, author="mastodon:ann@toot.example", followers=90),
        fact(3, "my Acme app crashed", ACME, author="x:bo"),
    ]
    links = {"x:ann": "Ann", "mastodon:ann@toot.example": "Ann"}
    evidence = find_evidence(facts, identities=links)
    members = segment_authors(evidence, facts=facts, identities=links)
    assert [(m.author, m.posts, m.followers) for m in members] == [("Ann", 2, 90), ("x:bo", 1, None)]
    assert members[0].evidence == ("x:n1 uses: 'my Acme plan'", "x:n2 uses: 'my Acme bill'")
    assert [(s.segment, s.brand, s.authors, s.posts) for s in summarise(evidence)] == [
        ("customer", "Acme", 2, 3)
    ]


def test_author_links_are_stored_moved_and_removed(store: Store) -> None:
    assert link_authors(store, "Ann", ["x:@Ann", "mastodon:ann@toot.example"]) == [
        "x:ann",
        "mastodon:ann@toot.example",
    ]
    link_authors(store, "Ann Two", ["x:ann"])
    assert identities(store) == {"x:ann": "Ann Two", "mastodon:ann@toot.example": "Ann"}
    assert unlink_authors(store, ["x:ann", "x:nobody"]) == 1
    assert [(link.author, link.profile) for link in list_links(store)] == [
        ("mastodon:ann@toot.example", "Ann")
    ]


@pytest.mark.parametrize("bad", ["alice", ":alice", "x:", "x: two words"])
def test_an_author_must_be_network_and_handle(bad: str) -> None:
    with pytest.raises(InputError, match="network:handle"):
        parse_author(bad)


def test_cli_links_authors_and_insights_count_them_once(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert invoke(["authors", "link", "Alibob", "x:alice", "x:bob"]) == 0
    assert "Linked 2 handles to Alibob" in capsys.readouterr().err
    assert invoke(["insights", "who", "--since", "2026-11-01", "--brand", "Acme", "-f", "jsonl"]) == 0
    voices = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    # alice (p1) and bob (p2) are one voice: followers 5,000 (the larger), engagement 10, influence 5.78
    assert [(v["author"], v["posts"], v["influence"]) for v in voices] == [
        ("x:carol", 1, 5.9),
        ("Alibob", 2, 5.78),
        ("x:erin", 1, 4.3),
    ]
    assert invoke(["authors", "list", "-f", "csv"]) == 0
    assert capsys.readouterr().out.splitlines()[1].startswith("x:alice,Alibob,")
    assert invoke(["authors", "link", "Nobody", "alice"]) == 2
    assert "network:handle" in capsys.readouterr().err
    assert invoke(["insights", "segments", "--since", "2026-11-01", "-f", "jsonl"]) == 0


def test_situations_and_alerts_are_read_from_goodwill_toml(tmp_path: Path) -> None:
    from goodwill.config import load_config
    from goodwill.errors import ConfigError

    sample = load_config(Path(__file__).parents[2] / "examples" / "sample" / "goodwill.toml")
    assert [s.name for s in sample.insights.segments] == ["newly married", "new job"]
    assert sample.insights.alerts.window_minutes == 60
    bad = tmp_path / "goodwill.toml"
    bad.write_text("[insights.alerts]\nvolume_ratio = 0.5\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="volume_ratio"):
        load_config(bad)
