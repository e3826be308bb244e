"""The sweep keeps routing true over time: escalation, reassignment after a timeout, no case left waiting."""

from __future__ import annotations

from datetime import timedelta

from desk_helpers import NOW, VERSIONS, add_people, add_post

from goodwill.care.config import AgentSpec, CareConfig
from goodwill.config import WorkspaceConfig
from goodwill.desk.cases import sync_cases
from goodwill.desk.casework import get_case, send_reply
from goodwill.desk.inbox import InboxFilter, list_inbox
from goodwill.desk.sweep import sweep_cases
from goodwill.store import Store
from goodwill.web.wiring import default_services


def _care(**extra: object) -> CareConfig:
    return CareConfig.model_validate(
        {
            "agents": [{"name": "alice", "capacity": 2}, {"name": "root", "capacity": 1}],
            "queues": [{"name": "general", "first_response": "1h"}],
            **extra,
        }
    )


def _rows(store: Store, viewer):  # type: ignore[no-untyped-def]
    return {r.post_id: r for r in list_inbox(store, viewer, InboxFilter(), now=NOW).rows}


def test_capacity_leaves_no_case_waiting_while_someone_has_room(store: Store) -> None:
    people = add_people(store)
    care = _care()
    for i in range(4):
        add_post(store, str(i), f"@acmebank question {i}?", intent="question")
    services = default_services(WorkspaceConfig(care=care))
    assert sync_cases(store, versions=VERSIONS, services=services, now=NOW).assigned == 3  # 2 + 1 room
    rows = _rows(store, people["admin"])
    assert sorted(r.assignee or "-" for r in rows.values()) == [
        "-",
        "Alice Agent",
        "Alice Agent",
        "Rita Admin",
    ]
    assert all(r.sla_due_at == NOW + timedelta(hours=1) for r in rows.values())
    # alice answers and resolves one: the waiting case goes to her in the next sweep
    done = next(r for r in rows.values() if r.assignee == "Alice Agent")
    send_reply(store, people["agent"], done.id, "Hello Ada, yes it does.", flags=[], resolve=True, now=NOW)
    assert sweep_cases(store, care, now=NOW).assigned == 1
    assert all(r.assignee for r in _rows(store, people["admin"]).values())


def test_stale_cases_are_reassigned_and_unanswered_ones_escalate(store: Store) -> None:
    people = add_people(store)
    care = _care(
        reassign_after="2h",
        agents=[AgentSpec(name="alice", capacity=5), AgentSpec(name="root", capacity=5)],
    )
    add_post(store, "1", "@acmebank is the app down?", intent="question")
    sync_cases(store, versions=VERSIONS, services=default_services(WorkspaceConfig(care=care)), now=NOW)
    (case,) = _rows(store, people["admin"]).values()
    first = case.assignee
    swept = sweep_cases(store, care, now=NOW + timedelta(hours=3))
    assert (swept.reassigned, swept.escalated) == (1, 0)
    (moved,) = _rows(store, people["admin"]).values()
    assert moved.assignee not in (None, first)
    history = get_case(store, people["admin"], moved.id).actions
    assert history[-1].action == "reassigned" and "no first response" in history[-1].detail["why"]

    escalating = _care(
        escalations=[
            {"name": "late", "sla": "breached", "to_queue": "supervisors", "add_skills": ["senior"]}
        ],
        agents=[AgentSpec(name="root", capacity=5, skills=["senior"])],
    )
    swept = sweep_cases(store, escalating, now=NOW + timedelta(hours=4))
    assert swept.escalated == 1
    (up,) = _rows(store, people["admin"]).values()
    assert (up.queue, up.assignee) == ("supervisors", "Rita Admin")  # only root has the skill
    assert [a.action for a in get_case(store, people["admin"], up.id).actions][-2:] == [
        "escalated",
        "assigned",
    ]
    assert sweep_cases(store, escalating, now=NOW + timedelta(hours=5)).escalated == 0
