"""The desk's Insights page: the report's charts and tables plus the fired alerts, escaped, under the CSP."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from desk_helpers import NOW, VERSIONS, add_people, add_post
from fastapi.testclient import TestClient
from hostile import NAMES, SVG_TAGS, TEXTS, problems_in
from sqlalchemy import Connection
from web_helpers import BASE, SalesCheck, login

from goodwill.desk.services import DeskServices
from goodwill.store import Store
from goodwill.store.schema_insights import alert_state
from goodwill.web import DeskSettings, create_app
from goodwill.web.security import CSP

#: a fixed window, so the page does not depend on today's date
SINCE = "2026-11-01"


def _client(store: Store) -> TestClient:
    app = create_app(
        DeskSettings(store_url=store.url, versions=VERSIONS),
        services=DeskServices(reply_checker=SalesCheck()),
        store=store,
    )
    return TestClient(app, base_url=BASE)


def _alert(store: Store, *, brand: str, kind: str, text: str, topic: str | None = None) -> None:
    details: dict[str, Any] = {"key": f"{kind}|{brand}|{topic or ''}", "kind": kind, "brand": brand}
    details.update(topic=topic, text=text, posts=12, baseline_posts=2.0)

    def run(conn: Connection) -> None:
        conn.execute(
            alert_state.insert().values(
                key=details["key"],
                fired_at=NOW - timedelta(hours=1),
                window_end=NOW,
                active=True,
                details=details,
            )
        )

    store.transaction(run)


def _seed(store: Store) -> None:
    add_people(store)
    for i in range(3):
        add_post(
            store, f"n{i}", f"@acmebank card declined again {i}", sentiment="negative", brand="Acme Bank"
        )
    add_post(store, "p0", "@acmebank thanks, sorted!", sentiment="positive", brand="Acme Bank")
    add_post(store, "z0", "@zeta love the new app", sentiment="positive", brand="Zeta")


def test_the_page_shows_the_report_charts_and_the_alerts(store: Store) -> None:
    _seed(store)
    _alert(store, brand="Acme Bank", kind="negative", text="Acme Bank: negative share 75% against 10% usual.")
    with _client(store) as client:
        login(client, "ana")
        response = client.get(f"/insights?since={SINCE}")
        assert response.status_code == 200
        assert response.headers["content-security-policy"] == CSP
        html = response.text
        assert '<a href="/insights">Insights</a>' in html
        assert "5 posts since 2026-11-01 00:00 UTC" in html
        charts = re.findall(r"<svg .*?</svg>", html, flags=re.S)
        assert len(charts) >= 4
        net = next(c for c in charts if "<title>Net sentiment</title>" in c)
        # Acme Bank: (1 positive - 3 negative) / 4 judged = -50; Zeta: +100.
        assert "Acme Bank" in net and "Zeta" in net
        assert re.search(r"<title>Acme Bank[^<]*−?-?50", net), net
        assert '<table data-table="net_sentiment">' in html
        row = re.search(r'<tr data-alert="negative\|Acme Bank\|">(.*?)</tr>', html, flags=re.S)
        assert row is not None
        cells = re.findall(r"<td>(.*?)</td>", row.group(1))
        assert cells == [
            "Acme Bank",
            "negative",
            "2026-11-20 11:00 UTC",
            "ongoing",
            "Acme Bank: negative share 75% against 10% usual.",
        ]
        # The CSP allows no inline style: nothing on the page may rely on one.
        assert " style=" not in html and "<style" not in html
        assert problems_in(html, extra_tags=SVG_TAGS) == []


def test_the_brand_filter_narrows_the_page(store: Store) -> None:
    _seed(store)
    with _client(store) as client:
        login(client, "alice")
        html = client.get(f"/insights?since={SINCE}&brand=Zeta").text
        assert "1 posts since 2026-11-01 00:00 UTC · brand: Zeta" in html
        net = re.search(r'<table data-table="net_sentiment">.*?</table>', html, flags=re.S)
        assert net is not None and "Zeta" in net.group(0) and "Acme Bank" not in net.group(0)
        assert "No alert has fired." in html


def test_ambassadors_do_not_see_insights_and_a_bad_window_is_a_message(store: Store) -> None:
    _seed(store)
    with _client(store) as client:
        login(client, "amb")
        assert client.get("/insights").status_code == 403
        assert '<a href="/insights">' not in client.get("/inbox").text
        login(client, "root")
        bad = client.get("/insights?since=last+tuesday")
        assert bad.status_code == 400
        assert "cannot read since &#39;last tuesday&#39;" in bad.text


def test_hostile_post_text_and_brand_names_are_inert(store: Store) -> None:
    add_people(store)
    for i, text in enumerate(TEXTS):
        name = NAMES[i % len(NAMES)]
        add_post(store, f"h{i}", text, name=name, brand=name, sentiment="negative")
    for name in NAMES:
        _alert(store, brand=name, kind="volume", text=f"{name} spiked: {TEXTS[0]}", topic=TEXTS[1])
    with _client(store) as client:
        login(client, "root")
        for path in (f"/insights?since={SINCE}", f"/insights?since={SINCE}&brand={NAMES[0]}"):
            response = client.get(path)
            assert response.status_code == 200, path
            assert problems_in(response.text, extra_tags=SVG_TAGS) == [], path
            assert "<script>document" not in response.text
        html = client.get(f"/insights?since={SINCE}").text
        # the alert list (Jinja) and the report's tables and charts (html.escape) both escape
        assert "<td>&lt;script&gt;document.title=&#39;pwned-name&#39;&lt;/script&gt;</td>" in html
        assert "<td>&lt;script&gt;document.title=&#x27;pwned-name&#x27;&lt;/script&gt;</td>" in html
        assert "<text" in html and "&lt;img src=x onerror=alert(1)&gt;</text>" in html
