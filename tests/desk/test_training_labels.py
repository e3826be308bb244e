"""The store's training labels: corrections (with their case's brand) and what answered cases confirm."""

from __future__ import annotations

from desk_helpers import NOW, VERSIONS, add_people, add_post

from goodwill.desk.cases import sync_cases
from goodwill.desk.casework import correct_judgement, send_reply
from goodwill.desk.inbox import InboxFilter, list_inbox
from goodwill.desk.labels import iter_labels, iter_training_labels
from goodwill.store import Store


def test_corrections_and_answered_cases_become_labels_with_their_brand(store: Store) -> None:
    people = add_people(store)
    add_post(store, "1", "@acmebank is the app down?", intent="question", sentiment="neutral")
    add_post(store, "2", "@acmebank charged twice again", intent="complaint", sentiment="negative")
    add_post(store, "3", "@acmebank hello", intent="social", sentiment="neutral")
    sync_cases(store, versions=VERSIONS, now=NOW)
    agent = people["agent"]
    by_post = {r.text: r.id for r in list_inbox(store, agent, InboxFilter(limit=10), now=NOW).rows}
    correct_judgement(store, agent, by_post["@acmebank is the app down?"], "intent", "help_request", now=NOW)
    send_reply(store, agent, by_post["@acmebank is the app down?"], "We are on it", flags=[], now=NOW)
    send_reply(store, agent, by_post["@acmebank charged twice again"], "Sorry, DM us", flags=[], now=NOW)
    (correction,) = iter_labels(store)
    assert (correction["field"], correction["label"], correction["was"], correction["brand"]) == (
        "intent",
        "help_request",
        "question",
        "Acme Bank",
    )
    labels = [
        (r["id"], r["field"], r["label"], r.get("confirmed", False)) for r in iter_training_labels(store)
    ]
    # Post 1: its corrected intent, and its uncorrected sentiment and welcome confirmed by the reply.
    # Post 2: answered, nothing corrected: all three confirmed. Post 3: never answered: no label.
    assert labels == [
        ("1", "intent", "help_request", False),
        ("1", "sentiment", "neutral", True),
        ("1", "welcome", True, True),
        ("2", "sentiment", "negative", True),
        ("2", "intent", "complaint", True),
        ("2", "welcome", True, True),
    ]
