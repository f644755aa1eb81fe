"""The report as text for a terminal or a cron mail: rich tables and panels, captured."""

from __future__ import annotations

import io

from rich import box
from rich.console import Console
from rich.measure import Measurement
from rich.panel import Panel
from rich.rule import Rule
from rich.table import Table as RichTable
from rich.text import Text

from clientbase.reports.contents import build
from clientbase.reports.sections import Facts, Note, Table, header


def render_text(data: dict, lang: str, *, color: bool = False, width: int = 120) -> str:
    """Rich tables and panels, captured as text (with colours only when ``color``)."""
    buf = io.StringIO()
    con = Console(
        file=buf,
        width=width,
        force_terminal=color,
        color_system="standard" if color else None,
        no_color=not color,
        highlight=False,
        emoji=False,
    )
    title, meta = header(data, lang)
    head = Text(title, style="bold")
    for k, v in meta:
        head.append(f"\n{k}: ", style="dim")
        head.append(v)
    con.print(Panel(head, box=box.ROUNDED, expand=False))
    for section in build(data, lang):
        con.print()
        con.print(Rule(Text(section.title, style="bold cyan"), align="left"))
        for block in section.blocks:
            if isinstance(block, Facts):
                grid = RichTable.grid(padding=(0, 2))
                grid.add_column(style="dim")
                grid.add_column(justify="right", style="bold")
                for k, v in block.items:
                    grid.add_row(Text(k), Text(v))
                con.print(grid)
            elif isinstance(block, Table):
                t = RichTable(
                    title=Text(block.title, style="italic"),
                    box=box.SIMPLE_HEAD,
                    header_style="bold",
                    title_justify="left",
                )
                for i, c in enumerate(block.columns):
                    right = block.numeric[i] if i < len(block.numeric) else False
                    # Figures never break across lines; names and notes fold.
                    t.add_column(
                        Text(c),
                        justify="right" if right else "left",
                        overflow="fold",
                        no_wrap=right or i == 0,
                    )
                for row in block.rows:
                    t.add_row(*(Text(c) for c in row))
                # A table wider than the console is printed whole (a mail client or `less -S`
                # shows it), not cropped: a cut-off figure is worse than a long line.
                need = Measurement.get(con, con.options, t).maximum
                con.print(t, width=max(need, width))
            elif isinstance(block, Note):
                con.print(Text(block.text, style="dim"))
    return buf.getvalue()
