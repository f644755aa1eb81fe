"""The interactive `dedupe review`: one group at a time, the customers side by side, a key.

Every decision goes to the database at once (a merge, a "not the same" mark), so a session
can stop at any group and the next one starts with what is still pending. "Undo" takes back
the last decision of this session: a merge is undone exactly (`dedupe undo`), a mark removed.
"""

from __future__ import annotations

from dataclasses import dataclass

import typer
from rich.console import Console
from rich.table import Table

from clientbase.errors import ClientbaseError
from clientbase.i18n import N_, _

KEYS = N_("[m] merge  [n] not the same  [s] skip  [u] undo last  [q] quit")
# The rows of the side-by-side table: the field people_details gives, and its label.
FIELDS = (
    ("name", N_("name")), ("phones", N_("phones")), ("emails", N_("emails")),
    ("birthday", N_("birthday")), ("city", N_("city")), ("company", N_("company")),
    ("address", N_("address")), ("client code", N_("client code")),
)  # fmt: skip


@dataclass
class Decision:
    kind: str  # "merge" or "not"
    index: int  # the group it was made on
    merge_id: int | None = None
    pairs: tuple[tuple[int, int], ...] = ()


class ReviewSession:
    def __init__(self, engine, proposals, console: Console) -> None:
        self.engine = engine
        self.proposals = proposals
        self.con = console
        self.done: list[Decision] = []

    def show(self, i: int) -> None:
        # services load SQLAlchemy and the tables: imported when the command runs, not for --help
        from clientbase.services.dedupe import people_details

        p = self.proposals[i]
        decided = sum(1 for _ in self.done)
        self.con.print(
            "\n"
            + _(
                "group {n} of {total} ({decided} decided this session)  match probability {score}"
            ).format(n=i + 1, total=len(self.proposals), decided=decided, score=f"{p.score:.2f}"),
            style="bold",
            markup=False,
            highlight=False,
        )
        details = people_details(self.engine, p.ids)
        table = Table(show_header=True, header_style="bold")
        table.add_column("")
        for cid in p.ids:
            table.add_column(f"#{cid}" + (_(" (kept)") if cid == p.survivor else ""))
        for field, label in FIELDS:
            values = [details.get(cid, {}).get(field, "") for cid in p.ids]
            if any(values):
                table.add_row(_(label), *values)
        self.con.print(table)
        for e in p.edges:
            link = f"{e['a']}–{e['b']} ({e['score']:.2f}): " if len(p.ids) > 2 else ""
            self.con.print(f"  {link}{'; '.join(e['reasons'])}", markup=False, highlight=False)
        self.con.print(_(KEYS), style="dim", markup=False, highlight=False)

    def key(self) -> str:
        while True:
            c = typer.getchar().lower()
            if c in "mnsuq" and c:
                return c
            if c in ("\x03", "\x04"):  # Ctrl-C, Ctrl-D
                return "q"

    def run(self) -> None:
        # services load SQLAlchemy and the tables: imported when the command runs, not for --help
        from clientbase.services.dedupe import (
            forget_not_duplicate,
            merge_ids,
            not_duplicate,
            undo,
        )

        i = 0
        while True:
            if i >= len(self.proposals):
                # The end of the list: one more chance to take the last decision back.
                if not self.done:
                    break
                self.con.print(
                    _("end of the list: [u] undo last, any other key to finish"),
                    style="dim", markup=False, highlight=False,
                )  # fmt: skip
                if typer.getchar().lower() != "u":
                    break
                k = "u"
            else:
                self.show(i)
                k = self.key()
            p = self.proposals[min(i, len(self.proposals) - 1)]
            try:
                if k == "q":
                    break
                if k == "s":
                    self.con.print(_("skipped"), markup=False, highlight=False)
                    i += 1
                elif k == "m":
                    r = merge_ids(self.engine, p.ids, survivor=p.survivor)
                    self.done.append(Decision("merge", i, merge_id=r.merge_id))
                    self.con.print(
                        _("merged into {survivor} (merge {id})").format(
                            survivor=r.survivor, id=r.merge_id
                        ),
                        markup=False,
                        highlight=False,
                    )
                    i += 1
                elif k == "n":
                    pairs = tuple((e["a"], e["b"]) for e in p.edges) or ((p.ids[0], p.ids[1]),)
                    for a, b in pairs:
                        not_duplicate(self.engine, a, b)
                    self.done.append(Decision("not", i, pairs=pairs))
                    self.con.print(_("marked: not the same"), markup=False, highlight=False)
                    i += 1
                elif k == "u":
                    if not self.done:
                        self.con.print(
                            _("nothing to undo in this session"), markup=False, highlight=False
                        )
                        continue
                    d = self.done.pop()
                    if d.kind == "merge" and d.merge_id is not None:
                        undo(self.engine, d.merge_id)
                        self.con.print(
                            _("merge {id} undone").format(id=d.merge_id),
                            markup=False,
                            highlight=False,
                        )
                    else:
                        for a, b in d.pairs:
                            forget_not_duplicate(self.engine, a, b)
                        self.con.print(_("mark taken back"), markup=False, highlight=False)
                    i = d.index
            except ClientbaseError as exc:
                # A group changed meanwhile (merged elsewhere, erased): say so, go on.
                self.con.print(
                    _("not done: {error}").format(error=exc), markup=False, highlight=False
                )
                i += 1
        left = len(self.proposals) - len(self.done)
        merged = sum(d.kind == "merge" for d in self.done)
        self.con.print(
            _("{n} decided ({merged} merged); {left} still wait for review").format(
                n=len(self.done), merged=merged, left=left
            ),
            markup=False,
            highlight=False,
        )
