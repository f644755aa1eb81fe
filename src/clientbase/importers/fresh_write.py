"""The writer's side of ``fresh.Fresh``: the rows of a chunk handed over as columns.

Those that meet a known customer are rebuilt into the chunk and matched like any row. The others
create a customer each, exactly as ``ContactWriter._create_alone`` would: the ids are handed out
in file order between the matched rows (customers and contact points alike, so the ids are
those a row-by-row import gives), and their rows for the database are built column by column at
C speed (``zip``, ``compress``, ``map``) instead of a Python frame per row.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import deque
from itertools import accumulate, chain, compress, repeat, starmap
from typing import NamedTuple

from clientbase.importers.fresh import Fresh


def fresh_alone(fresh: Fresh, known_keys) -> list[bool]:
    """Per row of ``fresh``: True when it meets none of the chunk's known customers."""
    alone = [True] * len(fresh)
    for e in fresh.meeting(known_keys):
        alone[e] = False
    return alone


# The columns of a contact point after its id and customer id, in the order of clean.Point's
# fields (as contacts._POINT_INSERT). The lane leaves out those none of its points fills (NULL,
# what they hold), seen in one C-level pass over each column rather than over its tuples.
_POINT_COLUMNS = ("kind", "value_raw", "value", "valid", "invalid_reason", "label", "extension")


class LaneRows(NamedTuple):
    """What a chunk's lane writes: its customers, its contact points and, for ``import_records``,
    the columns of its import rows."""

    customer_columns: tuple[str, ...]
    customers: list[tuple]
    point_columns: tuple[str, ...]
    points: list[tuple]
    consented: bool  # the points carry the consent columns (some row gives a consent)
    hashes: list[int]  # the keys the key index learns ...
    owners: list[int]  # ... and the customer of each
    records: tuple  # row number, raw, outcome, reason, customer id: a column each


class FreshLane:
    """A chunk's fresh rows while the writer goes through the chunk."""

    def __init__(self, fresh: Fresh, chunk: list, alone: list[bool]) -> None:
        self.fresh = fresh
        self.chunk = chunk
        self.alone = alone
        starts = list(accumulate(fresh.npoints, initial=0))
        for e in compress(range(len(fresh)), [not a for a in alone]):
            chunk[fresh.pos[e]] = fresh.row_at(e, starts[e])  # matched like any other row
        self.positions = list(compress(fresh.pos, alone))  # in the chunk, ascending
        self.npoints = list(compress(fresh.npoints, alone))
        self._pre = list(accumulate(self.npoints, initial=0))
        self._done = 0  # rows given their ids so far
        self._segments: list[tuple[int, int, int, int]] = []  # (from, to, first id, point id)

    def __len__(self) -> int:
        return len(self.positions)

    def advance(self, writer, upto: int) -> None:
        """Give ids to the fresh rows before chunk position ``upto``, as the writer's row loop
        would have on its way there (``writer``: the ContactWriter and its id counters)."""
        j = self._done
        k = bisect_left(self.positions, upto, j)
        if k > j:
            self._segments.append((j, k, writer._next_id, writer._next_point_id))
            writer._next_id += k - j
            writer._next_point_id += self._pre[k] - self._pre[j]
            self._done = k

    def rows(self, writer) -> LaneRows:
        """After the row loop, what the lane writes (see ``LaneRows``); counts the rows in
        ``writer.counts``. The columns one value fills for the whole import (status, batch,
        times, the consent of points when no row gives one) are the writer's to give as fixed
        values, not in these tuples."""
        self.advance(writer, 1 << 62)
        fresh, alone = self.fresh, self.alone
        whole = all(alone)
        cids = list(chain.from_iterable(range(c, c + b - a) for a, b, c, _p in self._segments))
        pids = list(chain.from_iterable(
            range(p, p + self._pre[b] - self._pre[a]) for a, b, _c, p in self._segments
        ))  # fmt: skip

        def rows_of(col):
            return col if whole else list(compress(col, alone))

        point_mask = None if whole else list(chain.from_iterable(map(repeat, alone, fresh.npoints)))

        def points_of(col):
            return col if point_mask is None else list(compress(col, point_mask))

        cols = tuple(fresh.cols)
        n = len(cids)
        customers = list(zip(cids, *[rows_of(fresh.cols[k]) for k in cols], strict=True))
        owner = list(chain.from_iterable(map(repeat, cids, self.npoints)))
        kind, value, valid = points_of(fresh.kind), points_of(fresh.value), points_of(fresh.valid)
        filled = [(name, col) for name, col in zip(_POINT_COLUMNS, (
            kind, points_of(fresh.value_raw), value, valid, points_of(fresh.why),
            points_of(fresh.label), points_of(fresh.extension)), strict=True)
            if any(col) or col.count(None) != len(col)]  # fmt: skip
        consent = rows_of(fresh.consent)
        consented = any(consent)
        if consented:
            now = writer._now_db
            per_point = list(chain.from_iterable(map(repeat, consent, self.npoints)))
            filled += [("consent", [c or "unknown" for c in per_point]),
                       ("consent_at", [now if c else None for c in per_point]),
                       ("consent_source", ["import" if c else None for c in per_point])]  # fmt: skip
        point_cols = ("id", "customer_id", *(name for name, _ in filled))
        points = list(zip(pids, owner, *(col for _, col in filled), strict=True))
        # The keys the key index learns, as _create_alone adds them: valid points by their
        # value, the name of a customer with no phone or e-mail, the client code.
        keyed = [ok and v is not None for ok, v in zip(valid, value, strict=True)]
        hashes = list(map(hash, compress(zip(kind, value, strict=True), keyed)))
        owners = list(compress(owner, keyed))
        unreachable = [not r for r in rows_of(fresh.reachable)]
        names = compress(zip(repeat("name"), rows_of(fresh.cols["display_name"])), unreachable)
        hashes += map(hash, names)
        owners += compress(cids, unreachable)
        codes = fresh.cols.get("external_id")
        if codes is not None:
            codes = rows_of(codes)
            hashes += map(hash, compress(zip(repeat("ext"), codes), codes))
            owners += compress(cids, codes)
        c = writer.counts
        c.created += n
        tally = rows_of(fresh.tally)
        if tally:
            phones, emails, birthdays = zip(*tally, strict=True)
            c.invalid_phones += sum(phones)
            c.invalid_emails += sum(emails)
            c.invalid_birthdays += sum(birthdays)
        rows = (rows_of(fresh.row), rows_of(fresh.raw), repeat("created"), rows_of(fresh.reason),
                cids)  # fmt: skip
        return LaneRows(("id", *cols), customers, point_cols, points, consented, hashes, owners,
                        rows)  # fmt: skip


