"""Send on the desk: replies posted through a fake Mastodon server on loopback; failures change nothing."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from desk_helpers import VERSIONS, add_people, add_post, crashed_send
from fastapi.testclient import TestClient
from web_helpers import BASE, SalesCheck, login

from goodwill.config import SourceConfig, WorkspaceConfig
from goodwill.desk.accounts import User, create_api_token
from goodwill.desk.audit import list_audit
from goodwill.desk.casework import get_case
from goodwill.desk.inbox import InboxFilter, list_inbox
from goodwill.desk.outbox import NetworkOutbox
from goodwill.desk.services import DeskServices
from goodwill.store import Store
from goodwill.web import DeskSettings, create_app
from goodwill.web.wiring import default_services
from loopback import Answer, FakeNetwork

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sources"))
from cassettes import Recorded, fixture, load_cassette

TOKEN = "brand-write-token-abcdef123456"
ENV = {"MASTODON_REPLY_TOKEN": TOKEN}
QUESTION = "@acmebank is roaming free in Peru?"


def recorded(folder: str, name: str, index: int = 0) -> Recorded:
    return load_cassette(fixture("mastodon", folder, name))[index]


STATUS = recorded("mastodon.social", "test_entity_status.yaml")  # id 110446223051565765
INVALID_TOKEN = recorded("local_dev_server", "test_home_tl_anonymous_throws.yaml")  # 401


@dataclass
class Desk:
    store: Store
    people: dict[str, User]
    client: TestClient
    net: FakeNetwork
    host: str
    case_id: int
    other_case: int


def _config(url: str) -> WorkspaceConfig:
    return WorkspaceConfig(sources={"mastodon": SourceConfig(base_url=url)})


@pytest.fixture
def desk(store: Store) -> Iterator[Desk]:
    routes: dict[tuple[str, str], Any] = {("POST", "/api/v1/statuses"): STATUS}
    with FakeNetwork(routes) as net:
        host = net.url.split("://")[1]
        people = add_people(store)
        add_post(
            store,
            f"{host}/110446183735368325",
            QUESTION,
            network="mastodon",
            handle="halcy",
            url="https://mastodon.social/@halcy/110446183735368325",
            intent="question",
        )
        add_post(store, "x1", "@acmebank my card is blocked", network="x", intent="question", handle="bo")
        outbox = NetworkOutbox(_config(net.url), ENV, sleep=lambda seconds: None)
        app = create_app(
            DeskSettings(store_url=store.url, versions=VERSIONS, workspace=_config(net.url)),
            services=DeskServices(reply_checker=SalesCheck(), outbox=outbox),
            store=store,
        )
        rows = {r.network: r.id for r in list_inbox(store, people["admin"], InboxFilter()).rows}
        with TestClient(app, base_url=BASE) as client:
            yield Desk(store, people, client, net, host, rows["mastodon"], rows["x"])
        outbox.close()


def _audit_actions(store: Store) -> list[tuple[str | None, str, dict[str, Any]]]:
    return [(e.username, e.action, e.detail) for e in reversed(list_audit(store))]


def test_send_posts_on_mastodon_and_keeps_the_new_posts_id(desk: Desk) -> None:
    csrf = login(desk.client, "alice")
    page = desk.client.get(f"/cases/{desk.case_id}")
    assert "Send on mastodon" in page.text and "Copy and mark as replied" not in page.text
    done = desk.client.post(
        f"/cases/{desk.case_id}/reply",
        data={"text": "Yes, roaming in Peru is free on every plan.", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    (sent,) = desk.net.seen
    assert (sent.method, sent.path) == ("POST", "/api/v1/statuses")
    assert sent.headers["authorization"] == f"Bearer {TOKEN}"
    assert sent.headers["idempotency-key"].startswith(f"goodwill-{desk.case_id}-")
    assert sent.json() == {
        "status": "@halcy Yes, roaming in Peru is free on every plan.",
        "in_reply_to_id": "110446183735368325",
        "visibility": "public",
    }
    detail = get_case(desk.store, desk.people["agent"], desk.case_id)
    (reply,) = detail.replies
    assert (reply.status, reply.channel, reply.who) == ("sent", "network", "Alice Agent")
    assert reply.text == "@halcy Yes, roaming in Peru is free on every plan."
    assert reply.network_id == f"{desk.host}/110446223051565765"
    assert reply.url == "https://icosahedron.website/@halcy/110446222386355655"
    assert detail.case.state == "pending" and detail.case.first_response_at is not None
    replied = [a for a in _audit_actions(desk.store) if a[1] == "case.replied"]
    assert replied == [
        (
            "alice",
            "case.replied",
            {
                "reply": reply.id,
                "channel": "network",
                "network": "mastodon",
                "network_id": f"{desk.host}/110446223051565765",
                "url": "https://icosahedron.website/@halcy/110446222386355655",
            },
        )
    ]
    shown = desk.client.get(f"/cases/{desk.case_id}").text
    assert "sent on mastodon" in shown
    assert 'href="https://icosahedron.website/@halcy/110446222386355655" rel="noopener nofollow ugc"' in shown
    assert TOKEN not in shown


def test_a_refused_send_changes_nothing_and_keeps_the_draft(desk: Desk) -> None:
    desk.net.routes[("POST", "/api/v1/statuses")] = INVALID_TOKEN
    csrf = login(desk.client, "alice")
    draft = "Yes, roaming in Peru is free."
    failed = desk.client.post(f"/cases/{desk.case_id}/reply", data={"text": draft, "csrf_token": csrf})
    assert failed.status_code == 502
    assert "The reply was not sent" in failed.text
    assert "401: The access token is invalid" in failed.text
    assert "$MASTODON_REPLY_TOKEN" in failed.text
    assert f">{draft}</textarea>" in failed.text
    assert TOKEN not in failed.text
    detail = get_case(desk.store, desk.people["agent"], desk.case_id)
    assert detail.replies == [] and detail.case.state == "open" and detail.case.first_response_at is None
    assert [a.action for a in detail.actions if a.action.startswith("repl")] == []
    (attempt,) = [a for a in _audit_actions(desk.store) if a[1] == "case.reply_failed"]
    assert attempt[0] == "alice" and attempt[2]["network"] == "mastodon"
    assert "401: The access token is invalid" in attempt[2]["error"] and TOKEN not in attempt[2]["error"]


def test_the_reply_check_runs_before_anything_is_sent(desk: Desk) -> None:
    csrf = login(desk.client, "alice")
    pitch = "Switch now and get a discount on roaming!"
    blocked = desk.client.post(f"/cases/{desk.case_id}/reply", data={"text": pitch, "csrf_token": csrf})
    assert blocked.status_code == 422 and "offers a discount nobody asked for" in blocked.text
    assert desk.net.seen == []
    done = desk.client.post(
        f"/cases/{desk.case_id}/reply",
        data={"text": pitch, "override_reason": "they asked about plans", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert len(desk.net.seen) == 1
    (reply,) = get_case(desk.store, desk.people["agent"], desk.case_id).replies
    assert reply.override_reason == "they asked about plans" and reply.channel == "network"


def test_a_network_without_a_sender_stays_copy_and_mark(desk: Desk) -> None:
    csrf = login(desk.client, "alice")
    page = desk.client.get(f"/cases/{desk.other_case}")
    assert "Copy and mark as replied" in page.text and "Send on" not in page.text
    desk.client.post(f"/cases/{desk.other_case}/reply", data={"text": "Hello Bo", "csrf_token": csrf})
    (reply,) = get_case(desk.store, desk.people["agent"], desk.other_case).replies
    assert (reply.channel, reply.network_id) == ("copied", None)
    assert desk.net.seen == []


def test_the_api_sends_and_reports_failures_as_502(desk: Desk) -> None:
    token = create_api_token(desk.store, "alice", name="test")
    auth = {"authorization": f"Bearer {token}"}
    down = Answer.json(503, {"error": "maintenance"})
    desk.net.routes[("POST", "/api/v1/statuses")] = [down, down, down, STATUS]
    failed = desk.client.post(f"/api/v1/cases/{desk.case_id}/replies", json={"text": "Hi"}, headers=auth)
    assert failed.status_code == 502
    assert "The reply was not sent: mastodon: server error 503 after 3 attempts" in failed.json()["detail"]
    assert get_case(desk.store, desk.people["agent"], desk.case_id).replies == []
    # Mastodon dedupes by Idempotency-Key, so the outbox may retry: all three carried the same key
    assert len({s.headers["idempotency-key"] for s in desk.net.seen}) == 1
    made = desk.client.post(f"/api/v1/cases/{desk.case_id}/replies", json={"text": "Hi"}, headers=auth)
    assert made.status_code == 201
    body = made.json()
    assert (body["status"], body["channel"], body["network_id"]) == (
        "sent",
        "network",
        f"{desk.host}/110446223051565765",
    )
    case = desk.client.get(f"/api/v1/cases/{desk.case_id}", headers=auth).json()
    assert case["replies"][0]["url"] == "https://icosahedron.website/@halcy/110446222386355655"


def test_an_approved_ambassador_answer_is_posted_when_approved(desk: Desk) -> None:
    amb = create_api_token(desk.store, "amb", name="test")
    agent = create_api_token(desk.store, "alice", name="test")
    answer = desk.client.post(
        f"/api/v1/cases/{desk.case_id}/replies",
        json={"text": "It is, on all plans."},
        headers={"authorization": f"Bearer {amb}"},
    ).json()
    assert (answer["status"], answer["channel"]) == ("pending_approval", "copied")
    assert desk.net.seen == []  # waiting for an agent: nothing posted yet
    desk.net.routes[("POST", "/api/v1/statuses")] = INVALID_TOKEN
    review = f"/api/v1/replies/{answer['id']}/review"
    refused = desk.client.post(review, json={"approve": True}, headers={"authorization": f"Bearer {agent}"})
    assert refused.status_code == 502
    (still,) = get_case(desk.store, desk.people["agent"], desk.case_id).replies
    assert still.status == "pending_approval"
    desk.net.routes[("POST", "/api/v1/statuses")] = STATUS
    ok = desk.client.post(review, json={"approve": True}, headers={"authorization": f"Bearer {agent}"})
    assert ok.status_code == 200
    (posted,) = get_case(desk.store, desk.people["agent"], desk.case_id).replies
    assert (posted.status, posted.channel) == ("sent", "network")
    assert posted.network_id == f"{desk.host}/110446223051565765"
    assert desk.net.seen[-1].json()["in_reply_to_id"] == "110446183735368325"


def test_the_default_wiring_sends_only_with_the_token_in_the_environment() -> None:
    config = _config("https://mastodon.example")
    assert default_services(config, env=ENV).outbox.can_send("mastodon")
    assert not default_services(config, env={}).outbox.can_send("mastodon")
    off = WorkspaceConfig(
        sources={"mastodon": SourceConfig(base_url="https://mastodon.example", enabled=False)}
    )
    assert not default_services(off, env=ENV).outbox.can_send("mastodon")


def test_a_source_its_settings_cannot_build_does_not_stop_the_desk() -> None:
    broken = WorkspaceConfig(
        sources={"mastodon": SourceConfig(base_url="https://mastodon.example", options={"page_size": "lots"})}
    )
    outbox = NetworkOutbox(broken, ENV)
    assert not outbox.can_send("mastodon")
    assert "mastodon" not in outbox.networks


def test_the_case_page_shows_a_send_in_doubt_and_settles_it(desk: Desk) -> None:
    reply_id = crashed_send(desk.store, desk.people["agent"], desk.case_id, "Roaming in Chile is free.")
    csrf = login(desk.client, "alice")
    page = desk.client.get(f"/cases/{desk.case_id}").text
    assert "This reply may already be on mastodon: its sending did not finish." in page
    assert (
        'href="https://mastodon.social/@halcy/110446183735368325" rel="noopener nofollow ugc">the thread'
        in page
    )
    assert f'action="/replies/{reply_id}/settle"' in page and 'value="resend"' in page
    # the same draft again is not posted blindly either: the agent gets the case back with the reason
    again = desk.client.post(
        f"/cases/{desk.case_id}/reply", data={"text": "Roaming in Chile is free.", "csrf_token": csrf}
    )
    assert again.status_code == 409 and "may already be posted on mastodon" in again.text
    assert desk.net.seen == []
    done = desk.client.post(
        f"/replies/{reply_id}/settle", data={"decision": "resend", "csrf_token": csrf}, follow_redirects=False
    )
    assert done.status_code == 303
    (sent,) = desk.net.seen
    assert sent.headers["idempotency-key"].startswith(f"goodwill-{desk.case_id}-")
    (reply,) = get_case(desk.store, desk.people["agent"], desk.case_id).replies
    assert (reply.status, reply.network_id) == ("sent", f"{desk.host}/110446223051565765")
    assert "may already be on mastodon" not in desk.client.get(f"/cases/{desk.case_id}").text


def test_the_api_settles_a_send_in_doubt(desk: Desk) -> None:
    reply_id = crashed_send(desk.store, desk.people["agent"], desk.case_id)
    auth = {"authorization": f"Bearer {create_api_token(desk.store, 'alice', name='test')}"}
    case = desk.client.get(f"/api/v1/cases/{desk.case_id}", headers=auth).json()
    assert [(r["status"], r["in_doubt"]) for r in case["replies"]] == [("sending", True)]
    settled = desk.client.post(
        f"/api/v1/replies/{reply_id}/settle", json={"decision": "posted"}, headers=auth
    )
    assert settled.status_code == 200 and settled.json() == {"case_id": desk.case_id}
    assert desk.net.seen == []
    again = desk.client.post(f"/api/v1/replies/{reply_id}/settle", json={"decision": "resend"}, headers=auth)
    assert again.status_code == 409 and "already sent on mastodon by Alice Agent" in again.json()["detail"]
