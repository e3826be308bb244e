"""Keyset paging of the inbox: every case once, in order, both ways, filters kept; tamper-proof cursors.

The store tests run on SQLite and on PostgreSQL (``store_url`` from tests/conftest.py).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import replace

import pytest
from desk_helpers import NOW, VERSIONS, add_people, add_post
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text, update
from web_helpers import BASE, login

from goodwill.desk.accounts import User, create_api_token
from goodwill.desk.cases import sync_cases
from goodwill.desk.cursor import CursorCodec, Seek
from goodwill.desk.inbox import InboxFilter, InboxPage, filter_digest, inbox_select, list_inbox
from goodwill.desk.keys import signing_key
from goodwill.errors import InvalidCursor
from goodwill.store import Store, open_store
from goodwill.store.schema_desk import cases
from goodwill.web import DeskSettings, create_app
from goodwill.web.paging import CURSOR_KEY

#: priorities given to the 11 cases, by the order their posts were added: ties on 5, 4 and 3
PRIORITIES = [3.0, 5.0, 4.0, 5.0, 1.5, 3.0, 4.0, 5.0, 3.0, 2.25, 3.0]
BRANDS = ["Acme Bank", "Globex"]


def _fill(store: Store) -> tuple[User, list[int]]:
    """Eleven cases with tied priorities; return an agent and the case ids in inbox order."""
    people = add_people(store)
    for n in range(len(PRIORITIES)):
        add_post(store, f"n{n}", f"@acme question number {n}", brand=BRANDS[n % 2], hours_ago=1 + n)
    sync_cases(store, versions=VERSIONS, now=NOW)
    ids = list(
        store.read(lambda conn: list(conn.execute(text("SELECT id FROM cases ORDER BY post_id")).scalars()))
    )
    assert len(ids) == len(PRIORITIES)

    def set_priorities(conn):  # type: ignore[no-untyped-def]
        for case_id, prio in zip(ids, PRIORITIES, strict=True):
            conn.execute(update(cases).where(cases.c.id == case_id).values(priority=prio))

    store.transaction(set_priorities)
    ordered = [i for _, i in sorted(zip(PRIORITIES, ids, strict=True), key=lambda pi: (-pi[0], pi[1]))]
    return people["agent"], ordered


def _walk(store: Store, viewer: User, f: InboxFilter) -> list[InboxPage]:
    """Follow "next" from the first page to the last."""
    pages = [list_inbox(store, viewer, f, now=NOW)]
    while pages[-1].has_more:
        last = pages[-1].rows[-1]
        seek = Seek(priority=last.priority, case_id=last.id, page=pages[-1].page + 1)
        pages.append(list_inbox(store, viewer, replace(f, seek=seek), now=NOW))
    return pages


def test_next_pages_show_every_case_once_in_inbox_order(any_store: Store) -> None:
    agent, ordered = _fill(any_store)
    pages = _walk(any_store, agent, InboxFilter(limit=3))
    assert [[r.id for r in p.rows] for p in pages] == [ordered[0:3], ordered[3:6], ordered[6:9], ordered[9:]]
    assert [p.page for p in pages] == [1, 2, 3, 4]
    edges = [(p.has_previous, p.has_more) for p in pages]
    assert edges == [(False, True), (True, True), (True, True), (True, False)]
    # ties broken by case id across a page boundary: the three 3.0s straddle pages 2 and 3
    assert [r.priority for p in pages for r in p.rows] == sorted(PRIORITIES, reverse=True)


def test_previous_pages_walk_back_to_the_first(any_store: Store) -> None:
    agent, ordered = _fill(any_store)
    pages = _walk(any_store, agent, InboxFilter(limit=3))
    back: list[list[int]] = []
    current = pages[-1]
    while current.has_previous:
        first = current.rows[0]
        seek = Seek(priority=first.priority, case_id=first.id, backward=True, page=current.page - 1)
        current = list_inbox(any_store, agent, InboxFilter(limit=3, seek=seek), now=NOW)
        back.append([r.id for r in current.rows])
    assert back == [ordered[6:9], ordered[3:6], ordered[0:3]]
    assert current.page == 1 and current.has_more


def test_filters_hold_on_every_page(any_store: Store) -> None:
    agent, ordered = _fill(any_store)
    pages = _walk(any_store, agent, InboxFilter(limit=2, brand="Globex"))
    seen = [r for p in pages for r in p.rows]
    assert {r.brand for r in seen} == {"Globex"}
    globex = [i for i in ordered if i in {r.id for r in seen}]
    assert [r.id for r in seen] == globex and len(globex) == 5  # posts n1, n3, n5, n7, n9


def test_the_inbox_query_seeks_the_index_without_sorting(any_store: Store) -> None:
    agent, _ = _fill(any_store)
    f = InboxFilter(limit=50, seek=Seek(priority=3.0, case_id=1))
    for chosen in (f, replace(f, brand="Globex"), replace(f, seek=Seek(3.0, 1, backward=True))):
        stmt = inbox_select(agent, chosen, NOW)
        with any_store.reading() as conn:
            compiled = stmt.compile(conn, compile_kwargs={"literal_binds": True})
            if any_store.dialect == "sqlite":
                plan = " | ".join(str(r[-1]) for r in conn.execute(text(f"EXPLAIN QUERY PLAN {compiled}")))
                assert "TEMP B-TREE" not in plan, plan
                assert re.search(r"ix_cases_active_(priority|brand)", plan), plan
            else:
                conn.execute(text("SET LOCAL enable_seqscan = off"))
                plan = " | ".join(str(r[0]) for r in conn.execute(text(f"EXPLAIN {compiled}")))
                assert "Sort" not in plan and "ix_cases_active_" in plan, plan


def test_the_signing_key_is_kept_in_the_store(any_store: Store) -> None:
    key = signing_key(any_store, "test-key")
    assert len(key) == 32
    any_store.close()
    reopened = open_store(any_store.url)
    try:
        from goodwill.desk import keys

        keys._CACHE.clear()
        assert signing_key(reopened, "test-key") == key
        assert signing_key(reopened, "another") != key
    finally:
        reopened.close()


# -- the cursor token ---------------------------------------------------------------------------------

CODEC = CursorCodec(b"k" * 32)
DIGEST = filter_digest(InboxFilter())


def test_a_cursor_round_trips_exactly() -> None:
    seek = Seek(priority=4.1235, case_id=123_456, backward=True, page=7)
    token = CODEC.encode(seek, DIGEST)
    assert CODEC.decode(token, DIGEST) == seek
    assert re.fullmatch(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+", token)


def test_a_cursor_is_refused_when_edited_for_other_filters_or_another_key() -> None:
    token = CODEC.encode(Seek(priority=2.5, case_id=9), DIGEST)
    body, tag = token.split(".")
    forged_body = CODEC.encode(Seek(priority=99.0, case_id=9), DIGEST).split(".")[0]
    for bad in (
        f"{forged_body}.{tag}",  # a better page, with the old signature
        token[:-2],
        token + "A",
        body,
        "",
        "." * 3,
        "x" * 600,
    ):
        with pytest.raises(InvalidCursor, match="first page"):
            CODEC.decode(bad, DIGEST)
    with pytest.raises(InvalidCursor):
        CODEC.decode(token, filter_digest(InboxFilter(brand="Globex")))
    with pytest.raises(InvalidCursor):
        CursorCodec(b"o" * 32).decode(token, DIGEST)


@given(st.text(max_size=300))
def test_any_text_is_a_good_cursor_or_invalid_never_a_crash(raw: str) -> None:
    with contextlib.suppress(InvalidCursor):
        assert isinstance(CODEC.decode(raw, DIGEST), Seek)


@given(
    st.floats(allow_nan=False, allow_infinity=False),
    st.integers(min_value=0, max_value=2**62),
    st.booleans(),
    st.integers(min_value=1, max_value=10_000_000),
    st.data(),
)
def test_every_seek_round_trips_and_any_changed_character_is_caught(
    priority: float, case_id: int, backward: bool, page: int, data: st.DataObject
) -> None:
    seek = Seek(priority=priority, case_id=case_id, backward=backward, page=page)
    token = CODEC.encode(seek, DIGEST)
    assert CODEC.decode(token, DIGEST) == seek
    at = data.draw(st.integers(min_value=0, max_value=len(token) - 1))
    swap = data.draw(st.sampled_from("AQgw_-.0"))
    changed = token[:at] + swap + token[at + 1 :]
    if changed != token:
        with contextlib.suppress(InvalidCursor):
            assert CODEC.decode(changed, DIGEST) == seek  # only base64 padding bits may differ


# -- page links and the API -----------------------------------------------------------------------------


@pytest.fixture
def desk(store: Store) -> Iterator[tuple[TestClient, list[int], str]]:
    _, ordered = _fill(store)
    app = create_app(DeskSettings(store_url=store.url, versions=VERSIONS, page_size=4), store=store)
    token = create_api_token(store, "alice", name="test")
    with TestClient(app, base_url=BASE) as client:
        login(client, "alice")
        yield client, ordered, token


_CASE = re.compile(r'href="/cases/(\d+)"')
_LINK = re.compile(r'<a href="([^"]+)" rel="(prev|next)">')


def _page(client: TestClient, url: str) -> tuple[list[int], dict[str, str], str]:
    response = client.get(url)
    assert response.status_code == 200, response.text
    links = {rel: href.replace("&amp;", "&") for href, rel in _LINK.findall(response.text)}
    return [int(i) for i in _CASE.findall(response.text)], links, response.text


def test_page_links_go_forward_and_back_and_keep_the_filters(
    desk: tuple[TestClient, list[int], str],
) -> None:
    client, ordered, _ = desk
    first, links, html = _page(client, "/inbox")
    assert first == ordered[:4] and "prev" not in links and "Page 1" in html
    second, links2, html2 = _page(client, links["next"])
    assert second == ordered[4:8] and "Page 2" in html2
    third, links3, html3 = _page(client, links2["next"])
    assert third == ordered[8:] and "next" not in links3 and "Page 3" in html3
    assert _page(client, links3["prev"])[0] == second
    assert links2["prev"] == "/inbox"  # the page before page 2 is the plain first page
    globex, glinks, _ = _page(client, "/inbox?brand=Globex&sla=bogus")
    assert "brand=Globex" in glinks["next"] and "sla=" not in glinks["next"]
    rest, _, _ = _page(client, glinks["next"])
    assert len(globex) == 4 and len(rest) == 1 and not set(globex) & set(rest)


def test_a_bad_cursor_is_a_clear_400_on_the_page_and_the_api(
    desk: tuple[TestClient, list[int], str],
) -> None:
    client, _, token = desk
    _, links, _ = _page(client, "/inbox")
    good = links["next"].split("cursor=")[1]
    for bad in ("nonsense", good[:-3] + "AAA", "%00", "é" * 10):
        page = client.get(f"/inbox?cursor={bad}")
        assert page.status_code == 400 and "Go back to the first page" in page.text, bad
    other = client.get(f"/inbox?brand=Globex&cursor={good}")
    assert other.status_code == 400  # made for other filters
    auth = {"authorization": f"Bearer {token}"}
    api = client.get("/api/v1/cases?cursor=nonsense", headers=auth)
    assert api.status_code == 400 and "first page" in api.json()["detail"]


def test_the_api_pages_with_cursors(desk: tuple[TestClient, list[int], str]) -> None:
    client, ordered, token = desk
    auth = {"authorization": f"Bearer {token}"}
    first = client.get("/api/v1/cases?limit=5", headers=auth).json()
    assert [c["id"] for c in first["cases"]] == ordered[:5] and first["previous_cursor"] is None
    second = client.get(f"/api/v1/cases?limit=5&cursor={first['next_cursor']}", headers=auth).json()
    assert [c["id"] for c in second["cases"]] == ordered[5:10] and second["has_more"]
    back = client.get(f"/api/v1/cases?limit=5&cursor={second['previous_cursor']}", headers=auth).json()
    assert [c["id"] for c in back["cases"]] == ordered[:5] and back["previous_cursor"] is None
    last = client.get(f"/api/v1/cases?limit=5&cursor={second['next_cursor']}", headers=auth).json()
    assert [c["id"] for c in last["cases"]] == ordered[10:] and last["next_cursor"] is None
    # a cursor from the pages works on the API with the same filters (and the limit may differ)
    _, links, _ = _page(client, "/inbox")
    cursor = links["next"].split("cursor=")[1]
    via_page = client.get(f"/api/v1/cases?limit=2&cursor={cursor}", headers=auth).json()
    assert [c["id"] for c in via_page["cases"]] == ordered[4:6]


def test_cursors_from_one_desk_process_work_in_another(store: Store) -> None:
    one = create_app(DeskSettings(store_url=store.url, sync_on_start=False), store=store)
    two = create_app(DeskSettings(store_url=store.url, sync_on_start=False), store=store)
    token = one.state.cursors.encode(Seek(1.0, 2), DIGEST)
    assert two.state.cursors.decode(token, DIGEST) == Seek(1.0, 2)
    assert signing_key(store, CURSOR_KEY) == signing_key(store, CURSOR_KEY)
