"""The desk's commands on a real workspace: users, tokens, cases sync, corrections export."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from goodwill.cli.main import invoke
from goodwill.desk.accounts import authenticate, find_user, token_user
from goodwill.desk.casework import correct_judgement
from goodwill.desk.inbox import InboxFilter, list_inbox
from goodwill.store import open_store

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "sample"


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "goodwill.toml").write_text((SAMPLE / "goodwill.toml").read_text(encoding="utf-8"))
    lines = (SAMPLE / "posts.jsonl").read_text(encoding="utf-8").splitlines()[:120]
    (tmp_path / "posts.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GOODWILL_DATABASE_URL", raising=False)
    return tmp_path


def _run(args: list[str], capsys: pytest.CaptureFixture[str], stdin: str = "") -> tuple[int, str, str]:
    import sys

    old = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        code = invoke(args)
    finally:
        sys.stdin = old
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.slow
def test_users_cases_and_labels_from_the_command_line(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(["import", "posts.jsonl", "-q"], capsys)[0] == 0
    assert _run(["enrich", "--stored"], capsys)[0] == 0
    code, _, err = _run(
        [
            "users",
            "add",
            "Ada",
            "--role",
            "agent",
            "--name",
            "Ada L.",
            "--expertise",
            "roaming",
            "--password-stdin",
        ],
        capsys,
        stdin="a long enough password\n",
    )
    assert code == 0 and "Added agent ada." in err
    code, _, err = _run(
        ["users", "add", "ada", "--role", "agent", "--password-stdin"], capsys, stdin="x" * 12 + "\n"
    )
    assert code == 1 and "taken" in err and "Traceback" not in err
    code, _, err = _run(
        ["users", "add", "bo", "--role", "boss", "--password-stdin"], capsys, stdin="x" * 12 + "\n"
    )
    assert code == 1 and "unknown role 'boss'" in err
    code, out, _ = _run(["users", "list"], capsys)
    assert code == 0 and "ada" in out and "roaming" in out
    code, token, _ = _run(["users", "token", "ada", "--name", "script"], capsys)
    assert code == 0 and token.startswith("gw_")
    code, _, err = _run(["cases", "sync"], capsys)
    assert code == 0 and err.startswith("Opened ")
    opened = int(err.split()[1].replace(",", ""))
    assert opened > 0
    assert _run(["cases", "sync"], capsys)[2].startswith("Opened 0 cases")
    with open_store(f"sqlite:///{workspace / 'goodwill.db'}") as store:
        user = find_user(store, "ada")
        assert user is not None and authenticate(store, "ada", "a long enough password") == user
        assert token_user(store, token.strip()) == user
        rows = list_inbox(store, user, InboxFilter(limit=500)).rows
        assert len(rows) == opened
        correct_judgement(store, user, rows[0].id, "sentiment", "positive")
    code, out, _ = _run(["corrections", "export"], capsys)
    (label,) = [json.loads(line) for line in out.splitlines()]
    assert (label["field"], label["label"], label["by"], label["text"]) == (
        "sentiment",
        "positive",
        "ada",
        rows[0].text,
    )


def test_serve_help_teaches(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["serve", "--help"], capsys)
    assert code == 0 and "127.0.0.1" in out and "--secure-cookies" in out


def test_the_demo_care_settings_are_valid_with_the_sample(tmp_path: Path) -> None:
    from goodwill.config import load_config

    demo = SAMPLE.parent / "desk"
    text = (SAMPLE / "goodwill.toml").read_text(encoding="utf-8") + (demo / "care.toml").read_text(
        encoding="utf-8"
    )
    (tmp_path / "goodwill.toml").write_text(text, encoding="utf-8")
    care = load_config(tmp_path / "goodwill.toml").care
    assert [q.name for q in care.queues] == ["complaints", "broadband", "general"]
    assert care.knowledge_base == "kb" and (demo / "kb" / "roaming.md").is_file()
