"""read_records: JSON Lines and CSV, gzip and stdin, and per-line rejections that never stop a file."""

from __future__ import annotations

import gzip
import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from goodwill.errors import InputError, RecordRejected
from goodwill.sources.files import UnreadableRecord, detect_format, read_records, total_size


def _read(path: Path | str, **kw: Any) -> list[tuple[int, Any]]:
    return list(read_records(str(path), **kw))


def test_jsonl_records_with_line_numbers_and_rejections(tmp_path: Path) -> None:
    f = tmp_path / "in.jsonl"
    f.write_bytes(
        b'{"id": 1, "text": "a"}\n'
        b"\n"
        b"{not json}\n"
        b"[1, 2]\n"
        b'{"id": 2, "text": "caf\xe9"}\n'
        b'{"id": 3, "text": NaN}\n'
        b'{"id": 4, "text": "\\ud800"}\n'
        b'{"id": 5, "text": "last"}'
    )
    out = _read(f)
    assert [n for n, _ in out] == [1, 3, 4, 5, 6, 7, 8]
    assert out[0][1] == {"id": 1, "text": "a"}
    assert out[-1][1] == {"id": 5, "text": "last"}
    rejected = {n: r for n, r in out if isinstance(r, RecordRejected)}
    assert set(rejected) == {3, 4, 5, 6, 7}
    assert all(isinstance(r, UnreadableRecord) for r in rejected.values())
    assert "not valid JSON" in str(rejected[3]) and rejected[3].raw == "{not json}"  # type: ignore[attr-defined]
    assert "not a JSON object" in str(rejected[4])
    assert "UTF-8" in str(rejected[5])
    assert "NaN" in str(rejected[6])
    assert "surrogate" in str(rejected[7])


def test_bom_and_crlf_are_tolerated(tmp_path: Path) -> None:
    f = tmp_path / "bom.jsonl"
    f.write_bytes(b'\xef\xbb\xbf{"id": 1, "text": "a"}\r\n{"id": 2, "text": "b"}\r\n')
    assert [r for _, r in _read(f)] == [{"id": 1, "text": "a"}, {"id": 2, "text": "b"}]


def test_csv_header_rows_wrong_width_and_multiline(tmp_path: Path) -> None:
    f = tmp_path / "in.csv"
    f.write_bytes(
        b"id,text,author.handle\n"
        b"1,hello,ann\n"
        b'2,"two\nlines, with comma",bob\n'
        b"3,too,many,fields\n"
        b"\n"
        b"4,caf\xe9,cy\n"
        b"5,,dee\n"
    )
    out = _read(f)
    assert out[0] == (2, {"id": "1", "text": "hello", "author.handle": "ann"})
    assert out[1] == (3, {"id": "2", "text": "two\nlines, with comma", "author.handle": "bob"})
    assert out[2][0] == 5 and isinstance(out[2][1], UnreadableRecord)
    assert "expected 3 fields" in str(out[2][1]) and out[2][1].raw == "3,too,many,fields"
    assert out[3][0] == 7 and "UTF-8" in str(out[3][1])
    assert out[4] == (8, {"id": "5", "text": "", "author.handle": "dee"})


def test_tsv_by_suffix(tmp_path: Path) -> None:
    f = tmp_path / "in.tsv"
    f.write_text("id\ttext\n1\thi, there\n", encoding="utf-8")
    assert _read(f) == [(2, {"id": "1", "text": "hi, there"})]


def test_gzip_by_magic_and_suffix(tmp_path: Path) -> None:
    body = b'{"id": 1, "text": "zipped"}\n'
    (tmp_path / "a.jsonl.gz").write_bytes(gzip.compress(body))
    (tmp_path / "b.data").write_bytes(gzip.compress(body))  # no telling suffix: magic bytes + sniffing
    assert _read(tmp_path / "a.jsonl.gz") == [(1, {"id": 1, "text": "zipped"})]
    assert _read(tmp_path / "b.data") == [(1, {"id": 1, "text": "zipped"})]
    (tmp_path / "c.csv.gz").write_bytes(gzip.compress(b"id,text\n7,x\n"))
    assert _read(tmp_path / "c.csv.gz") == [(2, {"id": "7", "text": "x"})]


def test_truncated_gzip_ends_with_a_rejection(tmp_path: Path) -> None:
    data = gzip.compress(b"".join(b'{"id": %d, "text": "x"}\n' % i for i in range(2000)))
    f = tmp_path / "cut.jsonl.gz"
    f.write_bytes(data[: len(data) // 2])
    out = _read(f)
    assert isinstance(out[-1][1], RecordRejected) and "corrupt or truncated" in str(out[-1][1])
    assert all(isinstance(r, dict) for _, r in out[:-1])


def test_stdin_binary(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = io.BytesIO(gzip.compress(b'{"id": "s", "text": "from stdin"}\n'))
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(stream))
    assert _read("-") == [(1, {"id": "s", "text": "from stdin"})]


def test_stdin_csv_is_sniffed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"id,text\n1,a\n")))
    seen: list[str] = []
    assert _read("-", on_format=seen.append) == [(2, {"id": "1", "text": "a"})]
    assert seen == ["csv"]


def test_missing_file_names_it(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nope\.jsonl: no such file"):
        _read(tmp_path / "nope.jsonl")


def test_format_detection() -> None:
    assert detect_format("a.ndjson") == "jsonl"
    assert detect_format("a.JSON.gz") == "jsonl"
    assert detect_format("a.csv.gz") == "csv"
    assert detect_format("a.tsv") == "tsv"
    assert detect_format("a.txt") is None
    assert detect_format("-") is None
    assert detect_format("a.txt", "CSV") == "csv"
    with pytest.raises(InputError, match="unknown format"):
        detect_format("a.csv", "xml")


def test_progress_reports_bytes_read(tmp_path: Path) -> None:
    f = tmp_path / "p.jsonl"
    f.write_bytes(b"".join(b'{"id": %d, "text": "x"}\n' % i for i in range(5000)))
    seen: list[int] = []
    assert len(_read(f, progress=seen.append)) == 5000
    assert sum(seen) == f.stat().st_size == total_size([str(f)])
    assert total_size([str(f), "-"]) is None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(max_size=60).filter(lambda b: b"\n" not in b and b"\r" not in b), max_size=8))
def test_arbitrary_byte_lines_never_raise(lines: list[bytes]) -> None:
    data = b"\n".join(lines)
    for fmt in ("jsonl", "csv"):
        stream = io.BytesIO(data)
        orig = sys.stdin
        sys.stdin = io.TextIOWrapper(stream)
        try:
            for _, item in read_records("-", fmt=fmt):
                assert isinstance(item, dict | RecordRejected)
        finally:
            sys.stdin = orig


@settings(max_examples=100, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(),
        lambda c: st.lists(c) | st.dictionaries(st.text(), c),
        max_leaves=10,
    )
)
def test_arbitrary_json_values_are_records_or_rejections(value: Any) -> None:
    data = json.dumps(value).encode("utf-8") + b"\n"
    orig = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(data))
    try:
        out = list(read_records("-", fmt="jsonl"))
    finally:
        sys.stdin = orig
    assert len(out) == 1
    assert out[0][1] == value if isinstance(value, dict) else isinstance(out[0][1], RecordRejected)
