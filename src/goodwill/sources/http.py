"""ONE HTTP layer for every source: retries, rate limits, costs, secrets, errors.

Sources never build an httpx client themselves; they call :class:`HttpClient`,
which

* waits out 429 and 5xx (``Retry-After``, the ``*-reset`` headers of
  :mod:`goodwill.sources.ratelimit`, else exponential backoff), and waits
  before sending when the last response said none are left; never hammers;
* checks each request's :class:`~goodwill.sources.meter.Cost` against the
  meter before sending it;
* takes an injectable ``clock`` and ``sleep`` (tests never sleep) and an httpx
  ``transport`` (tests replay recorded bodies and headers);
* redacts every secret it was given from logs, errors and dry-run output;
* turns failures into goodwill errors a person can act on (401 names the
  credential's environment variable, 403 quotes the server, 404 says the thing
  is gone); a POST whose answer is lost once it was sent (a read timeout, a
  dropped connection) raises PostOutcomeUnknown: it may have been carried out.

With ``dry_run`` the first request of each fetch is recorded, not sent, and
:class:`DryRun` ends the fetch; ``listen --dry-run`` prints what was planned.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from goodwill import __version__
from goodwill.errors import (
    AccessDenied,
    CredentialError,
    GoneError,
    PostOutcomeUnknown,
    RateLimited,
    SourceError,
)
from goodwill.json_input import load_json
from goodwill.sources.meter import FREE, Cost, Meter
from goodwill.sources.ratelimit import RateLimit, parse_rate_limit, retry_delay

__all__ = ["DEFAULT_USER_AGENT", "DryRun", "HttpClient", "PlannedRequest", "server_message"]

DEFAULT_USER_AGENT = f"goodwill/{__version__} (+https://github.com/goodwill-listening/goodwill)"
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
#: Transport failures after the whole request was sent: the server may have acted on it (a POST may
#: have posted), unlike a refused or timed-out connection, where nothing reached it.
_ANSWER_LOST = (httpx.ReadTimeout, httpx.ReadError, httpx.RemoteProtocolError)
_SECRET_PARAMS = re.compile(
    r"(?i)([?&](?:key|api_key|apikey|access_token|token|secret|client_secret|password|sig)=)[^&#\s]+"
)
_TAGS = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


class DryRun(Exception):
    """Raised instead of sending a request in dry-run mode; ``planned`` is what would have gone."""

    def __init__(self, planned: PlannedRequest) -> None:
        super().__init__(planned.url)
        self.planned = planned


@dataclass(frozen=True)
class PlannedRequest:
    """A request as it would be sent, secrets already redacted."""

    method: str
    url: str
    cost: Cost


def server_message(response: httpx.Response, limit: int = 300) -> str:
    """What the server said, in one line: the JSON error fields networks use, else the text."""
    text = response.text
    try:
        body: Any = load_json(text)
    except ValueError:
        body = None
    if isinstance(body, dict):
        candidates: list[Any] = [
            body.get("message"),
            body.get("error_description"),
            body.get("detail"),
            body.get("title"),
        ]
        error = body.get("error")
        if isinstance(error, dict):
            candidates.insert(0, error.get("message"))
        elif isinstance(error, str):
            candidates.append(error)
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            candidates.append(errors[0].get("message") or errors[0].get("detail"))
        for found in candidates:
            if isinstance(found, str) and found.strip():
                return _SPACE.sub(" ", found).strip()[:limit]
        return response.reason_phrase or f"HTTP {response.status_code}"
    plain = _SPACE.sub(" ", _TAGS.sub(" ", text)).strip()
    return plain[:limit] or f"HTTP {response.status_code} with an empty body"


class HttpClient:
    """The shared client of one source (one network), see the module docstring."""

    def __init__(
        self,
        network: str,
        *,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        max_attempts: int = 5,
        max_wait_s: float = 900.0,
        backoff_base_s: float = 1.0,
        timeout_s: float = 30.0,
        user_agent: str | None = None,
        secrets: Iterable[str] = (),
        credential_env: Mapping[str, str] | None = None,
        meter: Meter | None = None,
        dry_run: bool = False,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.network = network
        self.clock = clock
        self.sleep = sleep
        self.max_attempts = max(1, max_attempts)
        self.max_wait_s = max_wait_s
        self.backoff_base_s = backoff_base_s
        self.meter = meter or Meter(network)
        self.dry_run = dry_run
        #: credential name -> environment variable, for 401 messages
        self.credential_env: dict[str, str] = dict(credential_env or {})
        self.rate_limits: dict[str, RateLimit] = {}
        self.requests_sent = 0
        self._secrets: set[str] = {s for s in secrets if s}
        self._log = log
        self._client = httpx.Client(
            transport=transport,
            timeout=timeout_s,
            follow_redirects=True,
            headers={"User-Agent": user_agent or DEFAULT_USER_AGENT},
        )

    # -- secrets --------------------------------------------------------------------------------

    def add_secret(self, value: str | None) -> None:
        """Never show ``value`` again (a token obtained at run time, say)."""
        if value:
            self._secrets.add(value)

    def redact(self, text: str) -> str:
        """``text`` with every known secret and every secret-looking URL parameter replaced."""
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, "***")
        return _SECRET_PARAMS.sub(r"\1***", text)

    # -- requests -------------------------------------------------------------------------------

    def get(
        self,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        cost: Cost = FREE,
        what: str | None = None,
        accept: Iterable[int] = (),
    ) -> httpx.Response:
        """GET with every guarantee above; ``accept``: extra statuses the caller handles (304, 404)."""
        return self.request("GET", url, params=params, headers=headers, cost=cost, what=what, accept=accept)

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        json_body: Any = None,
        data: Mapping[str, str] | None = None,
        cost: Cost = FREE,
        what: str | None = None,
        accept: Iterable[int] = (),
    ) -> httpx.Response:
        request = self._client.build_request(
            method, url, params=params, headers=headers, json=json_body, data=data
        )
        self._plan(request, cost)
        accepted = frozenset(accept)
        for attempt in range(self.max_attempts):
            self._wait_for_window(request.url.host)
            try:
                response = self._client.send(request)
            except httpx.TransportError as exc:
                self._retry_or_raise_transport(request, exc, attempt)
                continue
            self._note(request, response)
            retryable = response.status_code in _RETRY_STATUSES and response.status_code not in accepted
            if retryable and self._retry_wait(request, response, attempt):
                continue
            self.meter.record(cost)
            if response.is_success or response.status_code in accepted:
                return response
            raise self._error(request, response, what)
        raise AssertionError("unreachable")  # pragma: no cover

    @contextmanager
    def stream(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        cost: Cost = FREE,
        what: str | None = None,
    ) -> Iterator[httpx.Response]:
        """A streamed response (SSE, long polls) after the same checks; read it with ``iter_lines``."""
        request = self._client.build_request(method, url, params=params, headers=headers)
        self._plan(request, cost)
        for attempt in range(self.max_attempts):
            self._wait_for_window(request.url.host)
            try:
                response = self._client.send(request, stream=True)
            except httpx.TransportError as exc:
                self._retry_or_raise_transport(request, exc, attempt)
                continue
            try:
                self._note(request, response)
                if response.status_code in _RETRY_STATUSES:
                    response.read()
                    if self._retry_wait(request, response, attempt):
                        continue
                self.meter.record(cost)
                if not response.is_success:
                    response.read()
                    raise self._error(request, response, what)
                yield response
                return
            finally:
                response.close()
        raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- internals ------------------------------------------------------------------------------

    def _plan(self, request: httpx.Request, cost: Cost) -> None:
        if self.dry_run:
            raise DryRun(PlannedRequest(request.method, self.redact(str(request.url)), cost))
        self.meter.check(cost)

    def _say(self, message: str) -> None:
        if self._log is not None:
            self._log(self.redact(message))

    def _note(self, request: httpx.Request, response: httpx.Response) -> None:
        self.requests_sent += 1
        limit = parse_rate_limit(response.headers, self.clock())
        if limit != RateLimit():
            self.rate_limits[request.url.host] = limit
        self._say(f"{self.network}: {request.method} {request.url} -> {response.status_code}")

    def _wait_for_window(self, host: str) -> None:
        """Before sending: if the last response said the window is used up, wait for its reset."""
        limit = self.rate_limits.get(host)
        if limit is None or not limit.exhausted or limit.reset_at is None:
            return
        delay = limit.reset_at - self.clock()
        if delay <= 0:
            return
        if delay > self.max_wait_s:
            raise RateLimited(
                f"{self.network}: the rate limit is used up until {_when(limit.reset_at)} "
                f"({delay:,.0f} s, more than the {self.max_wait_s:,.0f} s we wait); run again later."
            )
        self._say(f"{self.network}: rate limit used up; waiting {delay:.0f} s for the reset")
        self.sleep(delay)
        self.rate_limits[host] = RateLimit()

    def _retry_wait(self, request: httpx.Request, response: httpx.Response, attempt: int) -> bool:
        """Sleep before the next attempt and return True, or return False if this was the last."""
        if attempt + 1 >= self.max_attempts:
            return False
        now = self.clock()
        limit = parse_rate_limit(response.headers, now)
        delay = retry_delay(limit, now, attempt, base=self.backoff_base_s)
        if delay > self.max_wait_s:
            raise RateLimited(
                f"{self.network}: the server asks us to wait {delay:,.0f} s (until {_when(now + delay)}), "
                f"more than the {self.max_wait_s:,.0f} s we wait; run again later."
            )
        self._say(f"{self.network}: HTTP {response.status_code}; retrying in {delay:.1f} s")
        self.sleep(delay)
        self.rate_limits.pop(request.url.host, None)
        return True

    def _retry_or_raise_transport(
        self, request: httpx.Request, exc: httpx.TransportError, attempt: int
    ) -> None:
        where = self.redact(f"{request.url.scheme}://{request.url.host}")
        if attempt + 1 >= self.max_attempts:
            said = self.redact(type(exc).__name__ + ": " + str(exc))
            if request.method == "POST" and isinstance(exc, _ANSWER_LOST):
                raise PostOutcomeUnknown(
                    f"{self.network}: {where} took the request but no answer came ({said}), so it may "
                    "have been carried out; check before sending it again."
                ) from None
            raise SourceError(
                f"{self.network}: cannot reach {where} after {self.max_attempts} attempts "
                f"({said}); check the network and retry."
            ) from None
        delay = min(self.backoff_base_s * 2**attempt, 60.0)
        self._say(f"{self.network}: {type(exc).__name__} talking to {where}; retrying in {delay:.1f} s")
        self.sleep(delay)

    def _error(self, request: httpx.Request, response: httpx.Response, what: str | None) -> SourceError:
        status = response.status_code
        url = self.redact(str(request.url))
        said = self.redact(server_message(response))
        subject = what or url
        if status == 401:
            if self.credential_env:
                names = ", ".join(f"{name} (${var})" for name, var in sorted(self.credential_env.items()))
                fix = f"check {names}"
            else:
                fix = "this endpoint needs a credential; see docs/sources/" + self.network + ".md"
            return CredentialError(f"{self.network} rejected the credential (401: {said}) for {url}; {fix}.")
        if status == 403:
            return AccessDenied(f"{self.network} refused access (403) to {subject}: {said}")
        if status in (404, 410):
            return GoneError(f"{self.network}: {subject} no longer exists ({status}: {said}).")
        if status == 429:
            return RateLimited(
                f"{self.network}: still rate limited after {self.max_attempts} attempts ({said}); "
                "run again later."
            )
        if status >= 500:
            return SourceError(
                f"{self.network}: server error {status} after {self.max_attempts} attempts at "
                f"{urlsplit(url).netloc} ({said}); retry later."
            )
        return SourceError(f"{self.network}: HTTP {status} for {url}: {said}")


def _when(moment: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(moment))
