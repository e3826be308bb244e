"""Naming, merging and pinning topics and linking handles from the desk: roles, CSRF, audit, escaping."""

from __future__ import annotations

import re

import pytest
from curation_helpers import add_topic
from desk_helpers import VERSIONS, add_people, add_post
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from hostile import SVG_TAGS, TEXTS, problems_in
from web_helpers import BASE, SalesCheck, csrf_of, login

from goodwill.desk.audit import list_audit
from goodwill.desk.services import DeskServices
from goodwill.insights.authors import list_links
from goodwill.insights.topics_store import list_topics
from goodwill.store import Store
from goodwill.web import DeskSettings, create_app, pages_curation

SINCE = "2026-11-01"
#: username per role (desk_helpers.add_people)
USERS = {"admin": "root", "agent": "alice", "ambassador": "amb", "analyst": "ana"}
EDITORS = {"admin", "analyst"}


def _client(store: Store) -> TestClient:
    app = create_app(
        DeskSettings(store_url=store.url, versions=VERSIONS),
        services=DeskServices(reply_checker=SalesCheck()),
        store=store,
    )
    return TestClient(app, base_url=BASE)


def _seed(store: Store) -> dict[str, int]:
    """Three topics over six posts by two handles of one person and one other author."""
    add_people(store)
    cards = [
        add_post(store, f"c{i}", f"@acmebank card declined at the till {i}", sentiment="negative")
        for i in range(3)
    ]
    app = [
        add_post(store, "a0", "@acmebank app login loops", handle="ada2", network="mastodon"),
        add_post(store, "a1", "@acmebank app login fails again", handle="bea"),
    ]
    fees = [add_post(store, "f0", "@acmebank fees went up", sentiment="negative", handle="bea")]
    return {
        "card": add_topic(store, "card / declined / till", ["card", "declined", "till"], cards),
        "app": add_topic(store, "app / login", ["app", "login"], app),
        "fees": add_topic(store, "fees / went", ["fees", "went"], fees),
    }


def _edits(ids: dict[str, int]) -> dict[str, dict[str, str]]:
    """Every curation POST with a form that works, by path."""
    return {
        f"/insights/topics/{ids['card']}/name": {"name": "Cards"},
        f"/insights/topics/{ids['fees']}/merge": {"into": str(ids["app"])},
        f"/insights/topics/{ids['fees']}/unmerge": {},
        f"/insights/topics/{ids['app']}/pin": {"pinned": "1"},
        "/insights/authors/link": {"profile": "Ada", "handles": "x:ada"},
        "/insights/authors/unlink": {"author": "x:ada"},
    }


PAGES = ("/insights/topics", "/insights/authors")


def test_every_curation_route_is_tested_here() -> None:
    slot = re.compile(r"\{[^}]+\}")
    covered = {("GET", p) for p in PAGES} | {
        ("POST", slot.sub("{}", re.sub(r"/\d+/", "/{}/", p)))
        for p in _edits({"card": 1, "fees": 2, "app": 3})
    }
    routes = {
        (m, slot.sub("{}", r.path))
        for r in pages_curation.router.routes
        if isinstance(r, APIRoute)
        for m in r.methods
    }
    assert routes == covered


def test_anonymous_requests_go_to_login(store: Store) -> None:
    ids = _seed(store)
    with _client(store) as client:
        for path in PAGES:
            answer = client.get(path, follow_redirects=False)
            assert answer.status_code == 303 and answer.headers["location"] == f"/login?next={path}"
        for path, data in _edits(ids).items():
            answer = client.post(path, data=data, follow_redirects=False)
            assert answer.status_code == 303 and answer.headers["location"].startswith("/login"), path
    assert not any(t.pinned or t.name for t in list_topics(store)) and list_links(store) == []


def _topic_rows(html: str) -> list[tuple[str, int]]:
    """(topic, posts) of the insights page's Topics table."""
    table = re.search(r'<table data-table="topics">.*?</table>', html, flags=re.S)
    assert table is not None, "no topics table"
    rows = re.findall(r'<tr><td>(.*?)</td><td class="n">(\d+)</td>', table.group(0))
    return [(name, int(n)) for name, n in rows]


