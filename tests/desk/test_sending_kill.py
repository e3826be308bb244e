"""SIGKILL a desk process once the network has its reply, before the store hears back: it never posts twice.

A child process sends (or approves) a reply on X through the real outbox and store;
the fake X on loopback kills it with SIGKILL the moment the POST arrives, so the
network has the reply and the desk never learns the new post's id. The test, a
"restarted" desk, then tries again: refused while the send may still run, refused
as in doubt after it, and the network has seen exactly one POST throughout.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from desk_helpers import VERSIONS, add_people, add_post

from goodwill.config import SourceConfig, WorkspaceConfig
from goodwill.desk.cases import sync_cases
from goodwill.desk.casework import get_case, review_reply, send_reply
from goodwill.desk.inbox import InboxFilter, list_inbox
from goodwill.desk.outbox import NetworkOutbox
from goodwill.errors import ReplyConflict, ReplyInDoubt
from goodwill.store import Store
from loopback import Answer, FakeNetwork, Seen

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sources"))
from samples import LOCAL

ENV = {"X_REPLY_TOKEN": "x-user-token-0123456789abcdef"}
TEXT = "Refunded, sorry about that."
CHILD = """
import sys
from goodwill.config import SourceConfig, WorkspaceConfig
from goodwill.desk.accounts import find_user
from goodwill.desk.casework import review_reply, send_reply
from goodwill.desk.outbox import NetworkOutbox
from goodwill.store import open_store

url, net, what, ident, username, token, text = sys.argv[1:8]
store = open_store(url)
config = WorkspaceConfig(sources={"x": SourceConfig(base_url=net + "/2")})
outbox = NetworkOutbox(config, {"X_REPLY_TOKEN": token}, store=store)
user = find_user(store, username)
if what == "approve":
    review_reply(store, user, int(ident), approve=True, outbox=outbox)
else:
    send_reply(store, user, int(ident), text, flags=[], outbox=outbox)
print("the network answered; the kill came too late")
"""


def _created() -> Answer:
    spec = json.loads((LOCAL / "x" / "tweet_created_synthetic.json").read_text())
    return Answer.json(spec["status"], spec["body"], list(spec["headers"].items()))


@pytest.mark.parametrize("what", ["send", "approve"])
def test_a_desk_killed_after_the_network_call_does_not_post_again(any_store: Store, what: str) -> None:
    people = add_people(any_store)
    add_post(any_store, "1460323737035677698", "@acmebank is roaming free in Peru?", intent="question")
    sync_cases(any_store, versions=VERSIONS)
    (case,) = list_inbox(any_store, people["admin"], InboxFilter()).rows
    answer = send_reply(any_store, people["ambassador"], case.id, TEXT, flags=[]) if what == "approve" else 0
    child: list[subprocess.Popen[str]] = []

    def kill_the_desk(seen: Seen) -> Answer:
        os.kill(child[0].pid, signal.SIGKILL)
        child[0].wait(timeout=10)
        return _created()  # nobody is left to read it

    with FakeNetwork({("POST", "/2/tweets"): kill_the_desk}) as net:
        ident = answer if what == "approve" else case.id
        args = [any_store.url, net.url, what, str(ident), "alice", ENV["X_REPLY_TOKEN"], TEXT]
        child.append(
            subprocess.Popen(
                [sys.executable, "-c", CHILD, *args],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
        out, err = child[0].communicate(timeout=60)
        assert child[0].returncode == -signal.SIGKILL, (out, err)
        assert len(net.seen) == 1
        restarted = NetworkOutbox(
            WorkspaceConfig(sources={"x": SourceConfig(base_url=f"{net.url}/2")}), ENV, store=any_store
        )
        alice = people["agent"]

        def again(now: datetime) -> object:
            if what == "approve":
                return review_reply(any_store, alice, answer, approve=True, outbox=restarted, now=now)
            return send_reply(any_store, alice, case.id, TEXT, flags=[], outbox=restarted, now=now)

        with pytest.raises(ReplyConflict, match="is being sent on x by Alice Agent"):
            again(datetime.now(UTC))
        with pytest.raises(ReplyInDoubt, match="may already be posted on x"):
            again(datetime.now(UTC) + timedelta(minutes=10))
        assert len(net.seen) == 1
    (reply,) = get_case(any_store, alice, case.id).replies
    assert reply.status == "sending" and reply.text == TEXT
