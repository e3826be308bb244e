"""Sending replies posts each one once: concurrent senders, a process that dies mid-send, a shared X budget.

Every test runs against the real store (SQLite, and PostgreSQL where it runs)
and real HTTP to a fake network on loopback that counts the POSTs it gets.
"""

from __future__ import annotations

import queue
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from desk_helpers import VERSIONS, ProcessDied, add_people, add_post

from goodwill.config import SourceConfig, WorkspaceConfig
from goodwill.desk.accounts import User
from goodwill.desk.audit import list_audit
from goodwill.desk.cases import sync_cases
from goodwill.desk.casework import get_case, review_reply, send_reply
from goodwill.desk.inbox import InboxFilter, list_inbox
from goodwill.desk.outbox import NetworkOutbox
from goodwill.desk.sending import settle_send
from goodwill.errors import Forbidden, ReplyConflict, ReplyInDoubt, ReplyNotSent
from goodwill.sources.reply import ReplyTarget, SentReply
from goodwill.store import Store
from goodwill.store.source_state import load_spend
from loopback import Answer, FakeNetwork, Seen

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sources"))
from cassettes import fixture, load_cassette
from samples import LOCAL

X_ENV = {"X_REPLY_TOKEN": "x-user-token-0123456789abcdef", "MASTODON_REPLY_TOKEN": "brand-write-token-abc"}
CREATED = LOCAL / "x" / "tweet_created_synthetic.json"
STATUS = load_cassette(fixture("mastodon", "mastodon.social", "test_entity_status.yaml"))[0]
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
LATER = T0 + timedelta(minutes=10)  # past IN_FLIGHT: a send still "sending" by then has died


def _created() -> Answer:
    import json

    spec = json.loads(CREATED.read_text())
    return Answer.json(spec["status"], spec["body"], list(spec["headers"].items()))


@dataclass
class Desk:
    store: Store
    net: FakeNetwork
    people: dict[str, User]
    x_case: int
    mastodon_case: int

    def outbox(self, **x: Any) -> NetworkOutbox:
        """A fresh outbox, as a second ``goodwill serve`` worker has its own."""
        config = WorkspaceConfig(
            sources={
                "x": SourceConfig(base_url=f"{self.net.url}/2", **x),
                "mastodon": SourceConfig(base_url=self.net.url),
            }
        )
        return NetworkOutbox(config, X_ENV, sleep=lambda s: None, store=self.store)

    def posts(self) -> list[Seen]:
        return [s for s in self.net.seen if s.method == "POST"]


@pytest.fixture
def desk(any_store: Store) -> Iterator[Desk]:
    routes: dict[tuple[str, str], Any] = {
        ("POST", "/2/tweets"): _created(),
        ("POST", "/api/v1/statuses"): STATUS,
    }
    with FakeNetwork(routes) as net:
        people = add_people(any_store)
        host = net.url.split("://")[1]
        add_post(any_store, "1460323737035677698", "@acmebank is roaming free in Peru?", intent="question")
        add_post(
            any_store,
            f"{host}/110446183735368325",
            "@acmebank does roaming work in Chile?",
            network="mastodon",
            handle="halcy",
            url="https://mastodon.social/@halcy/110446183735368325",
            intent="question",
        )
        sync_cases(any_store, versions=VERSIONS)
        rows = {r.network: r.id for r in list_inbox(any_store, people["admin"], InboxFilter()).rows}
        yield Desk(any_store, net, people, rows["x"], rows["mastodon"])


def _hold(net: FakeNetwork, path: str, answer: Answer | Any) -> threading.Event:
    """Make the network sit on ``path`` until the returned event is set (at most 10 s)."""
    release = threading.Event()

    def slow(seen: Seen) -> Any:
        release.wait(timeout=10)
        return answer

    net.routes[("POST", path)] = slow
    return release


def _race(net_release: threading.Event, *calls: Callable[[], object]) -> list[object]:
    """Start ``calls`` together; once one has returned (the loser), let the network answer the other."""
    start = threading.Barrier(len(calls))
    results: queue.Queue[tuple[int, object]] = queue.Queue()

    def run(i: int, call: Callable[[], object]) -> None:
        start.wait(timeout=10)
        try:
            results.put((i, call()))
        except Exception as exc:
            results.put((i, exc))

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    first = results.get(timeout=15)
    net_release.set()
    for t in threads:
        t.join(timeout=15)
    done = dict([first, *(results.get(timeout=1) for _ in range(len(calls) - 1))])
    return [done[i] for i in range(len(calls))]


