"""Alerts: detect spikes, fire each one once, and send it by webhook and e-mail.

A spike is *the same spike* while its key (kind, brand, topic) keeps spiking in
consecutive checks; the ``alert_state`` table remembers it is active so it is sent once.
When a check finds the key back to normal the state is cleared, and the next spike fires
again. Delivery failures are reported, never raised mid-way: the state is only recorded
for alerts that were detected, whether or not a channel was reachable, so a broken
webhook does not turn one spike into an alert every minute.
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

from sqlalchemy import Connection, delete, select, update

from goodwill.config import WorkspaceConfig
from goodwill.config_insights import AlertSettings
from goodwill.insights.facts import FactFilter, load_facts
from goodwill.insights.spikes import Spike, detect_spikes
from goodwill.store import Store
from goodwill.store.schema_insights import alert_state

__all__ = [
    "AlertRun",
    "StoredAlert",
    "check_alerts",
    "recent_alerts",
    "send_email",
    "send_webhook",
    "spike_payload",
]

#: A channel takes the new alerts and returns an error message, or None when delivered.
Sender = Callable[[Sequence[Spike]], str | None]


@dataclass(frozen=True)
class AlertRun:
    """What one check did: the spikes seen, those sent now, and any delivery problems."""

    detected: tuple[Spike, ...]
    fired: tuple[Spike, ...]
    cleared: tuple[str, ...]
    errors: tuple[str, ...] = field(default_factory=tuple)


def spike_payload(spike: Spike) -> dict[str, Any]:
    """The JSON body of one alert (webhook, ``--format jsonl``)."""
    return {
        "key": spike.key,
        "kind": spike.kind,
        "brand": spike.brand,
        "topic": spike.topic,
        "window_start": spike.window_start.isoformat(),
        "window_end": spike.window_end.isoformat(),
        "posts": spike.posts,
        "baseline_posts": spike.baseline_posts,
        "negative_share": spike.negative_share,
        "baseline_negative_share": spike.baseline_negative_share,
        "terms": list(spike.terms),
        "topics": list(spike.topics),
        "examples": list(spike.examples),
        "text": spike.explain(),
    }


def send_webhook(url: str, spikes: Sequence[Spike], *, timeout: float = 10.0) -> str | None:
    """POST ``{"text": ..., "alerts": [...]}`` (Slack- and Mattermost-compatible ``text``)."""
    import httpx

    body = {"text": "\n".join(s.explain() for s in spikes), "alerts": [spike_payload(s) for s in spikes]}
    try:
        response = httpx.post(url, json=body, timeout=timeout)
    except httpx.HTTPError as exc:
        return f"webhook {url}: {exc.__class__.__name__}: {exc}"
    if response.status_code >= 300:
        return f"webhook {url}: answered HTTP {response.status_code}"
    return None


def send_email(settings: AlertSettings, spikes: Sequence[Spike], *, timeout: float = 10.0) -> str | None:
    """One plain-text e-mail listing every new alert with its example posts."""
    if not settings.email_to:
        return None
    message = EmailMessage()
    brands = sorted({s.brand for s in spikes})
    message["Subject"] = (
        f"goodwill alert: {', '.join(brands)} ({len(spikes)} spike{'s' if len(spikes) > 1 else ''})"
    )
    message["From"] = settings.email_from
    message["To"] = ", ".join(settings.email_to)
    lines = []
    for spike in spikes:
        lines.append(spike.explain())
        lines += [f"  - {example}" for example in spike.examples]
        lines.append("")
    message.set_content("\n".join(lines))
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=timeout) as smtp:
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        return f"e-mail via {settings.smtp_host}:{settings.smtp_port}: {exc}"
    return None


def default_senders(settings: AlertSettings) -> list[Sender]:
    """The channels configured in ``[insights.alerts]``."""
    senders: list[Sender] = []
    if settings.webhook_url:
        url = settings.webhook_url
        senders.append(lambda spikes: send_webhook(url, spikes))
    if settings.email_to:
        senders.append(lambda spikes: send_email(settings, spikes))
    return senders


def _update_state(store: Store, spikes: Sequence[Spike], now: datetime) -> tuple[list[Spike], list[str]]:
    """Record this check; return the spikes that are new (to send) and the keys that ended."""
    keys = {s.key: s for s in spikes}

    def run(conn: Connection) -> tuple[list[Spike], list[str]]:
        rows = {r.key: r for r in conn.execute(select(alert_state))}
        active = {k for k, r in rows.items() if r.active}
        fresh = [s for k, s in keys.items() if k not in active]
        ended = sorted(active - set(keys))
        if ended:
            conn.execute(update(alert_state).where(alert_state.c.key.in_(ended)).values(active=False))
        for key, spike in keys.items():
            if key in active:
                conn.execute(update(alert_state).where(alert_state.c.key == key).values(window_end=now))
                continue
            conn.execute(delete(alert_state).where(alert_state.c.key == key))
            conn.execute(
                alert_state.insert().values(
                    key=key, fired_at=now, window_end=now, active=True, details=spike_payload(spike)
                )
            )
        return fresh, ended

    return store.transaction(run)


@dataclass(frozen=True)
class StoredAlert:
    """An alert as recorded when it fired (what the desk lists)."""

    key: str
    fired_at: datetime
    #: the last check that still saw the spike
    window_end: datetime
    active: bool
    text: str
    details: dict[str, Any]


def recent_alerts(store: Store, *, limit: int = 50) -> list[StoredAlert]:
    """The alerts fired so far, newest first; ``active`` while the spike lasts."""
    stmt = select(alert_state).order_by(alert_state.c.fired_at.desc(), alert_state.c.key).limit(limit)
    with store.reading() as conn:
        return [
            StoredAlert(
                key=r.key,
                fired_at=r.fired_at,
                window_end=r.window_end,
                active=bool(r.active),
                text=str(r.details.get("text", "")) if isinstance(r.details, dict) else "",
                details=dict(r.details) if isinstance(r.details, dict) else {},
            )
            for r in conn.execute(stmt)
        ]


def check_alerts(
    store: Store,
    *,
    config: WorkspaceConfig,
    now: datetime,
    senders: Sequence[Sender] | None = None,
    versions: Mapping[str, str] | None = None,
    topic_of: Mapping[int, str] | None = None,
    dry_run: bool = False,
) -> AlertRun:
    """Detect spikes at ``now``, record them, and send the new ones through ``senders``.

    ``senders`` defaults to the configured webhook and e-mail. ``dry_run`` detects without
    recording or sending.
    """
    settings = config.insights.alerts
    since = now - timedelta(days=7, minutes=settings.window_minutes * 13)
    facts = [
        f
        for f in load_facts(store, config=config, flt=FactFilter(since=since), versions=versions)
        if f.posted_at < now
    ]
    spikes = detect_spikes(facts, now=now, settings=settings, topic_of=topic_of)
    if dry_run:
        return AlertRun(detected=tuple(spikes), fired=(), cleared=())
    fresh, ended = _update_state(store, spikes, now)
    errors = []
    if fresh:
        for sender in default_senders(settings) if senders is None else senders:
            problem = sender(fresh)
            if problem:
                errors.append(problem)
    return AlertRun(detected=tuple(spikes), fired=tuple(fresh), cleared=tuple(ended), errors=tuple(errors))
