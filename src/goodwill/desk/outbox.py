"""The desk's outbox: the sources that can post replies, each with its own HttpClient, built once.

A network sends when its source declares ``Capability.REPLY`` and its sending
credential is set in the environment (``reply_token`` and friends, named in
``[sources.NAME] credentials`` or the documented defaults); every other network
is "copy and mark as replied". ``[sources.NAME] enabled = false`` switches both
listening and sending off.

Each network's client is built for an agent who waits at the Send button: short
waits (``max_wait_s``), and ONE attempt unless the network can tell a retried
post from a new one (``reply_idempotent``: Mastodon's Idempotency-Key), so a
timeout never posts the same answer twice. Sends on one network go one at a
time (a lock), which also keeps a Bluesky session from logging in twice.
Tokens live only in the environment and the client's redaction list: never in
the store, the audit log or an error message.

What a send costs (X charges per post created) is kept in the store's
``source_spend``, the book ``listen`` keeps: each send first reads what was
spent this period (by listening and by every desk process), so the
``monthly_budget_usd`` and ``daily_units`` of ``[sources.NAME]`` hold for all
``goodwill serve`` workers together, and ``goodwill sources status`` shows it.
Two workers sending at the same instant can overshoot a budget by one post
each; nothing more slips through.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import httpx

from goodwill.config import SourceConfig, WorkspaceConfig
from goodwill.errors import GoodwillError
from goodwill.sources.http import HttpClient
from goodwill.sources.meter import Meter, Spend
from goodwill.sources.registry import available_sources, build_source
from goodwill.sources.reply import ReplySender, ReplyTarget, SentReply, reply_sender
from goodwill.sources.source import SourceSettings
from goodwill.store import Store
from goodwill.store.source_state import add_spend, load_spend

__all__ = ["NetworkOutbox"]


@dataclass
class _Channel:
    sender: ReplySender
    client: HttpClient
    lock: threading.Lock


class NetworkOutbox:
    """``can_send(network)`` / ``send(...)`` over the configured sources (see the module docstring)."""

    def __init__(
        self,
        config: WorkspaceConfig,
        env: Mapping[str, str],
        *,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        max_wait_s: float = 30.0,
        timeout_s: float = 20.0,
        store: Store | None = None,
    ) -> None:
        self._channels: dict[str, _Channel] = {}
        self._store = store
        self._clock = clock
        for name in sorted(available_sources()):
            configured = config.sources.get(name, SourceConfig())
            if not configured.enabled:
                continue
            settings = SourceSettings(
                base_url=configured.base_url,
                user_agent=configured.user_agent,
                credentials=dict(configured.credentials),
                options=dict(configured.options),
                env=env,
            )
            try:
                sender = reply_sender(build_source(name, settings))
            except (GoodwillError, ValueError, TypeError):
                continue  # a source its settings cannot build cannot send; listen reports why
            if sender is None:
                continue
            client = HttpClient(
                name,
                transport=transport,
                clock=clock,
                sleep=sleep,
                max_attempts=3 if sender.reply_idempotent else 1,
                max_wait_s=max_wait_s,
                timeout_s=timeout_s,
                user_agent=configured.user_agent,
                secrets=[env[var] for var in configured.credentials.values() if env.get(var)],
                meter=Meter(
                    name, unit_limits=dict(configured.daily_units), usd_limit=configured.monthly_budget_usd
                ),
            )
            self._channels[name] = _Channel(sender, client, threading.Lock())

    @property
    def networks(self) -> list[str]:
        return sorted(self._channels)

    def can_send(self, network: str) -> bool:
        return network in self._channels

    def retry_safe(self, network: str) -> bool:
        channel = self._channels.get(network)
        return channel is not None and channel.sender.reply_idempotent

    def send(self, network: str, target: ReplyTarget, text: str, *, key: str) -> SentReply:
        channel = self._channels[network]
        with channel.lock:
            day = time.strftime("%Y-%m-%d", time.gmtime(self._clock()))
            self._load_spend(network, channel.client.meter, day)
            try:
                return channel.sender.reply(target, text, channel.client, key=key)
            finally:
                spent = channel.client.meter.take_added()
                if self._store is not None and spent:
                    self._store.transaction(lambda conn: add_spend(conn, network, spent, day))

    def _load_spend(self, network: str, meter: Meter, day: str) -> None:
        """This period's spend from the store: quota units of the day, dollars of the month (as listen)."""
        if self._store is None:
            return
        month_start = day[:8] + "01"
        today = self._store.read(lambda c: load_spend(c, network, day, day))
        month = self._store.read(lambda c: load_spend(c, network, month_start, day))
        meter.spent = {
            bucket: Spend(
                requests=today.get(bucket, Spend()).requests,
                units=today.get(bucket, Spend()).units,
                usd=month.get(bucket, Spend()).usd,
            )
            for bucket in set(today) | set(month)
        }

    def close(self) -> None:
        for channel in self._channels.values():
            channel.client.close()
