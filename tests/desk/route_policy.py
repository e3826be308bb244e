"""The declared security policy of every route of the desk: who may call it, and how a test calls it.

tests/desk/test_security_routes.py walks the app's route table and fails on any
route that has no line here, so a new route cannot ship without a decision on
who may use it. Adding a route is one line in ``POLICY``:

    ("GET", "/reports/weekly"): page(READERS),
    ("POST", "/cases/{case_id}/snooze"): action(AGENTS, until="2026-12-01"),
    ("GET", "/api/v1/reports"): api(READERS),
    ("POST", "/api/v1/cases/{case_id}/snooze"): api(AGENTS, status=200, json={"until": "2026-12-01"}),

Path slots are filled from the test desk: ``{case_id}`` is a public question
every role may see, ``{reply_id}`` an ambassador's answer waiting for approval
(``ids=`` names another: see ``DeskIds`` in test_security_routes.py); a form or JSON
value written ``"{answered}"`` is filled the same way. Requests run in
the order below, GETs first, so an action that changes a case comes after the
pages that read it. ``hostile=True`` marks a page that shows posts' text,
authors' names or URLs (or people's names): the browser test renders the
hostile corpus through each of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

ROLES = ("admin", "agent", "ambassador", "analyst", "anonymous")
STAFF = frozenset({"admin", "agent", "ambassador", "analyst"})
EVERYONE = STAFF | {"anonymous"}
#: who may speak on a case (the ambassador's answers wait for approval)
REPLIERS = frozenset({"admin", "agent", "ambassador"})
#: who works cases: assign, change state, correct, approve
AGENTS = frozenset({"admin", "agent"})
#: who reads the numbers
READERS = frozenset({"admin", "agent", "analyst"})
AUDITORS = frozenset({"admin", "analyst"})

Kind = Literal["public", "page", "action", "api", "login"]


@dataclass(frozen=True)
class Policy:
    """Who gets through (``allowed``) and how to call the route; everyone else is refused.

    Refused means: a signed-in role without the permission gets 403; anonymous
    gets a redirect to /login (pages, actions) or 401 (API).
    """

    kind: Kind
    allowed: frozenset[str]
    #: the status an allowed caller gets
    status: int = 200
    #: form fields (actions) sent with the CSRF token
    form: Mapping[str, str] = field(default_factory=dict)
    #: the JSON body (API POSTs)
    json: Any = None
    #: which desk object fills each path slot (default: ``DEFAULT_IDS``)
    ids: Mapping[str, str] = field(default_factory=dict)
    #: a concrete path for a mount (``/static``), or a query string to add
    sample: str = ""
    #: renders post text, author names, URLs or people's names
    hostile: bool = False


def public(*, status: int = 200, sample: str = "") -> Policy:
    """Open to everyone, anonymous included (no session, no token)."""
    return Policy("public", EVERYONE, status=status, sample=sample)


def page(allowed: frozenset[str], *, hostile: bool = False, sample: str = "") -> Policy:
    """An HTML page behind the session cookie."""
    return Policy("page", allowed, hostile=hostile, sample=sample)


def action(
    allowed: frozenset[str], *, status: int = 303, ids: Mapping[str, str] | None = None, **form: str
) -> Policy:
    """A state-changing page request: session cookie plus the session's CSRF token."""
    return Policy("action", allowed, status=status, form=form, ids=ids or {})


def api(
    allowed: frozenset[str], *, status: int = 200, json: Any = None, ids: Mapping[str, str] | None = None
) -> Policy:
    """A JSON API call behind a bearer token (no cookies, so no CSRF)."""
    return Policy("api", allowed, status=status, json=json, ids=ids or {})


#: path slot -> the desk object that fills it
DEFAULT_IDS = {"case_id": "public", "reply_id": "pending", "topic_id": "topic"}

