"""Alerts with an injected clock: a synthetic spike fires once, steady traffic with a daily rhythm never does;
delivered to a real HTTP receiver and a real SMTP server on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest
from insights_data import fill

from goodwill.config import BrandSpec, WorkspaceConfig
from goodwill.config_insights import AlertSettings, InsightsConfig
from goodwill.insights.alerts import check_alerts, recent_alerts, send_email, send_webhook
from goodwill.insights.facts import BrandMention, PostFact
from goodwill.insights.spikes import detect_spikes
from goodwill.store import Store

START = datetime(2026, 11, 1, tzinfo=UTC)  # a Sunday, midnight
ACME = (BrandMention("Acme", "brand"),)


def steady(days: int, *, busy: int = 20, quiet: int = 5) -> list[PostFact]:
    """``busy`` posts an hour from 08:00 to 20:00, ``quiet`` at night; a fifth of each hour negative."""
    out: list[PostFact] = []
    for day in range(days):
        for hour in range(24):
            n = busy if 8 <= hour < 20 else quiet
            for i in range(n):
                at = START + timedelta(days=day, hours=hour, minutes=60 * i / n)
                out.append(
                    _fact(len(out), at, "negative" if i % 5 == 0 else "neutral", "usual chatter today")
                )
    return out


def spike(at: datetime, n: int, first_id: int) -> list[PostFact]:
    """``n`` posts in the hour after ``at``, 70% negative, all about an outage."""
    return [
        _fact(
            first_id + i,
            at + timedelta(minutes=60 * i / n),
            "negative" if i % 10 < 7 else "neutral",
            "Acme outage again, signal gone everywhere",
        )
        for i in range(n)
    ]


def _fact(pid: int, at: datetime, sentiment: str, text: str) -> PostFact:
    return PostFact(
        post_id=pid,
        network="x",
        native_id=str(pid),
        posted_at=at,
        text=text,
        author=f"x:u{pid % 37}",
        brands=ACME,
        sentiment=sentiment,
    )


def checks(
    facts: list[PostFact], start: datetime, end: datetime, settings: AlertSettings
) -> list[tuple[str, datetime]]:
    """Run the detector every 15 minutes with fire-once state, as cron would; return what fired and when."""
    fired: list[tuple[str, datetime]] = []
    active: set[str] = set()
    now = start
    while now <= end:
        seen = {
            s.key for s in detect_spikes([f for f in facts if f.posted_at < now], now=now, settings=settings)
        }
        fired += [(key, now) for key in sorted(seen - active)]
        active = seen
        now += timedelta(minutes=15)
    return fired


def test_steady_traffic_with_a_daily_rhythm_never_fires() -> None:
    facts = steady(9)
    assert checks(facts, START + timedelta(days=7), START + timedelta(days=9), AlertSettings()) == []


def test_without_the_same_hour_baseline_the_morning_rise_would_fire() -> None:
    # The control: the previous-12-hours baseline alone mistakes 08:00 for a spike.
    facts = steady(9)
    now = START + timedelta(days=8, hours=9)
    window = [f for f in facts if now - timedelta(hours=1) <= f.posted_at < now]
    previous = [f for f in facts if now - timedelta(hours=13) <= f.posted_at < now - timedelta(hours=1)]
    assert len(window) >= 3 * len(previous) / 12
    assert detect_spikes([f for f in facts if f.posted_at < now], now=now) == []


def test_a_spike_fires_once_for_volume_and_once_for_negative_share() -> None:
    base = steady(9)
    at = START + timedelta(days=8, hours=14)
    facts = sorted(base + spike(at, 60, len(base)), key=lambda f: f.posted_at)
    fired = checks(facts, START + timedelta(days=7), START + timedelta(days=9), AlertSettings())
    assert [key for key, _ in fired] == ["negative|Acme|", "volume|Acme|"]
    assert all(at < when <= at + timedelta(hours=1, minutes=15) for _, when in fired)


def test_the_explanation_names_the_terms_and_shows_examples() -> None:
    base = steady(9)
    at = START + timedelta(days=8, hours=14)
    facts = base + spike(at, 60, len(base))
    now = at + timedelta(hours=1)
    spikes = detect_spikes([f for f in facts if f.posted_at < now], now=now)
    volume = next(s for s in spikes if s.kind == "volume")
    # 80 posts (20 usual + 60) against the 20 seen at this hour on earlier days.
    assert (volume.posts, volume.baseline_posts) == (80, 20.0)
    assert set(volume.terms[:4]) == {"outage", "signal", "gone", "everywhere"}
    assert "acme" not in volume.terms
    assert len(volume.examples) == 3 and "outage" in volume.examples[0]
    text = volume.explain()
    assert text.startswith("Acme: 80 posts in 2026-11-09 14:00-15:00 UTC, against 20.0 normally.")
    negative = next(s for s in spikes if s.kind == "negative")
    assert negative.negative_share == 57.5  # (4 + 42) / 80
    assert negative.baseline_negative_share == 20.0


def test_spikes_per_topic_when_topics_exist() -> None:
    base = steady(9)
    at = START + timedelta(days=8, hours=14)
    extra = spike(at, 60, len(base))
    topic_of = {f.post_id: "outage" for f in extra} | {f.post_id: "chatter" for f in base}
    now = at + timedelta(hours=1)
    spikes = detect_spikes([f for f in base + extra if f.posted_at < now], now=now, topic_of=topic_of)
    assert {s.key for s in spikes} >= {"volume|Acme|", "volume|Acme|outage"}
    assert "volume|Acme|chatter" not in {s.key for s in spikes}
    assert spikes[0].topics[0] == "outage"


# -- end to end: the store, the state, a webhook and an SMTP server on loopback ----------------


class _Receiver(BaseHTTPRequestHandler):
    bodies: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        type(self).bodies.append(json.loads(self.rfile.read(length)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    _Receiver.bodies = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", _Receiver.bodies
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def smtp_server() -> Iterator[tuple[int, list[bytes]]]:
    from aiosmtpd.controller import Controller

    received: list[bytes] = []

    class Handler:
        async def handle_DATA(  # noqa: N802 (the name aiosmtpd calls)
            self,
            server: object,
            session: object,
            envelope: Any,
        ) -> str:
            received.append(envelope.original_content)
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, received
    finally:
        controller.stop()


def _rows(days: int) -> list[dict[str, Any]]:
    rows = []
    for day in range(days):
        for hour in range(24):
            n = 6 if 8 <= hour < 20 else 1
            for i in range(n):
                at = START + timedelta(days=day, hours=hour, minutes=60 * i // n)
                rows.append(
                    dict(
                        id=f"d{day}h{hour}i{i}",
                        author=f"u{i}",
                        followers=10,
                        brands=["Acme"],
                        at=(at.month, at.day, at.hour),
                        minute=at.minute,
                        s=("negative", -0.5) if len(rows) % 5 == 0 else ("neutral", 0.0),
                    )
                )
    return rows


def test_check_alerts_fires_once_through_webhook_and_email(
    empty_store: Store, webhook: tuple[str, list[dict[str, Any]]], smtp_server: tuple[int, list[bytes]]
) -> None:
    url, bodies = webhook
    port, mails = smtp_server
    at = START + timedelta(days=8, hours=14)
    rows = _rows(9) + [
        dict(
            id=f"s{i}",
            author=f"angry{i}",
            followers=50,
            brands=["Acme"],
            at=(at.month, at.day, 14),
            minute=i,
            s=("negative", -0.8),
            text="Acme outage again, signal gone everywhere",
        )
        for i in range(40)
    ]
    fill(empty_store, rows)
    settings = AlertSettings(
        webhook_url=url, email_to=["care@acme.example"], smtp_host="127.0.0.1", smtp_port=port, min_posts=5
    )
    config = WorkspaceConfig(brands=[BrandSpec(name="Acme")], insights=InsightsConfig(alerts=settings))

    quiet = check_alerts(empty_store, config=config, now=at)
    assert (quiet.detected, quiet.fired, bodies, mails) == ((), (), [], [])

    first = check_alerts(empty_store, config=config, now=at + timedelta(hours=1))
    assert sorted(s.key for s in first.fired) == ["negative|Acme|", "volume|Acme|"]
    assert first.errors == ()
    again = check_alerts(empty_store, config=config, now=at + timedelta(hours=1, minutes=10))
    assert again.fired == () and len(again.detected) == 2
    assert len(bodies) == 1 and len(mails) == 1
    assert sorted(a["key"] for a in bodies[0]["alerts"]) == sorted(s.key for s in first.fired)
    assert "outage" in bodies[0]["text"]
    mail = message_from_bytes(mails[0])
    assert mail["To"] == "care@acme.example" and "goodwill alert: Acme" in mail["Subject"]
    assert "outage" in mail.get_payload()

    stored = recent_alerts(empty_store)
    assert sorted((a.key, a.active, a.fired_at) for a in stored) == [
        ("negative|Acme|", True, at + timedelta(hours=1)),
        ("volume|Acme|", True, at + timedelta(hours=1)),
    ]
    assert all(a.window_end == at + timedelta(hours=1, minutes=10) and "outage" in a.text for a in stored)

    over = check_alerts(empty_store, config=config, now=at + timedelta(hours=3))
    assert over.fired == () and sorted(over.cleared) == ["negative|Acme|", "volume|Acme|"]
    assert len(bodies) == 1
    assert not any(a.active for a in recent_alerts(empty_store))


def test_delivery_problems_are_reported_not_raised() -> None:
    from goodwill.insights.spikes import Spike

    s = Spike(
        kind="volume",
        brand="Acme",
        topic=None,
        window_start=START,
        window_end=START,
        posts=1,
        baseline_posts=0,
        negative_share=0,
        baseline_negative_share=0,
        terms=(),
        topics=(),
        examples=(),
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead = probe.getsockname()[1]
    assert "webhook http://127.0.0.1" in (send_webhook(f"http://127.0.0.1:{dead}/", [s], timeout=2) or "")
    problem = send_email(
        AlertSettings(email_to=["a@b.example"], smtp_host="127.0.0.1", smtp_port=dead), [s], timeout=2
    )
    assert problem is not None and problem.startswith("e-mail via 127.0.0.1")


def test_alerts_check_command(workspace: object, capsys: pytest.CaptureFixture[str]) -> None:
    from goodwill.cli.main import invoke

    assert invoke(["alerts", "check", "--now", "2026-11-03T10:00", "--dry-run"]) == 0
    assert "0 spikes found (dry run)" in capsys.readouterr().err
    assert invoke(["alerts", "check", "--now", "2026-11-03T10:00", "-f", "jsonl"]) == 0
    assert capsys.readouterr().out == ""
    assert invoke(["alerts", "list", "-f", "csv"]) == 0
    assert capsys.readouterr().out.splitlines() == ["fired_at,key,active,window_end,text"]
    assert invoke(["alerts", "check", "--format", "csv"]) == 2
    assert "unknown --format 'csv'" in capsys.readouterr().err
