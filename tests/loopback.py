"""A social network's API stood in for on 127.0.0.1: real HTTP, recorded answers, every request kept.

Tests of sending (sources' ``reply()``, the desk's Send button) point a source's
``base_url`` at :class:`FakeNetwork` and serve it the recorded payloads of
../shared/fixtures (a :class:`cassettes.Recorded` serves as an answer as it is),
then assert what goodwill sent: method, path, headers, JSON or form body.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

__all__ = ["Answer", "FakeNetwork", "Seen"]


class Servable(Protocol):
    @property
    def status(self) -> int: ...
    @property
    def headers(self) -> list[tuple[str, str]]: ...
    @property
    def body(self) -> bytes: ...


@dataclass(frozen=True)
class Answer:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    @classmethod
    def json(cls, status: int, value: Any, headers: Sequence[tuple[str, str]] = ()) -> Answer:
        return cls(status, [("Content-Type", "application/json"), *headers], json.dumps(value).encode())


@dataclass(frozen=True)
class Seen:
    """One request as the fake server received it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode())


Route = Servable | list[Servable] | Callable[[Seen], Servable]


class FakeNetwork:
    """``routes``: ``(METHOD, path)`` to an answer, a list served in turn (the last repeats) or a callable."""

    def __init__(self, routes: Mapping[tuple[str, str], Route]) -> None:
        self.routes = dict(routes)
        self.seen: list[Seen] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                parts = urlsplit(self.path)
                seen = Seen(
                    method=self.command,
                    path=parts.path,
                    query=parse_qs(parts.query),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length) if length else b"",
                )
                fake.seen.append(seen)
                answer = fake.answer(seen)
                self.send_response(answer.status)
                for name, value in answer.headers:
                    if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            def do_GET(self) -> None:
                self._serve()

            def do_POST(self) -> None:
                self._serve()

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def answer(self, seen: Seen) -> Servable:
        route = self.routes.get((seen.method, seen.path))
        if route is None:
            return Answer.json(404, {"error": f"no route for {seen.method} {seen.path}"})
        if isinstance(route, list):
            return route.pop(0) if len(route) > 1 else route[0]
        if callable(route):
            return route(seen)
        return route

    def paths(self) -> list[str]:
        return [f"{s.method} {s.path}" for s in self.seen]

    def __enter__(self) -> FakeNetwork:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
