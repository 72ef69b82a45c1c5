"""The SOTA-over-time chart of a leaderboard, drawn on the server as SVG.

Every dated result is a point; the record-setting results are joined by a step line (the state
of the art holds its value until the next record). Axes carry dates and values; each point has a
``<title>`` (the browser shows it as a tooltip) and may link to its result's page. Every piece of
text is escaped: model names come from the data.

>>> from datetime import date
>>> pts = [Point(date(2019, 1, 1), 70.0, "A <b>", "/result/1"), Point(date(2020, 6, 1), 75.5, "B", None)]
>>> svg = sota_chart(pts, records=pts, higher_is_better=True, metric="Accuracy")
>>> svg.startswith("<svg") and "A &lt;b&gt;" in svg and "<b>" not in svg
True
>>> 'class="sota-step"' in svg and svg.count('class="point record"') == 2
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape


@dataclass(frozen=True)
class Point:
    day: date
    value: float
    label: str  # the model's name
    href: str | None = None  # the result's page


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values spanning [lo, hi]: steps of 1, 2 or 5 times a power of ten.

    >>> nice_ticks(0.0, 100.0)
    [0.0, 20.0, 40.0, 60.0, 80.0, 100.0]
    >>> nice_ticks(71.3, 72.2)
    [71.2, 71.4, 71.6, 71.8, 72.0, 72.2]
    """
    if hi <= lo:
        hi = lo + (abs(lo) * 0.1 or 1.0)
    raw = (hi - lo) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.floor(lo / step + 1e-9) * step
    ticks = []
    t = first
    while t <= hi + step * 1e-6:
        ticks.append(float(round(t, 10)))
        t += step
    if ticks[-1] < hi - step * 1e-6:
        ticks.append(float(round(t, 10)))
    return ticks


def date_ticks(lo: date, hi: date) -> list[date]:
    """First days of years (or of months, for short spans) between lo and hi.

    >>> date_ticks(date(2017, 3, 1), date(2021, 2, 1))
    [datetime.date(2018, 1, 1), datetime.date(2019, 1, 1), datetime.date(2020, 1, 1), datetime.date(2021, 1, 1)]
    >>> [d.isoformat() for d in date_ticks(date(2023, 1, 10), date(2023, 5, 1))]
    ['2023-02-01', '2023-03-01', '2023-04-01', '2023-05-01']
    """
    years = hi.year - lo.year
    if years >= 2:
        step = max(1, math.ceil(years / 8))
        return [date(y, 1, 1) for y in range(lo.year + 1, hi.year + 1, step) if lo <= date(y, 1, 1) <= hi]
    months = []
    y, m = lo.year, lo.month
    while True:
        m += 1
        if m > 12:
            y, m = y + 1, 1
        d = date(y, m, 1)
        if d > hi:
            break
        months.append(d)
    step = max(1, math.ceil(len(months) / 8))
    return months[::step]


def _fmt(v: float) -> str:
    return f"{v:g}" if abs(v) < 1e6 else f"{v:.3g}"


def sota_chart(points: list[Point], records: list[Point], higher_is_better: bool | None, metric: str,
               width: int = 760, height: int = 340) -> str:
    """The chart as an ``<svg>`` element; records in date order (the step line joins them)."""
    left, right, top, bottom = 64, 20, 16, 44
    pw, ph = width - left - right, height - top - bottom
    title = f"{metric} over time" + ("" if higher_is_better is None else
                                     " (higher is better)" if higher_is_better else " (lower is better)")
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="sota-chart" role="img" width="{width}" '
            f'height="{height}" viewBox="0 0 {width} {height}"><title>{_e(title)}</title>')
    if not points:
        return head + (f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" class="empty">'
                       'No dated results to draw.</text></svg>')
    d_lo = min(p.day for p in points)
    d_hi = max(p.day for p in points)
    if d_hi - d_lo < timedelta(days=60):
        d_lo, d_hi = d_lo - timedelta(days=30), d_hi + timedelta(days=30)
    pad = (d_hi - d_lo) * 0.03
    d_lo, d_hi = d_lo - pad, d_hi + pad
    values = [p.value for p in points]
    ticks = nice_ticks(min(values), max(values))
    v_lo, v_hi = ticks[0], ticks[-1]

    def x(d: date) -> float:
        return left + pw * (d - d_lo).days / max(1, (d_hi - d_lo).days)

    def y(v: float) -> float:
        return top + ph * (1 - (v - v_lo) / ((v_hi - v_lo) or 1))

    out = [head, f'<rect class="plot" x="{left}" y="{top}" width="{pw}" height="{ph}"/>']
    for t in ticks:  # value axis
        out.append(f'<line class="grid" x1="{left}" x2="{left + pw}" y1="{y(t):.1f}" y2="{y(t):.1f}"/>'
                   f'<text class="tick" x="{left - 6}" y="{y(t) + 4:.1f}" text-anchor="end">{_e(_fmt(t))}</text>')
    for d in date_ticks(d_lo, d_hi):  # date axis
        label = str(d.year) if d.month == 1 else d.strftime("%Y-%m")
        out.append(f'<line class="grid" x1="{x(d):.1f}" x2="{x(d):.1f}" y1="{top}" y2="{top + ph}"/>'
                   f'<text class="tick" x="{x(d):.1f}" y="{top + ph + 16}" text-anchor="middle">{_e(label)}</text>')
    out.append(f'<text class="axis-label" x="{left + pw / 2}" y="{height - 6}" text-anchor="middle">date</text>'
               f'<text class="axis-label" x="14" y="{top + ph / 2}" text-anchor="middle" '
               f'transform="rotate(-90 14 {top + ph / 2})">{_e(metric)}</text>')
    if records:
        # Step line: each record holds until the next one, the last until the end of the axis.
        steps = [f"M{x(records[0].day):.1f},{y(records[0].value):.1f}"]
        for prev, cur in zip(records, records[1:]):
            steps.append(f"H{x(cur.day):.1f}V{y(cur.value):.1f}")
        steps.append(f"H{x(d_hi):.1f}")
        out.append(f'<path class="sota-step" d="{"".join(steps)}"><title>state of the art</title></path>')
    record_set = set(records)
    # Other results first, records on top.
    for p in sorted(points, key=lambda p: p in record_set):
        is_record = p in record_set
        cls = "point record" if is_record else "point"
        tip = f"{p.label}: {_fmt(p.value)} ({p.day.isoformat()})" + (" — a new record" if is_record else "")
        dot = (f'<circle class="{cls}" cx="{x(p.day):.1f}" cy="{y(p.value):.1f}" r="{4.5 if is_record else 3.5}">'
               f'<title>{_e(tip)}</title></circle>')
        out.append(f'<a href="{_e(p.href)}">{dot}</a>' if p.href else dot)
    out.append("</svg>")
    return "".join(out)
