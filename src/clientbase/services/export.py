"""Audience exports for ad platforms and mailing lists, with consent, sizes, a log and diffs.

Who is exported. Live customers only (not merged away, erased or archived), those a segment or a
filter selects, and of them only identifiers (phones and emails) the person has not opted out of:

- the **ads** channel governs an ad audience. Its latest event for a phone or email holds, else
  the point's general consent (the "Согласие на рассылку" column). A withdrawn ads consent on
  *any* of a customer's phones or emails, or the ads channel of one of them on the suppression
  list, takes the whole customer out: "don't show me ads" is said by a person, not by a number;
- an identifier whose **own** channel is withdrawn (email for an address; SMS or calls for a
  phone), or on the suppression list for it, is dropped from the upload, even if the ads consent
  says granted: someone who asked for no more messages to a number does not expect that number
  to be handed to an ad platform;
- an identifier goes out when its consent is granted: the ads channel for an ad platform; for a
  plain mailing or SMS list (``consent_channel = "own"`` in the preset) its own channel, email
  for an address and SMS for a phone. Each falls back to the general consent. An identifier whose
  consent is unknown goes out only with ``include_unknown_consent``;
- platforms that match accounts get mobile numbers only (``mobile_only``), and the platform's
  own rules may drop an address (Yandex takes Latin addresses only).

A customer none of whose identifiers survive is counted once, under the strongest reason:
withdrawn, suppressed, unknown consent, non-mobile phone, invalid, no usable identifier.

Every export is logged in ``exports`` (when, platform, selection, counts, files and their sha256:
no personal data) and its customers in ``export_members``, so ``diff_since`` can write what was
added and what was removed since an earlier export of the same selection to the same platform.
The diff is per customer: a new phone of someone already uploaded is not an addition, so a full
export now and then keeps an audience complete.
"""

from __future__ import annotations

import os
import re
from dataclasses import replace
from itertools import groupby
from pathlib import Path

from sqlalchemy import Engine, func, select

from clientbase.db.copies import written_by_us
from clientbase.db.models import customers, export_members, exports
from clientbase.errors import NotFoundError, UsageError
from clientbase.exporters.presets import Preset, load_preset
from clientbase.exporters.render import phone_facts, render_email, render_phone
from clientbase.exporters.rows import RowRenderer
from clientbase.exporters.writer import FileInfo, open_writer
from clientbase.i18n import _, ngettext
from clientbase.services.export_log import ExportRecord, ExportResult, list_exports, log_export
from clientbase.services.export_scan import (
    EXTRA,
    KINDS,
    REASON_TEXT,
    REASONS,
    ScanJob,
    customer_columns,
    iter_rows,
    live_filter,
    points_query,
    scan_tasks,
    scans,
    suppressed,
)
from clientbase.services.segments import matching_ids

__all__ = [
    "REASONS",
    "REASON_TEXT",
    "ExportRecord",
    "ExportResult",
    "export_audience",
    "list_exports",
]


# --------------------------------------------------------------------------------------------
# The export
# --------------------------------------------------------------------------------------------


def _check_out(out: Path) -> None:
    parent = out.parent if str(out.parent) else Path(".")
    if out.is_dir():
        raise UsageError(
            _("--out {out}: is a folder; give a file name, e.g. {example}").format(
                out=out, example=out / "audience.csv"
            )
        )
    if not parent.is_dir():
        raise UsageError(
            _("--out {out}: the folder {parent} does not exist").format(out=out, parent=parent)
        )
    if out.exists() and not out.is_file():
        # The file is written beside it and renamed over it at the end: that would replace a
        # device or a pipe (/dev/stdout, run as root) with a plain file.
        raise UsageError(
            _(
                "--out {out}: not a regular file (a device or a pipe); give a file name, "
                "e.g. audience.csv"
            ).format(out=out)
        )
    if not os.access(parent, os.W_OK) or (out.exists() and not os.access(out, os.W_OK)):
        raise UsageError(_("--out {out}: cannot write there (permission denied)").format(out=out))


