"""`clientbase import`: files and folders in, one batch per file, a summary out.

All files are checked before the first is written. Each file is then imported in one
transaction: it lands whole or not at all, so an error (or Ctrl-C) halfway through a file leaves
the database as it was before that file. A dry run does the same work for all files in one
transaction and rolls it back, so the counts it shows are exactly what a real run would do.
"""

from __future__ import annotations

import gc
import os
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from sqlalchemy import Connection, Engine, select, update

from clientbase.db import facts_cache
from clientbase.db.bulk import analyzed_as_they_grow, indexes_deferred
from clientbase.db.engine import retrying, write_transaction
from clientbase.db.models import (
    contact_points,
    customers,
    import_rows,
    imports,
    orders,
)
from clientbase.errors import InputFileError, UsageError
from clientbase.i18n import _, ngettext
from clientbase.importers import sniff
from clientbase.importers.basekeys import BaseKeys
from clientbase.importers.batches import close_batch, open_batch
from clientbase.importers.calls import CSV_FIELDS, detect_call_log
from clientbase.importers.clean import (
    Clean,
    Rejected,
    clean_rows,
    is_blank,
    worker_init,
)
from clientbase.importers.contacts import ContactWriter
from clientbase.importers.handoff import clean_rows_packed, unpack
from clientbase.importers.log_chunks import call_chunks, choose_region, vcard_chunks
from clientbase.importers.longformat import relabel_from_sample
from clientbase.importers.mapping import (
    FIELDS,
    Mapping,
    build_mapping,
    header_score,
    normalize_header,
    to_record,
)
from clientbase.importers.orders import (
    build_order_mapping,
    looks_like_orders,
    order_header_score,
)
from clientbase.importers.orders_reading import FileReading
from clientbase.importers.orders_writer import OrderWriter
from clientbase.importers.paths import expand_paths
from clientbase.importers.peek import LABEL_SAMPLE_ROWS, Peeked
from clientbase.importers.results import FileResult, ImportOptions, ImportResult
from clientbase.importers.source import Source
from clientbase.importers.tabular import Table, read_csv, read_workbook
from clientbase.normalize.phones import split_phones
from clientbase.workers import worker_pool

KINDS = ("contacts", "calls", "orders")
CALL_FORMATS = ("android", "oppo", "asterisk", "freeswitch", "sipuni", "mango", "calls-csv")
CHUNK_ROWS = 5000
PARALLEL_FROM_BYTES = 4 << 20  # below this, starting worker processes costs more than it saves
# What planning may keep in memory of all files (heads, whole workbooks) so the import does not
# read them from disk again; past it, files are read a second time rather than filling memory.
KEEP_BYTES = 128 << 20
TABULAR_FORMATS = ("csv", "xlsx", "xls", "ods", "xlsb")
# Built once at the end of a big first import instead of row by row: sorting a million keys
# once costs a fraction of a million B-tree inserts. Matching does not use them (it has its own
# key index and reads customers by id); contact points by customer stay, matching reads them.
_KEEP_DURING_LOAD = {"ix_contact_points_customer_id"}
_LOADED_TABLES = (customers, contact_points, import_rows)
DEFERRED_INDEXES = [
    ix
    for table in _LOADED_TABLES
    for ix in sorted(table.indexes, key=lambda ix: ix.name)
    if ix.name not in _KEEP_DURING_LOAD
]
# On PostgreSQL each inserted row also costs a look-up per foreign key; they are added back
# (and validated in one pass each) at the end of such a load too.
DEFERRED_FOREIGN_KEYS = [
    fk
    for table in _LOADED_TABLES
    for fk in sorted(table.foreign_key_constraints, key=lambda fk: fk.name)
]
ORDER_INDEXES = sorted(orders.indexes, key=lambda ix: ix.name)  # the orders go in at the end

Progress = Callable[[str, int, int | None], None]  # (step, done, total); total None: unknown