def test_two_agents_approving_one_answer_at_once_post_it_once(desk: Desk) -> None:
    answer = send_reply(desk.store, desk.people["ambassador"], desk.x_case, "Yes, on every plan.", flags=[])
    release = _hold(desk.net, "/2/tweets", _created())
    first, second = desk.outbox(), desk.outbox()  # two workers
    results = _race(
        release,
        lambda: review_reply(desk.store, desk.people["agent"], answer, approve=True, outbox=first),
        lambda: review_reply(desk.store, desk.people["admin"], answer, approve=True, outbox=second),
    )
    assert len(desk.posts()) == 1
    won = [r for r in results if r == desk.x_case]
    lost = [r for r in results if isinstance(r, ReplyConflict)]
    assert len(won) == 1 and len(lost) == 1, results
    assert "is being sent on x by" in str(lost[0]) and "it was not posted again" in str(lost[0])
    (reply,) = get_case(desk.store, desk.people["agent"], desk.x_case).replies
    assert (reply.status, reply.channel, reply.network_id) == ("sent", "network", "1861234567890123456")
    # approving it again afterwards says who sent it, and posts nothing
    with pytest.raises(ReplyConflict, match=r"already sent on x by (Alice Agent|Rita Admin) at .*x.com"):
        review_reply(desk.store, desk.people["agent"], answer, approve=True, outbox=first)
    assert len(desk.posts()) == 1
    approved = [e for e in list_audit(desk.store) if e.action == "case.reply_approved"]
    assert len(approved) == 1


def test_the_same_draft_sent_twice_at_once_posts_once(desk: Desk) -> None:
    release = _hold(desk.net, "/2/tweets", _created())
    alice, text = desk.people["agent"], "Roaming in Peru is free on every plan."
    first, second = desk.outbox(), desk.outbox()
    results = _race(
        release,
        lambda: send_reply(desk.store, alice, desk.x_case, text, flags=[], outbox=first),
        lambda: send_reply(desk.store, alice, desk.x_case, text, flags=[], outbox=second),
    )
    assert len(desk.posts()) == 1
    assert sum(isinstance(r, ReplyConflict) for r in results) == 1, results
    (reply,) = get_case(desk.store, alice, desk.x_case).replies
    assert reply.status == "sent" and results.count(reply.id) == 1
    # a double click after it went out is told so, and posts nothing
    with pytest.raises(ReplyConflict, match="already sent on x by Alice Agent"):
        send_reply(desk.store, alice, desk.x_case, text, flags=[], outbox=first)
    assert len(desk.posts()) == 1


class _DiesAfterTheNetwork:
    """The real outbox, but the process dies once the network has taken the reply."""

    def __init__(self, outbox: NetworkOutbox) -> None:
        self.outbox = outbox

    def can_send(self, network: str) -> bool:
        return self.outbox.can_send(network)

    def retry_safe(self, network: str) -> bool:
        return self.outbox.retry_safe(network)

    def send(self, network: str, target: ReplyTarget, text: str, *, key: str) -> SentReply:
        self.outbox.send(network, target, text, key=key)
        raise ProcessDied


def test_after_a_crash_x_is_not_posted_again_without_the_agents_word(desk: Desk) -> None:
    alice, text = desk.people["agent"], "We have refunded the roaming charge."
    with pytest.raises(ProcessDied):
        send_reply(
            desk.store, alice, desk.x_case, text, flags=[], outbox=_DiesAfterTheNetwork(desk.outbox()), now=T0
        )
    assert len(desk.posts()) == 1
    (reply,) = get_case(desk.store, alice, desk.x_case, now=T0).replies
    assert reply.status == "sending" and not reply.in_doubt
    restarted = desk.outbox()  # a new process
    with pytest.raises(ReplyConflict, match="is being sent on x by Alice Agent"):
        send_reply(
            desk.store, alice, desk.x_case, text, flags=[], outbox=restarted, now=T0 + timedelta(seconds=5)
        )
    with pytest.raises(ReplyInDoubt) as doubt:
        send_reply(desk.store, alice, desk.x_case, text, flags=[], outbox=restarted, now=LATER)
    said = str(doubt.value)
    assert "may already be posted on x" in said and "cannot tell a second post from the first" in said
    assert "Check the thread of case" in said and "confirm that it should be sent again" in said
    assert doubt.value.reply_id == reply.id
    assert len(desk.posts()) == 1
    detail = get_case(desk.store, alice, desk.x_case, now=LATER)
    assert detail.replies[0].in_doubt and detail.case.first_response_at is None


