"""Cases open from welcome posts; working them writes state, history and audit together; roles hold."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import pytest
from desk_helpers import NOW, VERSIONS, add_people, add_post

from goodwill.desk.accounts import User
from goodwill.desk.audit import list_audit
from goodwill.desk.cases import sync_cases
from goodwill.desk.casework import (
    assign_case,
    correct_judgement,
    get_case,
    reply_context,
    review_reply,
    send_reply,
    set_state,
)
from goodwill.desk.inbox import InboxFilter, list_inbox
from goodwill.desk.services import AgentLoad, Deadlines, DeskServices, ReplyFlag, Route
from goodwill.errors import DeskError, Forbidden, NotFound, ReplyBlocked, ReplyConflict
from goodwill.store import Store


class _Queues:
    def route(self, facts):  # type: ignore[no-untyped-def]
        return Route(queue="complaints" if facts.is_complaint else "questions", skills=("billing",))


class _FirstWithRoom:
    def choose(self, route: Route, agents: Sequence[AgentLoad]) -> int | None:
        for a in reversed(agents):  # alice (5 at most) first, then root
            if a.capacity is None or a.open_cases < a.capacity:
                return a.user_id
        return None


class _OneHour:
    def deadlines(self, queue: str, opened_at):  # type: ignore[no-untyped-def]
        return Deadlines(
            first_response_due=opened_at + timedelta(hours=1),
            resolution_due=opened_at + timedelta(hours=8),
            first_response_warn=opened_at + timedelta(minutes=45),
        )


@pytest.fixture
def people(store: Store) -> dict[str, User]:
    return add_people(store)


def _ids(store: Store, viewer: User, **filters: str) -> list[int]:
    return [r.post_id for r in list_inbox(store, viewer, InboxFilter(**filters), now=NOW).rows]


def test_sync_opens_one_case_per_welcome_non_spam_post(store: Store, people: dict[str, User]) -> None:
    angry = add_post(
        store, "1", "@acmebank charged twice!", intent="complaint", complaint=True, sentiment="negative"
    )
    asks = add_post(store, "2", "@acmebank does roaming work in Peru?", intent="question")
    add_post(store, "3", "nice weather", welcome=False)
    add_post(store, "4", "BUY NOW", spam=True)
    counts = sync_cases(store, versions=VERSIONS, now=NOW)
    assert (counts.created, counts.assigned, counts.closed) == (2, 0, 0)
    assert sync_cases(store, versions=VERSIONS, now=NOW).created == 0
    page = list_inbox(store, people["agent"], InboxFilter(), now=NOW)
    assert [r.post_id for r in page.rows] == [angry, asks]  # the complaint is more urgent
    top = page.rows[0]
    assert (top.brand, top.intent, top.language, top.network, top.visibility) == (
        "Acme Bank",
        "complaint",
        "en",
        "x",
        "private",
    )
    assert top.reasons == ["addressed to @acmebank"] and top.text == "@acmebank charged twice!"
    assert page.rows[1].visibility == "public"


def test_routing_sla_and_capacity_seams_are_used(store: Store, people: dict[str, User]) -> None:
    for i in range(7):
        add_post(store, str(i), f"@acmebank question {i}?", intent="question")
    services = DeskServices(router=_Queues(), assigner=_FirstWithRoom(), sla=_OneHour())
    counts = sync_cases(store, versions=VERSIONS, services=services, now=NOW)
    assert (counts.created, counts.assigned) == (7, 7)  # root (no limit) takes what alice's 5 leave
    agent = people["agent"]
    assert len(_ids(store, agent, assignee="me")) == 5
    assert len(_ids(store, agent, queue="questions")) == 7
    assert _ids(store, agent, sla="breached") == []
    late = NOW + timedelta(minutes=50)
    at_risk = list_inbox(store, agent, InboxFilter(sla="at_risk"), now=late).rows
    assert len(at_risk) == 7 and all(r.sla == "at_risk" for r in at_risk)
    breached = list_inbox(store, agent, InboxFilter(sla="breached"), now=NOW + timedelta(hours=2)).rows
    assert len(breached) == 7
    # A first reply moves the deadline to the resolution target.
    send_reply(store, agent, breached[0].id, "Hello, we're on it", flags=[], now=NOW + timedelta(hours=2))
    still = list_inbox(store, agent, InboxFilter(sla="breached"), now=NOW + timedelta(hours=2)).rows
    assert len(still) == 6


def test_ambassador_sees_only_public_questions_matching_expertise(
    store: Store, people: dict[str, User]
) -> None:
    roaming_q = add_post(store, "1", "does roaming work in Peru?", intent="question")
    add_post(store, "2", "what is the fee for cards?", intent="question")
    roaming_complaint = add_post(store, "3", "roaming broke again, awful", intent="complaint", complaint=True)
    sync_cases(store, versions=VERSIONS, now=NOW)
    amb = people["ambassador"]
    assert _ids(store, amb) == [roaming_q]
    cases = {r.post_id: r.id for r in list_inbox(store, people["agent"], InboxFilter(), now=NOW).rows}
    with pytest.raises(NotFound):
        get_case(store, amb, cases[roaming_complaint])
    assert get_case(store, amb, cases[roaming_q]).post.id == roaming_q


def test_reply_check_blocks_without_reason_and_logs_override(store: Store, people: dict[str, User]) -> None:
    add_post(store, "1", "@acmebank help?", intent="question")
    sync_cases(store, versions=VERSIONS, now=NOW)
    agent = people["agent"]
    (case,) = list_inbox(store, agent, InboxFilter(), now=NOW).rows
    flags = [ReplyFlag(code="sales", message="offers a discount", evidence="20% off")]
    with pytest.raises(ReplyBlocked, match="offers a discount") as blocked:
        send_reply(store, agent, case.id, "Get 20% off!", flags=flags, now=NOW)
    assert blocked.value.flags[0]["code"] == "sales"
    reply_id = send_reply(
        store, agent, case.id, "Get 20% off!", flags=flags, override_reason="they asked for deals", now=NOW
    )
    detail = get_case(store, agent, case.id)
    assert [(r.id, r.status, r.channel, r.override_reason, r.who) for r in detail.replies] == [
        (reply_id, "sent", "copied", "they asked for deals", "Alice Agent")
    ]
    assert detail.case.state == "pending" and detail.case.first_response_at == NOW
    assert [a.action for a in detail.actions] == ["created", "replied", "state"]
    audit = list_audit(store)
    assert audit[1].action == "case.replied" and audit[1].detail["override_reason"] == "they asked for deals"


def test_analyst_cannot_reply_and_ambassador_answers_wait_for_approval(
    store: Store, people: dict[str, User]
) -> None:
    add_post(store, "1", "is roaming included?", intent="question")
    sync_cases(store, versions=VERSIONS, now=NOW)
    (case,) = list_inbox(store, people["agent"], InboxFilter(), now=NOW).rows
    with pytest.raises(Forbidden, match="analyst may not reply"):
        send_reply(store, people["analyst"], case.id, "hi", flags=[])
    with pytest.raises(Forbidden):
        correct_judgement(store, people["ambassador"], case.id, "intent", "praise")
    reply_id = send_reply(store, people["ambassador"], case.id, "Yes, in the EU it is.", flags=[], now=NOW)
    pending = get_case(store, people["agent"], case.id)
    assert pending.replies[0].status == "pending_approval" and pending.case.first_response_at is None
    with pytest.raises(Forbidden):
        review_reply(store, people["ambassador"], reply_id, approve=True)
    later = NOW + timedelta(minutes=5)
    assert review_reply(store, people["agent"], reply_id, approve=True, now=later) == case.id
    done = get_case(store, people["agent"], case.id)
    assert done.replies[0].status == "sent" and done.case.first_response_at == later
    with pytest.raises(ReplyConflict, match="already approved by Alice Agent; nothing was done"):
        review_reply(store, people["agent"], reply_id, approve=True)


def test_corrections_are_labels_and_update_the_case(store: Store, people: dict[str, User]) -> None:
    add_post(store, "1", "@acmebank how do I pay?", intent="question", sentiment="neutral")
    sync_cases(store, versions=VERSIONS, now=NOW)
    agent = people["agent"]
    (case,) = list_inbox(store, agent, InboxFilter(), now=NOW).rows
    correct_judgement(store, agent, case.id, "sentiment", "negative", now=NOW)
    correct_judgement(store, agent, case.id, "sentiment", "positive", now=NOW)
    with pytest.raises(DeskError, match="use one of negative"):
        correct_judgement(store, agent, case.id, "sentiment", "furious")
    detail = get_case(store, agent, case.id)
    assert [(c.field, c.old_value, c.new_value) for c in detail.corrections] == [
        ("sentiment", "neutral", "negative"),
        ("sentiment", "negative", "positive"),
    ]
    assert detail.case.sentiment == "positive"
    assert reply_context(detail).welcome is True
    correct_judgement(store, agent, case.id, "welcome", "false", now=NOW)
    gone = get_case(store, agent, case.id)
    assert gone.case.state == "resolved" and reply_context(gone).welcome is False
    assert _ids(store, agent) == []


def test_state_assignment_thread_and_author_history(store: Store, people: dict[str, User]) -> None:
    root = add_post(store, "10", "@acmebank my card is stuck", intent="help_request", conversation_id="10")
    add_post(store, "11", "same here", handle="bob", reply_to="10", conversation_id="10", welcome=False)
    add_post(store, "12", "@acmebank thanks for yesterday", intent="praise", hours_ago=30, welcome=False)
    sync_cases(store, versions=VERSIONS, now=NOW)
    agent = people["agent"]
    (case,) = list_inbox(store, agent, InboxFilter(), now=NOW).rows
    assert case.post_id == root
    detail = get_case(store, agent, case.id)
    assert [p.post.native_id for p in detail.thread] == ["11"]
    assert [p.post.native_id for p in detail.author_posts] == ["12"]
    assign_case(store, agent, case.id, people["admin"].id)
    with pytest.raises(DeskError, match="not an active agent"):
        assign_case(store, agent, case.id, people["analyst"].id)
    set_state(store, agent, case.id, "resolved")
    with pytest.raises(DeskError, match="reopen it"):
        send_reply(store, agent, case.id, "hello", flags=[])
    with pytest.raises(DeskError, match="unknown state"):
        set_state(store, agent, case.id, "closed")
    with pytest.raises(Forbidden):
        set_state(store, people["analyst"], case.id, "open")
    final = get_case(store, agent, case.id)
    assert final.case.assignee == "Rita Admin" and final.case.resolved_at is not None
    assert [a.action for a in final.actions] == ["created", "assigned", "state"]
    assert _ids(store, agent, state="resolved") == [root]


def test_a_deleted_post_resolves_its_case(store: Store, people: dict[str, User]) -> None:
    from desk_helpers import PROVENANCE

    from goodwill.models import Post
    from goodwill.store import RawRecord

    add_post(store, "1", "@acmebank help", intent="question")
    sync_cases(store, versions=VERSIONS, now=NOW)
    gone = Post(network="x", native_id="1", text=None, deleted=True)
    store.upsert([(gone, RawRecord(payload={"id": "1", "deleted": True}, provenance=PROVENANCE))])
    assert sync_cases(store, versions=VERSIONS, now=NOW).closed == 1
    assert _ids(store, people["agent"]) == []


def test_an_ambassador_added_later_sees_matching_questions(store: Store, people: dict[str, User]) -> None:
    from goodwill.desk.accounts import add_user
    from goodwill.desk.cases import retag_cases

    asks = add_post(store, "1", "@acmebank is the eSIM ready for my phone?", intent="question")
    sync_cases(store, versions=VERSIONS, now=NOW)
    late = add_user(
        store, username="newbie", password="correct horse battery", role="ambassador", expertise=["esim"]
    )
    assert _ids(store, late) == []
    assert retag_cases(store) == 1
    assert _ids(store, late) == [asks]
    assert retag_cases(store) == 0


def test_warnings_do_not_block_and_a_token_reason_is_refused(store: Store, people: dict[str, User]) -> None:
    add_post(store, "1", "@acmebank help?", intent="question")
    sync_cases(store, versions=VERSIONS, now=NOW)
    agent = people["agent"]
    (case,) = list_inbox(store, agent, InboxFilter(), now=NOW).rows
    pitch = [ReplyFlag(code="sales.offer", message="an offer", evidence="20% off")]
    with pytest.raises(ReplyBlocked):
        send_reply(store, agent, case.id, "Get 20% off!", flags=pitch, override_reason="because", now=NOW)
    canned = [ReplyFlag(code="canned.template", message="a form letter", blocking=False)]
    reply_id = send_reply(
        store, agent, case.id, "Thank you for reaching out", flags=canned, override_reason="x"
    )
    (reply,) = get_case(store, agent, case.id).replies
    assert reply.id == reply_id and reply.override_reason is None
    assert reply.flags == [
        {"code": "canned.template", "message": "a form letter", "evidence": "", "blocking": False}
    ]