# The post-import pass over the contact batches written (the caller's duplicate search): it gets
# the batch ids and returns the new pairs to review, or None when it left them to a dedupe run.
AfterContacts = Callable[[Engine, list[int]], int | None]


@dataclass
class _Planned:
    """A file checked before anything is written: what it is and how its columns map."""

    path: Path
    fmt: str
    kind: str
    from_folder: bool
    tables: list[tuple[Table, Mapping]] = field(default_factory=list)  # tabular files
    skipped_sheets: list[str] = field(default_factory=list)
    problem: InputFileError | None = None  # why it cannot be imported
    source: Source | None = None
    notes: list[str] = field(default_factory=list)  # what checking and reading found out
    tables_open: bool = False  # tables mapped at planning can be read as they are


def run_import(
    engine: Engine,
    paths: list[Path],
    options: ImportOptions,
    progress: Progress | None = None,
    after_contacts: AfterContacts | None = None,
) -> ImportResult:
    """Import files and folders, one batch per file.

    Every file is checked first (format, encoding, header, column mapping), so a typo in the
    third file does not leave the first two imported. Files found in a folder that are not
    contact lists or call logs are passed over with the reason; named files must be importable.
    ``after_contacts`` runs once the contact batches are in (with ``options.find_duplicates``):
    the caller hands in the duplicate search, which lives above the importers.
    """
    if options.kind is not None and options.kind not in KINDS:
        raise UsageError(
            _("--as {kind}: can import {kinds}").format(kind=options.kind, kinds=", ".join(KINDS))
        )
    plans = []
    kept = 0
    for path, from_folder, passed_over in expand_paths(paths):
        if passed_over is not None:  # in a folder and not to be read: named, with the reason
            plans.append(_Planned(path, "unknown", "contacts", True, problem=passed_over))
            continue
        plan = _plan(path, from_folder, options)
        if plan.source is not None:
            kept += plan.source.kept_bytes
            if kept > KEEP_BYTES:
                _close(plan)
                plan.tables_open = False
                plan.source.release()
        plans.append(plan)
    for plan in plans:
        if plan.problem is not None and not plan.from_folder:
            raise plan.problem
    _check_overrides_used(plans, options)
    results: list[FileResult] = []
    known = BaseKeys()  # the base's keys, read once for all the files
    if options.dry_run:
        # One transaction for all files, rolled back at the end: the second file sees what the
        # first would have done, so the counts are those of a real run.
        with write_transaction(engine) as conn:
            for plan in plans:
                results.append(_import_planned(conn, plan, options, progress, known))
            conn.rollback()
        return ImportResult(results, True)
    for plan in plans:

        def one_file(plan=plan) -> FileResult:
            first = _first_big_load(engine, plan)
            with write_transaction(engine, rollback_journal=first) as conn:
                return _import_planned(conn, plan, options, progress, known)

        try:
            # Each file is one transaction; one the server aborted to break a deadlock is run
            # again, so the files before it are not imported twice.
            results.append(retrying(one_file))
        except InputFileError as exc:
            done = [
                _("{file} (batch {id})").format(file=Path(r.file).name, id=r.batch_id)
                for r in results
                if r.batch_id
            ]
            if done:
                exc.hint = (f"{exc.hint}; " if exc.hint else "") + _(
                    "imported before it: {files}; the rest was not started"
                ).format(files=", ".join(done))
            raise
    found = None
    if options.find_duplicates and after_contacts is not None:
        if progress is not None:  # the files are in: say what runs now, not a full bar
            progress(_("looking for duplicates"), 0, None)
        # pairs for `clientbase dedupe review`; nothing is merged here
        found = after_contacts(engine, [r.batch_id for r in results if r.kind == "contacts"
                                       and r.batch_id and not r.skipped])  # fmt: skip
    return ImportResult(results, False, found)


