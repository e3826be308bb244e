"""In a real browser (Debian's chromium): an analyst renames and merges a topic and links two handles.

Set GOODWILL_DESK_SCREENSHOTS=docs/desk to refresh docs/desk/topics.png and authors.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from curation_helpers import add_topic
from desk_helpers import VERSIONS, add_people, add_post
from live_server import serve
from test_browser import ARGS, CHROMIUM, Watch, _login, _shots

from goodwill.insights.authors import list_links
from goodwill.insights.topics_store import list_topics
from goodwill.store import Store
from goodwill.web import DeskSettings, create_app

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail("/usr/bin/chromium is missing: run scripts/ensure-chromium.sh (make test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


def _seed(store: Store) -> dict[str, int]:
    add_people(store)
    cards = [
        add_post(
            store, f"c{i}", f"@acmebank card declined at the till {i}", sentiment="negative", followers=900
        )
        for i in range(3)
    ]
    app = [
        add_post(store, "a0", "@acmebank app login loops", handle="ada2", network="mastodon", followers=50),
        add_post(store, "a1", "@acmebank app login fails again", handle="bea", name="Bea"),
    ]
    fees = [add_post(store, "f0", "@acmebank fees went up", sentiment="negative", handle="bea", name="Bea")]
    return {
        "card": add_topic(store, "card / declined / till", ["card", "declined", "till"], cards),
        "app": add_topic(store, "app / login", ["app", "login"], app),
        "fees": add_topic(store, "fees / went", ["fees", "went"], fees),
    }


def test_an_analyst_renames_merges_and_unmerges_a_topic_and_links_two_handles(
    store: Store, chromium: Any, tmp_path: Path
) -> None:
    ids = _seed(store)
    app = create_app(DeskSettings(store_url=store.url, versions=VERSIONS), store=store)
    shots = _shots(tmp_path)
    with serve(app) as base:
        context = chromium.new_context(viewport={"width": 1366, "height": 820})
        page = context.new_page()
        watch = Watch(page)
        _login(page, base, "ana")
        page.goto(f"{base}/insights")
        page.click("nav.subnav a[href='/insights/topics']")
        page.wait_for_url(f"{base}/insights/topics")

        card = f"#topic-{ids['card']}"
        page.fill(f"#name-{ids['card']}", "Declined cards")
        page.click(f"{card} form[action$='/name'] button")
        page.wait_for_url(f"{base}/insights/topics#topic-{ids['card']}")
        assert page.locator(f"{card} .topic-name").inner_text() == "Declined cards"
        assert page.locator(f"{card} .pinned").inner_text() == "pinned"

        fees = f"#topic-{ids['fees']}"
        page.select_option(f"#into-{ids['fees']}", str(ids["card"]))
        page.click(f"{fees} form[action$='/merge'] button")
        page.wait_for_load_state()
        assert page.locator(f"{fees} .merged").inner_text() == f"merged into {ids['card']}: Declined cards"
        assert page.locator(f"#into-{ids['fees']}").count() == 0  # a merged topic offers no second merge
        page.screenshot(path=str(shots / "topics.png"), full_page=True)

        page.goto(f"{base}/insights?since=2026-11-01")
        first = page.locator("table[data-table='topics'] tbody tr").first.locator("td")
        assert [first.nth(0).inner_text(), first.nth(1).inner_text()] == ["Declined cards", "4"]

        # ... and a change of mind: unmerged, the topic counts as itself again
        page.goto(f"{base}/insights/topics")
        page.click(f"{fees} form[action$='/unmerge'] button")
        page.wait_for_load_state()
        assert page.locator(f"{fees} .merged").count() == 0
        assert page.locator(f"#into-{ids['fees']}").count() == 1  # it may be merged again
        page.goto(f"{base}/insights?since=2026-11-01")
        first = page.locator("table[data-table='topics'] tbody tr").first.locator("td")
        assert [first.nth(0).inner_text(), first.nth(1).inner_text()] == ["Declined cards", "3"]

        page.click("nav.subnav a[href='/insights/authors']")
        page.wait_for_url(f"{base}/insights/authors")
        page.fill("#profile", "Ada Lovelace")
        page.fill("#handles", "x:@Ada mastodon:ada2")
        page.click("#link-form button[type=submit]")
        page.wait_for_load_state()
        row = page.locator("tr[data-profile='Ada Lovelace']")
        assert row.locator(".handle").all_inner_texts() == ["mastodon:ada2", "x:ada"]
        page.screenshot(path=str(shots / "authors.png"), full_page=True)

        page.goto(f"{base}/insights?since=2026-11-01")
        voices = page.locator("table[data-table='top_voices']").inner_text()
        assert "Ada Lovelace" in voices and "mastodon:ada2" not in voices
        assert watch.dialogs == []
        assert watch.errors == []
        context.close()
    by_id = {t.id: t for t in list_topics(store)}
    assert by_id[ids["card"]].name == "Declined cards" and by_id[ids["fees"]].merged_into is None
    assert by_id[ids["fees"]].pinned  # unmerging keeps the team's decision to keep it
    assert {link.author: link.profile for link in list_links(store)} == {
        "x:ada": "Ada Lovelace",
        "mastodon:ada2": "Ada Lovelace",
    }
