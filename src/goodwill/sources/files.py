"""Reading records from JSON Lines and CSV files, plain or gzipped, or from stdin.

Records are yielded as they are read (bounded memory), each with its line
number. A line that cannot be read (invalid JSON, not an object, invalid
UTF-8, a CSV row with the wrong number of fields) is yielded as a
:class:`UnreadableRecord` for that line, so one bad line never stops a file.
Only a file that cannot be opened at all raises (InputError, naming it).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import sys
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from goodwill.errors import InputError, RecordRejected

__all__ = ["FORMATS", "UnreadableRecord", "detect_format", "input_size", "read_records", "total_size"]

#: ``--format`` values and file suffixes, to the reader they select.
FORMATS: dict[str, str] = {"jsonl": "jsonl", "ndjson": "jsonl", "json": "jsonl", "csv": "csv", "tsv": "tsv"}
_GZIP_MAGIC = b"\x1f\x8b"
_BOM = b"\xef\xbb\xbf"
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_CSV_FIELD_LIMIT = 64 * 1024 * 1024
_CHUNK = 1 << 16

Progress = Callable[[int], None]


class UnreadableRecord(RecordRejected):
    """A line that could not be read as a record; ``raw`` is its text, for the rejects file."""

    def __init__(self, reason: str, raw: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.raw = raw


def input_size(path: str) -> int | None:
    """Bytes to read from ``path`` (compressed size for .gz), or None for stdin / unknown."""
    if path == "-":
        return None
    try:
        return Path(path).stat().st_size
    except OSError:
        return None


def total_size(paths: list[str]) -> int | None:
    """Total bytes of the given inputs, for a progress bar; None when any is stdin or unknown."""
    sizes = [input_size(p) for p in paths]
    return None if any(s is None for s in sizes) else sum(s for s in sizes if s is not None)


def detect_format(path: str, fmt: str | None = None) -> str | None:
    """``jsonl``, ``csv`` or ``tsv`` from --format or the file name; None: sniff the content."""
    if fmt is not None:
        found = FORMATS.get(fmt.strip().lower().lstrip("."))
        if found is None:
            raise InputError(f"unknown format {fmt!r}; use one of: {', '.join(sorted(FORMATS))}.")
        return found
    if path == "-":
        return None
    name = path.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    suffix = name.rsplit(".", 1)[-1] if "." in Path(name).name else ""
    return FORMATS.get(suffix)


class _CountingReader(io.RawIOBase):
    """Reports every chunk read from the underlying file, so progress tracks the bytes on disk."""

    def __init__(self, raw: IO[bytes], progress: Progress | None) -> None:
        self._raw = raw
        self._progress = progress

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        if n and self._progress is not None:
            self._progress(n)
        return n


@contextmanager
def _open(path: str, progress: Progress | None) -> Iterator[IO[bytes]]:
    """The decompressed byte stream of ``path`` (``-``: stdin)."""
    if path == "-":
        raw: IO[bytes] = sys.stdin.buffer
        owned = False
    else:
        try:
            raw = Path(path).open("rb")  # noqa: SIM115 (closed below; stdin is not ours to close)
        except FileNotFoundError:
            raise InputError(f"{path}: no such file.") from None
        except IsADirectoryError:
            raise InputError(f"{path}: is a folder; give the files inside it.") from None
        except OSError as exc:
            raise InputError(f"{path}: cannot be read ({exc.strerror}).") from None
        owned = True
    try:
        buffered = io.BufferedReader(_CountingReader(raw, progress), _CHUNK)
        if buffered.peek(2)[:2] == _GZIP_MAGIC:
            yield io.BufferedReader(gzip.GzipFile(fileobj=buffered, mode="rb"), _CHUNK)
        else:
            yield buffered
    finally:
        if owned:
            raw.close()


def _sniff(stream: IO[bytes]) -> str:
    """jsonl when the content starts with ``{`` (or ``[``), else csv."""
    head = stream.peek(512) if isinstance(stream, io.BufferedReader) else b""
    head = head.removeprefix(_BOM).lstrip()
    return "jsonl" if head[:1] in (b"{", b"[") else "csv"


def read_records(
    path: str,
    *,
    fmt: str | None = None,
    progress: Progress | None = None,
    on_format: Callable[[str], None] | None = None,
) -> Iterator[tuple[int, dict[str, Any] | RecordRejected]]:
    """Yield ``(line_number, record or UnreadableRecord)`` for each non-blank record of ``path``.

    ``fmt``: ``jsonl`` (also ndjson/json) or ``csv``/``tsv``; None: from the suffix, else sniffed.
    ``progress`` is called with the number of bytes read from the file (compressed, for .gz)
    as reading goes, so a bar can be sized with :func:`input_size`. ``on_format`` is told the
    format chosen (``jsonl``, ``csv`` or ``tsv``) before the first record.
    """
    chosen = detect_format(path, fmt)
    with _open(path, progress) as stream:
        kind = chosen or _sniff(stream)
        if on_format is not None:
            on_format(kind)
        lines = _lines(stream)
        if kind == "jsonl":
            yield from _jsonl(lines)
        else:
            yield from _csv(lines, "\t" if kind == "tsv" else ",")


def _lines(stream: IO[bytes]) -> Iterator[tuple[int, bytes | UnreadableRecord]]:
    """Numbered raw lines; a corrupt or truncated compressed stream ends with one rejection."""
    n = 0
    try:
        for n, line in enumerate(stream, start=1):
            yield n, (line.removeprefix(_BOM) if n == 1 else line)
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        yield n + 1, UnreadableRecord(f"the compressed file is corrupt or truncated here ({exc})", raw="")


def _jsonl(lines: Iterator[tuple[int, bytes | UnreadableRecord]]) -> Iterator[tuple[int, Any]]:
    for n, line in lines:
        if isinstance(line, UnreadableRecord):
            yield n, line
            return
        if not line.strip():
            continue
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as exc:
            raw = line.decode("utf-8", "replace").rstrip("\r\n")
            yield n, UnreadableRecord(f"not valid UTF-8 at byte {exc.start}", raw)
            continue
        yield n, _parse_json_line(text, line)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _parse_json_line(text: str, line: bytes) -> dict[str, Any] | UnreadableRecord:
    raw = text.rstrip("\r\n")
    try:
        record = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        return UnreadableRecord(f"not valid JSON: {exc.msg} (column {exc.colno})", raw)
    except ValueError as exc:
        return UnreadableRecord(f"not valid JSON: {exc}", raw)
    except RecursionError:
        return UnreadableRecord("not valid JSON: nested too deeply", raw)
    if not isinstance(record, dict):
        return UnreadableRecord(
            f"not a JSON object (found {type(record).__name__}); one object per line", raw
        )
    if _SURROGATE_ESCAPE.search(line):
        try:
            json.dumps(record, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            return UnreadableRecord("contains an unpaired UTF-16 surrogate escape (\\ud800-\\udfff)", raw)
    return record


class _CsvLines:
    """Feeds decoded lines to csv.reader while noting where each record starts and what went wrong."""

    def __init__(self, lines: Iterator[tuple[int, bytes | UnreadableRecord]]) -> None:
        self._lines = lines
        self.line = 0  # number of the last line handed to the reader
        self.bad_utf8 = False  # a line of the current record was not valid UTF-8
        self.fatal: UnreadableRecord | None = None
        self.text: list[str] = []  # the current record's raw lines

    def start_record(self) -> int:
        self.text.clear()
        self.bad_utf8 = False
        return self.line + 1

    @property
    def raw(self) -> str:
        return "".join(self.text).rstrip("\r\n")

    def __iter__(self) -> Iterator[str]:
        for n, line in self._lines:
            self.line = n
            if isinstance(line, UnreadableRecord):
                self.fatal = line
                return
            try:
                decoded = line.decode("utf-8")
            except UnicodeDecodeError:
                self.bad_utf8 = True
                decoded = line.decode("utf-8", "replace")
            self.text.append(decoded)
            yield decoded


def _csv(lines: Iterator[tuple[int, bytes | UnreadableRecord]], delimiter: str) -> Iterator[tuple[int, Any]]:
    """CSV/TSV with a header row; quoted fields may span lines (the record keeps its first line number)."""
    csv.field_size_limit(max(csv.field_size_limit(), _CSV_FIELD_LIMIT))
    source = _CsvLines(lines)
    reader = csv.reader(iter(source), delimiter=delimiter)
    header: list[str] | None = None
    while True:
        start = source.start_record()
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            yield start, UnreadableRecord(f"not valid CSV: {exc}", source.raw)
            continue
        if not row or not any(cell.strip() for cell in row):
            continue
        if source.bad_utf8:
            yield start, UnreadableRecord("not valid UTF-8", source.raw)
            if header is None:
                return
            continue
        if header is None:
            header = [cell.strip() for cell in row]
            continue
        if len(row) != len(header):
            reason = f"expected {len(header)} fields (as in the header), found {len(row)}"
            yield start, UnreadableRecord(reason, source.raw)
            continue
        yield start, dict(zip(header, row, strict=True))
    if source.fatal is not None:
        yield source.line, source.fatal
