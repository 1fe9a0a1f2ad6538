"""Charts as server-rendered SVG: no chart library, no script, nothing but markup and presentation attributes.

Each chart is an <svg role="img"> with a <title> and a <desc> that says in words what it shows;
pages put the numbers in a table beside it, so nothing is only in the picture. Colours come from
a palette that keeps 3:1 contrast against white (WCAG 1.4.11), and lines also differ by dash.
"""

import re

from markupsafe import Markup, escape

PALETTE = [("#1f5fbf", ""), ("#b35c00", "6 3"), ("#1e6b34", "2 3"), ("#8a2be2", "8 3 2 3")]
WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 16, 56


def nice_ceiling(value):
    """The smallest 1, 2, 2.5 or 5 × 10^n at or above value (at least 1): the y axis's top."""
    if value <= 1:
        return 1
    step = 1
    while True:
        for factor in (1, 2, 2.5, 5):
            if factor * step >= value:
                top = factor * step
                return int(top) if top == int(top) else top
        step *= 10


def _number(value):
    return f"{value:,.0f}" if value >= 10 or value == int(value) else f"{value:,.1f}"


def line_chart(title, days, series, description=None):
    """A line per series over days: series is [(name, [value per day])]. Returns safe SVG markup."""
    peak = nice_ceiling(max((max(values, default=0) for _, values in series), default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(1, len(days) - 1)

    def x(n):
        return LEFT + n * step

    def y(value):
        return TOP + plot_h - (float(value) / peak) * plot_h

    parts = [_grid(peak, plot_w, y)]
    label_every = max(1, round(len(days) / 8))
    for n, day in enumerate(days):
        if n % label_every == 0 and len(days) - 1 - n >= label_every / 2 or n == len(days) - 1:  # no overlap at the end
            anchor = "start" if n == 0 else "end" if n == len(days) - 1 else "middle"  # inside the picture
            parts.append(f'<text x="{x(n):.1f}" y="{TOP + plot_h + 16}" font-size="11" text-anchor="{anchor}" '
                         f'fill="#5c6670">{day:%-d %b}</text>')
    for (name, values), (colour, dash) in zip(series, PALETTE):
        points = " ".join(f"{x(n):.1f},{y(value):.1f}" for n, value in enumerate(values))
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"{dashes}/>')
    parts.append(_legend([name for name, _ in series], HEIGHT - 18))
    totals = "; ".join(f"{name}: {_number(sum(values))} in total, at most {_number(max(values, default=0))} a day"
                       for name, values in series)
    text = description or (
        f"Per day from {days[0]:%-d %b %Y} to {days[-1]:%-d %b %Y}. {totals}." if days else "No days.")
    return _svg(title, text, parts)


def bar_chart(title, bars, unit="", description=None):
    """Horizontal bars: bars is [(label, value)], biggest first as given. Returns safe SVG markup."""
    row, label_w = 26, 160
    height = TOP + row * max(1, len(bars)) + 8
    peak = nice_ceiling(max((value for _, value in bars), default=0))
    plot_w = WIDTH - label_w - 80
    parts = []
    for n, (label, value) in enumerate(bars):
        top = TOP + n * row
        width = float(value) / peak * plot_w
        short = label if len(label) <= 24 else label[:23] + "…"
        parts.append(f'<text x="{label_w - 8}" y="{top + 15}" font-size="12" text-anchor="end" fill="#1d2327">'
                     f'{escape(short)}</text>')
        parts.append(f'<rect x="{label_w}" y="{top + 3}" width="{width:.1f}" height="{row - 8}" '
                     f'fill="{PALETTE[0][0]}"/>')
        parts.append(f'<text x="{label_w + width + 6:.1f}" y="{top + 15}" font-size="12" fill="#1d2327">'
                     f'{_number(value)}{escape(unit)}</text>')
    text = description or ("; ".join(f"{label}: {_number(value)}{unit}" for label, value in bars) or "Nothing to show.")
    return _svg(title, text, parts, height)


def _grid(peak, plot_w, y):
    lines = []
    for n in range(5):
        value = peak * n / 4
        lines.append(f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
                     f'stroke="#d6dade" stroke-width="1"/>')
        lines.append(f'<text x="{LEFT - 6}" y="{y(value) + 4:.1f}" font-size="11" text-anchor="end" '
                     f'fill="#5c6670">{_number(value)}</text>')
    return "".join(lines)


def _legend(names, top):
    items, left = [], LEFT
    for name, (colour, dash) in zip(names, PALETTE):
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        items.append(f'<line x1="{left}" x2="{left + 24}" y1="{top}" y2="{top}" stroke="{colour}" stroke-width="3"'
                     f'{dashes}/><text x="{left + 30}" y="{top + 4}" font-size="12" fill="#1d2327">'
                     f'{escape(name)}</text>')
        left += 44 + 7 * len(name)
    return "".join(items)


def _svg(title, description, parts, height=HEIGHT):
    """The <svg> element, labelled by its title and description (ids unique per title)."""
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return Markup(
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="{slug}-title {slug}-desc" '
        f'xmlns="http://www.w3.org/2000/svg"><title id="{slug}-title">{escape(title)}</title>'
        f'<desc id="{slug}-desc">{escape(description)}</desc>{"".join(parts)}</svg>')
