"""`clientbase dedupe [--dry-run] [--yes]`, `dedupe review|merge|not-duplicate|undo|history`."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from clientbase.cli.common import SummaryFormatOpt, format_option, state
from clientbase.cli.output import Format, SummaryFormat, count, emit, emit_json, stdout_console

# Services are imported inside the commands: they load SQLAlchemy (and phonenumbers, pandas),
# ~0.5 s that `clientbase --help` would pay too, as every command module is imported at start.

app = typer.Typer(invoke_without_command=True)

HISTORY_COLUMNS = ("id", "at", "survivor", "name", "merged", "score", "reason", "undone_at")


def _print_proposals(proposals, *, heading: str, review_hint: bool = False) -> None:
    con = stdout_console()
    if not proposals:
        return
    con.print(heading, style="bold", markup=False)
    for n, p in enumerate(proposals, 1):
        done = f", merge {p.merge_id}" if p.merge_id else ""
        keep = f", keeps {p.survivor}" if p.survivor else ""
        con.print(
            f"{n}. {', '.join(map(str, p.ids))}  score {p.score:.2f}{keep}{done}", markup=False
        )
        for i in p.ids:
            con.print(f"   {i:>8}  {p.names.get(i, '') or '(no name)'}", markup=False)
        for e in p.edges:
            link = f"{e['a']}–{e['b']}: " if len(p.ids) > 2 else ""
            con.print(f"   {link}{'; '.join(e['reasons'])}", markup=False)
        if review_hint:
            ids = " ".join(map(str, p.ids))
            pair = p.edges[0] if p.edges else {"a": p.ids[0], "b": p.ids[1]}
            con.print(
                f"   merge: clientbase dedupe merge {ids}   "
                f"not the same: clientbase dedupe not-duplicate {pair['a']} {pair['b']}",
                markup=False,
                style="dim",
            )


def _interactive() -> bool:
    return sys.stdin.isatty()


def _summary(result, *, merged_now: bool) -> str:
    p = result.plan
    away = sum(len(x.ids) - 1 for x in p.auto)
    groups = f"{len(p.auto)} group{'s' if len(p.auto) != 1 else ''}"
    people = f"{away} customer{'s' if away != 1 else ''}"
    if merged_now:
        head = f"merged {result.merged} of {groups} ({people} folded in)"
    else:
        head = f"{groups} to merge at or above {p.threshold:.2f} ({people} would go)"
    return (
        f"{p.customers} customers checked: {head}; "
        f"{len(p.review)} group{'s' if len(p.review) != 1 else ''} below it for review"
    )


@app.callback(invoke_without_command=True)
def dedupe_cmd(
    ctx: typer.Context,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", "-n", help="Show what would be merged; change nothing.")
    ] = False,
    yes: Annotated[
        bool,
        typer.Option("--yes", help="Merge the groups at or above the threshold without asking."),
    ] = False,
    auto_merge_above: Annotated[
        float | None,
        typer.Option(
            "--threshold",
            "--auto-merge-above",
            metavar="P",
            min=0.0,
            max=1.0,
            help="Merge automatically at or above this match probability (0..1; default 0.9).",
        ),
    ] = None,
    area_code: Annotated[
        str | None,
        typer.Option(
            "--area-code",
            metavar="CODE",
            help="Complete local numbers stored without their area code before comparing "
            "(495 for Moscow; default: the config's area_code).",
        ),
    ] = None,
    fmt: SummaryFormatOpt = SummaryFormat.table,
) -> None:
    """Find customers who are in the base more than once; merge them, review, undo.

    Without a command: find duplicates in the whole base. Groups whose every link scores at or
    above the threshold are merged (with --yes, or after you confirm on a terminal); the rest
    wait for `dedupe review`. Without --yes and not on a terminal (cron, a pipe) it only shows
    what it would do, as --dry-run does. Every merge can be undone: `dedupe history`,
    `dedupe undo MERGE_ID`.
    """
    if ctx.invoked_subcommand is not None:
        return
    from clientbase.services.dedupe import RunResult, apply, plan

    st = state(ctx)
    msg = st.messages
    if not yes and not dry_run and not _interactive():
        msg.info("not a terminal and no --yes: a dry run, nothing is merged")
        dry_run = True
    engine = st.engine()
    p = plan(engine, auto_above=auto_merge_above, area_code=area_code)
    result = RunResult(p, dry_run=True)
    if not dry_run:
        if not yes and p.auto:
            _print_proposals(p.auto, heading=f"To merge (score at or above {p.threshold:.2f}):")
            msg.info(_summary(result, merged_now=False))
            if not typer.confirm(f"Merge these {len(p.auto)} groups?", err=True):
                msg.info("nothing changed")
                raise typer.Exit(1)
        result = apply(engine, p)
    if fmt == SummaryFormat.json:
        emit_json(result.as_dict())
        return
    if st.quiet:
        return
    if result.dry_run:
        _print_proposals(p.auto, heading=f"Would merge (score at or above {p.threshold:.2f}):")
        _print_proposals(
            p.review, heading=f"For review (below {p.threshold:.2f}):", review_hint=True
        )
        msg.info(_summary(result, merged_now=False) + "; dry run, nothing written")
        return
    if yes:
        _print_proposals(
            [x for x in p.auto if x.merge_id],
            heading="Merged (undo with: clientbase dedupe undo ID):",
        )
    for x in result.skipped:
        msg.info(f"not merged, changed meanwhile: {', '.join(map(str, x.ids))}")
    msg.info(_summary(result, merged_now=True))
    if p.review:
        msg.info("see the groups below the threshold with: clientbase dedupe review")


@app.command("review")
def review_cmd(
    ctx: typer.Context,
    fmt: SummaryFormatOpt = SummaryFormat.table,
    list_only: Annotated[
        bool, typer.Option("--list", help="Print the groups (as without a terminal); ask nothing.")
    ] = False,
) -> None:
    """Groups found earlier that wait for a decision: merge them or mark them not duplicates.

    On a terminal it shows one group at a time, the customers side by side with the evidence,
    and takes a key: m merge, n not the same, s skip, u undo the last decision, q quit. Every
    decision is saved at once, so quitting and coming back continues where you stopped.
    Without a terminal (or with --list) it prints the groups with the commands to decide them.
    """
    from clientbase.services.dedupe import review

    st = state(ctx)
    proposals = review(st.engine())
    if fmt == SummaryFormat.json:
        emit_json([p.as_dict() for p in proposals])
        return
    if not proposals:
        st.messages.info("nothing waits for review (run: clientbase dedupe)")
        return
    if list_only or not (_interactive() and sys.stdout.isatty()):
        _print_proposals(proposals, heading=f"{len(proposals)} to review:", review_hint=True)
        return
    from clientbase.cli.review import ReviewSession

    ReviewSession(st.engine(), proposals, stdout_console()).run()


@app.command("merge")
def merge_cmd(
    ctx: typer.Context,
    ids: Annotated[
        list[int], typer.Argument(metavar="ID", help="Customers to merge (two or more).")
    ],
    survivor: Annotated[
        int | None,
        typer.Option("--survivor", metavar="ID", help="Keep this one (default: the oldest)."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", "-n", help="Say what would be merged; change nothing.")
    ] = False,
    fmt: SummaryFormatOpt = SummaryFormat.table,
) -> None:
    """Merge customers into one by hand: every phone, email, order and note is kept."""
    from clientbase.services.dedupe import merge_ids

    r = merge_ids(state(ctx).engine(), ids, survivor=survivor, dry_run=dry_run)
    if fmt == SummaryFormat.json:
        emit_json(r)
        return
    if dry_run:
        stdout_console().print(
            f"would merge {', '.join(map(str, r['merged']))} into {r['survivor']} "
            "(dry run: nothing changed)",
            markup=False,
        )
        return
    stdout_console().print(
        f"merged {', '.join(map(str, r['merged']))} into {r['survivor']} (merge {r['merge_id']}; "
        f"undo: clientbase dedupe undo {r['merge_id']})",
        markup=False,
    )


@app.command("not-duplicate")
def not_duplicate_cmd(
    ctx: typer.Context,
    a: Annotated[int, typer.Argument(metavar="ID")],
    b: Annotated[int, typer.Argument(metavar="ID")],
    fmt: SummaryFormatOpt = SummaryFormat.table,
) -> None:
    """Remember that two customers are different people: the pair is never proposed again."""
    from clientbase.services.dedupe import not_duplicate

    r = not_duplicate(state(ctx).engine(), a, b)
    if fmt == SummaryFormat.json:
        emit_json(r)
        return
    stdout_console().print(
        f"customers {r['a']} and {r['b']} are different people"
        + ("" if r["new"] else " (noted before)"),
        markup=False,
    )


@app.command("undo")
def undo_cmd(
    ctx: typer.Context,
    merge_id: Annotated[int, typer.Argument(metavar="MERGE_ID")],
    fmt: SummaryFormatOpt = SummaryFormat.table,
) -> None:
    """Undo a merge: the merged customers come back exactly as they were."""
    from clientbase.services.dedupe import undo

    st = state(ctx)
    r = undo(st.engine(), merge_id)
    if fmt == SummaryFormat.json:
        emit_json(r)
        return
    stdout_console().print(
        f"merge {merge_id} undone: customer {', '.join(map(str, r['restored']))} "
        f"back beside {r['survivor']}",
        markup=False,
    )
    if r["kept_fields"]:
        st.messages.info(
            f"note: customer {r['survivor']} keeps {', '.join(r['kept_fields'])} "
            "as changed after the merge"
        )


@app.command("history")
def history_cmd(
    ctx: typer.Context,
    limit: Annotated[
        int | None, typer.Option("--limit", "-l", min=1, help="Only the latest N.")
    ] = None,
    fmt: Annotated[Format, format_option("table, json or csv")] = Format.table,
) -> None:
    """Merges, newest first: who was kept, who was merged in, why; undone ones say when."""
    from clientbase.services.dedupe import history

    rows = history(state(ctx).engine(), limit=limit)
    emit(rows, HISTORY_COLUMNS, fmt, title=count(len(rows), "merge"))
