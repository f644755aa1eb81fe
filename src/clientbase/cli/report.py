"""`clientbase report`: the summary a person reads, on a schedule."""

from __future__ import annotations

import shutil
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from clientbase import i18n
from clientbase.cli.common import format_option, parse_day, state
from clientbase.cli.output import emit_table
from clientbase.i18n import _
from clientbase.reports.metrics import METRICS, meaning

# Services are imported inside the commands: they load SQLAlchemy (and phonenumbers, pandas),
# ~0.5 s that `clientbase --help` would pay too, as every command module is imported at start.

EXIT_ALERT = 4  # --fail-if held: the report was made, and the condition asks for attention


class ReportFormat(str, Enum):
    text = "text"
    md = "md"
    html = "html"
    json = "json"


def register(app: typer.Typer) -> None:
    app.command("report")(report_cmd)


def report_cmd(
    ctx: typer.Context,
    period: Annotated[
        str,
        typer.Option(
            "--period",
            help="30d (any Nd: the N days before today), week, month, quarter or year (the last "
            "complete one), each against the one before.",
        ),
    ] = "30d",
    fmt: Annotated[
        ReportFormat | None,
        format_option("Default: from --out's extension, else text."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", metavar="FILE", help="Write to FILE (.html .md .json .txt)."),
    ] = None,
    sections: Annotated[
        str | None,
        typer.Option(
            "--sections",
            metavar="LIST",
            help="Comma-separated: base, quality, sales, abcxyz, migrations, rfm, ltv, churn, "
            "segments, followups, calls (default: all).",
        ),
    ] = None,
    fail_if: Annotated[
        str | None,
        typer.Option(
            "--fail-if",
            metavar="EXPR",
            help='Exit 4 when it holds, e.g. "missed_calls_without_callback > 0" '
            "(metrics: see --metrics).",
        ),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", metavar="DATE", help="Make the report as on this day (default: today)."
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Replace --out's file even if clientbase did not write it (an earlier report "
            "of its own is replaced without it).",
        ),
    ] = False,
    list_metrics: Annotated[
        bool, typer.Option("--metrics", help="List the metrics --fail-if can use, and exit.")
    ] = False,
) -> None:
    """A report of the base, sales, ABC/XYZ, RFM, LTV, churn, segments and to-dos.

    Text for the terminal, Markdown for mail, JSON for scripts, or one HTML file with charts.
    All four carry the same figures.
    For cron: with -q and --out nothing is printed unless it fails.
    --fail-if makes it an alert: exit 4 when the condition holds."""
    st = state(ctx)
    if list_metrics:
        emit_table(
            [{"metric": k, "section": s, "meaning": meaning(k)} for k, (s, _d) in METRICS.items()],
            ("metric", "section", "meaning"),
        )
        return
    day = parse_day(as_of or None, "--as-of")
    # services load SQLAlchemy and the tables: imported when the command runs, not for --help.
    # The orders are asked for first: the database joins them while pandas and the report's
    # modules are imported.
    from clientbase.services.report_prefetch import start_reading_orders

    orders = start_reading_orders(st.engine())
    # pandas and the report's modules: while the database joins the orders
    from clientbase.services.report import check_target, format_for, make_report, write_report

    chosen = format_for(out, fmt.value if fmt else None)
    if out is not None:
        out = check_target(st.engine(), out, force=force)
    tty = out is None and sys.stdout.isatty()
    width = 120
    if tty:
        width = shutil.get_terminal_size((120, 40)).columns
    report = make_report(
        st.engine(),
        period=period,
        sections=sections,
        as_of=day,
        fmt=chosen,
        lang=i18n.language(),  # chosen before parsing: the global --lang, env, config, locale
        fail_if=fail_if,
        color=tty and chosen == "text",
        width=width,
        orders=orders,
    )
    for note in report.data.get("notes", []):
        st.messages.info(_("note: {note}").format(note=note))
    if out is None:
        sys.stdout.write(report.text)
    else:
        path = write_report(st.engine(), out, report.text)
        st.messages.info(_("report written to {path}").format(path=path))
    if report.alert is not None and report.alert.held:
        # Printed even under -q: it is the alert cron is meant to mail.
        print(f"clientbase: {report.alert.message()}", file=sys.stderr)
        raise typer.Exit(EXIT_ALERT)
