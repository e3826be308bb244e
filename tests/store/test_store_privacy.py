"""Forget a person, apply the retention policy, export under pseudonyms: on both stores."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from populated import WHEN, author_post, every_row, populate, raw_record
from sqlalchemy import Column, ForeignKey, Integer, String, Table, select

from goodwill.cli.main import invoke
from goodwill.errors import InputError
from goodwill.models import Provenance
from goodwill.pseudonym import SALT_FILENAME, Pseudonymiser, load_or_create_salt
from goodwill.store import PostQuery, RawRecord, Store, open_store
from goodwill.store.privacy import apply_retention, forget
from goodwill.store.schema import metadata


def _mentions(rows: dict[str, list[tuple[Any, ...]]], word: str) -> list[str]:
    """Tables with a row in which ``word`` appears in any value."""
    return sorted({t for t, rs in rows.items() for r in rs if word in json.dumps(r, default=str).lower()})


def test_forget_erases_a_person_from_every_table_and_the_search_index(store: Store) -> None:
    populate(store)
    assert _mentions(every_row(store), "alice") == ["posts", "raw_payloads"]
    assert store.count(PostQuery(search="alice", limit=None)) == 1
    bob_before = [r for r in every_row(store)["posts"] if r[4] == "bob"]

    removed = forget(store, "@ALICE")

    assert removed == {"posts": 2, "raw_payloads": 2, "enrichments": 2}
    after = every_row(store)
    assert _mentions(after, "alice") == []
    assert store.count(PostQuery(search="alice", limit=None)) == 0
    assert store.count(PostQuery(search="refund", limit=None)) == 0
    assert [r for r in after["posts"] if r[4] == "bob"] == bob_before  # nobody else is touched
    assert forget(store, "alice") == {}  # nothing left


def test_forget_on_one_network_keeps_the_same_handle_elsewhere(store: Store) -> None:
    populate(store)
    removed = forget(store, "alice", network="mastodon")
    assert removed == {"posts": 1, "raw_payloads": 1, "enrichments": 1}
    left = store.get("x", "1")
    assert left is not None and left.post.author_handle == "alice"
    assert store.get("mastodon", "3") is None


def test_forget_removes_versions_of_an_edited_post(store: Store) -> None:
    populate(store)
    assert len(every_row(store)["post_versions"]) == 1
    assert forget(store, "bob") == {"posts": 1, "post_versions": 1, "raw_payloads": 2, "enrichments": 1}
    assert every_row(store)["post_versions"] == []


def test_forget_needs_a_handle(store: Store) -> None:
    with pytest.raises(InputError, match="--author needs a handle"):
        forget(store, " @ ")


def test_forget_reaches_a_table_declared_after_the_fact(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Simulate a part's table (e.g. the desk's cases) declared on the metadata with a person column."""
    from sqlalchemy import Connection

    cases = Table(
        "test_cases",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("post_id", Integer, ForeignKey("posts.id", ondelete="CASCADE"), nullable=True),
        Column("customer", String(64), info={"person": "handle"}),
        Column("cc", String(64), info={"person": "mention"}),
    )
    try:
        populate(store)

        def setup(conn: Connection) -> None:
            cases.create(conn)
            posts = metadata.tables["posts"]
            bobs = conn.execute(select(posts.c.id).where(posts.c.author_handle == "bob")).scalar_one()
            conn.execute(
                cases.insert(),
                [
                    {"id": 1, "post_id": bobs, "customer": "bob", "cc": "Alice"},
                    {"id": 2, "post_id": None, "customer": "ALICE", "cc": None},
                ],
            )

        store.transaction(setup)
        removed = forget(store, "alice")
        assert removed == {
            "posts": 2,
            "raw_payloads": 2,
            "enrichments": 2,
            "test_cases": 1,
            "test_cases (mention)": 1,
        }
        rows = store.read(lambda c: [tuple(r) for r in c.execute(cases.select())])
        assert [(r[0], r[2], r[3]) for r in rows] == [(1, "bob", None)]
    finally:
        store.transaction(lambda c: cases.drop(c))
        metadata.remove(cases)


def _aged(store: Store) -> None:
    old = author_post("10", "erin", "an old post")
    new = author_post("11", "erin", "a new post")
    old_raw = RawRecord(
        payload={"id": "10"}, provenance=Provenance(source="x", retrieved_at=WHEN - timedelta(days=40))
    )
    new_raw = RawRecord(
        payload={"id": "11"}, provenance=Provenance(source="x", retrieved_at=WHEN - timedelta(days=5))
    )
    store.upsert([(old, old_raw), (new, new_raw)])