def _open_writers(out: Path, tag: str, preset: Preset, render: RowRenderer, max_rows: int) -> dict:
    """{identifier kind: writer} with one identifier type per file, else {None: writer}."""
    kinds = preset.identifiers
    if preset.one_identifier_per_file:
        plan = {k: (_name(out, k if len(kinds) > 1 else "", tag), render.header(k)[:1])
                for k in kinds}  # fmt: skip
    else:
        plan = {None: (_name(out, tag), render.header())}
    writers: dict = {}
    try:
        for key, (path, header) in plan.items():
            writers[key] = open_writer(
                path, preset, header if preset.write_header else None, max_rows=max_rows
            )
    except OSError as exc:
        for w in writers.values():
            w.abort()
        raise UsageError(
            _("--out {path}: cannot write there: {strerror}").format(
                path=path, strerror=exc.strerror
            )
        ) from exc
    return writers


def _name(out: Path, *tags: str) -> Path:
    tags = tuple(t for t in tags if t)
    return out.with_name(f"{out.stem}{''.join('-' + t for t in tags)}{out.suffix}") if tags else out


def _selection(engine: Engine, where: str | None, segment: str | None) -> set[int] | None:
    if where is not None and segment is not None:
        raise UsageError(_("give --segment or --where, not both"))
    if where is None and segment is None:
        return None

    return set(matching_ids(engine, where=where, segment=segment))


def _previous(conn, diff_since: str, platform: str, segment, where) -> tuple[int | None, set[int]]:
    """The export to compare with, and its customers."""
    if diff_since == "last":
        rows = conn.execute(
            select(exports.c.id, exports.c.params)
            .where(exports.c.platform == platform)
            .order_by(exports.c.id.desc())
        ).all()
        prev = next(
            (
                r.id for r in rows
                if (r.params or {}).get("segment") == segment
                and (r.params or {}).get("where") == where
            ),
            None,
        )  # fmt: skip
        if prev is None:
            return None, set()
    else:
        try:
            prev = int(diff_since)
        except ValueError:
            raise UsageError(
                _("--diff-since {diff_since!r}: an export id or 'last'").format(
                    diff_since=diff_since
                ),
                hint=_("see: clientbase exports list"),
            ) from None
        if conn.execute(select(exports.c.id).where(exports.c.id == prev)).first() is None:
            raise NotFoundError(
                _("there is no export {prev}").format(prev=prev),
                hint=_("see: clientbase exports list"),
            )
    ids = set(
        conn.execute(
            select(export_members.c.customer_id).where(export_members.c.export_id == prev)
        ).scalars()
    )
    return prev, ids


