"""`clientbase dedupe [--dry-run] [--yes]`, `dedupe review|merge|not-duplicate|undo|history`."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from clientbase.cli.common import SummaryFormatOpt, format_option, state
from clientbase.cli.output import Format, SummaryFormat, emit, emit_json, n, stdout_console
from clientbase.i18n import _, ngettext

# Services are imported inside the commands: they load SQLAlchemy (and phonenumbers, pandas),
# ~0.5 s that `clientbase --help` would pay too, as every command module is imported at start.

app = typer.Typer(invoke_without_command=True)

HISTORY_COLUMNS = ("id", "at", "survivor", "name", "merged", "score", "reason", "undone_at")


def _print_proposals(proposals, *, heading: str, review_hint: bool = False) -> None:
    con = stdout_console()
    if not proposals:
        return
    con.print(heading, style="bold", markup=False)
    for number, p in enumerate(proposals, 1):
        done = ", " + _("merge {id}").format(id=p.merge_id) if p.merge_id else ""
        keep = ", " + _("keeps {id}").format(id=p.survivor) if p.survivor else ""
        score = _("score {score}").format(score=f"{p.score:.2f}")
        con.print(f"{number}. {', '.join(map(str, p.ids))}  {score}{keep}{done}", markup=False)
        for i in p.ids:
            con.print(f"   {i:>8}  {p.names.get(i, '') or _('(no name)')}", markup=False)
        for e in p.edges:
            link = f"{e['a']}–{e['b']}: " if len(p.ids) > 2 else ""
            con.print(f"   {link}{'; '.join(e['reasons'])}", markup=False)
        if review_hint:
            ids = " ".join(map(str, p.ids))
            pair = p.edges[0] if p.edges else {"a": p.ids[0], "b": p.ids[1]}
            con.print(
                "   "
                + _(
                    "merge: clientbase dedupe merge {ids}   "
                    "not the same: clientbase dedupe not-duplicate {a} {b}"
                ).format(ids=ids, a=pair["a"], b=pair["b"]),
                markup=False,
                style="dim",
            )


def _interactive() -> bool:
    return sys.stdin.isatty()


def _summary(result, *, merged_now: bool) -> str:
    p = result.plan
    away = sum(len(x.ids) - 1 for x in p.auto)
    groups = ngettext("{n} group", "{n} groups", len(p.auto)).format(n=len(p.auto))
    people = ngettext("{n} customer", "{n} customers", away).format(n=away)
    if merged_now:
        head = _("merged {n} of {groups} ({customers} folded in)").format(
            n=result.merged, groups=groups, customers=people, total=len(p.auto), away=away
        )
    else:
        head = _("{groups} to merge at or above {threshold} ({customers} would go)").format(
            groups=groups,
            threshold=f"{p.threshold:.2f}",
            customers=people,
            total=len(p.auto),
            away=away,
        )
    checked = ngettext("{n} customer checked", "{n} customers checked", p.customers)
    review = ngettext(
        "{n} group below it for review", "{n} groups below it for review", len(p.review)
    )
    return f"{checked.format(n=p.customers)}: {head}; {review.format(n=len(p.review))}"


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
            help=(
                "Merge automatically at or above this match probability (0..1; default 0.8, "
                "or 0.9 on a base of under 500 customers, which is scored by fixed weights)."
            ),
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
    # services load SQLAlchemy and the tables: imported when the command runs, not for --help
    from clientbase.services.dedupe import RunResult, apply, plan

    st = state(ctx)
    msg = st.messages
    if not yes and not dry_run and not _interactive():
        msg.info(_("not a terminal and no --yes: a dry run, nothing is merged"))
        dry_run = True
    engine = st.engine()
    p = plan(engine, auto_above=auto_merge_above, area_code=area_code)
    result = RunResult(p, dry_run=True)
    if not dry_run:
        if not yes and p.auto:
            _print_proposals(
                p.auto,
                heading=_("To merge (score at or above {threshold}):").format(
                    threshold=f"{p.threshold:.2f}"
                ),
            )
            msg.info(_summary(result, merged_now=False))
            question = ngettext("Merge this {n} group?", "Merge these {n} groups?", len(p.auto))
            if not typer.confirm(question.format(n=len(p.auto)), err=True):
                msg.info(_("nothing changed"))
                raise typer.Exit(1)
        result = apply(engine, p)
        p = result.plan  # with the merge ids
    if fmt == SummaryFormat.json:
        emit_json(result.to_dict())
        return
    if st.quiet:
        return
    if result.dry_run:
        threshold = f"{p.threshold:.2f}"
        _print_proposals(
            p.auto,
            heading=_("Would merge (score at or above {threshold}):").format(threshold=threshold),
        )
        _print_proposals(
            p.review,
            heading=_("For review (below {threshold}):").format(threshold=threshold),
            review_hint=True,
        )
        msg.info(
            _("{summary}; dry run, nothing written").format(
                summary=_summary(result, merged_now=False)
            )
        )
        return
    if yes:
        _print_proposals(
            [x for x in p.auto if x.merge_id],
            heading=_("Merged (undo with: clientbase dedupe undo ID):"),
        )
    for x in result.skipped:
        msg.info(_("not merged, changed meanwhile: {ids}").format(ids=", ".join(map(str, x.ids))))
    msg.info(_summary(result, merged_now=True))
    if p.review:
        msg.info(_("see the groups below the threshold with: clientbase dedupe review"))


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
    # services load SQLAlchemy and the tables: imported when the command runs, not for --help
    from clientbase.services.dedupe import review

    st = state(ctx)
    proposals = review(st.engine())
    if fmt == SummaryFormat.json:
        emit_json([p.to_dict() for p in proposals])
        return
    if not proposals:
        st.messages.info(_("nothing waits for review (run: clientbase dedupe)"))
        return
    if list_only or not (_interactive() and sys.stdout.isatty()):
        heading = ngettext("{n} to review:", "{n} to review:", len(proposals))
        _print_proposals(proposals, heading=heading.format(n=len(proposals)), review_hint=True)
        return
    from clientbase.cli.review import ReviewSession  # rich's live console: only on a terminal

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
    # services load SQLAlchemy and the tables: imported when the command runs, not for --help
    from clientbase.services.dedupe import merge_ids

    r = merge_ids(state(ctx).engine(), ids, survivor=survivor, dry_run=dry_run)
    if fmt == SummaryFormat.json:
        emit_json(r.to_dict())
        return
    if dry_run:
        stdout_console().print(
            _("would merge {ids} into {survivor} (dry run: nothing changed)").format(
                ids=", ".join(map(str, r.merged)), survivor=r.survivor
            ),
            markup=False,
        )
        return
    stdout_console().print(
        _("merged {ids} into {survivor} (merge {id}; undo: clientbase dedupe undo {id})").format(
            ids=", ".join(map(str, r.merged)), survivor=r.survivor, id=r.merge_id
        ),
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
    # services load SQLAlchemy and the tables: imported when the command runs, not for --help
    from clientbase.services.dedupe import not_duplicate

    r = not_duplicate(state(ctx).engine(), a, b)
    if fmt == SummaryFormat.json:
        emit_json(r.to_dict())
        return
    if r.new:
        text = _("customers {a} and {b} are different people")
    else:
        text = _("customers {a} and {b} are different people (noted before)")
    stdout_console().print(text.format(a=r.a, b=r.b), markup=False)


@app.command("undo")
def undo_cmd(
    ctx: typer.Context,
    merge_id: Annotated[int, typer.Argument(metavar="MERGE_ID")],
    fmt: SummaryFormatOpt = SummaryFormat.table,
) -> None:
    """Undo a merge: the merged customers come back exactly as they were."""
    # services load SQLAlchemy and the tables: imported when the command runs, not for --help
    from clientbase.services.dedupe import undo

    st = state(ctx)
    r = undo(st.engine(), merge_id)
    if fmt == SummaryFormat.json:
        emit_json(r.to_dict())
        return
    stdout_console().print(
        ngettext(
            "merge {id} undone: customer {ids} back beside {survivor}",
            "merge {id} undone: customer {ids} back beside {survivor}",
            len(r.restored),
        ).format(id=merge_id, ids=", ".join(map(str, r.restored)), survivor=r.survivor),
        markup=False,
    )
    if r.kept_fields:
        st.messages.info(
            _("note: customer {id} keeps {fields} as changed after the merge").format(
                id=r.survivor, fields=", ".join(r.kept_fields)
            )
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
    # services load SQLAlchemy and the tables: imported when the command runs, not for --help
    from clientbase.services.dedupe import history

    rows = [h.to_dict() for h in history(state(ctx).engine(), limit=limit)]
    title = ngettext("{n} merge", "{n} merges", len(rows)).format(n=n(len(rows)))
    emit(rows, HISTORY_COLUMNS, fmt, title=title)
