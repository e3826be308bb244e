"""The HTML report: what it holds, its exports, and (in Debian's chromium) that it draws offline."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from insights_data import CONFIG

from goodwill.cli.main import invoke
from goodwill.insights.charts import grouped_bar_chart, line_chart
from goodwill.insights.overview import build_overview
from goodwill.insights.report import render_report, report_charts
from goodwill.store import Store

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _report(store: Store) -> str:
    overview = build_overview(store, config=CONFIG, since=datetime(2026, 11, 1, tzinfo=UTC), bucket="week")
    return render_report(overview, title="Acme <weekly>", generated_at=datetime(2026, 11, 20, tzinfo=UTC))


def test_the_report_holds_every_table_and_nothing_remote(store: Store) -> None:
    html = _report(store)
    assert "Acme &lt;weekly&gt;" in html and "<weekly>" not in html
    for name in ("net_sentiment", "sentiment_over_time", "share_of_voice", "wom_by_tier", "wom_by_audience"):
        assert f'data-table="{name}"' in html
    assert html.count("<svg") == 6
    # No URL that a browser would fetch: only the SVG namespace, which is never requested.
    urls = set(re.findall(r"(?:https?:)?//[\w.-]+[^\s\"'<>]*", html))
    assert urls == {"http://www.w3.org/2000/svg"}
    assert "<script" not in html and "<link" not in html and "@import" not in html


def test_charts_carry_the_numbers(store: Store) -> None:
    overview = build_overview(store, config=CONFIG, since=datetime(2026, 11, 1, tzinfo=UTC), bucket="week")
    charts = report_charts(overview)
    # Acme's weekly net sentiment: -33.3 then -100 (see conftest); each point has a tooltip.
    assert "Acme 2026-11-02: -33.3" in charts["sentiment_over_time"]
    assert "Acme 2026-11-09: -100" in charts["sentiment_over_time"]
    assert "Globex, sentiment-weighted: 60%" in charts["share_of_voice"]


def test_charts_escape_labels_and_handle_no_data() -> None:
    svg = grouped_bar_chart("a&b", ["<x>"], {"s": [1.0]})
    assert "<x>" not in svg and "&lt;x&gt;" in svg and "a&amp;b" in svg
    assert "No data in this window" in line_chart("empty", {})


def test_report_command_writes_html_and_exports(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = workspace / "report.html"
    code = invoke(
        ["report", "--since", "2026-11-01", "-o", str(out), "--export-dir", "exports", "--brand", "Acme"]
    )
    err = capsys.readouterr().err
    assert code == 0, err
    assert "(4 posts)" in err  # Acme: p1, p2, p3, p8
    html = out.read_text(encoding="utf-8")
    assert "<svg" in html and "4 posts since 2026-11-01 00:00 UTC · brand: Acme" in html
    exports = workspace / "exports"
    names = sorted(p.name for p in exports.iterdir())
    assert len(names) == 18 and "share_of_voice.csv" in names and "top_voices.jsonl" in names
    sov = list(csv.DictReader(io.StringIO((exports / "share_of_voice.csv").read_text(encoding="utf-8"))))
    assert [(r["brand"], r["share"]) for r in sov] == [("Acme", "57.1"), ("Globex", "42.9")]
    voices = [json.loads(line) for line in (exports / "top_voices.jsonl").read_text().splitlines()]
    assert [v["author"] for v in voices] == ["x:carol", "x:bob", "x:erin", "x:alice"]


def _open_in_chromium(path: Path) -> tuple[list[str], list[int]]:
    """Open ``path`` headless; return every request URL the page made and each SVG's drawn size."""
    from playwright.sync_api import Route, sync_playwright

    assert CHROMIUM.exists(), "Debian chromium is missing: run scripts/ensure-chromium.sh (make test does)"
    requested: list[str] = []

    def guard(route: Route) -> None:
        requested.append(route.request.url)
        if route.request.url.startswith(("file:", "data:")):
            route.continue_()
        else:
            route.abort()

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.route("**/*", guard)
            page.on("request", lambda r: requested.append(r.url))
            page.goto(path.as_uri())
            page.wait_for_load_state("networkidle")
            sizes = page.eval_on_selector_all(
                "svg.goodwill-chart",
                "els => els.map(e => { const b = e.getBoundingClientRect(); "
                "const marks = e.querySelectorAll('path, rect, circle').length; "
                "return marks > 0 ? Math.round(b.width * b.height) : 0 })",
            )
        finally:
            browser.close()
    return requested, sizes


@pytest.mark.slow
def test_report_draws_in_chromium_without_any_request(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    path.write_text(_report(store), encoding="utf-8")
    requested, sizes = _open_in_chromium(path)
    assert len(sizes) == 6 and all(s > 10_000 for s in sizes)
    assert set(requested) == {path.as_uri()}


@pytest.mark.slow
def test_the_request_guard_sees_a_leak(tmp_path: Path) -> None:
    # The same guard must notice a page that does reach out, or the test above proves nothing.
    path = tmp_path / "leaky.html"
    path.write_text(
        '<!doctype html><svg class="goodwill-chart" width="200" height="100">'
        '<rect width="200" height="100"/></svg>'
        '<img src="http://127.0.0.1:9/pixel.png">',
        encoding="utf-8",
    )
    requested, _ = _open_in_chromium(path)
    assert "http://127.0.0.1:9/pixel.png" in requested
