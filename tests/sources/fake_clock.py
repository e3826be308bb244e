"""A clock the source tests control: time moves only when a source sleeps (rate-limit waits, backoff)."""

from __future__ import annotations


class Clock:
    """``clock()`` for HttpClient's ``clock=`` and ``.sleep`` for its ``sleep=``; every wait is kept."""

    def __init__(self, now: float) -> None:
        self.now = now
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