def test_retention_drops_old_raw_payloads_and_keeps_posts(store: Store) -> None:
    populate(store)  # payloads retrieved at WHEN
    _aged(store)
    before = every_row(store)
    removed = apply_retention(store, {"raw_payload_days": 30}, now=WHEN + timedelta(hours=1))
    assert removed == {"raw_payloads": 1}  # only the 40-day-old one
    after = every_row(store)
    assert after["posts"] == before["posts"] and after["enrichments"] == before["enrichments"]
    got = store.get("x", "10")
    assert got is not None and store.raw_payloads(got.id) == []
    assert len(after["raw_payloads"]) == len(before["raw_payloads"]) - 1
    # later, everything is older than the policy allows
    later = apply_retention(store, {"raw_payload_days": 30}, now=WHEN + timedelta(days=60))
    assert later == {"raw_payloads": len(after["raw_payloads"])}
    assert apply_retention(store, {"raw_payload_days": None}, now=WHEN + timedelta(days=999)) == {}
    assert store.count(PostQuery(limit=None)) == 5


def test_pseudonyms_are_stable_salted_and_hide_the_handle(tmp_path: Path) -> None:
    salt = load_or_create_salt(tmp_path)
    assert (tmp_path / SALT_FILENAME).stat().st_mode & 0o777 == 0o600
    assert load_or_create_salt(tmp_path) == salt
    p = Pseudonymiser(salt, keep_handles=["AcmeBank"])
    line = {
        "id": "1",
        "network": "x",
        "text": "hey @Alice and @bob.smith, ask @acmebank. mail a@b.c",
        "author": {"handle": "Alice", "name": "Alice A", "native_id": "42", "followers": 3},
        "url": "https://x.com/Alice/status/1",
    }
    out = p.line(line)
    assert out["author"]["handle"] == p.name("x", "alice") == p.name("x", "@ALICE")
    assert out["author"]["handle"].startswith("p_") and len(out["author"]["handle"]) == 18
    assert out["author"]["followers"] == 3 and "name" not in out["author"] and "url" not in out
    assert (
        out["text"]
        == f"hey @{p.name('x', 'alice')} and @{p.name('x', 'bob.smith')}, ask @acmebank. mail a@b.c"
    )
    assert "alice" not in json.dumps(out).lower()
    (tmp_path / "elsewhere").mkdir()
    other = Pseudonymiser(load_or_create_salt(tmp_path / "elsewhere"))
    assert other.name("x", "alice") != p.name("x", "alice")  # another install, another salt


