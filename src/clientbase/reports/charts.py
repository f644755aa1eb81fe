"""Charts of the HTML report as inline SVG, written by hand.

Each function returns one ``<svg>`` element as text: nothing to install (no matplotlib), nothing
fetched when the page opens, and crisp in print. The shared habits:

- ``viewBox`` with ``width:100%``, so a chart shrinks to a phone's width; the dense ones (the
  cohort table) get a minimum width instead and scroll sideways inside their box, because
  shrunk to 360 px their numbers would be unreadable;
- ``role="img"`` and an ``aria-label`` with the chart's title for screen readers, a ``<title>``
  on every bar and cell as its tooltip (the exact figure, when the label on it is rounded);
- every label goes through the caller's formatter, so the chart shows the numbers exactly as the
  tables under it do (the report's language and currency);
- no ``xmlns`` attribute: inline SVG in HTML5 needs none, and the report is checked to hold no
  http(s) address at all.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from html import escape

BLUE = "#2f6fb3"
ORANGE = "#e07b24"
GREEN = "#2e8b57"
RED = "#c0392b"
GREY = "#7f8c8d"
INK = "#1f2933"
MUTED = "#66707a"
GRID = "#dde3e8"

Fmt = Callable[[float], str]


def _e(text) -> str:
    return escape(str(text), quote=True)


# Bar charts are drawn twice: a wide drawing for a desktop page and a narrow one for a phone, and
# the page's CSS shows the one that fits (NARROW_BELOW px). One drawing scaled to both would have
# either a third of the page empty on a desktop or 6 px lettering on a phone.
WIDE, NARROW = 900, 380
NARROW_BELOW = 720


def _svg(
    width: float,
    height: float,
    title: str,
    body: str,
    *,
    min_width: int | None = None,
    variant: str | None = None,
) -> str:
    if variant == "wide":
        style, cls = "width:100%;height:auto", "chart wide"
    elif variant == "narrow":
        style, cls = "width:100%;height:auto", "chart narrow"
    else:
        # Drawn small (about a phone's width) and allowed to grow a quarter on a wide screen:
        # on a phone the lettering then stays near its drawn size instead of shrinking to a blur.
        style, cls = f"width:100%;height:auto;max-width:{width * 1.25:.0f}px", "chart"
    if min_width:
        style += f";min-width:{min_width}px"
    return (
        f'<svg class="{cls}" viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
        f'aria-label="{_e(title)}" style="{style}" font-size="12">'
        f"<title>{_e(title)}</title>{body}</svg>"
    )


def _text_width(text: str, size: float) -> float:
    """About how wide ``text`` is drawn at ``size`` (system sans-serif; Cyrillic and capitals
    run wider than Latin lower case, so the estimate leans wide: a label must never be cut)."""
    wide = sum(1 for ch in text if ch.isupper() or ch in "мшщжюыфМШЩЖЮЫФmwMW%₽")
    return size * (0.6 * (len(text) - wide) + 0.82 * wide)


def _boxes_hit(a: tuple, b: tuple) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _text(x, y, text, *, anchor="start", size=12, fill=INK, weight=None, extra="") -> str:
    w = f' font-weight="{weight}"' if weight else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
        f'fill="{fill}"{w}{extra}>{_e(text)}</text>'
    )


def _title(width: float, title: str) -> str:
    # At the left edge: a chart wider than a phone scrolls sideways, and a centred title
    # would start off-screen.
    return _text(4, 18, title, size=14, weight="bold")


def nice_step(top: float, ticks: int = 4) -> float:
    """A round step (1, 2, 2.5 or 5 x 10^k) that covers ``top`` in about ``ticks`` steps."""
    if top <= 0:
        return 1.0
    raw = top / ticks
    power = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if m * power >= raw:
            return m * power
    return 10 * power


def _fit(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[: chars - 1] + "…"


def _ticks(top: float) -> tuple[float, list[float]]:
    """The axis's top and its round ticks from 0 for values up to ``top``."""
    step = nice_step(top)
    ymax = step * max(math.ceil(top / step), 1)
    return ymax, [k * step for k in range(round(ymax / step) + 1)]


