"""The curation operations in the JSON API: same roles and audit rows as the pages, bearer tokens only."""

from __future__ import annotations

import pytest
from curation_helpers import add_topic
from desk_helpers import VERSIONS, add_people, add_post
from fastapi.testclient import TestClient
from web_helpers import BASE

from goodwill.desk.accounts import create_api_token
from goodwill.desk.audit import list_audit
from goodwill.store import Store
from goodwill.web import DeskSettings, create_app


def _auth(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


@pytest.fixture
def seeded(store: Store) -> tuple[Store, dict[str, dict[str, str]], dict[str, int]]:
    people = add_people(store)
    tokens = {role: _auth(create_api_token(store, u.username, name="t")) for role, u in people.items()}
    posts = [add_post(store, f"p{i}", f"@acmebank card declined {i}") for i in range(3)]
    ids = {
        "card": add_topic(store, "card / declined", ["card", "declined"], posts[:2]),
        "fees": add_topic(store, "fees", ["fees"], posts[2:]),
    }
    return store, tokens, ids


def _client(store: Store) -> TestClient:
    return TestClient(
        create_app(DeskSettings(store_url=store.url, versions=VERSIONS), store=store), base_url=BASE
    )


def test_an_analyst_curates_through_the_api(
    seeded: tuple[Store, dict[str, dict[str, str]], dict[str, int]],
) -> None:
    store, tokens, ids = seeded
    ana = tokens["analyst"]
    with _client(store) as client:
        listed = client.get("/api/v1/topics", headers=ana).json()
        assert [(t["id"], t["shown_as"], t["posts"], t["pinned"]) for t in listed] == [
            (ids["card"], "card / declined", 2, False),
            (ids["fees"], "fees", 1, False),
        ]
        assert client.post(
            f"/api/v1/topics/{ids['card']}/name", json={"name": "Cards"}, headers=ana
        ).json() == {"ok": True}
        assert (
            client.post(
                f"/api/v1/topics/{ids['fees']}/merge", json={"into": ids["card"]}, headers=ana
            ).status_code
            == 200
        )
        assert (
            client.post(f"/api/v1/topics/{ids['card']}/pin", json={"pinned": False}, headers=ana).status_code
            == 200
        )
        after = {t["id"]: t for t in client.get("/api/v1/topics", headers=ana).json()}
        assert (after[ids["card"]]["name"], after[ids["card"]]["pinned"]) == ("Cards", False)
        assert (after[ids["fees"]]["merged_into"], after[ids["fees"]]["pinned"]) == (ids["card"], True)

        linked = client.post(
            "/api/v1/authors/links",
            json={"profile": "Ada", "authors": ["x:@Ada", "mastodon:ada"]},
            headers=ana,
        )
        assert linked.json() == {"authors": ["x:ada", "mastodon:ada"]}
        assert client.get("/api/v1/authors/links", headers=ana).json() == [
            {"author": "mastodon:ada", "profile": "Ada"},
            {"author": "x:ada", "profile": "Ada"},
        ]
        gone = client.post("/api/v1/authors/unlink", json={"authors": ["x:ada", "x:nobody"]}, headers=ana)
        assert gone.json() == {"removed": 1}

        bad = client.post(f"/api/v1/topics/{ids['card']}/merge", json={"into": ids["card"]}, headers=ana)
        assert (bad.status_code, bad.json()["detail"]) == (400, "cannot merge a topic into itself.")
        missing = client.post("/api/v1/topics/999/name", json={"name": "x"}, headers=ana)
        assert missing.status_code == 404
        handle = client.post("/api/v1/authors/links", json={"profile": "A", "authors": ["ada"]}, headers=ana)
        assert handle.status_code == 400 and "network:handle" in handle.json()["detail"]
    actions = [e.action for e in list_audit(store, limit=5)]
    assert actions == ["authors.unlink", "authors.link", "topic.unpin", "topic.merge", "topic.name"]
    assert {e.username for e in list_audit(store, limit=5)} == {"ana"}


@pytest.mark.parametrize("role", ["admin", "agent", "ambassador", "analyst"])
def test_roles_hold_on_the_curation_api(
    seeded: tuple[Store, dict[str, dict[str, str]], dict[str, int]], role: str
) -> None:
    store, tokens, ids = seeded
    headers = tokens[role]
    reads = ["/api/v1/topics", "/api/v1/authors/links"]
    writes = [
        (f"/api/v1/topics/{ids['card']}/name", {"name": "Cards"}),
        (f"/api/v1/topics/{ids['fees']}/merge", {"into": ids["card"]}),
        (f"/api/v1/topics/{ids['card']}/pin", {"pinned": True}),
        ("/api/v1/authors/links", {"profile": "Ada", "authors": ["x:ada"]}),
        ("/api/v1/authors/unlink", {"authors": ["x:ada"]}),
    ]
    with _client(store) as client:
        for path in reads:
            assert client.get(path, headers=headers).status_code == (403 if role == "ambassador" else 200), (
                path
            )
            assert client.get(path).status_code == 401, path
        for path, body in writes:
            answer = client.post(path, json=body, headers=headers)
            assert answer.status_code == (200 if role in {"admin", "analyst"} else 403), (path, answer.text)
            assert client.post(path, json=body).status_code == 401, path
    edits = [e for e in list_audit(store, limit=20) if e.action.startswith(("topic.", "authors."))]
    assert len(edits) == (5 if role in {"admin", "analyst"} else 0)


def test_an_unmerged_topic_counts_as_itself_again_and_the_log_says_from_what(
    seeded: tuple[Store, dict[str, dict[str, str]], dict[str, int]],
) -> None:
    store, tokens, ids = seeded
    ana = tokens["analyst"]
    with _client(store) as client:
        client.post(f"/api/v1/topics/{ids['fees']}/merge", json={"into": ids["card"]}, headers=ana)
        for _ in range(2):  # the second unmerge changes nothing and logs nothing
            answer = client.post(f"/api/v1/topics/{ids['fees']}/unmerge", headers=ana)
            assert answer.json() == {"ok": True}
        after = {t["id"]: t for t in client.get("/api/v1/topics", headers=ana).json()}
        assert (after[ids["fees"]]["merged_into"], after[ids["fees"]]["pinned"]) == (None, True)
        assert (after[ids["fees"]]["shown_as"], after[ids["fees"]]["posts"]) == ("fees", 1)
        refused = client.post(f"/api/v1/topics/{ids['fees']}/unmerge", headers=tokens["agent"])
        assert refused.status_code == 403
        missing = client.post("/api/v1/topics/999999/unmerge", headers=ana)
        assert missing.status_code in (400, 404)
    log = [
        (e.action, e.target, e.detail) for e in list_audit(store, limit=10) if e.action.startswith("topic.")
    ]
    assert log[0] == (
        "topic.unmerge",
        f"topic:{ids['fees']}",
        {"from": ids["card"], "from_name": "card / declined", "name": "fees"},
    )
    assert [a for a, _, _ in log] == ["topic.unmerge", "topic.merge"]