ROW_COLUMNS = ("row_number", "raw", "outcome", "reason", "customer_id")


def import_records(row_results: list, lane: FreshLane | None, lane_rows, batch_id: int) -> tuple:
    """A chunk's rows for ``import_rows`` in chunk order, as (columns, tuples, fixed values):
    the row results (one per row of the chunk that is not a fresh row meeting nobody, in order)
    and the lane's rows (``lane_rows``: their columns from ``FreshLane.rows``). The batch, and
    the sheet when the whole chunk comes from one (always, from a CSV file), are fixed."""
    sheets = {cl.sheet for cl, _o, _r, _c in row_results}
    if lane is not None:
        sheets.add(lane.fresh.sheet)
    fixed: dict = {"import_id": batch_id}
    if len(sheets) == 1:
        fixed["sheet"] = sheets.pop()
        cols = ROW_COLUMNS
        out = [(cl.row, cl.raw_json, outcome, reason[:500] if reason else None, cid)
               for cl, outcome, reason, cid in row_results]  # fmt: skip
    else:
        cols = ("sheet", *ROW_COLUMNS)
        out = [(cl.sheet, cl.row, cl.raw_json, outcome, reason[:500] if reason else None, cid)
               for cl, outcome, reason, cid in row_results]  # fmt: skip
        if lane is not None:
            lane_rows = (repeat(lane.fresh.sheet), *lane_rows)
    if lane is None:
        return cols, out, fixed
    chunk = lane.chunk
    placed = [i for i, cl in enumerate(chunk) if cl is not None]
    rows: list = [None] * len(chunk)
    deque(starmap(rows.__setitem__, zip(placed, out, strict=True)), maxlen=0)  # at C speed
    lane_tuples = zip(*lane_rows, strict=False)  # the repeated columns are endless
    deque(map(rows.__setitem__, lane.positions, lane_tuples), maxlen=0)
    return cols, rows, fixed