def bar_chart(*args, **kwargs) -> str:
    """Vertical bars per category (months, years), optionally with a second measure as a line
    on its own right-hand axis (orders next to revenue): a wide and a narrow drawing."""
    return _bar_chart(*args, width=WIDE, variant="wide", **kwargs) + _bar_chart(
        *args, width=NARROW, variant="narrow", **kwargs
    )


def _bar_chart(
    categories: Sequence[str],
    values: Sequence[float],
    *,
    title: str,
    value_name: str,
    value_fmt: Fmt,
    axis_fmt: Fmt,
    line: Sequence[float] | None = None,
    line_name: str | None = None,
    line_fmt: Fmt | None = None,
    tooltips: Sequence[str] | None = None,
    width: int = WIDE,
    variant: str | None = None,
) -> str:
    """One drawing of ``bar_chart``.

    The bars' labels stand inside tall bars (from the foot up, away from the line) and above
    short ones; the line's labels stand above its points when they fit between the points
    (five-digit counts of twelve months do not: then the right axis and the tooltips tell)."""
    n = max(len(categories), 1)
    ymax, ticks = _ticks(max([v for v in values if v is not None] + [0]))
    lvals = [x or 0 for x in line] if line is not None else []
    lfmt = line_fmt or (lambda v: f"{v:g}")
    lmax, lticks = _ticks(max([*lvals, 0]))
    # Margins fit the longest axis label (money labels are long, counts short).
    left = max(36, max(_text_width(axis_fmt(t), 11) for t in ticks) + 12)
    right = max(_text_width(lfmt(t), 11) for t in lticks) + 12 if line is not None else 12
    height = 320
    top, bottom = 62, 52
    plot_w, plot_h = width - left - right, height - top - bottom
    band = plot_w / n
    base = top + plot_h
    parts = [_title(width, title)]
    # legend
    parts.append(f'<rect x="{left}" y="32" width="12" height="12" fill="{BLUE}"/>')
    parts.append(_text(left + 17, 42, value_name, size=12))
    if line is not None and line_name:
        lx = left + 30 + _text_width(value_name, 12)
        parts.append(
            f'<line x1="{lx:.1f}" y1="38" x2="{lx + 18:.1f}" y2="38" stroke="{ORANGE}" '
            'stroke-width="2.5"/>'
        )
        parts.append(f'<circle cx="{lx + 9:.1f}" cy="38" r="3.5" fill="{ORANGE}"/>')
        parts.append(_text(lx + 24, 42, line_name, size=12))
    # grid and left axis
    for tick in ticks:
        y = base - tick / ymax * plot_h
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="{GRID}"/>'
        )
        parts.append(_text(left - 6, y + 4, axis_fmt(tick), anchor="end", size=11, fill=MUTED))
    rotate = band < 46
    bw = min(band * 0.7, 56)  # one year alone is a bar, not a wall
    taken: list[tuple] = []  # boxes of the bars and their labels, for the line's labels to avoid
    for i, (cat, v) in enumerate(zip(categories, values, strict=True)):
        v = v or 0
        h = max(v / ymax * plot_h, 0)
        cx = left + (i + 0.5) * band
        x, y = cx - bw / 2, base - h
        tip = tooltips[i] if tooltips else f"{cat}: {value_fmt(v)}"
        parts.append(
            f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bw:.1f}" height="{h:.1f}" '
            f'fill="{BLUE}"><title>{_e(tip)}</title></rect>'
        )
        taken.append((x, y, x + bw, base))
        label = value_fmt(v)
        if v and rotate:
            # On its side: inside the bar from its foot when it fits, else above the bar.
            long = _text_width(label, 10)
            inside = h > long + 8
            lx, ly = cx + 4, (base - 5) if inside else (y - 4)
            turn = f' transform="rotate(-90 {lx:.1f} {ly:.1f})"'
            parts.append(_text(lx, ly, label, size=10, fill="#fff" if inside else INK, extra=turn))
            if not inside:
                taken.append((cx - 7, ly - long, cx + 7, ly))
        elif v:
            long = _text_width(label, 11)
            parts.append(_text(cx, y - 5, label, anchor="middle", size=11))
            taken.append((cx - long / 2, y - 17, cx + long / 2, y - 2))
        if rotate:
            turn = f' transform="rotate(-45 {cx + 3:.1f} {base + 14:.1f})"'
            parts.append(
                _text(cx + 3, base + 14, cat, anchor="end", size=11, fill=MUTED, extra=turn)
            )
        else:
            parts.append(_text(cx, base + 16, cat, anchor="middle", size=11, fill=MUTED))
    parts.append(
        f'<line x1="{left}" y1="{base}" x2="{left + plot_w}" y2="{base}" stroke="{MUTED}"/>'
    )
    if line is not None:
        for tick in lticks:
            y = base - tick / lmax * plot_h
            parts.append(_text(left + plot_w + 6, y + 4, lfmt(tick), size=11, fill=ORANGE))
        points = [(left + (i + 0.5) * band, base - v / lmax * plot_h) for i, v in enumerate(lvals)]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(
            f'<polyline points="{path}" fill="none" stroke="{ORANGE}" stroke-width="2.5"/>'
        )
        labelled = max(_text_width(lfmt(v), 10) for v in lvals) <= band - 4 if lvals else False
        for (x, y), cat, v in zip(points, categories, lvals, strict=True):
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{ORANGE}">'
                f"<title>{_e(f'{cat}: {line_name} {lfmt(v)}')}</title></circle>"
            )
            if not labelled:
                continue
            # Above the point, else below it; where both would cover a bar or its label, the
            # right axis and the tooltip tell the figure.
            half = _text_width(lfmt(v), 10) / 2 + 1
            for ly in (y - 8, y + 17):
                box = (x - half, ly - 10, x + half, ly + 2)
                if ly + 2 <= base and ly - 10 >= top and not any(_boxes_hit(box, t) for t in taken):
                    parts.append(
                        _text(x, ly, lfmt(v), anchor="middle", size=10, fill=ORANGE, weight="bold")
                    )
                    taken.append(box)
                    break
    return _svg(width, height, title, "".join(parts), variant=variant)