def test_cli_forget_retention_and_pseudonymised_export(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "goodwill.toml").write_text("[retention]\nraw_payload_days = 1\n", encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'goodwill.db'}"
    monkeypatch.setenv("GOODWILL_DATABASE_URL", url)
    with open_store(url) as store:
        populate(store)
    capsys.readouterr()

    assert invoke(["export", "--pseudonymise"]) == 0
    first = capsys.readouterr().out
    assert invoke(["export", "--pseudonymise"]) == 0
    assert capsys.readouterr().out == first  # stable across runs
    assert len(first.splitlines()) == 3 and "alice" not in first.lower() and "bob" not in first.lower()
    assert (tmp_path / SALT_FILENAME).exists()

    assert invoke(["forget", "--author", "alice", "--network", "x"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report == {"removed": {"enrichments": 1, "posts": 1, "raw_payloads": 1}, "total": 3}

    assert invoke(["retention", "apply"]) == 0  # payloads of 2026-03 are older than a day
    assert json.loads(capsys.readouterr().out)["removed"] == {"raw_payloads": 4}
    with open_store(url) as store:
        assert store.count(PostQuery(include_deleted=True, limit=None)) == 3
    assert datetime.now(UTC) > WHEN


def test_raw_record_helper_carries_the_odd_characters() -> None:
    rec = raw_record(author_post("1", "x", "t"))
    assert rec.payload["odd"][2] == "\u202e"


def _links_and_alert(store: Store) -> None:
    """Alice's handles linked as one person, Bob linked alone, and an alert quoting both's posts."""
    from goodwill.insights.authors import link_authors
    from goodwill.store.schema_insights import alert_state

    link_authors(store, "Alice A.", ["x:alice", "mastodon:alice", "bsky:ali.example"], now=WHEN)
    link_authors(store, "Bob B.", ["x:bob"], now=WHEN)
    examples = [
        "x:1 Refund please, café closed",
        "x:2 Love the new app 😍",
        "mastodon:3 second post by alice",
    ]
    details = {"key": "volume|Acme|", "examples": examples, "text": "Acme: 3 posts", "topics": ["cards"]}

    def run(conn: Any) -> None:
        conn.execute(
            alert_state.insert().values(
                key="volume|Acme|", fired_at=WHEN, window_end=WHEN, active=True, details=details
            )
        )

    store.transaction(run)


def test_forget_erases_the_persons_author_links_and_the_alerts_quotes(store: Store) -> None:
    from goodwill.insights.alerts import recent_alerts
    from goodwill.insights.authors import list_links, same_person

    populate(store)
    _links_and_alert(store)
    assert same_person(store, "@Alice", network="x") == ["bsky:ali.example", "mastodon:alice"]

    removed = forget(store, "@Alice", network="x")

    assert removed == {
        "posts": 1,
        "raw_payloads": 1,
        "enrichments": 1,
        "author_links": 1,
        "author_links (same person)": 2,
        "alert_state (quotes)": 1,
    }
    assert [(link.author, link.profile) for link in list_links(store)] == [("x:bob", "Bob B.")]
    (alert,) = recent_alerts(store, limit=5)
    # only alice's x post is gone from the quotes: her mastodon post is still stored (forget it too)
    assert alert.details["examples"] == ["x:2 Love the new app 😍", "mastodon:3 second post by alice"]
    assert alert.details["text"] == "Acme: 3 posts" and alert.details["topics"] == ["cards"]
    assert forget(store, "alice", network="x") == {}


def test_forget_on_every_network_matches_the_handle_exactly(store: Store) -> None:
    from goodwill.insights.authors import link_authors, list_links

    populate(store)
    link_authors(store, "Al", ["x:alice", "x:malice", "mastodon:alice_", "x:xalice"], now=WHEN)
    link_authors(store, "Other", ["x:ALICE2", "mastodon:bob"], now=WHEN)

    removed = forget(store, "ALICE")

    assert removed["author_links"] == 1 and removed["author_links (same person)"] == 3
    assert [link.author for link in list_links(store)] == ["mastodon:bob", "x:alice2"]


def test_cli_forget_reports_the_links_and_names_the_other_handles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'goodwill.db'}"
    monkeypatch.setenv("GOODWILL_DATABASE_URL", url)
    with open_store(url) as store:
        populate(store)
        _links_and_alert(store)
    capsys.readouterr()

    assert invoke(["forget", "--author", "@alice", "--network", "x"]) == 0
    out = capsys.readouterr()
    assert json.loads(out.out) == {
        "removed": {
            "alert_state (quotes)": 1,
            "author_links": 1,
            "author_links (same person)": 2,
            "enrichments": 1,
            "posts": 1,
            "raw_payloads": 1,
        },
        "total": 7,
    }
    assert out.err.splitlines()[1:] == [
        "bsky:ali.example was linked as the same person (link removed, posts kept): "
        "goodwill forget --author ali.example --network bsky",
        "mastodon:alice was linked as the same person (link removed, posts kept): "
        "goodwill forget --author alice --network mastodon",
    ]


def test_forget_rewrites_the_names_in_the_audit_log_of_author_links(store: Store) -> None:
    from goodwill.desk.audit import list_audit
    from goodwill.desk.curation import link_handles

    populate(store)
    link_handles(store, None, "Old name", ["x:alice"])
    link_handles(store, None, "Alice Ä.", ["x:alice", "bsky:ali.example"])  # moves x:alice
    link_handles(store, None, "Bob B.", ["x:bob"])

    removed = forget(store, "alice", network="x")

    assert (removed["author_links"], removed["author_links (same person)"]) == (1, 1)
    assert removed["audit_log (names)"] == 2
    details = [e.detail for e in reversed(list_audit(store, limit=10))]
    assert details == [
        # a profile name the person no longer has is not known any more: it stays (docs/privacy.md)
        {"profile": "Old name", "authors": ["(forgotten)"]},
        {
            "profile": "(forgotten)",
            "authors": ["(forgotten)", "(forgotten)"],
            "was": {"(forgotten)": "Old name"},
        },
        {"profile": "Bob B.", "authors": ["x:bob"]},
    ]
