"""The insights page computes its overview once per filter and data version, and says when."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from curation_helpers import add_topic
from desk_helpers import NOW, VERSIONS, add_people, add_post, enrichment
from fastapi.testclient import TestClient
from web_helpers import BASE, login

from goodwill.insights.freshness import POSTS_FIGURES, data_version
from goodwill.insights.overview_cache import OverviewCache
from goodwill.store import Store
from goodwill.store.privacy import forget
from goodwill.web import DeskSettings, create_app

SINCE = "2026-11-01"


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def _client(store: Store, clock: Clock) -> tuple[TestClient, OverviewCache]:
    app = create_app(DeskSettings(store_url=store.url, versions=VERSIONS), store=store)
    cache = OverviewCache(clock=clock)
    app.state.overview_cache = cache
    return TestClient(app, base_url=BASE), cache


def _computed_at(html: str) -> str:
    found = re.search(r'<p class="hint" id="i-computed">Computed at ([^<]*?) UTC;', html)
    assert found, "no computed-at line"
    return found.group(1)


def _posts(html: str) -> int:
    found = re.search(r'<p class="hint" id="i-scope">([\d,]+) posts since', html)
    assert found
    return int(found.group(1).replace(",", ""))


def test_a_second_request_is_served_from_the_cache_and_any_change_recomputes(store: Store) -> None:
    add_people(store)
    first = add_post(store, "n0", "@acmebank card declined", sentiment="negative")
    topic = add_topic(store, "card / declined", ["card", "declined"], [first])
    clock = Clock(NOW)
    client, cache = _client(store, clock)
    with client:
        token = login(client, "ana")
        page = client.get(f"/insights?since={SINCE}").text
        assert (cache.computed, _computed_at(page), _posts(page)) == (1, "2026-11-20 12:00:00", 1)
        clock.at = NOW + timedelta(minutes=5)
        again = client.get(f"/insights?since={SINCE}").text
        assert (cache.computed, _computed_at(again)) == (1, "2026-11-20 12:00:00")
        # another filter is another entry; going back to the first is still a hit
        client.get(f"/insights?since={SINCE}&brand=Zeta")
        client.get(f"/insights?since={SINCE}&brand=zeta")
        client.get(f"/insights?since={SINCE}")
        assert cache.computed == 2

        steps = [
            ("an import", lambda: add_post(store, "n1", "@acmebank still declined", sentiment="negative")),
            (
                "a new judgement",
                lambda: store.save_enrichment([(first, "judged", "1", enrichment(sentiment="positive"))]),
            ),
            (
                "a topic renamed on the desk",
                lambda: client.post(
                    f"/insights/topics/{topic}/name", data={"name": "Cards", "csrf_token": token}
                ),
            ),
            (
                "handles linked on the desk",
                lambda: client.post(
                    "/insights/authors/link", data={"profile": "Ada", "handles": "x:ada", "csrf_token": token}
                ),
            ),
            ("a forget", lambda: forget(store, "ada")),
        ]
        for n, (what, change) in enumerate(steps, start=3):
            clock.at += timedelta(minutes=1)
            change()
            page = client.get(f"/insights?since={SINCE}").text
            assert cache.computed == n, what
            assert _computed_at(page) == clock.at.strftime("%Y-%m-%d %H:%M:%S"), what
            client.get(f"/insights?since={SINCE}")
            assert cache.computed == n, what
        assert _posts(page) == 0  # ada wrote every post, and was forgotten


def test_a_window_counted_from_now_expires_and_a_dated_one_does_not(store: Store) -> None:
    add_people(store)
    add_post(store, "n0", "@acmebank card declined", sentiment="negative")
    clock = Clock(NOW)
    client, cache = _client(store, clock)
    with client:
        login(client, "alice")
        client.get("/insights?since=30d")
        client.get(f"/insights?since={SINCE}")
        assert cache.computed == 2
        clock.at = NOW + timedelta(minutes=14)
        client.get("/insights?since=30d")
        client.get(f"/insights?since={SINCE}")
        assert cache.computed == 2
        clock.at = NOW + timedelta(minutes=16)
        client.get("/insights?since=30d")
        assert cache.computed == 3
        clock.at = NOW + timedelta(days=3)
        client.get(f"/insights?since={SINCE}")
        assert cache.computed == 3


def test_the_data_version_moves_with_each_kind_of_change(store: Store) -> None:
    add_people(store)
    seen = {data_version(store)}
    post = add_post(store, "n0", "@acmebank hello")
    seen.add(data_version(store))
    assert data_version(store) in seen and len(seen) == 2  # stable while nothing changes
    store.save_enrichment([(post, "judged", "1", enrichment(sentiment="negative"))])
    seen.add(data_version(store))
    topic = add_topic(store, "hello", ["hello"], [post])
    seen.add(data_version(store))
    from goodwill.insights.authors import link_authors
    from goodwill.insights.topics_store import name_topic, pin_topic

    name_topic(store, topic, "Greetings")
    seen.add(data_version(store))
    pin_topic(store, topic, pinned=False)
    seen.add(data_version(store))
    link_authors(store, "Ada", ["x:ada"])
    seen.add(data_version(store))
    link_authors(store, "Ada L.", ["x:ada"])
    seen.add(data_version(store))
    assert len(seen) == 8


def test_the_fingerprint_reads_the_newest_post_update_from_its_index(store: Store) -> None:
    add_post(store, "p1", "@acmebank roaming in Peru?", intent="question")
    plans = {}
    with store.reading() as conn:
        for stmt in POSTS_FIGURES:
            sql = str(stmt.compile(conn, compile_kwargs={"literal_binds": True}))
            plans[sql] = " | ".join(row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))
    (newest,) = [plan for sql, plan in plans.items() if "max(posts.updated_at)" in sql]
    # one step down the index's right edge, not a scan of the table
    assert newest == "SEARCH posts USING COVERING INDEX ix_posts_updated_at", plans