def hbar_chart(*args, **kwargs) -> str:
    """Horizontal bars, one row per label (channels, segments), the value at the bar's end: a
    wide and a narrow drawing."""
    return _hbar_chart(*args, width=WIDE, variant="wide", **kwargs) + _hbar_chart(
        *args, width=NARROW, variant="narrow", **kwargs
    )


def _hbar_chart(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    title: str,
    value_fmt: Fmt,
    tooltips: Sequence[str] | None = None,
    color: str = BLUE,
    width: int = WIDE,
    variant: str | None = None,
) -> str:
    """One drawing of ``hbar_chart``."""
    row = 26
    # Room for the longest label, within reason (at most 40 % of the drawing): a longer name is
    # cut with an ellipsis, the whole of it stays in the tooltip and the table.
    most = width * 0.4
    longest = max([_text_width(str(x), 12) for x in labels] + [30])
    label_w = min(max(longest + 14, 80), most)
    value_w = max([_text_width(value_fmt(v or 0), 11) for v in values] + [30]) + 12
    top = 32
    n = len(labels)
    height = top + n * row + 8
    vmax = max([abs(v or 0) for v in values] + [0]) or 1
    plot_w = width - label_w - value_w
    parts = [_title(width, title)]
    for i, (name, v) in enumerate(zip(labels, values, strict=True)):
        v = v or 0
        y = top + i * row
        w = abs(v) / vmax * plot_w
        tip = tooltips[i] if tooltips else f"{name}: {value_fmt(v)}"
        name = str(name)
        while len(name) > 2 and _text_width(name, 12) > label_w - 14:
            name = name[:-2] + "…"
        parts.append(_text(label_w - 8, y + row / 2 + 4, name, anchor="end"))
        parts.append(
            f'<rect class="bar" x="{label_w}" y="{y + 4:.1f}" width="{max(w, 1):.1f}" height="{row - 8}" '
            f'rx="2" fill="{color}"><title>{_e(tip)}</title></rect>'
        )
        parts.append(_text(label_w + w + 6, y + row / 2 + 4, value_fmt(v), size=11, fill=INK))
    return _svg(width, height, title, "".join(parts), variant=variant)


