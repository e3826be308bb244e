"""The [care] tables of goodwill.toml: routes, queues, calendars, reply policy, agents."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from goodwill.care.routing import CaseFacts
from goodwill.config import config_template, load_config
from goodwill.errors import ConfigError

CARE = """
[[brands]]
name = "Acme Bank"
domains = ["acmebank.example"]

[care]
default_queue = "general"
reassign_after = "2h"
default_capacity = 6

[[care.routes]]
name = "complaints"
intent = ["complaint"]
queue = "complaints"
skills = ["billing"]
priority = 2

[[care.routes]]
network = ["reddit"]
queue = "community"

[[care.escalations]]
sla = "breached"
to_queue = "supervisors"

[[care.queues]]
name = "complaints"
first_response = "1h"
resolution = "1d"
calendar = "uk"
warning_at = 0.5

[care.calendars.uk]
timezone = "Europe/London"
week = { mon = ["09:00-17:30"], tue = ["09:00-17:30"] }
holidays = ["2026-12-25"]

[care.reply]
brand_domains = ["shop.acme-partner.example"]
canned_blocks = true

[[care.agents]]
name = "amy"
skills = ["billing", "de"]
capacity = 3
queues = ["complaints"]

[care.costs]
currency = "EUR"
phone = 7.5
phone_share = 1.0

[care.ambassadors]
trusted_after = 20
ranks = [{ name = "Fan", points = 0 }, { name = "Pro", points = 100 }]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "goodwill.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_care_tables_load_into_routing_slas_policy_and_agents(tmp_path: Path) -> None:
    care = load_config(write(tmp_path, CARE)).care
    routing = care.routing()
    assert routing.route(CaseFacts(intent="complaint")).queue == "complaints"
    assert routing.route(CaseFacts(network="reddit")).queue == "community"
    assert routing.route(CaseFacts(network="x")).queue == "general"
    assert routing.reassign_after == timedelta(hours=2)
    assert routing.escalations[0].to_queue == "supervisors"

    book = care.sla_book()
    monday = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
    status = book.status("complaints", created_at=monday, now=monday)
    assert status is not None
    assert status.first_response.due == datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    assert book.calendars["uk"].holidays == frozenset({date(2026, 12, 25)})

    policy = care.reply_policy(["https://www.acmebank.example/"])
    assert policy.brand_domains == ["shop.acme-partner.example", "acmebank.example"]
    assert policy.canned_blocks

    amy = care.agent("amy", open_cases=1)
    assert (amy.capacity, amy.skills, amy.open_cases) == (3, frozenset({"billing", "de"}), 1)
    assert amy.queues == frozenset({"complaints"})
    assert care.agent("kim").capacity == 6

    assert (care.costs.currency, care.costs.avoided) == ("EUR", 7.5)
    assert care.ambassadors.trusted_after == 20
    assert care.ambassadors.rank_for(150) == "Pro"


def test_template_without_care_gets_defaults(tmp_path: Path) -> None:
    care = load_config(write(tmp_path, config_template())).care
    assert care.default_queue == "general"
    assert care.routes == [] and care.queues == []


@pytest.mark.parametrize(
    ("snippet", "line", "key", "words"),
    [
        ('[care]\n\n[[care.routes]]\nintent = ["complaint"]\nqueue = "q"\nskils = ["x"]\n', 6,
         "care.routes.0.skils", "spelling"),
        ('[[care.queues]]\nname = "q"\nfirst_response = "soon"\n', 3, "care.queues.0.first_response",
         "30m, 4h"),
        ('[[care.queues]]\nname = "q"\nfirst_response = "1h"\ncalendar = "uk"\n', 1, "care",
         "queues[0].calendar: 'uk' is not under [care.calendars]"),
        ('[care.calendars.uk]\ntimezone = "Europe/Londn"\n', 2, "care.calendars.uk.timezone",
         "unknown timezone"),
        ('[care.calendars.uk]\nweek = { mon = ["17:00-09:00"] }\n', 2, "care.calendars.uk.week",
         "split a night shift"),
        ('[[care.escalations]]\nto_queue = "boss"\n', 1, "care.escalations.0", "needs a trigger"),
        ('[care.costs]\nphone = -2\n', 2, "care.costs.phone", "greater than or equal to 0"),
        ('[care.ambassadors]\nranks = [{ name = "Pro", points = 5 }]\n', 1, "care.ambassadors",
         "rank at 0 points"),
    ],
)  # fmt: skip
def test_mistakes_name_file_line_and_key(
    tmp_path: Path, snippet: str, line: int, key: str, words: str
) -> None:
    path = write(tmp_path, snippet)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert f"{path}:{line}:" in message, message
    assert f"key '{key}'" in message, message
    assert words in message, message