def test_a_mastodon_send_in_doubt_goes_again_with_the_same_key(desk: Desk) -> None:
    alice, text = desk.people["agent"], "Yes, Chile is included."
    dying = _DiesAfterTheNetwork(desk.outbox())
    with pytest.raises(ProcessDied):
        send_reply(desk.store, alice, desk.mastodon_case, text, flags=[], outbox=dying, now=T0)
    reply_id = send_reply(
        desk.store, alice, desk.mastodon_case, text, flags=[], outbox=desk.outbox(), now=LATER
    )
    first, again = desk.posts()
    assert first.headers["idempotency-key"] == again.headers["idempotency-key"]  # Mastodon posts it once
    (reply,) = get_case(desk.store, alice, desk.mastodon_case).replies
    assert (reply.id, reply.status, reply.network_id) == (reply_id, "sent", reply.network_id)
    assert reply.network_id is not None and reply.network_id.endswith("/110446223051565765")
    # past the hour Mastodon keeps a key for, the desk asks the agent instead
    with pytest.raises(ProcessDied):
        send_reply(desk.store, alice, desk.mastodon_case, "Also Peru.", flags=[], outbox=dying, now=T0)
    with pytest.raises(ReplyInDoubt, match="may already be posted on mastodon"):
        send_reply(
            desk.store,
            alice,
            desk.mastodon_case,
            "Also Peru.",
            flags=[],
            outbox=desk.outbox(),
            now=T0 + timedelta(hours=2),
        )
    assert len(desk.posts()) == 3


def test_two_workers_share_the_x_budget_through_the_store(desk: Desk) -> None:
    # X charges $0.015 a post created; a $0.02 month allows one reply, whichever worker sends it
    first, second = desk.outbox(monthly_budget_usd=0.02), desk.outbox(monthly_budget_usd=0.02)
    alice = desk.people["agent"]
    send_reply(desk.store, alice, desk.x_case, "Refunded.", flags=[], outbox=first)
    other = add_post(
        desk.store, "1460323737035677699", "@acmebank card blocked?", intent="question", handle="bo"
    )
    sync_cases(desk.store, versions=VERSIONS)
    case = next(r.id for r in list_inbox(desk.store, alice, InboxFilter()).rows if r.post_id == other)
    with pytest.raises(ReplyNotSent, match=r"monthly budget of \$0.02 would be passed \(\$0.01 spent\)"):
        send_reply(desk.store, alice, case, "Unblocked.", flags=[], outbox=second)
    assert len(desk.posts()) == 1
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    spent = desk.store.read(lambda c: load_spend(c, "x", today, today))["posts"]
    assert (spent.requests, spent.units, spent.usd) == (1, 1.0, 0.015)
    assert get_case(desk.store, alice, case).replies == []


def test_an_agent_settles_a_send_in_doubt_once(desk: Desk) -> None:
    alice, rita = desk.people["agent"], desk.people["admin"]
    dying = _DiesAfterTheNetwork(desk.outbox())
    with pytest.raises(ProcessDied):
        send_reply(desk.store, alice, desk.x_case, "Refunded.", flags=[], outbox=dying, now=T0)
    (reply,) = get_case(desk.store, alice, desk.x_case, now=T0).replies
    with pytest.raises(ReplyConflict, match="is being sent on x by Alice Agent"):
        settle_send(desk.store, rita, reply.id, "resend", outbox=desk.outbox(), now=T0 + timedelta(minutes=1))
    with pytest.raises(Forbidden):
        settle_send(
            desk.store, desk.people["ambassador"], reply.id, "posted", outbox=desk.outbox(), now=LATER
        )
    assert settle_send(desk.store, rita, reply.id, "resend", outbox=desk.outbox(), now=LATER) == desk.x_case
    assert len(desk.posts()) == 2  # the agent checked the thread and said so
    detail = get_case(desk.store, alice, desk.x_case, now=LATER)
    (sent,) = detail.replies
    assert (sent.status, sent.network_id, sent.in_doubt) == ("sent", "1861234567890123456", False)
    assert detail.case.first_response_at == LATER and detail.case.state == "pending"
    with pytest.raises(ReplyConflict, match="already sent on x by Rita Admin"):
        settle_send(desk.store, alice, reply.id, "resend", outbox=desk.outbox(), now=LATER)
    assert len(desk.posts()) == 2


