"""Charts as inline SVG strings, drawn here: no JavaScript, no CDN, no font download.

A report that must open on a laptop without a network cannot lean on a charting library
fetched at view time, and a static SVG is what a desk page or an e-mail can embed as is.
Each function takes plain series and returns one ``<svg>`` element; every label is escaped.
Colours come from a fixed palette so a brand keeps its colour across the charts of a report.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from html import escape

__all__ = ["PALETTE", "bar_chart", "grouped_bar_chart", "line_chart"]

#: Colour-blind-friendly (Okabe-Ito), in order of first appearance.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")

_W, _H = 720, 300
_LEFT, _RIGHT, _TOP, _BOTTOM = 56, 150, 28, 44
_FONT = 'font-family="system-ui, sans-serif" font-size="12"'


#: characters XML 1.0 forbids (a post or a profile name can carry them)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _esc(text: str) -> str:
    """Escaped for SVG, without the characters XML cannot hold."""
    return escape(_NOT_XML.sub("", text))


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 10 or value == int(value) else f"{value:,.1f}"


def _exact(value: float) -> str:
    """A tooltip value: one decimal, without a trailing ``.0``."""
    return f"{value:,.1f}".removesuffix(".0")


def _scale(lo: float, hi: float) -> tuple[float, float, list[float]]:
    """A padded range and about five round ticks covering ``lo..hi``."""
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    span = hi - lo
    raw = span / 5
    magnitude = 10 ** len(str(int(raw))) / 10 if raw >= 1 else 0.1
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = (lo // step) * step
    ticks = []
    value = start
    while value <= hi + step * 0.001:
        ticks.append(round(value, 6))
        value += step
    if ticks[-1] < hi:
        ticks.append(round(ticks[-1] + step, 6))
    return ticks[0], ticks[-1], ticks


def _frame(title: str, body: list[str], *, label: str, extra_height: int = 0) -> str:
    height = _H + extra_height
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_W} {height}" width="{_W}" height="{height}" '
        f'role="img" aria-label="{_esc(label)}" class="goodwill-chart">'
        f"<title>{_esc(title)}</title>"
        f'<text x="{_LEFT}" y="16" {_FONT} font-weight="600">{_esc(title)}</text>'
    )
    return head + "".join(body) + "</svg>"


def _legend(names: Sequence[str], colours: Mapping[str, str]) -> list[str]:
    out = []
    for i, name in enumerate(names):
        y = _TOP + 8 + i * 18
        x = _W - _RIGHT + 14
        out.append(f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{colours[name]}"/>')
        out.append(f'<text x="{x + 16}" y="{y}" {_FONT}>{_esc(name)}</text>')
    return out


def _y_axis(lo: float, hi: float, ticks: list[float], unit: str) -> tuple[list[str], float]:
    plot_h = _H - _TOP - _BOTTOM
    out = []

    def y(v: float) -> float:
        return _TOP + plot_h - (v - lo) / (hi - lo) * plot_h

    for t in ticks:
        out.append(
            f'<line x1="{_LEFT}" x2="{_W - _RIGHT}" y1="{y(t):.1f}" y2="{y(t):.1f}" stroke="#ddd"/>'
            f'<text x="{_LEFT - 6}" y="{y(t) + 4:.1f}" text-anchor="end" {_FONT}>'
            f"{_fmt(t)}{_esc(unit)}</text>"
        )
    return out, y(0) if lo <= 0 <= hi else y(lo)


def colours_for(names: Sequence[str]) -> dict[str, str]:
    """A stable colour per name, in the order given."""
    return {n: PALETTE[i % len(PALETTE)] for i, n in enumerate(names)}


def line_chart(
    title: str,
    series: Mapping[str, Mapping[date, float]],
    *,
    unit: str = "",
    colours: Mapping[str, str] | None = None,
) -> str:
    """One line per series over dates (a point where a series has a value; gaps are not joined)."""
    names = list(series)
    palette = dict(colours or colours_for(names))
    for name in names:
        palette.setdefault(name, PALETTE[len(palette) % len(PALETTE)])
    days = sorted({d for values in series.values() for d in values})
    values = [v for s in series.values() for v in s.values()]
    if not days:
        return _frame(
            title, [f'<text x="{_LEFT}" y="{_H / 2}" {_FONT}>No data in this window.</text>'], label=title
        )
    lo, hi, ticks = _scale(min([*values, 0.0]), max([*values, 0.0]))
    body, _ = _y_axis(lo, hi, ticks, unit)
    plot_w = _W - _LEFT - _RIGHT
    index = {d: i for i, d in enumerate(days)}

    def x(d: date) -> float:
        return _LEFT + (index[d] / max(len(days) - 1, 1)) * plot_w

    def y(v: float) -> float:
        plot_h = _H - _TOP - _BOTTOM
        return _TOP + plot_h - (v - lo) / (hi - lo) * plot_h

    step = max(1, len(days) // 8)
    for i, d in enumerate(days):
        if i % step == 0 or (i == len(days) - 1 and i % step >= step / 2):
            body.append(
                f'<text x="{x(d):.1f}" y="{_H - _BOTTOM + 16}" text-anchor="middle" {_FONT}>'
                f"{d.strftime('%d %b')}</text>"
            )
    for name in names:
        points = sorted(series[name].items())
        if not points:
            continue
        path = " ".join(f"{'M' if i == 0 else 'L'}{x(d):.1f},{y(v):.1f}" for i, (d, v) in enumerate(points))
        body.append(f'<path d="{path}" fill="none" stroke="{palette[name]}" stroke-width="2"/>')
        for d, v in points:
            body.append(
                f'<circle cx="{x(d):.1f}" cy="{y(v):.1f}" r="2.5" fill="{palette[name]}">'
                f"<title>{_esc(name)} {d.isoformat()}: {_exact(v)}{_esc(unit)}</title></circle>"
            )
    body += _legend(names, palette)
    return _frame(title, body, label=title)


def grouped_bar_chart(
    title: str,
    groups: Sequence[str],
    series: Mapping[str, Sequence[float]],
    *,
    unit: str = "",
) -> str:
    """Vertical bars: one group per category, one bar per series within it."""
    names = list(series)
    palette = colours_for(names)
    if not groups:
        return _frame(
            title, [f'<text x="{_LEFT}" y="{_H / 2}" {_FONT}>No data in this window.</text>'], label=title
        )
    values = [v for vs in series.values() for v in vs]
    lo, hi, ticks = _scale(min([*values, 0.0]), max([*values, 0.0]))
    body, base = _y_axis(lo, hi, ticks, unit)
    plot_w = _W - _LEFT - _RIGHT
    plot_h = _H - _TOP - _BOTTOM
    slot = plot_w / len(groups)
    bar = slot * 0.8 / max(len(names), 1)
    tilted = slot < 7 * max(len(g[:18]) for g in groups)
    for gi, group in enumerate(groups):
        gx = _LEFT + gi * slot + slot * 0.1
        if tilted:
            # Many groups: slanted labels below the axis (the SVG grows to hold them).
            lx, ly = gx + slot * 0.4, _H - _BOTTOM + 12
            body.append(
                f'<text x="{lx:.1f}" y="{ly}" text-anchor="end" '
                f'transform="rotate(-35 {lx:.1f} {ly})" {_FONT}>'
                f"{_esc(group[:24])}</text>"
            )
        else:
            body.append(
                f'<text x="{gx + slot * 0.4:.1f}" y="{_H - _BOTTOM + 16}" text-anchor="middle" {_FONT}>'
                f"{_esc(group[:18])}</text>"
            )
        for si, name in enumerate(names):
            v = series[name][gi]
            top = _TOP + plot_h - (max(v, 0) - lo) / (hi - lo) * plot_h if v >= 0 else base
            height = abs(v) / (hi - lo) * plot_h
            body.append(
                f'<rect x="{gx + si * bar:.1f}" y="{top:.1f}" width="{bar * 0.92:.1f}" '
                f'height="{max(height, 0.5):.1f}" fill="{palette[name]}">'
                f"<title>{_esc(group)}, {_esc(name)}: {_exact(v)}{_esc(unit)}</title></rect>"
            )
    body += _legend(names, palette)
    return _frame(title, body, label=title, extra_height=110 if tilted else 0)


def bar_chart(title: str, bars: Mapping[str, float], *, unit: str = "", series_name: str = "") -> str:
    """One bar per category, in the order given."""
    return grouped_bar_chart(title, list(bars), {series_name or title: list(bars.values())}, unit=unit)
