"""A chunk of the usual contact list cleaned a column at a time: what ``clean`` does a record
at a time, for a table whose columns are the usual ones (name, phone, e-mail, birthday, city,
source, note …, one column each) and for the rows of it that are the usual kind."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from clientbase.i18n import _
from clientbase.importers.clean_fields import (
    BIRTHDAYS,
    GENDER,
    SINGLE_FIELDS,
    SUMMARY_ROW,
    birthdays_as_of,
    contact_points,
    phone_answers,
    point_display,
    read_birthday,
)
from clientbase.importers.column_map import IGNORE, Mapping
from clientbase.importers.rawrow import cells_texts
from clientbase.normalize.emails import plain_addresses
from clientbase.normalize.phones import split_phones
from clientbase.normalize.plain_names import plain_person

# The fields a table's columns may map to for the column-at-a-time path (``_clean_table``):
# those of the usual contact list, each read from one column as it is.
TABLE_FIELDS = frozenset(
    {"full_name", "gender", "phone", "email", "birthday", "source", *SINGLE_FIELDS}
)


def table_plan(mapping: Mapping) -> dict[str, tuple[int, str | None]] | None:
    """{field: (column, label)} when every column read maps to one of ``TABLE_FIELDS``, no
    two to the same field, none with a label column and none but a phone or e-mail with a
    label (a labelled note is written "label: value"); None otherwise."""
    plan: dict[str, tuple[int, str | None]] = {}
    for i, c in mapping.columns.items():
        if c.field == IGNORE:
            continue
        if (
            c.field not in TABLE_FIELDS
            or c.field in plan
            or c.label_column is not None
            or (c.label is not None and c.field not in ("phone", "email"))
        ):
            return None
        plan[c.field] = (i, c.label)
    return plan


def clean_table(
    plan: dict[str, tuple[int, str | None]],
    mapping: Mapping,
    rows: list[tuple[int, list]],
    sheet: str | None,
    region: str,
    source: str | None,
    general: Callable[..., list[tuple]],
) -> list[tuple]:
    """``clean.clean_rows_packed`` of non-blank rows a column at a time, for a mapping of
    ``table_plan``: the rows of text cells as wide as the header, whose name is empty or plain
    (``plain_person``), are cleaned here without a record each (what ``clean._clean`` gives
    them, step for step); every other row (a name to parse, a rejected row, another width,
    typed cells) goes to ``general`` (the general path: ``general(mapping, rows, sheet, region,
    source)``). ``tests/test_clean_chunks.py`` holds both paths equal."""
    width = len(mapping.header)
    table = [i for i, (_n, cells) in enumerate(rows) if len(cells) == width and type(cells) is list]
    try:
        cols = [list(map(str.strip, col)) for col in zip(*[rows[i][1] for i in table], strict=True)]
    except TypeError:  # a cell that is not text (a workbook's number, date): as a record
        cols = []
    if not cols:
        return general(mapping, rows, sheet, region, source)
    raws = cells_texts(cols)
    # A column of few values (a city, a source, a comment): each value one string object, so
    # pickling the cleaned rows writes it once and the main process keeps one copy.
    for c, col in enumerate(cols):
        if len(set(col)) * 8 < len(col):
            same: dict[str, str] = {}
            cols[c] = [same.setdefault(v, v) for v in col]

    empty = [""] * len(table)

    def column(field: str) -> list[str]:
        return cols[plan[field][0]] if field in plan else empty

    phone_cells, email_cells = column("phone"), column("email")
    phone_label = plan["phone"][1] if "phone" in plan else None
    email_label = plan["email"][1] if "email" in plan else None
    single_fields = [f for f in SINGLE_FIELDS if f in plan]
    singles = zip(*[column(f) for f in single_fields], strict=True) if single_fields else empty
    split = {c: split_phones(c) for c in dict.fromkeys(phone_cells) if c}
    numbers, phones = phone_answers(split, region)
    mails = plain_addresses([c for c in email_cells if c]) if "email" in plan else {}
    # The usual cells, one valid number or one plain address: their points as contact_points makes
    # them, once per cell.
    usual_phones = {
        cell: ("phone", parts[0], number, True, None, phone_label, None, ("phone", number))
        for cell, parts in split.items()
        if len(parts) == 1 and (number := numbers.get(parts[0])) is not None
    }
    usual_mails = {
        cell: ("email", cell, address, True, None, email_label, None, ("email", address))
        for cell, address in mails.items()
    }
    today = date.today()  # a chunk is cleaned as of one day
    birthdays_as_of(today)  # the birthdays read so far hold for today: looked up directly
    birthday_of = BIRTHDAYS.get
    genders = column("gender") if "gender" in plan else None
    out: list = [None] * len(rows)
    for i, raw, full, phone, email, birthday, src, in_singles, k in zip(
        table, raws, column("full_name"), phone_cells, email_cells, column("birthday"),
        column("source"), singles, range(len(table)), strict=True,
    ):  # fmt: skip
        if full:
            plain = plain_person(full)
            if plain is None or SUMMARY_ROW.match(full):
                continue  # the general path
            o = {"kind": "person", "last_name": plain[0], "first_name": plain[1],
                 "middle_name": plain[2], "gender": plain[3], "display_name": plain[4]}  # fmt: skip
        else:
            o = {}
        if genders is not None and (g := genders[k]):
            g = GENDER.get(g.strip().lower().rstrip("."))
            if g:
                o["gender"] = g
        if in_singles:
            for f, v in zip(single_fields, in_singles, strict=True):
                if v:
                    o[f] = v
        if src := src or source:
            o["source"] = src
        notes: list[str] = []
        if birthday:
            b, problem = birthday_of(birthday) or read_birthday(birthday, today)
            if problem is not None:
                o["birthday_raw"] = birthday
                notes.append(
                    _("birthday {value} kept as text: {reason}").format(
                        value=repr(birthday), reason=problem
                    )
                )
            if b is not None:
                o["birth_year"], o["birth_month"], o["birth_day"] = b.year, b.month, b.day
        pp, pe = usual_phones.get(phone), usual_mails.get(email)
        if (pp is not None or not phone) and (pe is not None or not email):
            # never the same key
            points = (pp, pe) if pe is not None and pp is not None else (pp,) if pp is not None \
                else (pe,) if pe is not None else ()  # fmt: skip
            has_valid = bool(points)
        else:
            found, _seen, has_valid = contact_points(
                [(phone, phone_label)] if phone else (),
                [(email, email_label)] if email else (),
                region,
                phones,
                split,
                mails,
                notes,
                numbers,
            )
            points = tuple(found)
        if "kind" not in o:
            if not points:
                continue  # rejected: the general path words it
            o["kind"] = "person"
        if not o.get("display_name"):
            o["display_name"] = point_display(points)
        out[i] = (rows[i][0], sheet, raw, o, points, None, (), tuple(notes), has_valid, True,
                  None, (), None)  # fmt: skip
    rest = [i for i, t in enumerate(out) if t is None]
    if rest:
        done = general(mapping, [rows[i] for i in rest], sheet, region, source)
        for i, t in zip(rest, done, strict=True):
            out[i] = t
    return out