def export_audience(
    engine: Engine, platform: str, out: Path | str, *, where: str | None = None,
    segment: str | None = None, hash: str | None = None, include_unknown_consent: bool = False,
    min_size: int | None = None, split_size: int | None = None, diff_since: str | None = None,
    dry_run: bool = False, overrides: list[str] | None = None, preset_file: Path | None = None,
    force: bool = False,
) -> ExportResult:  # fmt: skip
    """Write an audience file (or files) for ``platform`` and log it; see the module docstring
    for who is in it. ``overrides`` are ``KEY=VALUE`` preset settings. Files that exist are
    replaced only with ``force``; parts of an earlier, bigger export of the same name are then
    removed, so no stale part is uploaded with the new ones."""
    out = Path(out)
    preset = load_preset(platform, preset_file=preset_file, settings=overrides)
    algo = hash or preset.hash
    if algo not in preset.hashes:
        raise UsageError(
            _(
                "--hash {algo}: {title} does not accept it (it takes {hashes}; checked {checked})"
            ).format(
                algo=algo,
                title=_(preset.title),
                hashes=", ".join(preset.hashes),
                checked=preset.checked,
            ),
            hint=_("if the platform's rules changed: --set hashes=")
            + ",".join((*preset.hashes, algo)),
        )
    if split_size is not None and split_size < 1:
        raise UsageError(
            _("--split-size {split_size}: at least 1 row per file").format(split_size=split_size)
        )
    if min_size is not None and min_size < 0:
        raise UsageError(_("--min-size {min_size}: cannot be negative").format(min_size=min_size))
    _check_out(out)
    earlier = [] if dry_run else _earlier_files(engine, out, preset, diff_since is not None, force)
    chosen = _selection(engine, where, segment)

    res = ExportResult(
        platform=preset.platform, title=preset.title, out=str(out), hash=algo, segment=segment,
        where=where, dry_run=dry_run, preset=preset.as_dict(),
    )  # fmt: skip
    render = RowRenderer(preset, algo, customer_columns(preset))
    diff = diff_since is not None
    left = dict.fromkeys(REASONS, 0)
    dropped = dict.fromkeys(REASONS[:-1], 0)
    counts = dict.fromkeys(preset.identifiers if preset.one_identifier_per_file else ("",), 0)
    members: list[int] = []
    current: set[str] = set()
    with_mobile = with_email = seen = 0

    with engine.connect() as conn:
        lo, hi = conn.execute(select(func.min(customers.c.id), func.max(customers.c.id))).one()
        if chosen is None:
            selected = 0  # counted by the scans, range by range
            size = 0 if lo is None else hi - lo + 1
        else:
            chosen &= set(conn.execute(select(customers.c.id).where(live_filter())).scalars())
            selected = size = len(chosen)
        tasks = scan_tasks(lo, hi, chosen)
        supp_ads, supp_own = suppressed(conn)
        prev_id, prev_ids = None, set()
        if diff:
            prev_id, prev_ids = _previous(conn, diff_since, preset.platform, segment, where)
            if prev_id is None:
                res.warnings.append(
                    _(
                        "no earlier export of this selection to {platform}: everyone is an addition"
                    ).format(platform=preset.platform)
                )
        job = ScanJob(preset, algo, include_unknown_consent, chosen, supp_ads, supp_own,
                      prev_ids, diff, not dry_run)  # fmt: skip
        # One writer per output file: the list, or one per identifier kind; with a diff, the
        # additions (removals are written at the end).
        writers = {} if dry_run else _open_writers(out, "added" if diff else "", preset, render,
                                                   split_size or 0)  # fmt: skip
        removed_info = None
        files: list[FileInfo] = []
        try:
            for part in scans(engine, conn, job, tasks, size):
                for k, n in part["left"].items():
                    left[k] += n
                for k, n in part["dropped"].items():
                    dropped[k] += n
                for k, n in part["counts"].items():
                    counts[k] += n
                seen += part["seen"]
                selected += part["live"]
                members += part["members"]
                with_mobile += part["with_mobile"]
                with_email += part["with_email"]
                current.update(part["current"])
                render.escaped += part["escaped"]
                render.cyrillic_names += part["cyrillic_names"]
                render.names_out += part["names_out"]
                for k, rows in part["rows"].items():
                    w = writers.get(k or None)
                    if w is None:
                        continue
                    if isinstance(rows, tuple):  # (bytes, row ends, replaced characters)
                        w.write_encoded(*rows)
                    else:
                        for r in rows:
                            w.write(r)
            # Customers without a single phone or email never reached a scan.
            left["no_identifier"] += selected - seen
            removed_files: list[FileInfo] = []
            if diff:
                removed_info, removed_files = _write_removed(
                    conn, sorted(prev_ids - set(members)), preset, render, out, current,
                    split_size or 0, dry_run, preset.identifiers,
                )  # fmt: skip
            for w in writers.values():
                files += w.close()
            files += removed_files
        except BaseException:
            for w in writers.values():
                w.abort()
            raise

    rows_by_kind = {k or None: n for k, n in counts.items()}
    rows = sum(rows_by_kind.values())
    diff_info = None
    if diff:
        diff_info = {
            "since": prev_id, "added": sum(1 for m in members if m not in prev_ids),
            "added_rows": rows, **(removed_info or {}),
        }  # fmt: skip
        rows += diff_info["removed_rows"]
    res = replace(
        res,
        selected=selected,
        exported=len(members),
        rows=rows,
        left_out={k: v for k, v in left.items() if v},
        dropped={k: v for k, v in dropped.items() if v},
        share_mobile=round(with_mobile / len(members), 4) if members else 0.0,
        share_email=round(with_email / len(members), 4) if members else 0.0,
        files=[
            {"path": str(f.path), "rows": f.rows, "bytes": f.bytes, "sha256": f.sha256}
            for f in files
        ],
        diff=diff_info,
    )
    _summarise(res, preset, render, rows_by_kind, min_size, writers)
    if not dry_run:
        written = {f.path.resolve() for f in files}
        stale = [p for p in earlier if p.resolve() not in written]
        for p in stale:
            p.unlink(missing_ok=True)
        if stale:
            res.notes.append(
                ngettext(
                    "removed {n} file of an earlier export of the same name: {names}",
                    "removed {n} files of an earlier export of the same name: {names}",
                    len(stale),
                ).format(n=len(stale), names=", ".join(p.name for p in stale))
            )
        export_id = log_export(engine, res, preset, members, include_unknown_consent,
                               overrides, files, split_size, stale)  # fmt: skip
        res = replace(res, export_id=export_id)
    return res