def _mix(color: str, t: float) -> str:
    """``color`` faded towards white: t = 0 white, t = 1 the color itself."""
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    mix = [round(255 + (c - 255) * t) for c in (r, g, b)]
    return "#" + "".join(f"{c:02x}" for c in mix)


def heatmap(
    rows: Sequence[str],
    cols: Sequence[str],
    values: Sequence[Sequence[float | None]],
    *,
    title: str,
    cell_fmt: Callable[[float | None], str],
    row_title: str = "",
    col_title: str = "",
    labels: Sequence[Sequence[str]] | None = None,
    tooltips: Sequence[Sequence[str]] | None = None,
    hues: Sequence[Sequence[str]] | None = None,
    cell: int = 64,
    row_label_width: int = 70,
    scale_max: float | None = None,
) -> str:
    """A grid of coloured cells with the figure in each: the ABC x XYZ matrix, the from -> to
    migration matrix (``hues`` colours moves up and down differently), cohort retention.
    The colour's strength is the value over the largest one (or ``scale_max``); an empty cell
    (None) stays white. ``labels`` (else ``cell_fmt`` of the value) is the text in each cell; a
    line break in it gives two lines (a count and a share)."""
    n_rows, n_cols = len(rows), len(cols)
    top = 50 + (18 if col_title else 0)
    left = row_label_width + (20 if row_title else 0)
    width = max(left + n_cols * cell + 6, 8.4 * len(title) + 12)
    height = top + n_rows * cell + 6
    flat = [v for r in values for v in r if v is not None]
    vmax = scale_max if scale_max else (max(flat) if flat else 0) or 1
    parts = [_title(width, title)]
    if col_title:
        parts.append(
            _text(left + n_cols * cell / 2, 44, col_title, anchor="middle", size=12, fill=MUTED)
        )
    if row_title:
        cy = top + n_rows * cell / 2
        parts.append(
            _text(
                12,
                cy,
                row_title,
                anchor="middle",
                size=12,
                fill=MUTED,
                extra=f' transform="rotate(-90 12 {cy:.1f})"',
            )
        )
    for j, c in enumerate(cols):
        parts.append(
            _text(left + j * cell + cell / 2, top - 6, c, anchor="middle", size=12, weight="bold")
        )
    size = 13 if cell >= 48 else 10
    for i, r in enumerate(rows):
        y = top + i * cell
        parts.append(
            _text(left - 8, y + cell / 2 + 4, _fit(r, 14), anchor="end", size=12, weight="bold")
        )
        for j, _c in enumerate(cols):
            v = values[i][j]
            x = left + j * cell
            hue = hues[i][j] if hues else BLUE
            t = 0.0 if v is None or v <= 0 else 0.12 + 0.88 * min(v / vmax, 1.0)
            fill = _mix(hue, t)
            tip = tooltips[i][j] if tooltips else f"{r} / {cols[j]}: {cell_fmt(v)}"
            parts.append(
                f'<rect x="{x + 1}" y="{y + 1}" width="{cell - 2}" height="{cell - 2}" rx="3" '
                f'fill="{fill}" stroke="{GRID}"><title>{_e(tip)}</title></rect>'
            )
            ink = "#fff" if t > 0.6 else INK
            lines = (labels[i][j] if labels else cell_fmt(v)).split("\n")
            first = y + cell / 2 + size / 3 - (len(lines) - 1) * size * 0.6
            for k, text in enumerate(lines):
                parts.append(
                    _text(
                        x + cell / 2,
                        first + k * size * 1.2,
                        text,
                        anchor="middle",
                        size=size if k == 0 else size - 2,
                        fill=ink,
                        weight="bold" if k == 0 and len(lines) > 1 else None,
                    )
                )
    min_width = width if n_cols > 8 else None  # dense grids scroll rather than shrink
    return _svg(width, height, title, "".join(parts), min_width=min_width)
