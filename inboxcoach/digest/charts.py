"""Inline SVG charts for the digest: no JavaScript, no remote fonts, readable in a mail client.

Each chart carries a <title> and a <desc> that says in words what the bars show, so a screen
reader (or a mail client that drops SVG) still gets the numbers. Only our own labels and numbers
go in; every string is escaped all the same.
"""

from __future__ import annotations

from datetime import date

from markupsafe import Markup, escape

from inboxcoach.digest.page import Weekly
from inboxcoach.vocab import CATEGORY_LOOK, SENDER_LOOK, SenderKind

# The digest's one table of labels and colours (vocab), so a chart and a tag never disagree.
COLOURS = {**{str(c): look.colour for c, look in CATEGORY_LOOK.items()},
           **{str(k): look.colour for k, look in SENDER_LOOK.items()}}
NAMES = {str(c): look.label.lower() for c, look in CATEGORY_LOOK.items()}
FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif"'


def _svg(key: str, width: int, height: int, title: str, desc: str, body: list[str]) -> Markup:
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
            f'role="img" aria-labelledby="{key}-t {key}-d" class="chart" {FONT} font-size="12">'
            f'<title id="{key}-t">{escape(title)}</title><desc id="{key}-d">{escape(desc)}</desc>')
    return Markup(head + "".join(body) + "</svg>")  # noqa: S704 - built from escaped parts


def _nice_max(value: int) -> int:
    for step in (4, 8, 12, 20, 40, 60, 100, 200, 400, 1000):
        if value <= step:
            return step
    return -(-value // 1000) * 1000


def weekly_chart(data: Weekly) -> Markup:
    """Stacked bars: replies per week by category."""
    width, height, left, bottom, top = 640, 250, 34, 40, 14
    cats = [c for c in data.series if any(data.series[c])] or list(data.series)[:1]
    totals = [sum(data.series[c][i] for c in data.series) for i in range(len(data.weeks))]
    peak = _nice_max(max(totals, default=0) or 1)
    plot_h, slot = height - bottom - top, (width - left - 10) / max(len(data.weeks), 1)
    body = [_grid(left, top, width, plot_h, peak)]
    for i, week in enumerate(data.weeks):
        x, y = left + i * slot + slot * 0.15, float(top + plot_h)
        for cat in cats:
            n = data.series[cat][i]
            if n:
                h = plot_h * n / peak
                y -= h
                body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" '
                            f'height="{h:.1f}" fill="{COLOURS[cat]}"><title>{escape(NAMES[cat])}'
                            f': {n}</title></rect>')
        if (len(data.weeks) - 1 - i) % 2 == 0 or len(data.weeks) < 7:  # the latest week always
            label = date.fromisoformat(week).strftime("%d %b")
            body.append(f'<text x="{x + slot * 0.35:.1f}" y="{top + plot_h + 16}" '
                        f'text-anchor="middle" fill="#444">{escape(label)}</text>')
    body.append(_legend([(NAMES[c], COLOURS[c]) for c in cats], left, height - 8))
    desc = "; ".join(
        f"week of {w}: " + (", ".join(f"{data.series[c][i]} {NAMES[c]}" for c in cats
                                      if data.series[c][i]) or "none")
        for i, w in enumerate(data.weeks))
    return _svg("weekly", width, height, "Replies per week, by kind of reply", desc, body)


def _grid(left: int, top: int, width: int, plot_h: int, peak: int) -> str:
    lines = []
    for k in range(5):
        value = peak * k // 4
        y = top + plot_h - plot_h * k / 4
        lines.append(f'<line x1="{left}" x2="{width - 6}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="#ddd"/><text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" '
                     f'fill="#444">{value}</text>')
    return "".join(lines)


def _legend(entries: list[tuple[str, str]], x: float, y: float) -> str:
    out = []
    for name, colour in entries:
        out.append(f'<rect x="{x:.1f}" y="{y - 10}" width="11" height="11" fill="{colour}"/>'
                   f'<text x="{x + 15:.1f}" y="{y}" fill="#222">{escape(name)}</text>')
        x += 26 + 7 * len(name)
    return "".join(out)


def funnel_chart(stages: tuple[tuple[str, int], ...]) -> Markup:
    """Horizontal bars from applied to offer, each with its count and share of applications."""
    width, row, left = 640, 34, 170
    height = row * len(stages) + 10
    first = stages[0][1] if stages and stages[0][1] else 1
    body = []
    for i, (stage, n) in enumerate(stages):
        y, w = 6 + i * row, (width - left - 90) * n / first
        share = f"{100 * n / first:.0f}%" if stages[0][1] else "0%"
        body.append(f'<text x="{left - 8}" y="{y + 17}" text-anchor="end" fill="#222">'
                    f'{escape(stage)}</text><rect x="{left}" y="{y}" width="{max(w, 2):.1f}" '
                    f'height="24" fill="#0072b2" opacity="{1 - i * 0.13:.2f}"/>'
                    f'<text x="{left + max(w, 2) + 8:.1f}" y="{y + 17}" fill="#222">{n} '
                    f'({share})</text>')
    desc = ", ".join(f"{stage}: {n}" for stage, n in stages)
    return _svg("funnel", width, height, "From application to offer", desc, body)


def kinds_chart(kinds: dict[str, dict[str, int]]) -> Markup:
    """100% bars: how many replies came from a person and how many from a system."""
    width, row, left = 640, 40, 110
    height = row * len(kinds) + 30
    body, parts = [], []
    for i, (label, counts) in enumerate(kinds.items()):
        y, total = 6 + i * row, sum(counts.values())
        x = float(left)
        body.append(f'<text x="{left - 8}" y="{y + 18}" text-anchor="end" fill="#222">'
                    f'{escape(label)}</text>')
        for kind in ("personal", "automated"):
            n = counts.get(kind, 0)
            w = (width - left - 10) * n / total if total else 0
            if w:
                body.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="26" '
                            f'fill="{COLOURS[kind]}"/>')
                if w > 60:
                    body.append(f'<text x="{x + 6:.1f}" y="{y + 18}" fill="#fff" '
                                f'font-weight="600">{kind} {100 * n / total:.0f}%</text>')
            x += w
        if not total:
            body.append(f'<text x="{left}" y="{y + 18}" fill="#444">no replies yet</text>')
        parts.append(f"{label}: " + ", ".join(f"{counts.get(k, 0)} {k}"
                                              for k in ("personal", "automated")))
    body.append(_legend([(SENDER_LOOK[k].label, SENDER_LOOK[k].colour)
                         for k in (SenderKind.PERSONAL, SenderKind.AUTOMATED)], left, height - 6))
    return _svg("kinds", width, height, "Replies from people and from systems",
                "; ".join(parts), body)