def _first_big_load(engine: Engine, plan: _Planned) -> bool:
    """A big file going into a base with no customers yet: its transaction may use a rollback
    journal (see engine.write_transaction), there being nothing in the base to read meanwhile."""
    if plan.problem is not None or plan.source is None or engine.dialect.name != "sqlite":
        return False
    if plan.source.size < PARALLEL_FROM_BYTES:
        return False
    with engine.connect() as conn:
        return conn.execute(select(customers.c.id).limit(1)).first() is None


def _plan(path: Path, from_folder: bool, opt: ImportOptions) -> _Planned:
    try:
        source = Source(path)
    except InputFileError as exc:
        return _Planned(path, "unknown", "contacts", from_folder, problem=exc)
    except OSError as exc:
        return _Planned(path, "unknown", "contacts", from_folder,
                        problem=InputFileError(_("{path}: cannot read: {reason}").format(
                            path=path, reason=exc.strerror)))  # fmt: skip
    head = source.head
    fmt = sniff.detect_format(path, head)
    kind = opt.kind
    if kind is None and fmt == "csv" and _positional_call_map(opt.columns):
        kind = "calls"  # "--map 2=time --map 3=number": a call log without a header
    if kind in (None, "calls") and fmt in ("csv", "xml"):
        call_fmt = detect_call_log(path, head)
        if call_fmt is None and kind == "calls" and fmt == "csv":
            call_fmt = "calls-csv"  # told so: read it with the generic call columns
        if call_fmt is not None:
            kind, fmt = "calls", call_fmt
    plan = _Planned(path, fmt, kind or "contacts", from_folder, source=source)
    if fmt == "csv" and path.suffix.lower() in _WORKBOOK_SUFFIXES:
        plan.notes.append(
            _(
                "{file} holds text, not an Excel or LibreOffice workbook: read as CSV "
                "(the content decides the format, not the name)"
            ).format(file=path.name)
        )
    if plan.kind == "calls" and fmt not in CALL_FORMATS:
        plan.problem = InputFileError(
            _("{file}: not a call log clientbase knows ({fmt})").format(file=path.name, fmt=fmt),
            hint=_("Android/OPPO backups, Asterisk Master.csv, Sipuni, Mango or a CSV of calls"),
        )
    elif fmt in ("unknown", "xml", "html"):
        plan.problem = _not_importable(path, fmt, head)
    elif fmt in TABULAR_FORMATS and plan.kind in ("contacts", "orders"):
        try:
            _map_tables(plan, opt, progress=None)
        except InputFileError as exc:
            plan.problem = exc
        finally:
            # A file that fits in its head keeps its open tables (no file handle behind them)
            # for the import; others are opened again then, to hold no handle meanwhile.
            plan.tables_open = source.in_memory and plan.problem is None and fmt == "csv"
            if not plan.tables_open:
                _close(plan)
    return plan


def _positional_call_map(columns: dict[str, str]) -> bool:
    """Columns named by position, at least one of them a field only a call log has."""

    call_only = set(CSV_FIELDS) - set(FIELDS) - {"name"}
    return (
        bool(columns)
        and all(k.strip().isdigit() for k in columns)
        and any(v in call_only for v in columns.values())
    )


