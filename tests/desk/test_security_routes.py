"""The desk's security, generated from its route table: every route x every role, CSRF, headers, sessions.

The expected behaviour of each route is declared once, in route_policy.POLICY;
these tests walk ``app.routes`` so a new route is covered the moment it is
declared, and fail (saying which line to add) the moment it is not.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from curation_helpers import add_topic
from desk_helpers import PASSWORD, VERSIONS, add_people, add_post, crashed_send
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from httpx import Response
from route_policy import DEFAULT_IDS, EVERYONE, POLICY, ROLES, Policy, suggestion
from starlette.routing import BaseRoute, Mount, Route
from web_helpers import BASE, SalesCheck, csrf_of, login

from goodwill.desk.accounts import create_api_token, session_for
from goodwill.desk.audit import list_audit
from goodwill.desk.casework import send_reply
from goodwill.desk.inbox import InboxFilter, list_inbox
from goodwill.desk.services import DeskServices
from goodwill.store import Store
from goodwill.web import DeskSettings, create_app
from goodwill.web.security import LOGIN_CSRF_COOKIE, SESSION_COOKIE

USERNAMES = {"admin": "root", "agent": "alice", "ambassador": "amb", "analyst": "ana"}
_SLOT = re.compile(r"\{([^}:]+)(?::[^}]+)?\}")
_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def route_table(app: FastAPI) -> list[tuple[str, str]]:
    """Every (method, path) the app answers, HEAD aside (it follows GET); a mount counts as GET."""
    found: list[tuple[str, str]] = []

    def walk(routes: Sequence[BaseRoute], prefix: str) -> None:
        for route in routes:
            inner = getattr(route, "original_router", None)  # an included router (FastAPI >= 0.16x)
            if inner is not None:
                walk(inner.routes, prefix + route.include_context.prefix)  # type: ignore[attr-defined]
            elif isinstance(route, APIRoute | Route):
                found.extend((m, prefix + route.path) for m in sorted(route.methods or ()) if m != "HEAD")
            elif isinstance(route, Mount):
                found.append(("GET", prefix + route.path))
            else:
                raise AssertionError(f"route {route!r} is of a kind the security suite does not know")

    walk(app.routes, "")
    return found


@dataclass
class DeskIds:
    """The desk objects a path slot may name (route_policy's ``ids=``)."""

    public: int
    second: int
    private: int
    pending: int
    pending_api: int
    #: a public question with an agent's sent answer (what a solution marks) and that answer
    answered_case: int
    answered: int
    topic: int
    other_topic: int
    #: agents' replies whose sending died after the network call (goodwill.desk.sending)
    in_doubt: int
    in_doubt_api: int


@dataclass
class Desk:
    app: FastAPI
    client: TestClient
    store: Store
    ids: DeskIds
    tokens: dict[str, str]


def _build(store: Store) -> Desk:
    people = add_people(store)
    add_post(store, "p1", "@acmebank is roaming free in Peru?", intent="question")
    add_post(store, "p2", "@acmebank does roaming work in Chile?", intent="question", handle="joe")
    add_post(store, "p3", "@acmebank you charged me twice", intent="complaint", complaint=True)
    add_post(store, "p4", "@acmebank can I pay by card abroad?", intent="question", handle="joe")
    add_post(store, "p5", "@acmebank is my card blocked?", intent="question", handle="kim")
    add_post(store, "p6", "@acmebank why was my card blocked?", intent="question", handle="lou")
    app = create_app(
        DeskSettings(store_url=store.url, versions=VERSIONS),
        services=DeskServices(reply_checker=SalesCheck()),
        store=store,
    )
    rows = {r.text: r.id for r in list_inbox(store, people["admin"], InboxFilter()).rows}
    public, second = rows["@acmebank is roaming free in Peru?"], rows["@acmebank does roaming work in Chile?"]
    answered_case = rows["@acmebank can I pay by card abroad?"]
    amb = people["ambassador"]
    ids = DeskIds(
        public=public,
        second=second,
        private=rows["@acmebank you charged me twice"],
        pending=send_reply(store, amb, public, "Yes, roaming in Peru is included.", flags=[]),
        pending_api=send_reply(store, amb, second, "Yes, Chile is included too.", flags=[]),
        answered_case=answered_case,
        answered=send_reply(store, people["agent"], answered_case, "Yes, cards work abroad.", flags=[]),
        topic=add_topic(store, "card / abroad", ["card", "abroad"], []),
        other_topic=add_topic(store, "roaming / peru", ["roaming", "peru"], []),
        in_doubt=crashed_send(store, people["agent"], rows["@acmebank is my card blocked?"]),
        in_doubt_api=crashed_send(store, people["agent"], rows["@acmebank why was my card blocked?"]),
    )
    tokens = {role: create_api_token(store, u.username, name="security") for role, u in people.items()}
    return Desk(app, TestClient(app, base_url=BASE), store, ids, tokens)


@pytest.fixture
def desk(store: Store) -> Iterator[Desk]:
    d = _build(store)
    with d.client:
        yield d


def _url(desk: Desk, path: str, policy: Policy) -> str:
    if policy.sample.startswith("/"):
        return policy.sample
    slots = {**DEFAULT_IDS, **policy.ids}

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name in slots, (
            f"{path}: nothing fills {{{name}}}; give its policy ids={{'{name}': FIELD}} with FIELD one of "
            f"{', '.join(DeskIds.__dataclass_fields__)}, or add the object to DeskIds and _build here"
        )
        return str(getattr(desk.ids, slots[name]))

    return _SLOT.sub(fill, path) + policy.sample


def _filled(desk: Desk, value: Any) -> Any:
    """A form or JSON value with ``"{answered}"``-style placeholders replaced by the desk's ids."""
    if isinstance(value, str) and _PLACEHOLDER.fullmatch(value):
        return getattr(desk.ids, value[1:-1])
    if isinstance(value, dict):
        return {k: _filled(desk, v) for k, v in value.items()}
    if isinstance(value, list):
        return [_filled(desk, v) for v in value]
    return value


def _form(desk: Desk, policy: Policy) -> dict[str, str]:
    return {k: str(_filled(desk, v)) for k, v in policy.form.items()}


def _call(desk: Desk, method: str, path: str, policy: Policy, role: str, csrf: str) -> Response:
    url = _url(desk, path, policy)
    headers = (
        {"authorization": f"Bearer {desk.tokens[role]}"}
        if policy.kind == "api" and role in desk.tokens
        else {}
    )
    if method == "GET":
        return desk.client.get(url, headers=headers, follow_redirects=False)
    if policy.kind == "api":
        return desk.client.post(url, json=_filled(desk, policy.json), headers=headers, follow_redirects=False)
    return desk.client.post(url, data={**_form(desk, policy), "csrf_token": csrf}, follow_redirects=False)


def assert_guarded(response: Response, where: str) -> None:
    """The browser's guard rails on a response: CSP, no framing, no sniffing, referrer, no-store, cookies."""
    csp = response.headers.get("content-security-policy", "")
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    script = directives.get("script-src", directives.get("default-src"))
    assert script is not None, f"{where}: no script-src in the CSP {csp!r}"
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script, f"{where}: {csp!r}"
    assert directives.get("frame-ancestors") == ["'none'"], f"{where}: {csp!r}"
    assert directives.get("base-uri") == ["'none'"], f"{where}: {csp!r}"
    assert response.headers.get("x-content-type-options") == "nosniff", where
    assert response.headers.get("x-frame-options") == "DENY", where
    assert response.headers.get("referrer-policy") in ("same-origin", "no-referrer"), where
    if not response.request.url.path.startswith("/static/"):  # nothing but the assets may be cached
        assert response.headers.get("cache-control") == "no-store", where
    for cookie in response.headers.get_list("set-cookie"):
        flags = {part.strip().lower() for part in cookie.split(";")}
        assert "httponly" in flags, f"{where}: cookie without HttpOnly: {cookie}"
        assert "samesite=strict" in flags, f"{where}: cookie without SameSite=strict: {cookie}"


def _ordered() -> list[tuple[str, str]]:
    """GETs first, then the state changes in their declared order, logging out last."""
    keys = [k for k, p in POLICY.items() if p.kind != "login"]
    return sorted(keys, key=lambda k: (k[0] != "GET", k[1] == "/logout"))


def test_every_route_has_a_declared_policy(desk: Desk) -> None:
    routes = route_table(desk.app)
    missing = [r for r in routes if r not in POLICY]
    assert not missing, (
        "routes without a security policy; add these lines to POLICY in tests/desk/route_policy.py "
        "(who may call them, and the form or JSON a test sends):\n"
        + "\n".join(suggestion(m, p) for m, p in missing)
    )
    stale = [k for k in POLICY if k not in routes]
    assert not stale, f"POLICY names routes the app no longer has; remove them: {stale}"
    for key, policy in POLICY.items():
        assert policy.allowed <= EVERYONE, f"{key}: unknown roles {policy.allowed - EVERYONE}"
        assert policy.kind != "public" or key[0] == "GET", f"{key}: a state change cannot be public"


@pytest.mark.parametrize("role", ROLES)
def test_every_route_for_every_role(desk: Desk, role: str) -> None:
    csrf = login(desk.client, USERNAMES[role]) if role != "anonymous" else ""
    for method, path in _ordered():
        policy = POLICY[(method, path)]
        response = _call(desk, method, path, policy, role, csrf)
        where = f"{role} {method} {path} -> {response.status_code}: {response.text[:200]!r}"
        assert response.status_code < 500, where
        assert_guarded(response, where)
        if role in policy.allowed:
            assert response.status_code == policy.status, where
        elif role == "anonymous" and policy.kind == "api":
            assert response.status_code == 401, where
        elif role == "anonymous":
            assert response.status_code == 303 and response.headers["location"].startswith("/login"), where
        else:
            assert response.status_code == 403, where


def test_state_changes_without_the_csrf_token_are_refused(desk: Desk) -> None:
    csrf = login(desk.client, "root")
    before = len(list_audit(desk.store, limit=1000))
    actions = [(m, p) for m, p in _ordered() if POLICY[(m, p)].kind == "action" and p != "/logout"]
    assert actions
    for method, path in [*actions, ("POST", "/logout")]:
        policy = POLICY[(method, path)]
        url = _url(desk, path, policy)
        for data, headers in [
            (_form(desk, policy), {}),
            ({**_form(desk, policy), "csrf_token": "forged"}, {}),
            ({**_form(desk, policy), "csrf_token": csrf}, {"origin": "http://evil.example"}),
            ({**_form(desk, policy), "csrf_token": csrf}, {"origin": "null"}),
        ]:
            refused = desk.client.post(url, data=data, headers=headers, follow_redirects=False)
            assert refused.status_code == 403 and "CSRF" in refused.text, (path, data, headers)
            assert_guarded(refused, path)
    # nothing went through: not one reply, assignment, correction or state change was recorded
    assert len(list_audit(desk.store, limit=1000)) == before
    assert desk.client.get("/inbox", follow_redirects=False).status_code == 200  # still logged in
    # the token in the header (what htmx sends) is accepted like the form field
    sent = desk.client.post(
        _url(desk, "/cases/{case_id}/check", POLICY[("POST", "/cases/{case_id}/check")]),
        data={"text": "hi"},
        headers={"x-csrf-token": csrf, "origin": BASE},
    )
    assert sent.status_code == 200


def test_the_login_form_needs_its_own_csrf_token(desk: Desk) -> None:
    page = desk.client.get("/login")
    form = {"username": "alice", "password": PASSWORD}
    assert desk.client.post("/login", data=form, follow_redirects=False).status_code == 403
    forged = {**form, "csrf_token": "forged"}
    assert desk.client.post("/login", data=forged, follow_redirects=False).status_code == 403
    token = csrf_of(page.text)
    evil = desk.client.post(
        "/login", data={**form, "csrf_token": token}, headers={"origin": "http://evil.example"}
    )
    assert evil.status_code == 403
    desk.client.cookies.delete(LOGIN_CSRF_COOKIE, path="/login")
    assert desk.client.post("/login", data={**form, "csrf_token": token}).status_code == 403


def _session_cookie(client: TestClient) -> str:
    return next(c.value for c in client.cookies.jar if c.name == SESSION_COOKIE)


def test_a_session_id_planted_before_login_is_not_the_one_logged_in(desk: Desk) -> None:
    planted = "attacker-chosen-session-id"
    desk.client.cookies.set(SESSION_COOKIE, planted, domain="127.0.0.1", path="/")
    login(desk.client, "alice")
    issued = _session_cookie(desk.client)
    assert issued != planted
    assert session_for(desk.store, planted) is None
    assert session_for(desk.store, issued) is not None


def test_logging_in_again_rotates_the_session_and_ends_the_old_one(desk: Desk) -> None:
    login(desk.client, "alice")
    first = _session_cookie(desk.client)
    login(desk.client, "alice")
    second = _session_cookie(desk.client)
    assert second != first
    assert session_for(desk.store, first) is None, "the session from before the new login still works"
    replay = TestClient(desk.app, base_url=BASE, cookies={SESSION_COOKIE: first})
    assert replay.get("/inbox", follow_redirects=False).status_code == 303


def test_after_logout_the_old_cookie_opens_nothing(desk: Desk) -> None:
    csrf = login(desk.client, "alice")
    old = _session_cookie(desk.client)
    out = desk.client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert out.status_code == 303
    cleared = out.headers["set-cookie"]
    assert cleared.startswith(f'{SESSION_COOKIE}=""') and "Max-Age=0" in cleared
    replay = TestClient(desk.app, base_url=BASE, cookies={SESSION_COOKIE: old})
    for path in ("/inbox", f"/cases/{desk.ids.public}", "/metrics"):
        response = replay.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login"), path
    refused = replay.post(
        f"/cases/{desk.ids.public}/reply", data={"text": "hi", "csrf_token": csrf}, follow_redirects=False
    )
    assert refused.status_code == 303 and refused.headers["location"].startswith("/login")


def test_one_address_guessing_many_accounts_is_throttled(desk: Desk) -> None:
    clock = [5000.0]
    desk.app.state.throttle.clock = lambda: clock[0]

    def attempt(username: str, password: str) -> Response:
        page = desk.client.get("/login")
        return desk.client.post(
            "/login",
            data={"username": username, "password": password, "csrf_token": csrf_of(page.text)},
            follow_redirects=False,
        )

    guesses = [attempt(name, "Winter2026!").status_code for name in ("root", "alice", "amb", "ana", "bob")]
    assert guesses == [401] * 5
    throttled = attempt("alice", PASSWORD)  # a right password, from the same address: still waits
    assert throttled.status_code == 429 and "Too many failed logins" in throttled.text
    assert SESSION_COOKIE not in throttled.headers.get("set-cookie", "")
    assert_guarded(throttled, "throttled login")
    clock[0] += 901
    assert attempt("alice", PASSWORD).status_code == 303