def _targets(out: Path, preset: Preset, diff: bool) -> list[Path]:
    """The file names an export writes (each may become NAME-part1, -part2... when split)."""
    tags = ("added", "removed") if diff else ("",)
    kinds = preset.identifiers
    if preset.one_identifier_per_file:
        return [_name(out, k if len(kinds) > 1 else "", t) for k in kinds for t in tags]
    return [_name(out, t) for t in tags]


def _earlier_files(
    engine: Engine, out: Path, preset: Preset, diff: bool, force: bool
) -> list[Path]:
    """The files already at the names this export writes: the names themselves and their
    numbered parts. Without ``force`` any of them is refused; with it the names are replaced,
    and the parts are removed only if the tool wrote them (a part a user put there is refused)."""
    found: list[Path] = []
    for t in _targets(out, preset, diff):
        part = re.compile(re.escape(t.stem) + r"-part\d+" + re.escape(t.suffix) + "$")
        found += [t] if t.exists() else []
        found += sorted(p for p in t.parent.glob(f"{t.stem}-part*{t.suffix}") if part.match(p.name))
    if not found:
        return []
    if not force:
        others = len(found) - 1
        more = (
            ngettext(
                " (and {n} more file of an earlier export)",
                " (and {n} more files of an earlier export)",
                others,
            ).format(n=others)
            if others
            else ""
        )
        if found[0] == out:
            message = _("--out {out}: the file exists already{more}").format(out=out, more=more)
        else:
            message = _("--out {out}: {name} exists already{more}").format(
                out=out, name=found[0].name, more=more
            )
        raise UsageError(message, hint=_("add --force to replace it, or choose another name"))
    targets = _targets(out, preset, diff)
    with engine.connect() as conn:
        foreign = [p for p in found if p not in targets and not written_by_us(conn, p, ("export",))]
    if foreign:
        raise UsageError(
            _(
                "--out {out}: {path} looks like a part of this export but was not written by "
                "clientbase (or was changed since)"
            ).format(out=out, path=foreign[0]),
            hint=_("move it away or delete it, then export again"),
        )
    return found


def _write_removed(
    conn, ids: list[int], preset: Preset, render: RowRenderer, out: Path, current: set[str],
    split_size: int, dry_run: bool, kinds: tuple[str, ...],
) -> tuple[dict, list[FileInfo]]:  # fmt: skip
    """Rows for the customers who left the audience, from the identifiers they have now (consent
    does not matter here: taking someone out is what a withdrawal asks for). A value that is
    still in the audience under another customer is not removed."""
    per_file = preset.one_identifier_per_file
    writers = {} if dry_run else _open_writers(out, "removed", preset, render, split_size)
    rows = 0
    gone = 0
    h = render.h
    n_extra = len(render.cust_fields)
    try:
        done: set[int] = set()
        for i in range(0, len(ids), 500):
            q = points_query(render.cust_fields, 0, 0, tuple(ids[i : i + 500]), removal=True)
            for cid, group in groupby(iter_rows(conn, q), key=lambda r: r[0]):
                pts = [p for p in group if p[1] in KINDS]
                phones, emails, country = [], [], ""
                for _c, kind, value, valid, *_rest in pts:
                    if not valid or not value:
                        continue
                    if kind == "phone":
                        region, mobile = phone_facts(value)
                        country = country or (region or "")
                        if "phone" in kinds and (mobile or not preset.mobile_only):
                            phones.append(render_phone(value, preset.phone_format))
                    elif kind == "email" and "email" in kinds:
                        e = render_email(value, preset.email_rules)
                        if e is not None:
                            emails.append(e)
                phones = [p for p in dict.fromkeys(phones) if p not in current]
                emails = [e for e in dict.fromkeys(emails) if e not in current]
                if not phones and not emails:
                    continue
                done.add(cid)
                hp, he = [h(p) for p in phones], [h(e) for e in emails]
                if per_file:
                    for k, vals in (("phone", hp), ("email", he)):
                        if k in kinds:
                            for v in vals:
                                if not dry_run:
                                    writers[k].write(render.single(v))
                                rows += 1
                else:
                    extra = pts[0][EXTRA : EXTRA + n_extra]
                    fields = render.fields(extra, country)
                    for r in render.rows(hp, he, fields):
                        if not dry_run:
                            writers[None].write(r)
                        rows += 1
        gone = len(ids) - len(done)
        files: list[FileInfo] = []
        for w in writers.values():
            files += w.close()
    except BaseException:
        for w in writers.values():
            w.abort()
        raise
    return {"removed": len(ids), "removed_rows": rows, "removed_no_longer_in_base": gone}, files