def _map_tables(plan: _Planned, opt: ImportOptions, progress: Progress | None) -> None:
    """Open the tables of a CSV or workbook and map their columns (rows are read later)."""
    path = plan.path
    src = plan.source
    if plan.fmt == "csv":
        size = src.size if src is not None else path.stat().st_size
        on_progress = (lambda done: progress(path.name, done, size)) if progress else None
        tables = [
            read_csv(
                path,
                encoding=opt.encoding,
                delimiter=opt.delimiter,
                header_score=_any_header_score,
                on_progress=on_progress,
                source=src,
            )
        ]
    else:
        tables = read_workbook(path, sheet=opt.sheet, header_score=_any_header_score, source=src)
    # Planning maps the tables and writing may map them again: a note is added once.
    plan.tables, plan.skipped_sheets = [], []
    for t in tables:
        if t.above:
            where = _("sheet {sheet}: ").format(sheet=repr(t.name)) if t.name else ""
            lines = "; ".join(
                _("row {n}: {text}").format(n=n, text=repr(text[:80])) for n, text in t.above[:3]
            )
            more = " " + _("and {n} more").format(n=len(t.above) - 3) if len(t.above) > 3 else ""
            note = where + _(
                "the header is on row {row}; the rows above it are a title, not imported: "
                "{lines}{more}"
            ).format(row=t.header_row, lines=lines, more=more)
            if note not in plan.notes:
                plan.notes.append(note)
    if opt.kind is None and tables and looks_like_orders(tables[0].header):
        plan.kind = "orders"  # a date and an amount column: sales, not a contact list
    for t in tables:
        if plan.kind == "orders":
            try:
                plan.tables.append((t, build_order_mapping(t.header, opt.columns)))
            except InputFileError as exc:
                where = f"{path.name}" + (f", sheet {t.name!r}" if t.name else "")
                raise InputFileError(f"{where}: {exc.message}", hint=exc.hint) from exc
            continue
        m = build_mapping(t.header, opt.columns, strict=False)
        if m.columns and not all(c.field == "ignore" for c in m.columns.values()):
            t.rows = Peeked(t.rows, LABEL_SAMPLE_ROWS)
            plan.notes.extend(
                n for n in relabel_from_sample(m, t.rows.sample) if n not in plan.notes
            )
            plan.tables.append((t, m))
            continue
        where = path.name
        if t.name:
            where = _("{file}, sheet {sheet}").format(file=path.name, sheet=repr(t.name))
        problem = InputFileError(
            _(
                "{where}: no column looks like a name, phone or email (header on row {row}: "
                "{header})"
            ).format(
                where=where, row=t.header_row, header=", ".join(h for h in t.header if h)[:200]
            ),
            hint=_("name the columns with --map 'COLUMN=FIELD' or --mapping FILE"),
        )
        if t.name is None or opt.sheet is not None:
            raise problem
        plan.skipped_sheets.append(t.name)  # a totals or notes sheet in a workbook
    if not plan.tables:
        raise InputFileError(
            _("{file}: no sheet looks like a contact list (sheets: {sheets})").format(
                file=path.name, sheets=", ".join(plan.skipped_sheets) or _("none with data")
            ),
            hint=_("choose one with --sheet NAME and name its columns with --map"),
        )


_WORKBOOK_SUFFIXES = (".xls", ".xlsx", ".xlsm", ".xlsb", ".ods")


def _not_importable(path: Path, fmt: str, head: bytes) -> InputFileError:
    """Why a file cannot be imported, naming what it is when its first bytes tell."""
    if fmt == "html":
        return InputFileError(
            _("{file} is a web page (HTML), not a table file").format(file=path.name),
            hint=_("open it in Excel or LibreOffice and save it as .xlsx or CSV"),
        )
    if fmt == "xml":
        text = sniff.decode_sample(head[:4096])
        if "urn:schemas-microsoft-com:office:spreadsheet" in text:
            return InputFileError(
                _("{file} is an Excel 2003 XML spreadsheet, which clientbase does not read").format(
                    file=path.name
                ),
                hint=_("open it in Excel or LibreOffice and save it as .xlsx"),
            )
        return InputFileError(
            _("{file}: an XML file clientbase does not know").format(file=path.name),
            hint=_("CSV/TSV, .xlsx, .xls, .ods, .vcf, or a call log"),
        )
    what = sniff.binary_kind(head) or _("not text")
    return InputFileError(
        _("{file} is {what}, not a table, vCard or call log").format(file=path.name, what=what),
        hint=_("CSV/TSV, .xlsx, .xls, .ods, .vcf, or a call log"),
    )


def _any_header_score(cells: list[str]) -> int:
    return max(header_score(cells), order_header_score(cells))


def _close(plan: _Planned) -> None:
    for t, _mapping in plan.tables:
        close = getattr(t.rows, "close", None)
        if close is not None:
            close()


