"""``goodwill insights ...`` on the fixed dataset: the same numbers as the library, in three formats."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from goodwill.cli.main import invoke


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = invoke(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


SINCE = ["--since", "2026-11-01"]


def test_sov_as_jsonl(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["insights", "sov", *SINCE, "--format", "jsonl"], capsys)
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r["brand"], r["share"], r["weighted_share"]) for r in rows] == [
        ("Acme", 57.1, 40.0),
        ("Globex", 42.9, 60.0),
    ]


def test_feel_by_week_as_csv(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(
        ["insights", "feel", *SINCE, "--by", "week", "-f", "csv", "--brand", "Acme"], capsys
    )
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["bucket"], r["posts"], r["net"]) for r in rows] == [
        ("2026-11-02", "3", "-33.3"),
        ("2026-11-09", "1", "-100.0"),
    ]


def test_feel_as_a_table(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["insights", "feel", *SINCE], capsys)
    assert code == 0
    assert "Net sentiment per brand" in out
    acme = next(line for line in out.splitlines() if "Acme" in line)
    assert "-50" in acme


def test_who_wom_and_what(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["insights", "who", *SINCE, "--brand", "Acme", "-n", "1", "-f", "jsonl"], capsys)
    assert code == 0
    assert [json.loads(line)["author"] for line in out.splitlines()] == ["x:carol"]
    code, out, _ = run_cli(["insights", "wom", *SINCE, "--by", "audience", "-f", "jsonl"], capsys)
    assert [(r["brand"], r["audience"], r["negative_share"]) for r in map(json.loads, out.splitlines())] == [
        ("Globex", 2_000_000, 33.3),
        ("Acme", 50_000, 75.0),
    ]
    code, out, _ = run_cli(["insights", "wom", *SINCE, "-f", "csv"], capsys)
    assert out.splitlines()[0] == "tier,authors,posts,negative,negative_share"
    code, out, _ = run_cli(["insights", "what", *SINCE, "-f", "jsonl"], capsys)
    assert code == 0 and {json.loads(line)["brand"] for line in out.splitlines()} == {"Acme", "Globex"}


def test_a_window_with_no_posts_says_so(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["insights", "sov", "--since", "2030-01-01"], capsys)
    assert code == 0 and "no posts in this window" in out


@pytest.mark.parametrize(
    "args, message",
    [
        (["insights", "sov", "--format", "xml"], "unknown --format 'xml'"),
        (["insights", "feel", "--by", "month"], "unknown --by 'month'"),
        (["insights", "wom", "--by", "size"], "unknown --by 'size'"),
        (["insights", "sov", "--since", "yesterday"], "cannot read --since"),
    ],
)
def test_bad_options_give_one_line(
    workspace: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, _, err = run_cli(args, capsys)
    assert code != 0
    assert message in err and "Traceback" not in err
