"""Rows that share nothing within their chunk, handed over a column at a time.

Most rows of a big list are people seen once: no key of theirs (name, client code, phones and
emails, as typed or normalised) is held by any other row of the chunk. Unless a customer the
chunk meets holds one of them (which only the main process can tell), such a row creates a
customer that nothing else touches, whatever the matching rules say. The cleaning worker finds
these rows and hands them over as columns (``Fresh``) instead of a tuple per row: the main process
then checks their keys against the customers the chunk meets with C-level set look-ups, and
writes the rows that meet nobody without a Python object per row. A row that does meet someone
is rebuilt (``Fresh.row``) exactly as the worker cleaned it and goes through matching.

Light on purpose: a cleaning worker imports this module and nothing of the database layer.
"""

from __future__ import annotations

from itertools import accumulate, chain, compress, repeat
from operator import itemgetter

import numpy as np

from clientbase.importers.clean import Clean, Point
from clientbase.importers.sameperson import full_name

# Columns of `customers` an import manages (the fields a cleaned row may carry).
CUSTOMER_COLUMNS = (
    "kind", "display_name", "last_name", "first_name", "middle_name", "gender",
    "birth_year", "birth_month", "birth_day", "birthday_raw", "company", "position", "city",
    "address", "postcode", "source", "manager", "external_id", "note",
)  # fmt: skip
_KNOWN_FIELDS = frozenset(CUSTOMER_COLUMNS)
_WIDTH = len(Clean._fields)
(_ROW, _RAW, _FIELDS, _POINTS, _CONSENT, _TAGS, _NOTES, _VALID_KEY, _TRUST, _CALL, _CHANNELS,
 _GROUP) = (Clean._fields.index(n) for n in (
    "row", "raw_json", "fields", "points", "consent", "tags", "notes", "has_valid_key",
    "trust_name", "call", "channel_consents", "group"))  # fmt: skip


def fits(row: tuple) -> bool:
    """A cleaned customer row (plain tuple) the columns can carry whole: no tags, call, group or
    per-channel consent (what those write needs the general path), fields all customer columns."""
    return (
        len(row) == _WIDTH
        and not row[_TAGS]
        and not row[_CHANNELS]
        and row[_CALL] is None
        and row[_GROUP] is None
        and row[_TRUST] is True
        and _KNOWN_FIELDS.issuperset(row[_FIELDS])
    )


def _per_row(flags: list[bool], starts: list[int]) -> list[int]:
    """How many of each row's contact points have the flag (``starts``: each row's first point,
    then the end)."""
    totals = np.concatenate(([0], np.cumsum(np.array(flags, dtype=np.int64))))
    at = np.array(starts)
    return (totals[at[1:]] - totals[at[:-1]]).tolist()