def _check_overrides_used(plans: list[_Planned], opt: ImportOptions) -> None:
    """Every --map column must exist in at least one of the files (or sheets) being read."""
    if not opt.columns or opt.kind == "calls":
        return
    headers = {
        normalize_header(h)
        for p in plans
        if p.problem is None
        for t, _ in p.tables
        for h in t.header
    }
    if not any(p.tables for p in plans):
        return  # call logs and vCards: no columns to map
    missing = [c for c in opt.columns if normalize_header(c) not in headers]
    if missing:
        seen = sorted({h for p in plans for t, _ in p.tables for h in t.header if h})
        raise UsageError(
            _("--map names columns the files do not have: {names}").format(
                names=", ".join(missing)
            ),
            hint=_("columns: {names}").format(names=", ".join(seen)[:300]),
        )


def _import_planned(
    conn: Connection,
    plan: _Planned,
    opt: ImportOptions,
    progress: Progress | None,
    known: BaseKeys,
) -> FileResult:
    path = plan.path
    result = FileResult(file=str(path), format=plan.fmt, kind=plan.kind, notes=plan.notes)
    if plan.problem is not None:
        result.skipped = _("not imported: {problem}").format(problem=plan.problem)
        return result
    src = plan.source
    assert src is not None
    prior = None if opt.force else _imported_before(conn, src, plan.kind)
    if prior is not None:
        result.skipped = _("already imported as batch {id} (use --force to re-read it)").format(
            id=prior
        )
        result.batch_id = prior
        src.release()
        return result
    batch_id = open_batch(
        conn,
        file_name=path.name,
        file_path=str(path.resolve()),
        sha256=src.sha256 if src.hashed else "",  # else known once the rows are read
        size_bytes=src.size,
        format=plan.fmt,
        kind=plan.kind,
        source_label=opt.source,
    )
    facts_cache.invalidate(conn)  # new customers, orders or calls: the stored facts are old
    try:
        if plan.kind == "orders":
            result = _import_orders(conn, plan, opt, result, batch_id)
        else:
            result = _import_contacts(conn, plan, opt, result, batch_id, progress, known)
    finally:
        src.release()
    conn.execute(update(imports).where(imports.c.id == batch_id).values(sha256=src.sha256))
    return result


def _imported_before(conn: Connection, src: Source, kind: str) -> int | None:
    """The batch that imported this very file before, if any.

    Only a finished batch of a file of the same size can be the same file, so the hash is taken
    up front only then (the file is read one extra time, to be skipped); otherwise it is taken
    while the rows are read."""
    same_size = (
        (imports.c.kind == kind) & (imports.c.status == "done") & (imports.c.size_bytes == src.size)
    )
    if (
        not src.hashed
        and conn.execute(select(imports.c.id).where(same_size).limit(1)).first() is None
    ):
        return None  # fmt: skip
    return conn.execute(
        select(imports.c.id).where(
            imports.c.sha256 == src.sha256, imports.c.kind == kind, imports.c.status == "done"
        )
    ).scalar()


def _import_contacts(
    conn: Connection,
    plan: _Planned,
    opt: ImportOptions,
    result: FileResult,
    batch_id: int,
    progress: Progress | None,
    known: BaseKeys,
) -> FileResult:
    writer = ContactWriter(conn, batch_id)
    gc_was_enabled = gc.isenabled()
    gc.disable()  # see clean.worker_init: the same holds for matching and writing
    try:
        writer.load_existing_keys(known)
        chunks = _cleaned_chunks(conn, plan, opt, result, progress)
        if writer.base_was_empty and plan.source.size >= PARALLEL_FROM_BYTES:
            with indexes_deferred(conn, DEFERRED_INDEXES, DEFERRED_FOREIGN_KEYS):
                writer.write(analyzed_as_they_grow(conn, [contact_points.c.customer_id], chunks))
                if progress is not None:  # the file is read: what is left is the indexes
                    progress(_("{file}: building indexes").format(file=plan.path.name), 0, None)
        else:
            writer.write(chunks)
        known.written(conn)
    finally:
        _close(plan)
        if gc_was_enabled:
            gc.enable()
    c = writer.counts
    result.counts, result.rejects = c, writer.rejects
    result.warnings = writer.warnings
    result.batch_id = None if opt.dry_run else batch_id
    result.skipped_sheets = plan.skipped_sheets
    _reading_notes(plan, result)
    close_batch(
        conn,
        batch_id,
        c,
        options={
            "encoding": result.encoding,
            "delimiter": result.delimiter,
            "region": result.region or opt.region,
            "notes": result.notes,
            "sheet": opt.sheet,
            "mapping": result.mapping,
            "not_mapped": result.not_mapped,
            "skipped_sheets": plan.skipped_sheets,
            # The column names of the rows kept in the raw record's cells form (see rawrow).
            "raw_header": {t.name or "": list(m.header) for t, m in plan.tables},
        },
    )
    return result