def test_an_analyst_names_merges_and_pins_and_the_insights_follow(store: Store) -> None:
    ids = _seed(store)
    with _client(store) as client:
        token = login(client, "ana")
        page = client.get("/insights/topics")
        assert page.status_code == 200
        assert f'action="/insights/topics/{ids["card"]}/name"' in page.text
        assert csrf_of(page.text) == token
        before = _topic_rows(client.get(f"/insights?since={SINCE}").text)
        assert before == [("card / declined / till", 3), ("app / login", 2), ("fees / went", 1)]

        done = client.post(
            f"/insights/topics/{ids['card']}/name",
            data={"name": "  Declined   cards ", "csrf_token": token},
            follow_redirects=False,
        )
        assert done.status_code == 303
        assert done.headers["location"] == f"/insights/topics#topic-{ids['card']}"
        merged = client.post(
            f"/insights/topics/{ids['fees']}/merge",
            data={"into": str(ids["card"]), "csrf_token": token},
            follow_redirects=False,
        )
        assert merged.status_code == 303
        unpinned = client.post(
            f"/insights/topics/{ids['app']}/pin", data={"pinned": "1", "csrf_token": token}
        )
        assert unpinned.status_code == 200  # followed back to the list

        by_id = {t.id: t for t in list_topics(store)}
        assert (by_id[ids["card"]].name, by_id[ids["card"]].pinned) == ("Declined cards", True)
        assert (by_id[ids["fees"]].merged_into, by_id[ids["fees"]].pinned) == (ids["card"], True)
        assert by_id[ids["app"]].pinned is True and by_id[ids["app"]].name is None

        listed = client.get("/insights/topics").text
        row = re.search(rf'<tr id="topic-{ids["fees"]}".*?</tr>', listed, flags=re.S)
        assert row is not None and f"merged into {ids['card']}: Declined cards" in row.group(0)
        after = _topic_rows(client.get(f"/insights?since={SINCE}").text)
        assert after == [("Declined cards", 4), ("app / login", 2)]

        log = [(e.username, e.action, e.target, e.detail) for e in list_audit(store, limit=10)]
        assert log[:3] == [
            ("ana", "topic.pin", f"topic:{ids['app']}", {"name": "app / login"}),
            (
                "ana",
                "topic.merge",
                f"topic:{ids['fees']}",
                {"into": ids["card"], "from_name": "fees / went", "into_name": "Declined cards"},
            ),
            (
                "ana",
                "topic.name",
                f"topic:{ids['card']}",
                {"from": "card / declined / till", "to": "Declined cards"},
            ),
        ]
        # unpin again: the button now says so
        assert "Unpin" in client.get("/insights/topics").text
        client.post(f"/insights/topics/{ids['app']}/pin", data={"pinned": "0", "csrf_token": token})
        assert {t.id: t.pinned for t in list_topics(store)}[ids["app"]] is False
        assert list_audit(store, limit=1)[0].action == "topic.unpin"


def test_linking_handles_counts_one_person_and_unlinking_undoes_it(store: Store) -> None:
    _seed(store)
    with _client(store) as client:
        token = login(client, "root")
        done = client.post(
            "/insights/authors/link",
            data={"profile": "Ada Lovelace", "handles": "x:@Ada, mastodon:ada2", "csrf_token": token},
            follow_redirects=False,
        )
        assert (done.status_code, done.headers["location"]) == (303, "/insights/authors")
        assert [(link.author, link.profile) for link in list_links(store)] == [
            ("mastodon:ada2", "Ada Lovelace"),
            ("x:ada", "Ada Lovelace"),
        ]
        page = client.get("/insights/authors").text
        row = re.search(r'<tr data-profile="Ada Lovelace">.*?</tr>', page, flags=re.S)
        assert row is not None
        assert re.findall(r'<span class="handle">(.*?)</span>', row.group(0)) == ["mastodon:ada2", "x:ada"]
        voices = re.search(
            r'<table data-table="top_voices">.*?</table>',
            client.get(f"/insights?since={SINCE}").text,
            flags=re.S,
        )
        assert voices is not None and "Ada Lovelace" in voices.group(0)
        entry = list_audit(store, limit=1)[0]
        assert (entry.action, entry.target, entry.detail) == (
            "authors.link",
            None,
            {"profile": "Ada Lovelace", "authors": ["x:ada", "mastodon:ada2"]},
        )

        client.post("/insights/authors/unlink", data={"author": "x:ada", "csrf_token": token})
        assert [link.author for link in list_links(store)] == ["mastodon:ada2"]
        entry = list_audit(store, limit=1)[0]
        assert (entry.action, entry.detail) == ("authors.unlink", {"was": {"x:ada": "Ada Lovelace"}})
        # linking a handle again moves it, and the log says where it was
        client.post(
            "/insights/authors/link",
            data={"profile": "A. L.", "handles": "mastodon:ada2", "csrf_token": token},
        )
        assert [(link.author, link.profile) for link in list_links(store)] == [("mastodon:ada2", "A. L.")]
        assert list_audit(store, limit=1)[0].detail["was"] == {"mastodon:ada2": "Ada Lovelace"}