def test_a_send_in_doubt_seen_on_the_network_is_recorded_without_posting(desk: Desk) -> None:
    alice = desk.people["agent"]
    answer = send_reply(desk.store, desk.people["ambassador"], desk.x_case, "Yes, on every plan.", flags=[])
    with pytest.raises(ProcessDied):
        review_reply(
            desk.store, alice, answer, approve=True, outbox=_DiesAfterTheNetwork(desk.outbox()), now=T0
        )
    with pytest.raises(ReplyInDoubt, match="may already be posted on x"):
        review_reply(desk.store, alice, answer, approve=True, outbox=desk.outbox(), now=LATER)
    settle_send(desk.store, alice, answer, "posted", outbox=desk.outbox(), now=LATER)
    assert len(desk.posts()) == 1
    detail = get_case(desk.store, alice, desk.x_case, now=LATER)
    (reply,) = detail.replies
    assert (reply.status, reply.who, reply.network_id) == ("sent", "Ami Bassador", None)
    assert detail.case.first_response_at == LATER
    (approved,) = [e for e in list_audit(desk.store) if e.action == "case.reply_approved"]
    assert approved.username == "alice"
    assert approved.detail == {
        "reply": answer,
        "channel": "network",
        "network": "x",
        "seen_posted_by": "alice",
    }


def test_a_refused_resend_leaves_the_reply_in_doubt(desk: Desk) -> None:
    alice = desk.people["agent"]
    with pytest.raises(ProcessDied):
        send_reply(
            desk.store,
            alice,
            desk.x_case,
            "Refunded.",
            flags=[],
            outbox=_DiesAfterTheNetwork(desk.outbox()),
            now=T0,
        )
    desk.net.routes[("POST", "/2/tweets")] = Answer.json(503, {"title": "Service Unavailable"})
    with pytest.raises(ReplyNotSent, match="An earlier attempt may have posted it"):
        settle_send(
            desk.store,
            alice,
            get_case(desk.store, alice, desk.x_case).replies[0].id,
            "resend",
            outbox=desk.outbox(),
            now=LATER,
        )
    (reply,) = get_case(desk.store, alice, desk.x_case, now=LATER).replies
    assert reply.status == "sending" and reply.in_doubt  # at once: no attempt is running
    assert [e.detail["attempt"] for e in list_audit(desk.store) if e.action == "case.reply_failed"] == [2]


def test_a_lost_answer_leaves_the_reply_in_doubt_not_removed(desk: Desk) -> None:
    def hang_up(seen: Seen) -> Answer:
        raise ConnectionAbortedError("the server took the post, then the line went dead")

    desk.net.routes[("POST", "/2/tweets")] = hang_up
    alice, text = desk.people["agent"], "Refunded."
    with pytest.raises(ReplyInDoubt, match=r"took the request but no answer came .* may be posted on x"):
        send_reply(desk.store, alice, desk.x_case, text, flags=[], outbox=desk.outbox(), now=T0)
    (reply,) = get_case(desk.store, alice, desk.x_case, now=T0).replies
    assert reply.status == "sending" and reply.in_doubt  # at once: nothing is running any more
    with pytest.raises(ReplyInDoubt, match="cannot tell a second post from the first"):
        send_reply(desk.store, alice, desk.x_case, text, flags=[], outbox=desk.outbox(), now=T0)
    assert len(desk.posts()) == 1
    (failed,) = [e for e in list_audit(desk.store) if e.action == "case.reply_failed"]
    assert failed.detail["outcome"] == "unknown"