def _summarise(res: ExportResult, preset: Preset, render: RowRenderer, rows_by_kind: dict,
               min_size: int | None, writers: dict) -> None:  # fmt: skip
    minimum = preset.min_size if min_size is None else min_size
    name = preset.label
    if minimum:
        for kind, n in rows_by_kind.items():
            if n < minimum and not res.diff:
                note = f" ({_(preset.min_size_note)})" if preset.min_size_note else ""
                # A dry run writes nothing: it says what a real run would do.
                outcome = (
                    _("a real run writes the file anyway")
                    if res.dry_run
                    else _("the file is written anyway")
                )
                res.warnings.append(
                    ngettext(
                        "{rows} is below the minimum of {minimum:,} for {name}{note}; {outcome}",
                        "{rows} are below the minimum of {minimum:,} for {name}{note}; {outcome}",
                        n,
                    ).format(
                        rows=_rows(n, kind), minimum=minimum, name=name, note=note, outcome=outcome
                    )
                )
    if render.cyrillic_names:
        res.notes.append(
            ngettext(
                "{n} Cyrillic name transliterated to Latin: {name} keeps only the letters a-z "
                "and would drop them",
                "{n} Cyrillic names transliterated to Latin: {name} keeps only the letters a-z "
                "and would drop them",
                render.cyrillic_names,
            ).format(n=render.cyrillic_names, name=name)
        )
    if render.names_out:
        why = "names = drop" if preset.names == "drop" else _("no letters {name} keeps")
        res.notes.append(
            ngettext(
                "{n} name left out ({why})", "{n} names left out ({why})", render.names_out
            ).format(n=render.names_out, why=why.format(name=name))
        )
    if render.escaped:
        res.notes.append(
            ngettext(
                "{n} value starting with = + - @ prefixed with ' so a spreadsheet does not run "
                "them as formulas",
                "{n} values starting with = + - @ prefixed with ' so a spreadsheet does not run "
                "them as formulas",
                render.escaped,
            ).format(n=render.escaped)
        )
    replaced = sum(getattr(w, "replaced", 0) for w in writers.values())
    if replaced:
        res.warnings.append(
            ngettext(
                "{n} characters cannot be written in {encoding} and became '?'",
                "{n} characters cannot be written in {encoding} and became '?'",
                replaced,
            ).format(n=replaced, encoding=preset.encoding)
        )
    if any(f["rows"] == 0 for f in res.files) and res.exported == 0 and not res.diff:
        res.warnings.append(_("nobody to export: the file has only the header"))
    if preset.match_note:
        res.notes.append(_(preset.match_note))


def _rows(n: int, kind: str | None) -> str:
    """``n`` rows of an identifier kind ("2 phone rows"), or just rows."""
    if kind == "phone":
        return ngettext("{n} phone row", "{n} phone rows", n).format(n=n)
    if kind == "email":
        return ngettext("{n} email row", "{n} email rows", n).format(n=n)
    return ngettext("{n} row", "{n} rows", n).format(n=n)