def _reading_notes(plan: _Planned, result: FileResult) -> None:
    """What the CSV reader repaired, and why the file has more lines than rows."""
    for t, _mapping in plan.tables:
        text = t.text
        if text is None:
            continue
        result.notes.extend(n for n in text.notes() if n not in result.notes)
        if text.multiline_rows:
            result.notes.append(
                ngettext(
                    "{n} row holds line breaks inside quoted cells (addresses, notes): "
                    "the file's {lines} lines are {rows} rows",
                    "{n} rows hold line breaks inside quoted cells (addresses, notes): "
                    "the file's {lines} lines are {rows} rows",
                    text.multiline_rows,
                ).format(
                    n=f"{text.multiline_rows:,}", lines=f"{text.lines:,}", rows=f"{text.rows:,}"
                )
            )


def _cleaned_chunks(
    conn: Connection,
    plan: _Planned,
    opt: ImportOptions,
    result: FileResult,
    progress: Progress | None,
) -> Iterator[list[Clean | Rejected]]:
    if plan.fmt == "vcard":
        yield from vcard_chunks(plan.source, opt, result, CHUNK_ROWS)
        return
    if plan.fmt in CALL_FORMATS:
        yield from call_chunks(conn, plan.path, plan.fmt, opt, result, CHUNK_ROWS)
        return
    if not plan.tables_open:
        _map_tables(plan, opt, progress)  # again, now to read the rows (the head is in memory)
    result.notes.extend(n for n in plan.notes if n not in result.notes)
    if plan.fmt == "csv":
        t = plan.tables[0][0]
        result.encoding, result.delimiter = t.encoding, t.delimiter
    else:
        result.sheets = [t.name for t, _ in plan.tables]
    for t, m in plan.tables:
        result.mapping[t.name or ""] = m.describe()
        result.not_mapped.extend(h for h in m.unmapped if h not in result.not_mapped)
    jobs = _clean_jobs(plan, opt, result)
    big = plan.fmt == "csv" and plan.source.size >= PARALLEL_FROM_BYTES
    if big and (os.cpu_count() or 1) > 1:
        yield from _in_workers(jobs)
    else:
        for job in jobs:
            yield clean_rows(job)


def _clean_jobs(plan: _Planned, opt: ImportOptions, result: FileResult) -> Iterator[tuple]:
    """Chunks of rows to clean, each with the region to read its phones with: the first chunk
    of a table is looked at before any row is cleaned (see region.region_for)."""
    for t, m in plan.tables:
        chunks = _row_chunks(t.rows)
        first = next(chunks, None)
        if first is None:
            continue
        phones = (
            part
            for n, cells in first
            if not is_blank(cells)
            for cell, _label in to_record(m, n, cells, t.name).phones
            for part in split_phones(cell)
        )
        region = choose_region(phones, opt, result)
        yield (m, first, t.name, region, opt.source)
        for rows in chunks:
            yield (m, rows, t.name, region, opt.source)


