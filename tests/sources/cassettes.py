"""Recorded HTTP interactions from ../shared/fixtures, ready to serve to the HttpClient.

Three cassette formats carry the recordings (see ../shared/fixtures/README.md):

* Betamax JSON (PRAW, prawcore): ``interactions[].response.body.string`` (or
  ``base64_string``), headers as lists, ``status: {code, message}``;
* VCR.py YAML (Mastodon.py, tweepy): the same shape in YAML; tweepy's bodies are
  gzip ``!!binary`` (bytes), decompressed here;
* R vcr YAML (bskyr): ``http_interactions[]``, headers as plain strings,
  ``status`` a bare int (or ``{status_code: ...}``).

Every interaction becomes a :class:`Recorded` with the body as the bytes a
client would read (already decompressed, so ``Content-Encoding`` and
``Content-Length`` are dropped), and :func:`replay` serves them through an
``httpx.MockTransport``: the real client code path, no network.
"""

from __future__ import annotations

import base64
import gzip
import json
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import yaml

_REPO = Path(__file__).resolve().parents[2]


def _fixtures_root() -> Path:
    """``../shared/fixtures`` beside the repo (CI); a git worktree finds it one level further up."""
    for base in (_REPO.parent, *_REPO.parent.parents):
        if (base / "shared" / "fixtures").is_dir():
            return base / "shared" / "fixtures"
    return _REPO / ".." / "shared" / "fixtures"


FIXTURES = _fixtures_root()
_DROPPED = frozenset({"content-encoding", "content-length", "transfer-encoding"})


@dataclass(frozen=True)
class Recorded:
    """One recorded exchange: what was asked and what came back."""

    method: str
    uri: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    request_headers: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self) -> Any:
        return json.loads(self.body)

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def response(self) -> httpx.Response:
        return httpx.Response(self.status, headers=self.headers, content=self.body)


def fixture(*parts: str) -> Path:
    """A path under ../shared/fixtures; it must exist (CI always has ../shared)."""
    path = FIXTURES.joinpath(*parts)
    assert path.exists(), f"missing shared fixture {path}; ../shared/fixtures must sit beside the repo"
    return path


def _header_pairs(raw: Any) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    if isinstance(raw, Mapping):
        for key, value in raw.items():
            values = value if isinstance(value, list) else [value]
            pairs.extend((str(key), str(v)) for v in values)
    return pairs


def _body_bytes(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, Mapping):
        if body.get("base64_string"):
            return base64.b64decode(body["base64_string"])
        return _body_bytes(body.get("string"))
    if isinstance(body, bytes):
        return body
    return str(body).encode("utf-8")


def _decompress(data: bytes, encoding: str | None) -> bytes:
    enc = (encoding or "").lower()
    if data[:2] == b"\x1f\x8b":
        return gzip.decompress(data)
    if enc == "deflate":
        try:
            return zlib.decompress(data)
        except zlib.error:
            return zlib.decompress(data, -zlib.MAX_WBITS)
    return data


def _status(raw: Any) -> int:
    if isinstance(raw, Mapping):
        return int(raw.get("code") or raw.get("status_code") or 0)
    return int(raw)


def _recorded(interaction: Mapping[str, Any]) -> Recorded:
    request = interaction.get("request") or {}
    response = interaction["response"]
    headers = _header_pairs(response.get("headers"))
    encoding = next((v for k, v in headers if k.lower() == "content-encoding"), None)
    body = _decompress(_body_bytes(response.get("body")), encoding)
    return Recorded(
        method=str(request.get("method", "GET")).upper(),
        uri=str(request.get("uri") or response.get("url") or ""),
        status=_status(response.get("status")),
        headers=[(k, v) for k, v in headers if k.lower() not in _DROPPED],
        body=body,
        request_headers={k: v for k, v in _header_pairs(request.get("headers"))},
    )


def load_cassette(path: Path) -> list[Recorded]:
    """Every interaction of a Betamax JSON, VCR.py YAML or R vcr YAML cassette, in order."""
    text = path.read_text(encoding="utf-8")
    data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    interactions = data.get("interactions") or data.get("http_interactions") or []
    return [_recorded(i) for i in interactions]


def _key(method: str, url: str) -> tuple[str, str, tuple[tuple[str, str], ...]]:
    parts = urlsplit(url)
    return (method.upper(), parts.path.rstrip("/"), tuple(sorted(parse_qsl(parts.query))))


def replay(recordings: Iterable[Recorded], *, seen: list[httpx.Request] | None = None) -> httpx.MockTransport:
    """A transport answering each request with the recording of the same method, path and query.

    Repeated requests get the recordings in order (the last one repeats); an unrecorded request
    fails the test with the URL, so a source never silently talks to something unexpected.
    """
    table: dict[tuple[str, str, tuple[tuple[str, str], ...]], list[Recorded]] = {}
    for rec in recordings:
        table.setdefault(_key(rec.method, rec.uri), []).append(rec)
    served: dict[tuple[str, str, tuple[tuple[str, str], ...]], int] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        key = _key(request.method, str(request.url))
        options = table.get(key)
        if not options:
            raise AssertionError(f"no recording for {request.method} {request.url}")
        n = served.get(key, 0)
        served[key] = n + 1
        return options[min(n, len(options) - 1)].response()

    return httpx.MockTransport(handler)


def serve_files(
    routes: Mapping[str, Path | bytes | Callable[[httpx.Request], httpx.Response]],
) -> httpx.MockTransport:
    """A transport serving fixture files (or bytes, or a handler) by URL path, 404 otherwise."""

    def handler(request: httpx.Request) -> httpx.Response:
        target = routes.get(request.url.path)
        if target is None:
            return httpx.Response(404, json={"error": "Not Found"})
        if callable(target):
            return target(request)
        body = target.read_bytes() if isinstance(target, Path) else target
        return httpx.Response(200, content=body, headers={"content-type": "application/json"})

    return httpx.MockTransport(handler)
