"""schemathesis against the desk's OpenAPI document: generated calls, valid and not, never a 500.

Every answer that is not a 500 must also match the response schema the document declares.

Every operation gets a bounded number of positive (schema-valid) and negative
(schema-breaking) examples, sent over ASGI with a valid admin token and again
with an ambassador's (whose views are narrower). The 500s it found are pinned
below as plain regression tests, one per bug.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from desk_helpers import VERSIONS, add_people, add_post
from fastapi import FastAPI
from fastapi.testclient import TestClient
from web_helpers import BASE, SalesCheck, login

from goodwill.desk.accounts import create_api_token
from goodwill.desk.services import DeskServices
from goodwill.store import Store
from goodwill.web import DeskSettings, create_app

#: examples per operation and generation mode; about 10 s per role on this 2-core machine
EXAMPLES = 10


@pytest.fixture
def app(store: Store) -> Iterator[tuple[FastAPI, dict[str, str]]]:
    people = add_people(store)
    add_post(store, "p1", "@acmebank is roaming free in Peru?", intent="question")
    add_post(store, "p2", "@acmebank you charged me twice", intent="complaint", complaint=True)
    the_app = create_app(
        DeskSettings(store_url=store.url, versions=VERSIONS),
        services=DeskServices(reply_checker=SalesCheck()),
        store=store,
    )
    tokens = {role: create_api_token(store, u.username, name="schemathesis") for role, u in people.items()}
    yield the_app, tokens


@pytest.mark.slow
@pytest.mark.parametrize("role", ["admin", "ambassador"])
def test_no_generated_call_makes_a_server_error(app: tuple[FastAPI, dict[str, str]], role: str) -> None:
    import schemathesis
    from hypothesis import HealthCheck, Phase, given, settings
    from schemathesis import GenerationMode
    from schemathesis.checks import response_schema_conformance

    the_app, tokens = app
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", the_app)
    auth = {"authorization": f"Bearer {tokens[role]}"}
    errors: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def call(case: Any) -> None:
                response = case.call(headers=auth)
                if response.status_code >= 500:
                    errors.append(f"{response.status_code}: {case.as_curl_command()}")
                    return
                try:  # and what comes back is what the document promises
                    case.validate_response(response, checks=[response_schema_conformance])
                except Exception as exc:  # schemathesis raises its own failure types
                    errors.append(f"{exc}: {case.as_curl_command()}")

            call()
    expected = sum(len(ops) for ops in the_app.openapi()["paths"].values())
    assert operations == expected >= 11
    assert errors == []


# -- the 500s schemathesis found, fixed ---------------------------------------------------------------


@pytest.fixture
def client(app: tuple[FastAPI, dict[str, str]]) -> Iterator[tuple[TestClient, dict[str, str]]]:
    the_app, tokens = app
    with TestClient(the_app, base_url=BASE) as c:
        yield c, {"authorization": f"Bearer {tokens['admin']}"}


TOO_BIG = str(2**63)  # past SQLite's INTEGER: OverflowError inside the driver, a 500 before the fix


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/cases/{TOO_BIG}",
        f"/api/v1/cases/{TOO_BIG}/suggestions",
        f"/api/v1/audit?before={TOO_BIG}",
        "/api/v1/cases/0",
    ],
)
def test_an_id_past_what_the_store_holds_is_a_422(
    client: tuple[TestClient, dict[str, str]], path: str
) -> None:
    c, auth = client
    response = c.get(path, headers=auth)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][0] in ("path", "query")


def test_assigning_to_an_id_past_the_store_is_a_422(client: tuple[TestClient, dict[str, str]]) -> None:
    c, auth = client
    response = c.post("/api/v1/cases/1/assign", json={"assignee_id": 2**63}, headers=auth)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "assignee_id"]


@pytest.mark.parametrize("assignee", [TOO_BIG, "²", "٣"])
def test_an_assignee_filter_no_one_can_hold_matches_no_case(
    client: tuple[TestClient, dict[str, str]], assignee: str
) -> None:
    c, auth = client
    assert len(c.get("/api/v1/cases", headers=auth).json()["cases"]) == 2
    response = c.get("/api/v1/cases", params={"assignee": assignee}, headers=auth)
    assert response.status_code == 200
    assert response.json() == {"cases": [], "has_more": False, "next_cursor": None, "previous_cursor": None}


def test_the_pages_bound_ids_too(client: tuple[TestClient, dict[str, str]]) -> None:
    c, _ = client
    csrf = login(c, "alice")
    assert c.get(f"/cases/{TOO_BIG}").status_code == 422
    assert c.get(f"/audit?before={TOO_BIG}", follow_redirects=False).status_code == 422
    refused = c.post("/cases/1/assign", data={"assignee": TOO_BIG, "csrf_token": csrf})
    assert refused.status_code == 400 and "choose who to assign" in refused.text
    for odd in ("²", "abc"):
        assert c.post("/cases/1/assign", data={"assignee": odd, "csrf_token": csrf}).status_code == 400