POLICY: dict[tuple[str, str], Policy] = {
    # -- pages --------------------------------------------------------------------------------------
    ("GET", "/"): public(status=303),
    ("GET", "/healthz"): public(),
    ("GET", "/login"): public(),
    ("GET", "/static"): public(sample="/static/desk.css"),
    ("GET", "/inbox"): page(STAFF, hostile=True),
    ("GET", "/cases/{case_id}"): page(STAFF, hostile=True),
    ("GET", "/audit"): page(AUDITORS, hostile=True),
    ("GET", "/metrics"): page(READERS, hostile=True),
    ("GET", "/insights"): page(READERS, hostile=True, sample="?since=2026-11-01"),
    ("GET", "/leaderboard"): page(STAFF, hostile=True),
    ("POST", "/login"): Policy("login", EVERYONE, status=303),
    ("POST", "/cases/{case_id}/check"): action(REPLIERS, status=200, text="Happy to help"),
    ("POST", "/cases/{case_id}/reply"): action(REPLIERS, text="Happy to help"),
    ("POST", "/cases/{case_id}/assign"): action(AGENTS, assignee="me"),
    ("POST", "/cases/{case_id}/corrections"): action(AGENTS, field="intent", value="praise"),
    ("POST", "/replies/{reply_id}/review"): action(AGENTS, decision="approve"),
    ("POST", "/replies/{reply_id}/settle"): action(AGENTS, ids={"reply_id": "in_doubt"}, decision="posted"),
    ("POST", "/cases/{case_id}/state"): action(AGENTS, state="resolved"),
    ("GET", "/insights/topics"): page(READERS, hostile=True),
    ("GET", "/insights/authors"): page(READERS, hostile=True),
    ("POST", "/insights/topics/{topic_id}/name"): action(AUDITORS, name="Cards"),
    ("POST", "/insights/topics/{topic_id}/pin"): action(AUDITORS, pinned="1"),
    ("POST", "/insights/topics/{topic_id}/merge"): action(AUDITORS, into="{other_topic}"),
    ("POST", "/insights/topics/{topic_id}/unmerge"): action(AUDITORS),
    ("POST", "/insights/authors/link"): action(AUDITORS, profile="Ada", handles="x:ada\nx:joe"),
    ("POST", "/insights/authors/unlink"): action(AUDITORS, author="x:joe"),
    ("POST", "/cases/{case_id}/solution"): action(
        AGENTS, ids={"case_id": "answered_case"}, reply_id="{answered}"
    ),
    ("POST", "/cases/{case_id}/solution/remove"): action(AGENTS, ids={"case_id": "answered_case"}),
    ("POST", "/logout"): action(STAFF),
    # -- the JSON API -------------------------------------------------------------------------------
    ("GET", "/api/v1/openapi.json"): public(),
    ("GET", "/api/v1/me"): api(STAFF),
    ("GET", "/api/v1/cases"): api(STAFF),
    ("GET", "/api/v1/cases/{case_id}"): api(STAFF),
    ("GET", "/api/v1/cases/{case_id}/suggestions"): api(REPLIERS),
    ("GET", "/api/v1/audit"): api(AUDITORS),
    ("POST", "/api/v1/cases/{case_id}/check"): api(REPLIERS, json={"text": "Happy to help"}),
    ("POST", "/api/v1/cases/{case_id}/replies"): api(
        REPLIERS, status=201, json={"text": "Happy to help"}, ids={"case_id": "second"}
    ),
    ("POST", "/api/v1/cases/{case_id}/assign"): api(AGENTS, json={"assignee_id": None}),
    ("POST", "/api/v1/cases/{case_id}/corrections"): api(AGENTS, json={"field": "intent", "value": "praise"}),
    ("POST", "/api/v1/replies/{reply_id}/review"): api(
        AGENTS, json={"approve": False}, ids={"reply_id": "pending_api"}
    ),
    ("POST", "/api/v1/replies/{reply_id}/settle"): api(
        AGENTS, json={"decision": "posted"}, ids={"reply_id": "in_doubt_api"}
    ),
    ("POST", "/api/v1/cases/{case_id}/state"): api(
        AGENTS, json={"state": "resolved"}, ids={"case_id": "second"}
    ),
    ("GET", "/api/v1/topics"): api(READERS),
    ("GET", "/api/v1/authors/links"): api(READERS),
    ("POST", "/api/v1/topics/{topic_id}/name"): api(AUDITORS, json={"name": "Cards"}),
    ("POST", "/api/v1/topics/{topic_id}/pin"): api(AUDITORS, json={"pinned": True}),
    ("POST", "/api/v1/topics/{topic_id}/merge"): api(AUDITORS, json={"into": "{other_topic}"}),
    ("POST", "/api/v1/topics/{topic_id}/unmerge"): api(AUDITORS),
    ("POST", "/api/v1/authors/links"): api(AUDITORS, json={"profile": "Ada", "authors": ["x:ada", "x:joe"]}),
    ("POST", "/api/v1/authors/unlink"): api(AUDITORS, json={"authors": ["x:joe"]}),
    ("POST", "/api/v1/cases/{case_id}/solution"): api(
        AGENTS, json={"reply_id": "{answered}"}, ids={"case_id": "answered_case"}
    ),
}


def suggestion(method: str, path: str) -> str:
    """The line to add to POLICY for a route that has none (the failure message quotes it)."""
    if path.startswith("/api/"):
        line = "api(STAFF)," if method == "GET" else 'api(AGENTS, json={"field": "value"}),'
        hint = "the roles whose token may call it"
    elif method == "GET":
        line, hint = "page(STAFF),", "or public(), page(READERS, hostile=True) if it shows posts or names"
    else:
        line, hint = 'action(AGENTS, field="value"),', "the roles allowed, then the form fields a test sends"
    return f'    ("{method}", "{path}"): {line}  # {hint}'
