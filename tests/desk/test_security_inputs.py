"""Odd values in every parameter of every page route, generated from the route table: never a 500.

schemathesis covers the JSON API from its OpenAPI document; the pages are left
out of that document, so here each page route's own parameters (path slots,
query parameters, form fields, read from FastAPI's dependency tree) get a list
of hostile values one at a time, the rest left valid, as an admin (who may
reach every handler).
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote, urlencode

import pytest
from fastapi.routing import APIRoute
from route_policy import POLICY
from test_security_routes import Desk, _build, _url, route_table
from web_helpers import login

from goodwill.store import Store

ODD = [
    "",
    "0",
    "-1",
    str(2**63),
    "9" * 40,
    "²",
    "٣",
    "1.5",
    "\x00",
    "a\x00b",
    "x" * 5000,
    "' OR 1=1 --",
    "%00%ff",
    "../../etc/passwd",
    "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
    "<script>alert(1)</script>",
]


@pytest.fixture
def desk(store: Store) -> Iterator[Desk]:
    d = _build(store)
    with d.client:
        yield d


def _page_routes(desk: Desk) -> list[APIRoute]:
    wanted = {k for k in route_table(desk.app) if not k[1].startswith("/api/")}
    found = []
    for route in desk.app.router.routes:
        inner = getattr(route, "original_router", None)
        for r in inner.routes if inner is not None else [route]:
            if isinstance(r, APIRoute) and any((m, r.path) in wanted for m in r.methods):
                found.append(r)
    return found


@pytest.mark.slow
def test_odd_values_in_any_page_parameter_never_make_a_500(desk: Desk) -> None:
    csrf = login(desk.client, "root")
    tried = 0
    for route in _page_routes(desk):
        method = sorted(route.methods)[0]
        if route.path in ("/logout", "/login"):
            continue
        policy = POLICY[(method, route.path)]
        base = _url(desk, route.path, policy).split("?")[0]
        queries = [p.alias for p in route.dependant.query_params]
        fields = [p.alias for p in route.dependant.body_params]
        slots = [p.alias for p in route.dependant.path_params]
        for value in ODD:
            targets: list[tuple[str, dict[str, str], dict[str, str]]] = []
            targets += [(base, {q: value}, {}) for q in queries]
            targets += [(base, {}, {**policy.form, f: value}) for f in fields]
            for slot in slots:
                odd_path = route.path.replace("{" + slot + "}", quote(value, safe="") or "%20")
                targets.append((odd_path, {}, {}))
            for path, params, form in targets:
                tried += 1
                url = path + ("?" + urlencode(params) if params else "")
                if method == "GET":
                    response = desk.client.get(url, follow_redirects=False)
                else:
                    data = {**(form or policy.form), "csrf_token": csrf}
                    response = desk.client.post(url, data=data, follow_redirects=False)
                assert response.status_code < 500, (method, url, params, form, response.text[:300])
    assert tried > 200
