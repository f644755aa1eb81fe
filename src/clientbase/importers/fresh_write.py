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
from itertools import accumulate, chain, compress, repeat

from clientbase.importers.fresh import Fresh


def fresh_alone(fresh: Fresh, known_keys) -> list[bool]:
    """Per row of ``fresh``: True when it meets none of the chunk's known customers."""
    alone = [True] * len(fresh)
    for e in fresh.meeting(known_keys):
        alone[e] = False
    return alone


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

    def rows(self, writer, batch_id: int, now) -> tuple:
        """After the row loop: (customer columns, customer rows, contact point rows as
        contacts._POINT_INSERT, their key hashes and owners for the key index, import row
        tuples by chunk position); counts the rows in ``writer.counts``."""
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
        customers = list(zip(cids, *[rows_of(fresh.cols[k]) for k in cols],
                             repeat("active", n), repeat(batch_id, n), repeat(now, n),
                             repeat(now, n), strict=True))  # fmt: skip
        owner = list(chain.from_iterable(map(repeat, cids, self.npoints)))
        kind, value, valid = points_of(fresh.kind), points_of(fresh.value), points_of(fresh.valid)
        consent = rows_of(fresh.consent)
        m = len(pids)
        if any(consent):
            per_point = list(chain.from_iterable(map(repeat, consent, self.npoints)))
            tail = ([c or "unknown" for c in per_point], [now if c else None for c in per_point],
                    ["import" if c else None for c in per_point])  # fmt: skip
        else:
            tail = (repeat("unknown", m), repeat(None, m), repeat(None, m))
        points = list(zip(pids, owner, kind, points_of(fresh.value_raw), value, valid,
                          points_of(fresh.why), points_of(fresh.label),
                          points_of(fresh.extension), *tail, repeat(batch_id, m),
                          repeat(now, m), strict=True))  # fmt: skip
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
        sheet = fresh.sheet
        rows = zip(repeat(batch_id), repeat(sheet), rows_of(fresh.row), rows_of(fresh.raw),
                   repeat("created"), rows_of(fresh.reason), cids)  # fmt: skip
        return ("id", *cols), customers, points, hashes, owners, rows


def fresh_import_rows(lane: FreshLane, row_results: list, fresh_rows, batch_id: int) -> list:
    """The chunk's import rows in chunk order: the matched rows' results (one per row of the
    chunk that is not a fresh row meeting nobody, in order) and the fresh rows'."""
    chunk = lane.chunk
    out: list = [None] * len(chunk)
    placed = [i for i, cl in enumerate(chunk) if cl is not None]
    for i, (cl, outcome, reason, cid) in zip(placed, row_results, strict=True):
        out[i] = (batch_id, cl.sheet, cl.row, cl.raw_json, outcome,
                  reason[:500] if reason else None, cid)  # fmt: skip
    deque(map(out.__setitem__, lane.positions, fresh_rows), maxlen=0)  # at C speed
    return out
