"""Segments: who matches a filter, saved filters with their sizes over time, lifecycle settings
and tags given in bulk (birthdays and customers to win back are in :mod:`.outreach`).

Who is in a segment: customers in the base (not merged away, not erased) that the expression
matches. Archived customers (they asked not to be contacted) are left out, unless the expression
itself mentions ``status`` (``status = 'archived'`` lists them; ``status != 'x'`` includes them).
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import (
    Connection,
    Engine,
    FromClause,
    Table,
    and_,
    case,
    delete,
    func,
    insert,
    select,
    update,
)

from clientbase.db.bulk import insert_rows
from clientbase.db.engine import write_transaction
from clientbase.db.models import (
    customer_tags,
    customers,
    metric_snapshots,
    segments,
    settings,
    tags,
)
from clientbase.errors import NotFoundError, UsageError
from clientbase.i18n import _
from clientbase.importers.settings import OWN_NUMBERS, OWN_NUMBERS_MEANING, parse_own_numbers
from clientbase.segments.cache import Facts, facts, with_own_spellings
from clientbase.segments.facts import GONE, narrowing
from clientbase.segments.filter import FilterError, parse
from clientbase.segments.filter_sql import to_sql
from clientbase.segments.lifecycle import (
    DEFAULTS,
    SETTINGS,
    LifecycleSettings,
    parse_setting,
    settings_from,
)
from clientbase.segments.tree import Node, fields_used
from clientbase.services.config import lifecycle_defaults
from clientbase.services.dry_run import changes
from clientbase.services.results import Result

SNAPSHOT_KIND = "segments"
NAME_MAX = 100
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


# --- what the functions return -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Setting(Result):
    """A lifecycle / reactivation setting: its value now, its default, whether the base sets it."""

    key: str
    value: object
    default: object
    set: bool
    meaning: str


@dataclass(frozen=True, slots=True)
class SettingChange(Result):
    """A setting stored (``was_set`` only when it was taken back to its default)."""

    OMIT_IF_NONE = ("was_set",)

    key: str
    value: object
    was_set: bool | None = None


@dataclass(frozen=True, slots=True)
class SavedSegment(Result):
    """A segment just saved, with its size now; ``replaced`` when it changed an earlier one."""

    name: str
    expression: str
    description: str | None
    size: int
    replaced: bool


@dataclass(frozen=True, slots=True)
class Segment(Result):
    """A saved segment as stored: the size and time of its last count."""

    name: str
    expression: str
    description: str | None
    last_size: int | None
    last_run_at: str | None
    created_at: str


@dataclass(frozen=True, slots=True)
class SegmentSize(Result):
    """A saved segment counted now, against its previous count (``error`` when its stored
    expression no longer parses; its size is then None)."""

    OMIT_IF_NONE = ("error",)

    name: str
    expression: str
    description: str | None
    created_at: str
    size: int | None
    previous_size: int | None
    change: int | None
    previous_run_at: str | None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class TagChange(Result):
    """A tag given (``added``) or taken away (``removed``) in bulk."""

    OMIT_IF_NONE = ("added", "removed")

    tag: str
    matched: int
    added: int | None = None
    removed: int | None = None
    unchanged: int = 0
    dry_run: bool = False


# --- settings ------------------------------------------------------------------------------------


def load_settings(conn: Connection) -> LifecycleSettings:
    """The lifecycle settings as stored (defaults for what was never set)."""
    stored = dict(conn.execute(select(settings.c.key, settings.c.value)).all())
    # The user's config file gives the defaults; what the base stores wins.
    return settings_from({**lifecycle_defaults(), **stored})


def list_settings(engine: Engine) -> list[Setting]:
    with engine.connect() as conn:
        stored = dict(conn.execute(select(settings.c.key, settings.c.value)).all())
    current = settings_from({**lifecycle_defaults(), **stored})
    return [
        Setting(key=k, value=getattr(current, k), default=getattr(DEFAULTS, k),
                set=k in stored, meaning=_(meaning))
        for k, (_kind, _lo, _hi, meaning) in SETTINGS.items()
    ] + [
        Setting(key=OWN_NUMBERS, value=stored.get(OWN_NUMBERS, ""), default="",
                set=OWN_NUMBERS in stored, meaning=_(OWN_NUMBERS_MEANING))
    ]  # fmt: skip


def set_setting(engine: Engine, key: str, value: str, *, dry_run: bool = False) -> SettingChange:
    """Store one setting; the value and the settings as a whole (sleeping before lost) are
    checked first, so a bad value never reaches the table."""
    if key == OWN_NUMBERS:
        parsed = ", ".join(parse_own_numbers(value))
    else:
        parsed = parse_setting(key, value)
    with changes(engine, dry_run=dry_run) as conn:
        stored = dict(conn.execute(select(settings.c.key, settings.c.value)).all())
        stored[key] = str(parsed)
        settings_from(
            {**lifecycle_defaults(), **stored}
        )  # raises UsageError when the whole would not hold
        now = datetime.now()
        if conn.execute(select(settings.c.key).where(settings.c.key == key)).first():
            conn.execute(
                update(settings)
                .where(settings.c.key == key)
                .values(value=str(parsed), updated_at=now)
            )
        else:
            conn.execute(insert(settings).values(key=key, value=str(parsed), updated_at=now))
    return SettingChange(key=key, value=parsed)


def unset_setting(engine: Engine, key: str) -> SettingChange:
    """Back to the default; unknown keys are an error (a typo should not pass silently)."""
    if key not in SETTINGS and key != OWN_NUMBERS:
        raise UsageError(
            _("unknown setting {key!r}").format(key=key),
            hint=_("one of: {settings}").format(settings=", ".join(SETTINGS)),
        )
    with write_transaction(engine) as conn:
        stored = dict(conn.execute(select(settings.c.key, settings.c.value)).all())
        stored.pop(key, None)
        settings_from(stored)
        n = conn.execute(delete(settings).where(settings.c.key == key)).rowcount
    default = "" if key == OWN_NUMBERS else getattr(DEFAULTS, key)
    return SettingChange(key=key, value=default, was_set=bool(n))


# --- matching ------------------------------------------------------------------------------------


def _stored_segment(conn: Connection, name: str):
    row = conn.execute(select(segments).where(segments.c.name == name)).first()
    if row is None:
        names = conn.execute(select(segments.c.name).order_by(segments.c.name)).scalars().all()
        hint = (
            _("saved segments: {names}").format(names=", ".join(names))
            if names
            else _("none saved yet: clientbase segment create NAME --where EXPR")
        )
        raise NotFoundError(_("there is no segment {name!r}").format(name=name), hint=hint)
    return row


def _parse_stored(name: str, text: str) -> Node:
    try:
        return parse(text)
    except FilterError as exc:
        raise UsageError(
            _("segment {name!r}: {message}").format(name=name, message=exc.message),
            hint=_("save it again: clientbase segment create {name} --where EXPR --replace").format(
                name=name
            ),
        ) from None


def _expression(conn: Connection, where: str | None, segment: str | None) -> Node:
    if (where is None) == (segment is None):
        raise UsageError(_("give either --where EXPR or --segment NAME"))
    if where is not None:
        return parse(where)
    row = _stored_segment(conn, segment)
    return _parse_stored(row.name, row.expression)


def condition(node: Node, f: Facts | FromClause, as_of: date):
    """The SQL condition of a node on the facts (segments.cache, or a table of FACTS columns),
    archived customers left out unless the expression mentions ``status``."""
    if not isinstance(f, Facts):
        f = Facts(f)
    cond = to_sql(node, f.table, as_of=as_of, spellings=f.spellings)
    if "status" not in fields_used(node):
        cond = and_(f.table.c.status != "archived", cond)
    return cond


def matching_ids(
    engine: Engine,
    *,
    where: str | None = None,
    segment: str | None = None,
    as_of: date | None = None,
) -> list[int]:
    """Ids (ascending) of the customers an expression or a saved segment matches today (or on
    ``as_of``). Exactly one of ``where`` / ``segment``."""
    with engine.connect() as conn, _matching(conn, where, segment, as_of) as q:
        # The driver's rows: a row object per id costs more than the query on a million.
        result = conn.execute(q.order_by(q.selected_columns[0]))
        try:
            return [r[0] for r in result.cursor.fetchall()]
        finally:
            result.close()


def count_matching(engine: Engine, wheres: list[str], *, as_of: date | None = None) -> list[int]:
    """How many customers each expression matches today (or on ``as_of``): what
    ``len(matching_ids(where=...))`` gives, all counted by one statement over the facts the
    expressions read (a report's counts pay for one pass over the base, not one each)."""
    day = as_of or date.today()
    nodes = [parse(w) for w in wheres]
    if not nodes:
        return []
    fields = set().union(*(fields_used(n) for n in nodes)) | {"status"}
    with engine.connect() as conn:
        lc = load_settings(conn)
        with facts(conn, fields=fields, as_of=day, settings=lc, once=True) as f:
            for node in nodes:
                f = with_own_spellings(conn, f, node)
            t = f.table
            # A sum of 0/1 per expression: the FILTER clause asks SQLite 3.30 at least.
            counts = [func.coalesce(func.sum(case((condition(n, f, day), 1), else_=0)), 0)
                      for n in nodes]  # fmt: skip
            row = conn.execute(select(*counts).select_from(t)).one()
    return [int(v) for v in row]


def insert_matching(
    conn: Connection,
    table: Table,
    *,
    where: str | None = None,
    segment: str | None = None,
    as_of: date | None = None,
) -> None:
    """Put the ids ``matching_ids`` gives into ``table`` (one integer column) with one
    ``INSERT … SELECT`` on ``conn``: a million ids never pass through Python. May commit
    ``conn`` (a day of facts kept, see segments.cache): create ``table`` afterwards or as a
    temporary table."""
    with _matching(conn, where, segment, as_of) as q:
        conn.execute(insert(table).from_select([table.c[0].name], q))


@contextmanager
def _matching(conn: Connection, where: str | None, segment: str | None, as_of: date | None):
    """A SELECT of the ids of the customers the expression matches, valid inside."""
    day = as_of or date.today()
    node = _expression(conn, where, segment)
    lc = load_settings(conn)
    fields = fields_used(node) | {"status"}
    with facts(conn, fields=fields, as_of=day, settings=lc, narrow=narrowing(node)) as f:
        f = with_own_spellings(conn, f, node)
        yield select(f.table.c.id).where(condition(node, f, day))


# --- saved segments ------------------------------------------------------------------------------


def _check_name(name: str) -> str:
    n = (name or "").strip()
    if not n or len(n) > NAME_MAX or _CONTROL.search(n) or n.startswith("-"):
        raise UsageError(
            _("segment name {name!r}: 1 to {name_max} characters, not starting with -").format(
                name=name, name_max=NAME_MAX
            ),
            hint=_("e.g. sleeping-kazan or 'Спящие Казань'"),
        )
    return n


def create_segment(
    engine: Engine,
    name: str,
    where: str,
    *,
    description: str | None = None,
    replace: bool = False,
    as_of: date | None = None,
) -> SavedSegment:
    """Save a filter under a name (checked first) and count it; the count is the size the next
    `segment list` compares with."""
    name = _check_name(name)
    parse(where)
    with engine.connect() as conn:
        exists = conn.execute(select(segments.c.id).where(segments.c.name == name)).first()
    if exists and not replace:
        raise UsageError(
            _("there is already a segment {name!r}").format(name=name),
            hint=_("add --replace to change it, or: clientbase segment delete NAME"),
        )
    size = len(matching_ids(engine, where=where, as_of=as_of))
    now = datetime.now()
    values = {"expression": where, "description": description, "last_size": size,
              "last_run_at": now}  # fmt: skip
    with write_transaction(engine) as conn:
        if exists:
            conn.execute(update(segments).where(segments.c.name == name).values(**values))
        else:
            conn.execute(insert(segments).values(name=name, created_at=now, **values))
    return SavedSegment(name=name, expression=where, description=description, size=size,
                        replaced=bool(exists))  # fmt: skip


def get_segment(engine: Engine, name: str) -> Segment:
    with engine.connect() as conn:
        r = _stored_segment(conn, name)
    return Segment(
        name=r.name,
        expression=r.expression,
        description=r.description,
        last_size=r.last_size,
        last_run_at=_seconds(r.last_run_at),
        created_at=_seconds(r.created_at),
    )


def _seconds(at: datetime | None) -> str | None:
    return at.isoformat(sep=" ", timespec="seconds") if at else None


def delete_segment(engine: Engine, name: str) -> None:
    with write_transaction(engine) as conn:
        _stored_segment(conn, name)
        conn.execute(delete(segments).where(segments.c.name == name))


def list_segments(
    engine: Engine, *, as_of: date | None = None, record: bool = True
) -> list[SegmentSize]:
    """Every saved segment with its size now and the change since the previous run. The facts
    are computed once for all of them. With ``record`` the sizes become the new "previous" and a
    ``metric_snapshots`` row (kind "segments", {name: size}) keeps the movement for the report.
    A segment whose stored expression no longer parses is listed with its error, size None."""
    day = as_of or date.today()
    with engine.connect() as conn:
        rows = conn.execute(select(segments).order_by(segments.c.name)).all()
        nodes, errors = {}, {}
        for r in rows:
            try:
                nodes[r.name] = parse(r.expression)
            except FilterError as exc:
                errors[r.name] = exc.message
        sizes: dict[str, int] = {}
        if nodes:
            lc = load_settings(conn)
            needed = set().union(*(fields_used(n) for n in nodes.values())) | {"status"}
            with facts(conn, fields=needed, as_of=day, settings=lc) as f:
                for name, node in nodes.items():
                    q = select(func.count()).select_from(f.table).where(condition(node, f, day))
                    sizes[name] = conn.execute(q).scalar_one()
    now = datetime.now()
    if record and sizes:
        with write_transaction(engine) as conn:
            for name, size in sizes.items():
                conn.execute(
                    update(segments).where(segments.c.name == name)
                    .values(last_size=size, last_run_at=now)
                )  # fmt: skip
            conn.execute(
                insert(metric_snapshots).values(kind=SNAPSHOT_KIND, taken_at=now, data=sizes)
            )
    out = []
    for r in rows:
        size = sizes.get(r.name)
        out.append(
            SegmentSize(
                name=r.name, expression=r.expression, description=r.description,
                created_at=_seconds(r.created_at), size=size, previous_size=r.last_size,
                change=None if size is None or r.last_size is None else size - r.last_size,
                previous_run_at=_seconds(r.last_run_at), error=errors.get(r.name),
            )
        )  # fmt: skip
    return out


# --- tags ----------------------------------------------------------------------------------------


def _check_tag(tag: str) -> str:
    t = (tag or "").strip()
    if not t or len(t) > 100 or _CONTROL.search(t):
        raise UsageError(_("tag {tag!r}: 1 to 100 characters").format(tag=tag))
    return t


def change_tag(
    engine: Engine,
    tag: str,
    *,
    remove: bool = False,
    where: str | None = None,
    segment: str | None = None,
    ids: list[int] | None = None,
    dry_run: bool = False,
    as_of: date | None = None,
) -> TagChange:
    """Give a tag to (or take it from) the customers of an expression, a segment or a list of
    ids; the tag is matched without regard to case and created on first use. Returns the counts
    (with ``dry_run`` what would change, nothing written)."""
    name = _check_tag(tag)
    given = sum(x is not None and x != [] for x in (where, segment, ids))
    if given != 1:
        raise UsageError(_("give the customers one way: --where EXPR, --segment NAME or IDs"))
    if ids:
        wanted = sorted(set(ids))
        with engine.connect() as conn:
            found = set()
            for i in range(0, len(wanted), 500):
                found.update(conn.execute(
                    select(customers.c.id).where(
                        customers.c.id.in_(wanted[i : i + 500]),
                        customers.c.merged_into_id.is_(None), customers.c.status.not_in(GONE))
                ).scalars())  # fmt: skip
        missing = [i for i in wanted if i not in found]
        if missing:
            shown = ", ".join(map(str, missing[:10])) + (" …" if len(missing) > 10 else "")
            raise NotFoundError(
                _("there is no customer {shown}").format(shown=shown), hint=_("nothing was changed")
            )
        target = wanted
    else:
        target = matching_ids(engine, where=where, segment=segment, as_of=as_of)

    def apply(conn: Connection, write: bool) -> TagChange:
        row = conn.execute(
            select(tags.c.id, tags.c.name).where(func.lower(tags.c.name) == name.lower())
            .order_by(tags.c.id)
        ).first()  # fmt: skip
        shown = row.name if row else name
        have: set[int] = set()
        if row:
            have = set(conn.execute(
                select(customer_tags.c.customer_id).where(customer_tags.c.tag_id == row.id)
            ).scalars())  # fmt: skip
        if remove:
            hit = [i for i in target if i in have]
            if write and hit:
                for i in range(0, len(hit), 500):
                    conn.execute(delete(customer_tags).where(
                        customer_tags.c.tag_id == row.id,
                        customer_tags.c.customer_id.in_(hit[i : i + 500])))  # fmt: skip
            return TagChange(tag=shown, matched=len(target), removed=len(hit),
                             unchanged=len(target) - len(hit), dry_run=not write)  # fmt: skip
        new = [i for i in target if i not in have]
        if write and new:
            tag_id = (
                row.id
                if row
                else conn.execute(insert(tags).values(name=name)).inserted_primary_key[0]
            )
            for i in range(0, len(new), 5000):
                insert_rows(conn, customer_tags, ("customer_id", "tag_id"),
                            [(cid, tag_id) for cid in new[i : i + 5000]])  # fmt: skip
        return TagChange(tag=shown, matched=len(target), added=len(new),
                         unchanged=len(target) - len(new), dry_run=not write)  # fmt: skip

    if dry_run:
        with engine.connect() as conn:
            return apply(conn, False)
    with write_transaction(engine) as conn:
        return apply(conn, True)


def segment_names(engine: Engine) -> list[str]:
    """The names of the saved segments, in order (for shell completion)."""
    with engine.connect() as conn:
        return list(conn.execute(select(segments.c.name).order_by(segments.c.name)).scalars())