@pytest.mark.parametrize("role", sorted(USERS))
def test_roles_analysts_and_admins_edit_agents_read_ambassadors_see_nothing(store: Store, role: str) -> None:
    ids = _seed(store)
    with _client(store) as client:
        token = login(client, USERS[role])
        for path in PAGES:
            page = client.get(path)
            assert page.status_code == (403 if role == "ambassador" else 200), path
            if role == "agent":
                assert '<form method="post" action="/insights/' not in page.text
                assert "Analysts and admins can" in page.text
        for path, data in _edits(ids).items():
            answer = client.post(path, data={**data, "csrf_token": token}, follow_redirects=False)
            assert answer.status_code == (303 if role in EDITORS else 403), (path, answer.text[:300])
        changed = [t for t in list_topics(store) if t.pinned]
        assert len(changed) == (3 if role in EDITORS else 0)
        assert [
            e.action for e in list_audit(store, limit=10) if e.action.startswith(("topic.", "authors."))
        ] == (
            ["authors.unlink", "authors.link", "topic.pin", "topic.unmerge", "topic.merge", "topic.name"]
            if role in EDITORS
            else []
        )


def test_every_edit_needs_the_csrf_token_and_our_origin(store: Store) -> None:
    ids = _seed(store)
    posts = _edits(ids)
    with _client(store) as client:
        token = login(client, "root")
        for path, data in posts.items():
            assert client.post(path, data=data).status_code == 403, path
            assert client.post(path, data={**data, "csrf_token": "forged"}).status_code == 403, path
            evil = client.post(
                path, data={**data, "csrf_token": token}, headers={"origin": "https://evil.example"}
            )
            assert evil.status_code == 403, path
            assert "CSRF check failed" in evil.text
    assert not any(t.pinned for t in list_topics(store))
    assert list_links(store) == []


def test_mistakes_come_back_as_messages(store: Store) -> None:
    ids = _seed(store)
    with _client(store) as client:
        token = login(client, "ana")
        cases = [
            (
                f"/insights/topics/{ids['card']}/name",
                {"name": "   "},
                400,
                "the topic name must not be empty",
            ),
            (f"/insights/topics/{ids['card']}/name", {"name": "x" * 201}, 400, "keep it under 200"),
            ("/insights/topics/999/name", {"name": "Cards"}, 404, "no topic 999"),
            (f"/insights/topics/{ids['card']}/merge", {"into": str(ids["card"])}, 400, "into itself"),
            (f"/insights/topics/{ids['card']}/merge", {"into": ""}, 400, "choose the topic to merge into"),
            (
                "/insights/authors/link",
                {"profile": "Ada", "handles": "ada"},
                400,
                "write it as network:handle",
            ),
            ("/insights/authors/link", {"profile": " ", "handles": "x:ada"}, 400, "must not be empty"),
            ("/insights/authors/link", {"profile": "Ada", "handles": ""}, 400, "name at least one author"),
            ("/insights/authors/unlink", {"author": ""}, 400, "cannot read author"),
        ]
        for path, data, status, message in cases:
            answer = client.post(path, data={**data, "csrf_token": token})
            assert answer.status_code == status, (path, data)
            assert message in answer.text, (path, answer.text[:500])
        client.post(
            f"/insights/topics/{ids['fees']}/merge", data={"into": str(ids["card"]), "csrf_token": token}
        )
        loop = client.post(
            f"/insights/topics/{ids['card']}/merge", data={"into": str(ids["fees"]), "csrf_token": token}
        )
        assert loop.status_code == 400 and "merge the other way round" in loop.text
    assert list_audit(store, limit=1)[0].action == "topic.merge"
    assert len([e for e in list_audit(store, limit=50) if e.action.startswith("topic.")]) == 1


def test_hostile_labels_names_and_handles_are_escaped(store: Store) -> None:
    add_people(store)
    post = add_post(store, "h0", TEXTS[0])
    first = add_topic(store, TEXTS[1], [TEXTS[2], "x"], [post])
    add_topic(store, TEXTS[3], [TEXTS[4]], [])
    handles = "x:\"><script>document.title='pwned-h'</script> x:<b>bold</b>"
    with _client(store) as client:
        token = login(client, "root")
        client.post(f"/insights/topics/{first}/name", data={"name": TEXTS[5], "csrf_token": token})
        linked = client.post(
            "/insights/authors/link", data={"profile": TEXTS[6], "handles": handles, "csrf_token": token}
        )
        assert linked.status_code == 200
        for path in ("/insights/topics", "/insights/authors", f"/insights?since={SINCE}", "/audit"):
            html = client.get(path).text
            assert problems_in(html, extra_tags=SVG_TAGS) == [], path
            assert "<script>document" not in html, path
        authors_page = client.get("/insights/authors").text
        assert "x:&#34;&gt;&lt;script&gt;document.title=&#39;pwned-h&#39;&lt;/script&gt;" in authors_page
        assert "x:&lt;b&gt;bold&lt;/b&gt;" in authors_page
