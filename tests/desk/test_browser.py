"""End to end in a real browser (Debian's chromium, driven by Playwright): the whole loop, and hostile input.

Never `playwright install`: the browser is the system's /usr/bin/chromium, which
`make test` installs when it is missing (scripts/ensure-chromium.sh). Set
GOODWILL_DESK_SCREENSHOTS=docs/desk to refresh the screenshots in the docs.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from desk_helpers import PASSWORD, VERSIONS, add_people, add_post
from hostile import HANDLES, NAMES, TEXTS, URLS
from live_server import serve
from route_policy import POLICY

from goodwill.care.config import CareConfig
from goodwill.config import BrandSpec, WorkspaceConfig
from goodwill.desk.accounts import add_user
from goodwill.desk.casework import assign_case, review_reply, send_reply
from goodwill.desk.inbox import InboxFilter, list_inbox
from goodwill.store import Store
from goodwill.web import DeskSettings, create_app

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail("/usr/bin/chromium is missing: run scripts/ensure-chromium.sh (make test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


def _shots(tmp_path: Path) -> Path:
    target = os.environ.get("GOODWILL_DESK_SCREENSHOTS")
    folder = Path(target) if target else tmp_path / "shots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Watch:
    """What a page must never do: open dialogs, violate the CSP, throw script errors."""

    def __init__(self, page: Any) -> None:
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)


def _login(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert page.url == f"{base}/inbox", page.content()[:3000]


def _workspace(tmp_path: Path) -> tuple[WorkspaceConfig, Path]:
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "cards.md").write_text(
        "# Cards\n\n## Charged twice\n\nA card payment that shows twice is usually a pending authorisation: "
        "the second one drops off within 3 days. If it stays, we refund the second charge to your card.\n",
        encoding="utf-8",
    )
    config = WorkspaceConfig(
        brands=[BrandSpec(name="Acme Bank", domains=["acmebank.example"])],
        care=CareConfig(knowledge_base="kb"),
    )
    return config, tmp_path


def test_log_in_work_a_case_and_send_a_reply(store: Store, browser: Any, tmp_path: Path) -> None:
    add_people(store)
    add_post(
        store,
        "1001",
        "@acmebank my card was charged twice for one coffee, can you fix it?",
        intent="complaint",
        complaint=True,
        sentiment="negative",
        name="Mina Okafor",
        handle="minao",
        url="https://x.example/minao/status/1001",
        reasons=["addressed to @acmebank", "complaint addressed to Acme Bank"],
    )
    add_post(
        store, "1002", "@acmebank does my card work abroad?", intent="question", handle="joe", name="Joe K."
    )
    add_post(
        store,
        "1003",
        "@acmebank thanks, all sorted!",
        intent="praise",
        welcome=False,
        handle="minao",
        name="Mina Okafor",
    )
    config, folder = _workspace(tmp_path)
    app = create_app(
        DeskSettings(store_url=store.url, versions=VERSIONS, workspace=config, workspace_dir=folder),
        store=store,
    )
    shots = _shots(tmp_path)
    with serve(app) as base:
        context = browser.new_context(viewport={"width": 1366, "height": 820})
        page = context.new_page()
        watch = Watch(page)
        page.goto(f"{base}/inbox")
        page.wait_for_url(f"{base}/login?next=/inbox")
        page.screenshot(path=str(shots / "login.png"))
        _login(page, base, "alice")
        rows = page.locator("a.case-link")
        assert rows.count() == 2
        assert "charged twice" in page.locator("ol.cases li").first.inner_text()
        page.screenshot(path=str(shots / "inbox.png"), full_page=True)

        # Keyboard: the first case has focus; j and k move, Enter opens.
        page.keyboard.press("j")
        assert "does my card work abroad" in page.evaluate("document.activeElement.closest('li').innerText")
        page.keyboard.press("k")
        page.keyboard.press("Enter")
        page.wait_for_url(f"{base}/cases/*")
        assert page.locator("h1").inner_text().startswith("Case ")
        assert "complaint addressed to Acme Bank" in page.locator(".why").inner_text()
        assert page.locator("a.source").get_attribute("rel") == "noopener nofollow ugc"

        # A suggested answer from the knowledge base, with its citation.
        suggestion = page.locator(".suggestions li").first
        assert "pending authorisation" in suggestion.inner_text()
        assert suggestion.locator("cite").inner_text() == "cards.md > Cards > Charged twice"

        # The reply check (via htmx as one types) stops a sales pitch.
        page.keyboard.press("r")
        page.keyboard.type("So sorry Mina! Use code SAVE20 for 20% off your next card.")
        page.wait_for_selector(".check.flagged")
        flagged = page.locator("#check-result").inner_text()
        assert "sales.code" in flagged and "sales.offer" in flagged
        page.click("#send")
        page.wait_for_selector("p.error")
        assert "flagged this reply" in page.locator("p.error").inner_text()
        page.screenshot(path=str(shots / "reply-check.png"), full_page=True)

        # Rewritten from the suggestion, it goes out, logged with who sent it.
        page.locator(".use-suggestion").first.click()
        page.locator("#reply-text").press("End")
        page.keyboard.type(" Sorry about that, Mina.")
        page.wait_for_selector(".check.ok, .check.warned")
        assert page.locator(".check.flagged").count() == 0
        page.click("#send")
        page.wait_for_url(f"{base}/cases/*#replies")
        reply = page.locator("article.reply").first.inner_text()
        assert (
            "Alice Agent" in reply and "copied and marked as replied" in reply and "Sorry about that" in reply
        )
        assert "replied" in page.locator(".history").inner_text()
        page.screenshot(path=str(shots / "case.png"), full_page=True)

        page.goto(f"{base}/metrics")
        assert page.locator("#m-replies").inner_text() == "1"
        assert page.locator("#m-social").inner_text() == "1"
        assert page.locator("#m-frt").inner_text() not in ("", "–")
        assert "contacts handled on social" in page.locator("#m-deflection").inner_text()
        page.screenshot(path=str(shots / "metrics.png"), full_page=True)
        assert watch.dialogs == []
        # The one failed load is the refused pitch itself (422 Unprocessable Entity).
        assert [e for e in watch.errors if "422" not in e] == []
        context.close()


def test_hostile_input_never_runs_in_the_browser(store: Store, browser: Any, tmp_path: Path) -> None:
    add_people(store)
    for i, text in enumerate(TEXTS):
        add_post(
            store,
            f"h{i}",
            text,
            name=NAMES[i % len(NAMES)],
            handle=HANDLES[i % len(HANDLES)],
            url=URLS[i % len(URLS)],
            reasons=[text[:60]],
            brand=NAMES[(i + 1) % len(NAMES)],
            conversation_id="evil-thread",
        )
    app = create_app(DeskSettings(store_url=store.url, versions=VERSIONS, page_size=100), store=store)
    with serve(app) as base:
        context = browser.new_context(viewport={"width": 1366, "height": 820})
        page = context.new_page()
        watch = Watch(page)
        _login(page, base, "root")
        assert page.locator("a.case-link").count() == len(TEXTS)
        title = page.title()
        links = [a.get_attribute("href") for a in page.locator("a.case-link").all()]
        page.screenshot(path=str(_shots(tmp_path) / "hostile-inbox.png"), full_page=True)
        for href in links:
            page.goto(f"{base}{href}")
            page.locator("#reply-text").fill(TEXTS[0])
            page.wait_for_selector("#check-result")
            assert "pwned" not in page.title(), href
            for a in page.locator("a[href]").all():
                target = (a.get_attribute("href") or "").strip().lower()
                assert target.startswith(("/", "#", "http://", "https://")), target
        page.goto(f"{base}/audit")
        page.goto(f"{base}/inbox")
        assert page.title() == title
        assert page.evaluate("document.querySelectorAll('img, svg, iframe, math').length") == 0
        assert watch.dialogs == []
        assert [e for e in watch.errors if "pwned" in e or "Content Security Policy" in e] == []
        assert watch.errors == []
        context.close()


def test_insights_draw_under_the_csp_with_hostile_brands(store: Store, browser: Any, tmp_path: Path) -> None:
    add_people(store)
    for i, text in enumerate(TEXTS):
        add_post(store, f"h{i}", text, name=NAMES[i % len(NAMES)], brand=NAMES[i % len(NAMES)])
    add_post(store, "ok", "@acmebank thanks, sorted!", sentiment="positive", brand="Acme Bank")
    app = create_app(DeskSettings(store_url=store.url, versions=VERSIONS), store=store)
    with serve(app) as base:
        context = browser.new_context(viewport={"width": 1366, "height": 820})
        page = context.new_page()
        watch = Watch(page)
        _login(page, base, "root")
        page.click("nav a[href='/insights']")
        page.wait_for_load_state()
        page.goto(f"{base}/insights?since=2026-11-01")
        assert page.locator("svg.goodwill-chart").count() >= 4
        box = page.locator("svg.goodwill-chart").first.bounding_box()
        assert box is not None and box["width"] > 300
        # the stylesheet, not an inline style, lays out the report's tables
        padding = page.evaluate("getComputedStyle(document.querySelector('.insight td')).paddingLeft")
        assert padding == "8px"
        page.screenshot(path=str(_shots(tmp_path) / "insights.png"), full_page=True)
        assert "pwned" not in page.title()
        assert watch.dialogs == []
        assert watch.errors == []
        context.close()


def _hostile_pages(base: str, case_ids: list[int]) -> list[str]:
    """Every page route_policy marks as showing posts, names or URLs; case pages once per hostile case."""
    urls: list[str] = []
    for (method, path), policy in POLICY.items():
        if not policy.hostile:
            continue
        assert method == "GET", (method, path)
        if "{case_id}" in path:
            urls += [base + path.replace("{case_id}", str(i)) + policy.sample for i in case_ids]
        else:
            assert "{" not in path, f"{path}: say in this test which hostile object fills its slot"
            urls.append(base + path + policy.sample)
    return urls


def test_every_page_showing_posts_or_names_keeps_the_hostile_corpus_inert(store: Store, browser: Any) -> None:
    people = add_people(store)
    mallory = add_user(store, username="mallory", password=PASSWORD, role="agent", display_name=NAMES[0])
    sly = add_user(
        store,
        username="sly",
        password=PASSWORD,
        role="ambassador",
        display_name=NAMES[1],
        expertise=["roaming"],
    )
    for i, text in enumerate(TEXTS):
        add_post(
            store,
            f"x{i}",
            text,
            name=NAMES[i % len(NAMES)],
            handle=HANDLES[i % len(HANDLES)],
            url=URLS[i % len(URLS)],
            reasons=[text[:60]],
            brand=NAMES[(i + 2) % len(NAMES)],
            conversation_id="evil-thread",
            hours_ago=1 + i,
        )
    # a public question on the ambassador's topic, so their accepted answer reaches the leaderboard
    add_post(store, "x-roam", TEXTS[4] + " is roaming free in Peru?", name=NAMES[2], url=URLS[0])
    app = create_app(DeskSettings(store_url=store.url, versions=VERSIONS, page_size=100), store=store)
    root = people["admin"]
    ids = [r.id for r in list_inbox(store, root, InboxFilter(limit=100)).rows]
    assert len(ids) == len(TEXTS) + 1
    roaming = next(r.id for r in list_inbox(store, sly, InboxFilter()).rows)
    # names and texts that other pages show: an assignee, a reply, an accepted ambassador answer
    assign_case(store, root, ids[0], mallory.id)
    send_reply(store, root, ids[1], TEXTS[3], flags=[], override_reason=NAMES[2])
    answer = send_reply(store, sly, roaming, TEXTS[5], flags=[], needs_approval=True)
    review_reply(store, root, answer, approve=True)
    with serve(app) as base:
        context = browser.new_context(viewport={"width": 1366, "height": 820})
        page = context.new_page()
        watch = Watch(page)
        _login(page, base, "root")
        title = page.title()
        # each case page shows its whole thread, so three of them carry every hostile text
        visited = _hostile_pages(base, [ids[0], ids[1], roaming])
        shown = ""
        for url in visited:
            response = page.goto(url)
            assert response is not None and response.status == 200, url
            assert page.title() != "" and "pwned" not in page.title(), url
            injected = (
                "img, iframe, frame, object, embed, math, svg:not(.goodwill-chart), [onerror], [onload]"
            )
            assert page.evaluate(f"document.querySelectorAll({injected!r}).length") == 0, url
            hrefs = page.evaluate("[...document.querySelectorAll('a[href]')].map(a => a.href)")
            assert all(h.startswith(("http://", "https://")) for h in hrefs), (url, hrefs)
            shown += page.inner_text("body")
        # the payloads did reach the pages, as text
        for payload in [*TEXTS[:8], *NAMES[:2]]:
            assert payload.split(" @acmebank")[0] in shown, payload
        assert any("/leaderboard" in u for u in visited) and any("/audit" in u for u in visited)
        page.goto(f"{base}/inbox")
        assert page.title() == title
        assert watch.dialogs == []
        assert watch.errors == [], watch.errors  # a blocked inline script would show here as a CSP error
        context.close()
