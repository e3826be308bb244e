"""The desk's pages over a real store: every route for every role, CSRF, login throttling, hostile input."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from desk_helpers import PASSWORD, VERSIONS, add_people, add_post
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from hostile import HANDLES, NAMES, TEXTS, URLS, problems_in
from web_helpers import BASE, SalesCheck, csrf_of, login

from goodwill.desk.accounts import User
from goodwill.desk.casework import send_reply
from goodwill.desk.inbox import InboxFilter, list_inbox
from goodwill.desk.services import DeskServices
from goodwill.store import Store
from goodwill.web import DeskSettings, create_app, pages
from goodwill.web.security import CSP

_SLOT = re.compile(r"\{[^}]+\}")


@dataclass
class Desk:
    store: Store
    people: dict[str, User]
    client: TestClient
    public: int
    private: int
    pending_reply: int


def _desk(store: Store) -> Desk:
    people = add_people(store)
    add_post(store, "p1", "@acmebank is roaming free in Peru?", intent="question")
    add_post(
        store,
        "p2",
        "@acmebank you charged me twice",
        intent="complaint",
        complaint=True,
        sentiment="negative",
    )
    app = create_app(
        DeskSettings(store_url=store.url, versions=VERSIONS),
        services=DeskServices(reply_checker=SalesCheck()),
        store=store,
    )
    rows = {r.text: r.id for r in list_inbox(store, people["admin"], InboxFilter()).rows}
    public = rows["@acmebank is roaming free in Peru?"]
    private = rows["@acmebank you charged me twice"]
    pending = send_reply(store, people["ambassador"], public, "Yes, roaming in Peru is included.", flags=[])
    return Desk(store, people, TestClient(app, base_url=BASE), public, private, pending)


@pytest.fixture
def desk(store: Store) -> Iterator[Desk]:
    d = _desk(store)
    with d.client:
        yield d


ROLES = ("admin", "agent", "ambassador", "analyst")
USERNAMES = {"admin": "root", "agent": "alice", "ambassador": "amb", "analyst": "ana"}

#: (method, path, form, expected status per role: admin, agent, ambassador, analyst)
MATRIX: list[tuple[str, str, dict[str, str], tuple[int, int, int, int]]] = [
    ("GET", "/", {}, (303, 303, 303, 303)),
    ("GET", "/inbox", {}, (200, 200, 200, 200)),
    ("GET", "/cases/{public}", {}, (200, 200, 200, 200)),
    ("GET", "/cases/{private}", {}, (200, 200, 404, 200)),
    ("POST", "/cases/{public}/check", {"text": "hello"}, (200, 200, 200, 403)),
    ("POST", "/cases/{private}/check", {"text": "hello"}, (200, 200, 404, 403)),
    ("POST", "/cases/{public}/reply", {"text": "Happy to help"}, (303, 303, 303, 403)),
    ("POST", "/cases/{private}/reply", {"text": "Happy to help"}, (303, 303, 404, 403)),
    ("POST", "/cases/{public}/assign", {"assignee": "me"}, (303, 303, 403, 403)),
    ("POST", "/cases/{public}/state", {"state": "resolved"}, (303, 303, 403, 403)),
    ("POST", "/cases/{public}/corrections", {"field": "intent", "value": "praise"}, (303, 303, 403, 403)),
    ("POST", "/replies/{pending}/review", {"decision": "approve"}, (303, 303, 403, 403)),
    ("GET", "/audit", {}, (200, 403, 403, 200)),
    ("GET", "/metrics", {}, (200, 200, 403, 200)),
    ("GET", "/insights", {}, (200, 200, 403, 200)),
    ("GET", "/leaderboard", {}, (200, 200, 200, 200)),
    ("POST", "/logout", {}, (303, 303, 303, 303)),
    ("GET", "/healthz", {}, (200, 200, 200, 200)),
    ("GET", "/login", {}, (200, 200, 200, 200)),
]


def _path(desk: Desk, template: str) -> str:
    return template.format(public=desk.public, private=desk.private, pending=desk.pending_reply)


def test_the_matrix_covers_every_page_route() -> None:
    # POST /login is what every test logs in with; its refusals have their own tests.
    listed = {(m, _SLOT.sub("{}", p)) for m, p, _, _ in MATRIX} | {("POST", "/login")}
    routes = [r for r in pages.router.routes if isinstance(r, APIRoute)]
    assert len(routes) == 17
    for route in routes:
        for method in route.methods:
            assert (method, _SLOT.sub("{}", route.path)) in listed, (
                f"{method} {route.path} is not in the matrix"
            )


@pytest.mark.parametrize("role", ROLES)
def test_every_route_for_every_role(desk: Desk, role: str) -> None:
    csrf = login(desk.client, USERNAMES[role])
    for method, template, form, expected in MATRIX:
        if template == "/logout":
            continue
        path = _path(desk, template)
        if method == "GET":
            response = desk.client.get(path, follow_redirects=False)
        else:
            response = desk.client.post(path, data={**form, "csrf_token": csrf}, follow_redirects=False)
        assert response.status_code == expected[ROLES.index(role)], (role, method, path, response.text[:300])
        assert response.headers["content-security-policy"] == CSP
    out = desk.client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert out.status_code == 303
    assert desk.client.get("/inbox", follow_redirects=False).status_code == 303


def test_anonymous_requests_go_to_login(desk: Desk) -> None:
    for method, template, form, _ in MATRIX:
        if template in ("/login", "/healthz", "/"):
            continue
        path = _path(desk, template)
        response = (
            desk.client.get(path, follow_redirects=False)
            if method == "GET"
            else desk.client.post(path, data=form, follow_redirects=False)
        )
        assert response.status_code == 303 and response.headers["location"].startswith("/login"), path
    assert (
        desk.client.get("/inbox?brand=x", follow_redirects=False).headers["location"]
        == "/login?next=/inbox%3Fbrand%3Dx"
    )


def test_state_changes_without_the_csrf_token_are_refused(desk: Desk) -> None:
    csrf = login(desk.client, "alice")
    reply = f"/cases/{desk.public}/reply"
    for data, headers in [
        ({"text": "hi"}, {}),
        ({"text": "hi", "csrf_token": "forged"}, {}),
        ({"text": "hi", "csrf_token": csrf}, {"origin": "http://evil.example"}),
    ]:
        response = desk.client.post(reply, data=data, headers=headers, follow_redirects=False)
        assert response.status_code == 403 and "CSRF" in response.text
    assert (
        desk.client.post(
            reply, data={"text": "hi"}, headers={"x-csrf-token": csrf}, follow_redirects=False
        ).status_code
        == 303
    )
    page = desk.client.get("/login")
    refused = desk.client.post(
        "/login", data={"username": "alice", "password": PASSWORD}, follow_redirects=False
    )
    assert refused.status_code == 403
    assert csrf_of(page.text)


def test_session_cookie_is_httponly_and_samesite(desk: Desk) -> None:
    page = desk.client.get("/login")
    done = desk.client.post(
        "/login",
        data={
            "username": "alice",
            "password": PASSWORD,
            "csrf_token": csrf_of(page.text),
            "next": "//evil.example/",
        },
        follow_redirects=False,
    )
    cookie = done.headers["set-cookie"]
    assert "gw_session=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert done.headers["location"] == "/inbox"  # no open redirect


def test_login_is_throttled_after_repeated_failures(desk: Desk) -> None:
    clock = [1000.0]
    desk.client.app.state.throttle.clock = lambda: clock[0]  # type: ignore[attr-defined]

    def attempt(password: str) -> int:
        page = desk.client.get("/login")
        return desk.client.post(
            "/login",
            data={"username": "alice", "password": password, "csrf_token": csrf_of(page.text)},
            follow_redirects=False,
        ).status_code

    assert [attempt("wrong password") for _ in range(5)] == [401] * 5
    assert attempt(PASSWORD) == 429  # even the right password waits
    clock[0] += 901
    assert attempt(PASSWORD) == 303


def test_the_reply_check_stops_a_sales_pitch_until_a_reason_is_given(desk: Desk) -> None:
    csrf = login(desk.client, "alice")
    path = f"/cases/{desk.private}"
    checked = desk.client.post(
        f"{path}/check", data={"text": "Get a discount!", "csrf_token": csrf}, headers={"hx-request": "true"}
    )
    assert "sales_pitch" in checked.text and "<html" not in checked.text
    blocked = desk.client.post(f"{path}/reply", data={"text": "Get a discount!", "csrf_token": csrf})
    assert blocked.status_code == 422 and "offers a discount nobody asked for" in blocked.text
    assert "Get a discount!</textarea>" in blocked.text  # the draft is kept
    sent = desk.client.post(
        f"{path}/reply",
        data={"text": "Get a discount!", "override_reason": "they asked about offers", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    page = desk.client.get(path).text
    assert "Sent despite the reply check (sales_pitch): they asked about offers" in page
    assert "Alice Agent" in page and "copied and marked as replied" in page


def test_inbox_filters_and_htmx_fragment(desk: Desk) -> None:
    login(desk.client, "alice")
    full = desk.client.get("/inbox").text
    assert full.count('class="case-link"') == 2
    only = desk.client.get("/inbox?intent=complaint", headers={"hx-request": "true"}).text
    assert only.count('class="case-link"') == 1 and "charged me twice" in only and "<html" not in only
    assert "addressed to @acmebank" in only
    # The sweep on start gave each agent one case (least loaded first, ties by name).
    mine = desk.client.get("/inbox?assignee=me").text
    assert mine.count('class="case-link"') == 1 and "charged me twice" in mine
    assert desk.client.get("/inbox?assignee=none").text.count('class="case-link"') == 0


def test_an_ambassador_sees_only_their_public_questions(desk: Desk) -> None:
    login(desk.client, "amb")
    inbox = desk.client.get("/inbox").text
    assert "roaming free in Peru" in inbox and "charged me twice" not in inbox
    case = desk.client.get(f"/cases/{desk.public}").text
    assert "an agent approves it" in case and "Approve" not in case


def _hostile_desk(store: Store) -> tuple[TestClient, list[int]]:
    add_people(store)
    n = 0
    for i, text in enumerate(TEXTS):
        for j, name in enumerate(NAMES):
            n += 1
            add_post(
                store,
                f"h{i}-{j}",
                text,
                name=name,
                handle=HANDLES[(i + j) % len(HANDLES)],
                url=URLS[(i + j) % len(URLS)],
                reasons=[text[:40]],
                conversation_id="thread-1",
                brand=name,
            )
    app = create_app(
        DeskSettings(store_url=store.url, versions=VERSIONS, page_size=100),
        services=DeskServices(reply_checker=SalesCheck()),
        store=store,
    )
    client = TestClient(app, base_url=BASE)
    ids = [r.id for r in list_inbox(store, _root(store), InboxFilter(limit=100)).rows]
    assert len(ids) == n
    return client, ids


def _root(store: Store) -> User:
    from goodwill.desk.accounts import find_user

    user = find_user(store, "root")
    assert user is not None
    return user


def test_hostile_texts_names_and_urls_are_inert_on_every_page(store: Store) -> None:
    client, ids = _hostile_desk(store)
    with client:
        csrf = login(client, "root")
        client.post(
            f"/cases/{ids[0]}/reply",
            data={"text": TEXTS[0] + " discount", "override_reason": NAMES[0], "csrf_token": csrf},
        )
        client.post(
            f"/cases/{ids[1]}/corrections", data={"field": "intent", "value": "praise", "csrf_token": csrf}
        )
        pages = ["/inbox", "/audit", "/metrics", *(f"/cases/{i}" for i in ids[:6])]
        pages += [f"/inbox?brand={NAMES[0]}", "/cases/999999", "/login"]
        for path in pages:
            response = client.get(path)
            assert response.status_code in (200, 404), path
            assert problems_in(response.text) == [], path
            assert "<script>document" not in response.text
        check = client.post(
            f"/cases/{ids[0]}/check",
            data={"text": TEXTS[1] + " discount", "csrf_token": csrf},
            headers={"hx-request": "true"},
        )
        assert problems_in(check.text) == []
        assert "<img" not in check.text


@pytest.mark.parametrize(
    ("html", "problem"),
    [
        ('<a href="javascript:alert(1)">x</a>', "href"),
        ("<img src=x onerror=alert(1)>", "<img>"),
        ("<p onclick=alert(1)>x</p>", "onclick"),
        ("<script>alert(1)</script>", "script not ours"),
        ('<a href="https://x.example" target="_blank">x</a>', "rel"),
        ('<div hx-delete="/x">x</div>', "hx-delete"),
    ],
)
def test_the_xss_checker_catches_what_it_looks_for(html: str, problem: str) -> None:
    assert any(problem in p for p in problems_in(html)), problems_in(html)