def _import_orders(
    conn: Connection, plan: _Planned, opt: ImportOptions, result: FileResult, batch_id: int
) -> FileResult:
    writer = OrderWriter(
        conn, batch_id, create_missing=opt.create_missing, region=opt.region, source=opt.source
    )
    gc_was_enabled = gc.isenabled()
    try:
        if not plan.tables_open:
            _map_tables(plan, opt, None)
        result.notes.extend(n for n in plan.notes if n not in result.notes)
        # A large CSV is read in a worker process while this one writes (one table).
        parallel = plan.fmt == "csv" and plan.source.size >= PARALLEL_FROM_BYTES
        parallel = parallel and (os.cpu_count() or 1) > 1
        # A first big load into an empty base builds its secondary indexes once, at the end.
        big_first = writer.base_was_empty and plan.source.size >= PARALLEL_FROM_BYTES
        gc.disable()  # millions of small acyclic tuples: see clean.worker_init
        deferred = [*DEFERRED_INDEXES, *ORDER_INDEXES] if big_first else []
        with indexes_deferred(conn, writer.indexes_to_defer(deferred)):
            for t, m in plan.tables:
                result.mapping[t.name or ""] = m.describe()
                result.not_mapped.extend(h for h in m.unmapped if h not in result.not_mapped)
                if parallel:  # the worker reads the file itself, from its first byte
                    _close(plan)
                    reading = FileReading.of(plan.path, opt.encoding, t, CHUNK_ROWS)
                    plan.source.read_elsewhere(writer.write_file(m, t, reading))
                else:
                    writer.write_table(m, _row_chunks(t.rows), t.name)
            writer.finish()
    finally:
        _close(plan)
        if gc_was_enabled:
            gc.enable()
    if plan.fmt == "csv":
        result.encoding, result.delimiter = plan.tables[0][0].encoding, plan.tables[0][0].delimiter
    else:
        result.sheets = [t.name for t, _ in plan.tables]
    c = writer.counts
    c.customers_created = writer.customers.counts.created
    c.code_conflicts = writer.customers.counts.code_conflicts
    result.counts, result.rejects = c, writer.rejects
    result.warnings = [*writer.customers.warnings, *writer.warnings]
    result.batch_id = None if opt.dry_run else batch_id
    _reading_notes(plan, result)
    close_batch(
        conn,
        batch_id,
        c,
        options={
            "mapping": result.mapping,
            "region": opt.region,
            "notes": result.notes,
            # The column names of the lines kept in the raw record's cells form (see rawrow).
            "raw_header": {t.name or "": list(m.header) for t, m in plan.tables},
        },
    )
    return result


def _row_chunks(rows: Iterator[tuple[int, list]]) -> Iterator[list[tuple[int, list]]]:
    rows = iter(rows)
    while chunk := list(islice(rows, CHUNK_ROWS)):  # taken at C speed, not a row at a time
        yield chunk


def _in_workers(jobs: Iterator) -> Iterator[list[Clean | Rejected]]:
    """Clean chunks in worker processes (one per core) while this process matches and writes.

    At most one chunk per worker plus one is in flight, so memory stays flat (each cleaned
    chunk waiting here is ~7 MB); results come back in file order. Matching and writing are
    the slower side, so a deeper queue would only hold more chunks, not keep workers busier.
    """

    workers = min(os.cpu_count() or 1, 4)
    # A worker imports the cleaning code and nothing else: not the import pipeline with the
    # database layer (~35 MB and a second of start-up each, for nothing cleaning uses), and not
    # the command's main module, which the fork server would otherwise load for every worker to
    # inherit (the `clientbase` script: the whole command line). Preloading the cleaning code in
    # the fork server instead costs the server ~18 MB more than it saves the two workers.
    with worker_pool(workers, initializer=worker_init, preload=[]) as pool:
        pending: deque = deque()
        for job in jobs:
            pending.append(pool.submit(clean_rows_packed, job))
            if len(pending) > workers:
                yield unpack(pending.popleft().result())
        while pending:
            yield unpack(pending.popleft().result())
