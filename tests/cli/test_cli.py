"""The goodwill command end to end: a real store, the real stages, the bundled sample."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from goodwill.cli.main import invoke
from goodwill.cli.reference import cli_reference

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "examples" / "sample"


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = invoke(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "goodwill.toml").write_text((SAMPLE / "goodwill.toml").read_text(encoding="utf-8"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GOODWILL_DATABASE_URL", raising=False)
    return tmp_path


def test_init_writes_a_valid_config_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli(["init"], capsys)
    assert code == 0
    assert "Wrote" in err
    assert (tmp_path / "goodwill.toml").read_text().startswith("# goodwill.toml")
    code, _, err = run_cli(["init"], capsys)
    assert code == 2
    assert "already exists" in err and "--force" in err
    assert run_cli(["init", "--force"], capsys)[0] == 0
    code, out, _ = run_cli(["init", "--print"], capsys)
    assert code == 0 and "[[brands]]" in out


@pytest.mark.slow
def test_import_enrich_queue_posts_stats_on_the_sample(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    posts = str(SAMPLE / "posts.jsonl")
    distinct = {
        (r.get("network", "generic"), str(r["id"]))
        for r in map(json.loads, (SAMPLE / "posts.jsonl").read_text(encoding="utf-8").splitlines())
    }
    code, out, _ = run_cli(["import", posts, "-q"], capsys)
    assert code == 0
    first = dict(part.rsplit(" ", 1) for part in out.strip().split(", "))
    assert int(first["imported"].replace(",", "")) == len(distinct)
    assert first["rejected"] == "0"

    code, out, _ = run_cli(["import", posts, "-q"], capsys)
    assert code == 0
    assert out.startswith("imported 0, updated 0, unchanged "), "a second import must change nothing"

    code, out, _ = run_cli(["enrich", "--stored", "-q"], capsys)
    assert code == 0 and "enriched" in out
    code, out, _ = run_cli(["enrich", "--stored", "-q"], capsys)
    assert out.strip() == "nothing to enrich: every stored post is up to date"

    code, out, _ = run_cli(["queue", "--format", "jsonl", "--limit", "500"], capsys)
    assert code == 0
    queue = [json.loads(line) for line in out.splitlines()]
    assert len(queue) > 20
    assert all(item["enrichment"]["receptivity"]["welcome"] for item in queue)
    assert all(item["enrichment"]["receptivity"]["reasons"] for item in queue)
    assert not any(item["enrichment"]["spam"]["is_spam"] for item in queue)
    priorities = [item["priority"] for item in queue]
    assert priorities == sorted(priorities, reverse=True)

    code, out, _ = run_cli(["stats", "--format", "json"], capsys)
    stats = json.loads(out)
    assert stats["total"]["posts"] == len(distinct) - _deleted_count()
    assert sum(stats["sentiment"].values()) == stats["total"]["enriched"]

    code, out, _ = run_cli(["posts", "--search", "outage", "--format", "jsonl", "--limit", "1000"], capsys)
    found = [json.loads(line) for line in out.splitlines()]
    assert found and all("outage" in item["text"].lower() for item in found)

    code, out, _ = run_cli(["posts", "--sentiment", "negative", "--format", "csv", "--limit", "5"], capsys)
    lines = out.strip().splitlines()
    assert lines[0].startswith("network,id,") and len(lines) == 6
    assert all(",negative," in line for line in lines[1:])


def _deleted_count() -> int:
    rows = [json.loads(line) for line in (SAMPLE / "posts.jsonl").read_text(encoding="utf-8").splitlines()]
    return len({(r.get("network"), str(r["id"])) for r in rows if r.get("deleted")})


def test_enrich_contract_from_stdin_keeps_order_and_answers_bad_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    lines = [
        json.dumps({"id": "1", "text": "@acmebank my card was charged twice, please help", "extra": 1}),
        "{broken",
        json.dumps({"id": "2"}),
        json.dumps({"id": "3", "text": "Wearing my Acme hoodie at grandma's 90th birthday!"}),
    ]
    done = subprocess.run(
        [sys.executable, "-m", "goodwill", "enrich", "--brand", "Acme Bank", "--competitor", "Globex"],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONWARNINGS": "error"},
    )
    assert done.returncode == 0, done.stderr
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert [o.get("id") for o in out] == ["1", None, "2", "3"]
    assert out[0]["extra"] == 1
    first = out[0]["enrichment"]
    assert first["brands"][0]["name"] == "Acme Bank"
    assert first["complaint"]["is_complaint"] is True
    assert first["receptivity"]["welcome"] is True
    assert out[1]["line"] == 2 and "error" in out[1]
    assert out[2]["line"] == 3 and "text" in out[2]["error"]
    assert out[3]["enrichment"]["receptivity"]["welcome"] is False


def test_errors_are_one_line_and_a_non_zero_exit(tmp_path: Path) -> None:
    (tmp_path / "goodwill.toml").write_text('[[brands]]\nname = "Acme"\nalias = ["A"]\n')
    done = subprocess.run(
        [sys.executable, "-m", "goodwill", "stats"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().count("\n") == 0
    assert "goodwill.toml:3" in done.stderr and "brands.0.alias" in done.stderr


def test_missing_input_file_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(["enrich", str(tmp_path / "nope.jsonl"), "--brand", "Acme"], capsys)
    assert code == 2
    assert "cannot read" in err and "nope.jsonl" in err


def test_import_with_rejects_exits_3_and_writes_the_rejects_file(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = workspace / "mixed.jsonl"
    source.write_text(
        json.dumps({"id": "1", "text": "fine"}) + "\nnot json\n" + json.dumps({"id": "2"}) + "\n",
        encoding="utf-8",
    )
    code, out, err = run_cli(["import", str(source), "-q"], capsys)
    assert code == 3
    assert out.strip() == "imported 1, updated 0, unchanged 0, rejected 2"
    rejects = [
        json.loads(line) for line in (workspace / "mixed.jsonl.rejects.jsonl").read_text().splitlines()
    ]
    assert [r["line"] for r in rejects] == [2, 3]
    assert "rejects" in err


def test_cli_reference_in_docs_is_current() -> None:
    assert (ROOT / "docs" / "cli.md").read_text(encoding="utf-8") == cli_reference(), (
        "docs/cli.md is out of date: run `make docs`"
    )


def test_cli_reference_documents_sub_commands_with_their_own_options() -> None:
    reference = cli_reference()
    section = reference.split("### goodwill users add", 1)[1].split("\n### ", 1)[0]
    assert "Usage: goodwill users add" in section
    assert "--role" in section


def test_the_packages_notes_reach_stderr_once_as_goodwill_lines(capsys: pytest.CaptureFixture[str]) -> None:
    assert invoke(["--version"]) == 0
    assert invoke(["--version"]) == 0  # a second run adds no second handler
    capsys.readouterr()
    logging.getLogger("goodwill.embedding_quantization").info("preparing %s", "model.onnx")
    captured = capsys.readouterr()
    assert captured.err == "goodwill: preparing model.onnx\n" and captured.out == ""