class Fresh:
    """The rows of a chunk that share no key within it, as columns (one entry per row, or per
    contact point for the point columns, rows in chunk order)."""

    __slots__ = (
        "cols",
        "consent",
        "extension",
        "keyval",
        "kind",
        "label",
        "namesakes",
        "notes",
        "npoints",
        "pos",
        "raw",
        "reachable",
        "reason",
        "row",
        "sheet",
        "sig",
        "sigs",
        "tally",
        "valid",
        "valid_key",
        "value",
        "value_raw",
        "why",
    )  # fmt: skip

    def __init__(self, sheet: str | None) -> None:
        self.sheet = sheet
        self.pos: list[int] = []  # the row's position in the chunk
        self.row: list[int] = []  # its row number in the file
        self.raw: list[str] = []
        self.sig: list[int] = []  # which of ``sigs`` names its fields, in their order
        self.sigs: list[tuple[str, ...]] = []
        self.cols: dict[str, list] = {}  # customer column -> value per row (None: not filled)
        self.consent: list = []
        self.notes: list[tuple] = []
        self.reason: list = []  # the import row's reason: the notes joined, at most 500 chars
        self.valid_key: list[bool] = []
        self.reachable: list[bool] = []  # has a phone or email known by its value
        self.tally: list[tuple[int, int, int]] = []  # invalid phones, emails, birthday as text
        self.npoints: list[int] = []
        # Contact points, in row order: the fields of clean.Point, its key's value in keyval.
        self.kind: list[str] = []
        self.value_raw: list[str] = []
        self.value: list = []
        self.valid: list[bool] = []
        self.why: list = []
        self.label: list = []
        self.extension: list = []
        self.keyval: list[str] = []
        # Names of rows that may join a namesake in the base (see candidates.namesakes).
        self.namesakes: list[str] = []

    def __len__(self) -> int:
        return len(self.pos)

    @classmethod
    def of(cls, rows: list, chosen: list[int], sheet: str | None) -> Fresh:
        """The chosen rows (positions of plain cleaned tuples that ``fit``) as columns, taken
        apart a field at a time (``zip``, ``map``) rather than a row at a time."""
        out = cls(sheet)
        if not chosen:
            return out
        picked = [rows[i] for i in chosen]
        by_field = list(zip(*picked, strict=True))
        fields = by_field[_FIELDS]
        points = by_field[_POINTS]
        notes = by_field[_NOTES]
        valid_key = by_field[_VALID_KEY]
        out.pos = chosen
        out.row = list(by_field[_ROW])
        out.raw = list(by_field[_RAW])
        out.consent = list(by_field[_CONSENT])
        out.notes = list(notes)
        out.valid_key = list(valid_key)
        sig_ids: dict[tuple, int] = {}
        out.sig = [sig_ids.setdefault(sig, len(sig_ids)) for sig in map(tuple, fields)]
        out.sigs = list(sig_ids)
        filled = set().union(*out.sigs)
        out.cols = {
            k: list(map(dict.get, fields, repeat(k))) for k in CUSTOMER_COLUMNS if k in filled
        }
        reason = [None] * len(chosen)
        for e in compress(range(len(chosen)), notes):  # the few rows with notes
            text = "; ".join(notes[e])
            reason[e] = text[:500] if text else None
        out.reason = reason
        out.npoints = list(map(len, points))
        flat = list(chain.from_iterable(points))
        if flat:
            (kind, out.value_raw, value, valid, out.why, out.label, out.extension,
             keys) = map(list, zip(*flat, strict=True))  # fmt: skip
            out.kind, out.value, out.valid = kind, value, valid
            out.keyval = list(map(itemgetter(1), keys))
        # Per row: invalid phones and e-mails, a birthday kept as text, whether a phone or an
        # e-mail finds it by its value (contacts._reachable_by_contact): counted per contact
        # point, summed per row from running totals.
        starts = list(accumulate(out.npoints, initial=0))
        kind, valid, keyval = out.kind, out.valid, out.keyval
        phone = [k == "phone" for k in kind]
        email = [k == "email" for k in kind]
        bad_phones = _per_row([p and not v for p, v in zip(phone, valid, strict=True)], starts)
        bad_emails = _per_row([m and not v for m, v in zip(email, valid, strict=True)], starts)
        by_value = [
            (p or m) and not v.startswith("raw:")
            for p, m, v in zip(phone, email, keyval, strict=True)
        ]
        out.reachable = [n > 0 for n in _per_row(by_value, starts)]
        birthdays = ["birthday_raw" in f for f in fields]
        out.tally = list(zip(bad_phones, bad_emails, birthdays, strict=True))
        # Rows with no valid key, a full name and no phone or e-mail (see candidates.namesakes).
        out.namesakes = [
            fields[e]["display_name"]
            for e in compress(range(len(chosen)), [not v for v in valid_key])
            if fields[e].get("display_name")
            and full_name(fields[e])
            and not any(k in ("phone", "email") for k in out.kind[starts[e] : starts[e + 1]])
        ]
        return out

    # -- in the main process ------------------------------------------------------------------
    def meeting(self, known_keys) -> list[int]:
        """Rows (indexes into the columns) one of whose keys a customer the chunk meets holds:
        its name, client code, or a contact point as typed or normalised (``known_keys``: the
        chunk's index of known customers, keyed like rowkeys.alone_keys)."""
        if not known_keys or not self.pos:
            return []
        hit = set()
        names = self.cols["display_name"]
        hit.update(
            compress(range(len(names)), map(known_keys.__contains__, zip(repeat("name"), names)))
        )
        codes = self.cols.get("external_id")
        if codes is not None:
            hit.update(
                e for e, v in enumerate(codes) if v and ("ext", v) in known_keys
            )  # fmt: skip
        if self.kind:
            point_hits = list(
                map(known_keys.__contains__, zip(self.kind, self.keyval, strict=True))
            )
            if any(point_hits):
                owner = self.owners()
                hit.update(compress(owner, point_hits))
        return sorted(hit)

    def owners(self) -> list[int]:
        """The row (index into the columns) of each contact point."""
        return [e for e, n in enumerate(self.npoints) for _ in range(n)]

    def point_starts(self) -> list[int]:
        """Index of each row's first contact point in the point columns."""
        starts, at = [], 0
        for n in self.npoints:
            starts.append(at)
            at += n
        return starts

    def row_at(self, e: int, start: int) -> Clean:
        """Row ``e`` as the cleaning made it (``start``: its first contact point)."""
        cols = self.cols
        fields = {k: cols[k][e] for k in self.sigs[self.sig[e]]}
        points = tuple(
            Point(self.kind[j], self.value_raw[j], self.value[j], self.valid[j], self.why[j],
                  self.label[j], self.extension[j], (self.kind[j], self.keyval[j]))
            for j in range(start, start + self.npoints[e])
        )  # fmt: skip
        return Clean(self.row[e], self.sheet, self.raw[e], fields, points, self.consent[e], (),
                     self.notes[e], self.valid_key[e])  # fmt: skip
