"""Marking the answer that solved a public question: who may, what it changes, where it shows.

The store tests run on SQLite and PostgreSQL (``store_url`` from tests/conftest.py);
the route tests on the desk's SQLite store.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from desk_helpers import NOW, VERSIONS, add_people, add_post
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from web_helpers import BASE, login

from goodwill.care.ambassadors import AmbassadorPolicy
from goodwill.care.config import CareConfig
from goodwill.desk.accounts import User, create_api_token
from goodwill.desk.audit import list_audit
from goodwill.desk.cases import sync_cases
from goodwill.desk.casework import get_case, review_reply, send_reply
from goodwill.desk.counts import desk_counts
from goodwill.desk.inbox import InboxFilter, list_inbox
from goodwill.desk.reports import desk_leaderboard, desk_metrics
from goodwill.desk.solutions import mark_solution, solution_reply, unmark_solution
from goodwill.errors import DeskError, Forbidden, NotFound
from goodwill.store import Store, open_store
from goodwill.web import DeskSettings, create_app, solutions

POLICY = AmbassadorPolicy()  # 10 points an accepted answer, 5 more for a solution


@dataclass
class World:
    store: Store
    people: dict[str, User]
    public: int
    private: int
    #: the ambassador's answer (approved), an agent's reply, and an answer still waiting
    answer: int
    agent_reply: int
    waiting: int


def _world(store: Store) -> World:
    people = add_people(store)
    add_post(store, "q", "@acmebank is roaming free in Peru?", intent="question")
    add_post(store, "c", "@acmebank you charged me twice", intent="complaint", complaint=True)
    sync_cases(store, versions=VERSIONS, now=NOW)
    rows = {r.intent: r.id for r in list_inbox(store, people["admin"], InboxFilter(), now=NOW).rows}
    public, private = rows["question"], rows["complaint"]
    answer = send_reply(
        store, people["ambassador"], public, "Yes, roaming in Peru is included.", flags=[], now=NOW
    )
    review_reply(store, people["agent"], answer, approve=True, now=NOW)
    agent_reply = send_reply(store, people["agent"], public, "Also see our roaming page.", flags=[], now=NOW)
    waiting = send_reply(store, people["ambassador"], public, "And it works in Chile.", flags=[], now=NOW)
    return World(store, people, public, private, answer, agent_reply, waiting)


@pytest.fixture
def world(store_url: str) -> Iterator[World]:
    s = open_store(store_url)
    try:
        yield _world(s)
    finally:
        s.close()


def test_an_agent_marks_the_ambassadors_answer_and_it_counts_everywhere(world: World) -> None:
    store, agent = world.store, world.people["agent"]
    before = desk_leaderboard(store, POLICY)
    assert [(r.ambassador, r.points, r.solutions) for r in before] == [("amb", 10, 0)]
    mark_solution(store, agent, world.public, world.answer, ip="127.0.0.1", now=NOW)
    assert solution_reply(store, world.public) == world.answer
    detail = get_case(store, agent, world.public, now=NOW)
    assert detail.case.state == "resolved" and detail.case.resolved_at == NOW
    assert [(a.action, a.detail.get("reply"), a.detail.get("to")) for a in detail.actions[-2:]] == [
        ("solution_marked", world.answer, None),
        ("state", None, "resolved"),
    ]
    audit = list_audit(store, limit=2)
    assert [(e.action, e.username, e.target, e.ip) for e in audit] == [
        ("case.state", "alice", f"case:{world.public}", "127.0.0.1"),
        ("case.solution_marked", "alice", f"case:{world.public}", "127.0.0.1"),
    ]
    assert audit[1].detail == {"reply": world.answer, "author": "amb", "author_role": "ambassador"}
    (row,) = desk_leaderboard(store, POLICY)
    assert (row.ambassador, row.points, row.accepted, row.solutions) == ("amb", 15, 1, 1)
    report = desk_metrics(store, CareConfig(), now=NOW)
    assert report.overall.resolved == 1 and report.overall.resolution_rate == 0.5
    assert list(report.by_ambassador) == ["amb"] and report.by_ambassador["amb"].resolved == 1
    assert desk_counts(store)["solutions"] == 1


def test_marking_another_answer_moves_the_mark_and_unmarking_keeps_the_state(world: World) -> None:
    store, agent = world.store, world.people["admin"]
    mark_solution(store, agent, world.public, world.answer, now=NOW)
    mark_solution(store, agent, world.public, world.answer, now=NOW)  # again: nothing new
    mark_solution(store, agent, world.public, world.agent_reply, now=NOW)
    assert solution_reply(store, world.public) == world.agent_reply
    (row,) = desk_leaderboard(store, POLICY)
    assert (row.points, row.solutions) == (10, 0)  # an agent's reply earns no ambassador points
    marks = [a for a in get_case(store, agent, world.public).actions if a.action.startswith("solution")]
    assert [(a.action, a.detail.get("replaces")) for a in marks] == [
        ("solution_marked", None),
        ("solution_marked", world.answer),
    ]
    unmark_solution(store, agent, world.public, now=NOW)
    assert solution_reply(store, world.public) is None
    assert get_case(store, agent, world.public).case.state == "resolved"
    assert list_audit(store, limit=1)[0].action == "case.solution_unmarked"
    with pytest.raises(NotFound, match="no answer marked"):
        unmark_solution(store, agent, world.public, now=NOW)


def test_who_may_not_mark_and_what_cannot_be_a_solution(world: World) -> None:
    store, people = world.store, world.people
    with pytest.raises(Forbidden, match="ambassador may not mark"):
        mark_solution(store, people["ambassador"], world.public, world.answer)  # even their own answer
    with pytest.raises(Forbidden, match="analyst may not mark"):
        mark_solution(store, people["analyst"], world.public, world.answer)
    with pytest.raises(DeskError, match="is pending approval; only an answer that went out"):
        mark_solution(store, people["agent"], world.public, world.waiting)
    with pytest.raises(DeskError, match="not a public question"):
        mark_solution(store, people["agent"], world.private, world.answer)
    with pytest.raises(NotFound, match="has no reply"):
        mark_solution(store, people["agent"], world.public, 999_999)
    assert solution_reply(store, world.public) is None
    assert get_case(store, people["agent"], world.public).case.state == "pending"
    assert desk_counts(store)["solutions"] == 0


# -- routes -------------------------------------------------------------------------------------------

ROLES = ("admin", "agent", "ambassador", "analyst")
USERNAMES = {"admin": "root", "agent": "alice", "ambassador": "amb", "analyst": "ana"}
#: (path, form, expected status per role: admin, agent, ambassador, analyst)
MATRIX = [
    ("/cases/{public}/solution", {"reply_id": "{answer}"}, (303, 303, 403, 403)),
    ("/cases/{public}/solution/remove", {}, (303, 303, 403, 403)),
]


@pytest.fixture
def desk(store: Store) -> Iterator[tuple[TestClient, World]]:
    w = _world(store)
    app = create_app(DeskSettings(store_url=store.url, versions=VERSIONS, sync_on_start=False), store=store)
    with TestClient(app, base_url=BASE) as client:
        yield client, w


def _fill(template: str, w: World) -> str:
    return template.format(public=w.public, answer=w.answer, private=w.private)


def test_the_matrix_covers_every_solution_route() -> None:
    routes = {r.path for r in solutions.page_router.routes if isinstance(r, APIRoute)}
    assert routes == {re.sub(r"\{public\}", "{case_id}", p) for p, _, _ in MATRIX}


@pytest.mark.parametrize("role", ROLES)
def test_every_solution_route_for_every_role(desk: tuple[TestClient, World], role: str) -> None:
    client, w = desk
    csrf = login(client, USERNAMES[role])
    for template, form, expected in MATRIX:
        data = {k: _fill(v, w) for k, v in form.items()}
        response = client.post(_fill(template, w), data={**data, "csrf_token": csrf}, follow_redirects=False)
        assert response.status_code == expected[ROLES.index(role)], (role, template, response.text[:300])


def test_solution_routes_want_a_login_and_the_csrf_token(desk: tuple[TestClient, World]) -> None:
    client, w = desk
    mark = f"/cases/{w.public}/solution"
    anonymous = client.post(mark, data={"reply_id": str(w.answer)}, follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    csrf = login(client, "alice")
    for data in ({"reply_id": str(w.answer)}, {"reply_id": str(w.answer), "csrf_token": "forged"}):
        refused = client.post(mark, data=data, follow_redirects=False)
        assert refused.status_code == 403 and "CSRF" in refused.text
    assert solution_reply(w.store, w.public) is None
    bad = client.post(mark, data={"reply_id": "x", "csrf_token": csrf}, follow_redirects=False)
    assert bad.status_code == 400 and "choose the reply" in bad.text
    private = client.post(
        f"/cases/{w.private}/solution", data={"reply_id": str(w.answer), "csrf_token": csrf}
    )
    assert private.status_code == 400 and "not a public question" in private.text


def test_the_case_view_shows_the_solution_and_the_button_only_to_staff(
    desk: tuple[TestClient, World],
) -> None:
    client, w = desk
    csrf = login(client, "alice")
    page = client.get(f"/cases/{w.public}").text
    assert page.count("Solved by this answer") == 2  # the two sent replies; not the one waiting
    done = client.post(
        f"/cases/{w.public}/solution",
        data={"reply_id": str(w.answer), "csrf_token": csrf},
        follow_redirects=False,
    )
    assert done.status_code == 303
    page = client.get(f"/cases/{w.public}").text
    solved = re.search(
        rf'<article class="reply status-sent solution" id="reply-{w.answer}">(.*?)</article>', page, re.S
    )
    assert solved and '<span class="badge solution-badge">solution</span>' in solved.group(1)
    assert "Not the solution" in solved.group(1) and page.count("Solved by this answer") == 1
    board = client.get("/leaderboard").text
    assert re.search(r"<td>amb</td><td>[^<]+</td><td>15</td><td>1</td><td>1</td>", board), board
    assert '<dd id="m-solutions">1</dd>' in client.get("/metrics").text
    client.post("/logout", data={"csrf_token": csrf})
    login(client, "amb")
    as_ambassador = client.get(f"/cases/{w.public}").text
    assert "solution</span>" in as_ambassador and "Solved by this answer" not in as_ambassador


def test_the_api_marks_and_unmarks_per_role(desk: tuple[TestClient, World]) -> None:
    client, w = desk
    tokens = {role: create_api_token(w.store, USERNAMES[role], name="t") for role in ROLES}
    url = f"/api/v1/cases/{w.public}/solution"
    for role in ("ambassador", "analyst"):
        refused = client.post(
            url, json={"reply_id": w.answer}, headers={"authorization": f"Bearer {tokens[role]}"}
        )
        assert refused.status_code == 403, role
    auth = {"authorization": f"Bearer {tokens['agent']}"}
    done = client.post(url, json={"reply_id": w.answer}, headers=auth)
    assert done.status_code == 200 and done.json() == {"case_id": w.public, "reply_id": w.answer}
    case = client.get(f"/api/v1/cases/{w.public}", headers=auth).json()
    assert case["solution_reply_id"] == w.answer and case["case"]["state"] == "resolved"
    waiting = client.post(url, json={"reply_id": w.waiting}, headers=auth)
    assert waiting.status_code == 400 and "only an answer that went out" in waiting.json()["detail"]
    assert client.post(url, json={"reply_id": None}, headers=auth).status_code == 200
    assert client.get(f"/api/v1/cases/{w.public}", headers=auth).json()["solution_reply_id"] is None
    assert client.post(url, json={"reply_id": w.answer}).status_code == 401
