"""The JSON API: bearer tokens, the pages' role rules, flags on a blocked reply, an OpenAPI document."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from desk_helpers import VERSIONS, add_people, add_post
from fastapi.testclient import TestClient
from web_helpers import BASE, SalesCheck

from goodwill.desk.accounts import create_api_token
from goodwill.desk.inbox import InboxFilter, list_inbox
from goodwill.desk.services import DeskServices
from goodwill.store import Store
from goodwill.web import DeskSettings, create_app


@pytest.fixture
def api(store: Store) -> Iterator[tuple[TestClient, dict[str, str], dict[str, int]]]:
    people = add_people(store)
    add_post(store, "p1", "@acmebank is roaming free in Peru?", intent="question")
    add_post(store, "p2", "@acmebank you charged me twice", intent="complaint", complaint=True)
    app = create_app(
        DeskSettings(store_url=store.url, versions=VERSIONS),
        services=DeskServices(reply_checker=SalesCheck()),
        store=store,
    )
    tokens = {role: create_api_token(store, u.username, name="test") for role, u in people.items()}
    rows = {r.intent or "": r.id for r in list_inbox(store, people["admin"], InboxFilter()).rows}
    with TestClient(app, base_url=BASE) as client:
        yield client, tokens, rows


def _auth(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def test_without_a_valid_token_the_api_says_401(
    api: tuple[TestClient, dict[str, str], dict[str, int]],
) -> None:
    client, _, _ = api
    for headers in ({}, _auth("gw_forged"), {"authorization": "Basic eDp5"}):
        response = client.get("/api/v1/cases", headers=headers)
        assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"


def test_roles_hold_on_the_api(api: tuple[TestClient, dict[str, str], dict[str, int]]) -> None:
    client, tokens, rows = api
    question, complaint = rows["question"], rows["complaint"]
    seen = {
        role: [c["id"] for c in client.get("/api/v1/cases", headers=_auth(t)).json()["cases"]]
        for role, t in tokens.items()
    }
    assert seen == {
        "admin": [complaint, question],
        "agent": [complaint, question],
        "ambassador": [question],
        "analyst": [complaint, question],
    }
    assert client.get(f"/api/v1/cases/{complaint}", headers=_auth(tokens["ambassador"])).status_code == 404
    analyst_reply = client.post(
        f"/api/v1/cases/{question}/replies", json={"text": "hi"}, headers=_auth(tokens["analyst"])
    )
    assert analyst_reply.status_code == 403 and "analyst may not reply" in analyst_reply.json()["detail"]
    assert client.get("/api/v1/audit", headers=_auth(tokens["agent"])).status_code == 403
    amb = client.post(
        f"/api/v1/cases/{question}/replies", json={"text": "Yes"}, headers=_auth(tokens["ambassador"])
    )
    assert amb.status_code == 201
    review = client.post(
        f"/api/v1/replies/{amb.json()['id']}/review", json={"approve": True}, headers=_auth(tokens["agent"])
    )
    assert review.status_code == 200
    detail = client.get(f"/api/v1/cases/{question}", headers=_auth(tokens["agent"])).json()
    assert [r["status"] for r in detail["replies"]] == ["sent"] and detail["case"]["state"] == "pending"


def test_reply_check_and_operations(api: tuple[TestClient, dict[str, str], dict[str, int]]) -> None:
    client, tokens, rows = api
    agent = _auth(tokens["agent"])
    case = rows["complaint"]
    flags = client.post(
        f"/api/v1/cases/{case}/check", json={"text": "a discount for you"}, headers=agent
    ).json()
    assert flags == {
        "flags": [
            {
                "code": "sales_pitch",
                "message": "offers a discount nobody asked for",
                "evidence": "discount",
                "blocking": True,
            }
        ]
    }
    blocked = client.post(f"/api/v1/cases/{case}/replies", json={"text": "a discount for you"}, headers=agent)
    assert blocked.status_code == 422 and blocked.json()["flags"][0]["code"] == "sales_pitch"
    ok = client.post(
        f"/api/v1/cases/{case}/replies",
        json={"text": "a discount for you", "override_reason": "they asked", "resolve": True},
        headers=agent,
    )
    assert ok.status_code == 201
    assert client.post(f"/api/v1/cases/{case}/state", json={"state": "open"}, headers=agent).json() == {
        "ok": True
    }
    assert (
        client.post(f"/api/v1/cases/{case}/assign", json={"assignee_id": None}, headers=agent).status_code
        == 200
    )
    bad = client.post(
        f"/api/v1/cases/{case}/corrections", json={"field": "mood", "value": "x"}, headers=agent
    )
    assert bad.status_code == 400 and "cannot correct 'mood'" in bad.json()["detail"]
    fix = client.post(
        f"/api/v1/cases/{case}/corrections", json={"field": "intent", "value": "question"}, headers=agent
    )
    assert fix.status_code == 200
    detail = client.get(f"/api/v1/cases/{case}", headers=agent).json()
    assert detail["case"]["intent"] == "question" and detail["case"]["state"] == "open"
    assert [a["action"] for a in detail["actions"]] == [
        "created",
        "assigned",  # the sweep when the desk started: alice had room
        "replied",
        "state",
        "state",
        "assigned",
        "corrected",
    ]
    assert client.get(f"/api/v1/cases/{case}/suggestions", headers=agent).json() == []
    me = client.get("/api/v1/me", headers=agent).json()
    assert (me["username"], me["role"]) == ("alice", "agent")


def test_the_openapi_document_lists_every_operation(
    api: tuple[TestClient, dict[str, str], dict[str, int]],
) -> None:
    client, _, _ = api
    doc = client.get("/api/v1/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    operations = {(m.upper(), p) for p, ops in doc["paths"].items() for m in ops}
    assert operations == {
        ("GET", "/api/v1/me"),
        ("GET", "/api/v1/cases"),
        ("GET", "/api/v1/cases/{case_id}"),
        ("POST", "/api/v1/cases/{case_id}/check"),
        ("GET", "/api/v1/cases/{case_id}/suggestions"),
        ("POST", "/api/v1/cases/{case_id}/replies"),
        ("POST", "/api/v1/cases/{case_id}/state"),
        ("POST", "/api/v1/cases/{case_id}/assign"),
        ("POST", "/api/v1/cases/{case_id}/corrections"),
        ("POST", "/api/v1/replies/{reply_id}/review"),
        ("POST", "/api/v1/replies/{reply_id}/settle"),
        ("POST", "/api/v1/cases/{case_id}/solution"),
        ("GET", "/api/v1/audit"),
        ("GET", "/api/v1/topics"),
        ("POST", "/api/v1/topics/{topic_id}/name"),
        ("POST", "/api/v1/topics/{topic_id}/merge"),
        ("POST", "/api/v1/topics/{topic_id}/unmerge"),
        ("POST", "/api/v1/topics/{topic_id}/pin"),
        ("GET", "/api/v1/authors/links"),
        ("POST", "/api/v1/authors/links"),
        ("POST", "/api/v1/authors/unlink"),
    }
    assert "HTTPBearer" in doc["components"]["securitySchemes"]
    assert client.get("/docs").status_code == 404  # no CDN-served docs UI


def test_a_trusted_ambassador_answers_directly_unless_the_check_flags_it(store: Store) -> None:
    from goodwill.care.config import CareConfig
    from goodwill.config import WorkspaceConfig

    people = add_people(store)
    for i in range(3):
        add_post(
            store, f"q{i}", f"@acmebank does roaming work in country {i}?", intent="question", handle=f"u{i}"
        )
    config = WorkspaceConfig(care=CareConfig.model_validate({"ambassadors": {"trusted_after": 1}}))
    app = create_app(DeskSettings(store_url=store.url, versions=VERSIONS, workspace=config), store=store)
    amb = _auth(create_api_token(store, "amb", name="t"))
    agent = _auth(create_api_token(store, "alice", name="t"))
    ids = [r.id for r in list_inbox(store, people["ambassador"], InboxFilter()).rows]
    assert len(ids) == 3
    with TestClient(app, base_url=BASE) as client:

        def status(case_id: int) -> str:
            detail = client.get(f"/api/v1/cases/{case_id}", headers=agent).json()
            return str(detail["replies"][-1]["status"])

        text = "Hi, yes: roaming in that country works on every plan, same as at home."
        first = client.post(f"/api/v1/cases/{ids[0]}/replies", json={"text": text}, headers=amb)
        assert first.status_code == 201 and status(ids[0]) == "pending_approval"
        client.post(f"/api/v1/replies/{first.json()['id']}/review", json={"approve": True}, headers=agent)
        client.post(f"/api/v1/cases/{ids[1]}/replies", json={"text": text}, headers=amb)
        assert status(ids[1]) == "sent"  # one accepted answer makes them trusted
        flagged = "Thank you for reaching out! We apologize for any inconvenience. Roaming works there."
        assert (
            client.post(f"/api/v1/cases/{ids[2]}/replies", json={"text": flagged}, headers=amb).status_code
            == 201
        )
        assert status(ids[2]) == "pending_approval"  # a warning from the check: a second pair of eyes
    from goodwill.desk.reports import desk_leaderboard

    (row,) = desk_leaderboard(store, config.care.ambassadors)
    assert (row.ambassador, row.accepted, row.points, row.rank) == ("amb", 2, 20, "Newcomer")
