"""import_files: counts, idempotency, rejects files, provenance, stdin, --map, CSV."""

from __future__ import annotations

import gzip
import io
import json
import sys
from pathlib import Path

import pytest

from goodwill.errors import InputError
from goodwill.jobs.importer import import_files
from goodwill.sources.mapping import parse_mapping
from goodwill.store import PostQuery, Store


def _jsonl(path: Path, records: list[object]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_import_twice_is_idempotent(store: Store, tmp_path: Path) -> None:
    f = _jsonl(tmp_path / "a.jsonl", [{"id": i, "text": f"post {i}", "network": "x"} for i in range(120)])
    first = import_files(store, [str(f)], batch_size=50)
    assert (first.imported, first.updated, first.unchanged, first.rejected) == (120, 0, 0, 0)
    assert first.files[0].rejects_path is None
    second = import_files(store, [str(f)], batch_size=50)
    assert (second.imported, second.updated, second.unchanged, second.rejected) == (0, 0, 120, 0)
    assert store.count(PostQuery(limit=None)) == 120


def test_provenance_and_raw_payload(store: Store, tmp_path: Path) -> None:
    f = _jsonl(tmp_path / "p.jsonl", [{"id": "7", "text": "kept as it came", "likes": 3}])
    import_files(store, [str(f)])
    got = store.get("generic", "7")
    assert got is not None
    [raw] = store.raw_payloads(got.id)
    assert raw.payload == {"id": "7", "text": "kept as it came", "likes": 3}
    assert raw.provenance.source == "file:jsonl"
    assert raw.provenance.endpoint == str(f.resolve())


def test_rejects_file_lists_each_bad_record(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "bad.jsonl"
    f.write_bytes(
        b'{"id": 1, "text": "good"}\n'
        b"{oops\n"
        b'{"id": 2}\n'
        b'{"id": 3, "text": "caf\xe9"}\n'
        b'{"id": 4, "text": "good too"}\n'
    )
    summary = import_files(store, [str(f)])
    assert (summary.imported, summary.rejected) == (2, 3)
    rejects_path = Path(str(f) + ".rejects.jsonl")
    assert summary.files[0].rejects_path == str(rejects_path)
    rows = [json.loads(line) for line in rejects_path.read_text(encoding="utf-8").splitlines()]
    assert [r["line"] for r in rows] == [2, 3, 4]
    assert rows[0]["record"] == "{oops" and "not valid JSON" in rows[0]["reason"]
    assert rows[1]["record"] == {"id": 2} and "missing 'text'" in rows[1]["reason"]
    assert rows[2]["record"] == '{"id": 3, "text": "caf\ufffd"}' and "UTF-8" in rows[2]["reason"]
    # rewritten per run, and gone when a run has no rejects
    import_files(store, [str(f)])
    assert len(rejects_path.read_text(encoding="utf-8").splitlines()) == 3
    f.write_bytes(b'{"id": 1, "text": "good"}\n')
    assert import_files(store, [str(f)]).files[0].rejects_path is None
    assert not rejects_path.exists()


def test_csv_wrong_columns_and_map(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "in.csv"
    f.write_text("tweet_id,body,user\n1,hello,ann\n2,too,many,cols\n3,bye,bob\n", encoding="utf-8")
    summary = import_files(
        store, [str(f)], mapping=parse_mapping("id=tweet_id,text=body,author=user"), network="x"
    )
    assert (summary.imported, summary.rejected) == (2, 1)
    [reject] = [
        json.loads(x) for x in Path(str(f) + ".rejects.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert reject == {
        "line": 3,
        "reason": "expected 3 fields (as in the header), found 4",
        "record": "2,too,many,cols",
    }
    got = store.get("x", "3")
    assert got is not None and got.post.text == "bye" and got.post.author_handle == "bob"
    assert store.raw_payloads(got.id)[0].provenance.source == "file:csv"


def test_gzip_and_stdin(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gz = tmp_path / "z.jsonl.gz"
    gz.write_bytes(gzip.compress(b'{"id": "g", "text": "zipped"}\n'))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b'{"id": "s", "text": "piped"}\nnope\n')))
    seen: list[int] = []
    summary = import_files(store, [str(gz), "-"], progress=seen.append)
    assert [(f.path, f.imported, f.rejected) for f in summary.files] == [(str(gz), 1, 0), ("-", 1, 1)]
    assert summary.files[1].rejects_path == str(tmp_path / "stdin.rejects.jsonl")
    assert sum(seen) >= gz.stat().st_size
    got = store.get("generic", "s")
    assert got is not None and store.raw_payloads(got.id)[0].provenance.endpoint == "stdin"


def test_edits_and_tombstones_through_files(store: Store, tmp_path: Path) -> None:
    f = _jsonl(tmp_path / "a.jsonl", [{"id": 1, "text": "first"}, {"id": 2, "text": "doomed"}])
    import_files(store, [str(f)])
    g = _jsonl(tmp_path / "b.jsonl", [{"id": 1, "text": "second"}, {"id": 2, "deleted": True}])
    summary = import_files(store, [str(g)])
    assert (summary.imported, summary.updated) == (0, 2)
    one, two = store.get("generic", "1"), store.get("generic", "2")
    assert one is not None and two is not None
    assert store.versions(one.id) == ["first"]
    assert two.post.text is None and store.count(PostQuery(search="doomed")) == 0
    assert import_files(store, [str(f)]).unchanged == 2  # not resurrected, edit not rolled back


def test_missing_file_stops_before_any_work(store: Store, tmp_path: Path) -> None:
    f = _jsonl(tmp_path / "a.jsonl", [{"id": 1, "text": "x"}])
    with pytest.raises(InputError, match=r"missing\.jsonl: no such file"):
        import_files(store, [str(f), str(tmp_path / "missing.jsonl")])
    assert store.count(PostQuery()) == 0
    with pytest.raises(InputError, match="unknown format"):
        import_files(store, [str(f)], fmt="xml")
