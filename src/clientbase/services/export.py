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
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path

from sqlalchemy import Engine, func, select

from clientbase.db.models import customers, export_members, exports
from clientbase.errors import NotFoundError, UsageError
from clientbase.exporters.presets import Preset, load_preset
from clientbase.exporters.render import phone_facts, render_email, render_phone
from clientbase.exporters.rows import RowRenderer
from clientbase.exporters.writer import FileInfo, open_writer
from clientbase.services.export_log import list_exports, log_export
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

__all__ = ["REASONS", "REASON_TEXT", "ExportResult", "export_audience", "list_exports"]


@dataclass
class ExportResult:
    platform: str
    title: str
    out: str
    hash: str
    segment: str | None
    where: str | None
    dry_run: bool
    selected: int = 0  # live customers the segment / filter selected
    exported: int = 0  # customers with at least one row in the file
    rows: int = 0
    left_out: dict[str, int] = field(default_factory=dict)  # customers, by reason
    dropped: dict[str, int] = field(default_factory=dict)  # identifiers, by reason
    share_mobile: float = 0.0  # of the exported customers, those with a mobile phone in the file
    share_email: float = 0.0
    files: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    diff: dict | None = None
    export_id: int | None = None
    preset: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        d = {k: getattr(self, k) for k in self.__dataclass_fields__ if k != "preset"}
        d["left_out_total"] = sum(self.left_out.values())
        d["source"] = self.preset.get("source")
        d["checked"] = self.preset.get("checked")
        return d


# --------------------------------------------------------------------------------------------
# The export
# --------------------------------------------------------------------------------------------


def _check_out(out: Path) -> None:
    parent = out.parent if str(out.parent) else Path(".")
    if out.is_dir():
        raise UsageError(f"--out {out}: is a folder; give a file name, e.g. {out / 'audience.csv'}")
    if not parent.is_dir():
        raise UsageError(f"--out {out}: the folder {parent} does not exist")
    if out.exists() and not out.is_file():
        # The file is written beside it and renamed over it at the end: that would replace a
        # device or a pipe (/dev/stdout, run as root) with a plain file.
        raise UsageError(
            f"--out {out}: not a regular file (a device or a pipe); give a file name, "
            "e.g. audience.csv"
        )
    if not os.access(parent, os.W_OK) or (out.exists() and not os.access(out, os.W_OK)):
        raise UsageError(f"--out {out}: cannot write there (permission denied)")


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
        raise UsageError(f"--out {path}: cannot write there: {exc.strerror}") from exc
    return writers


def _name(out: Path, *tags: str) -> Path:
    tags = tuple(t for t in tags if t)
    return out.with_name(f"{out.stem}{''.join('-' + t for t in tags)}{out.suffix}") if tags else out


def _selection(engine: Engine, where: str | None, segment: str | None) -> set[int] | None:
    if where is not None and segment is not None:
        raise UsageError("give --segment or --where, not both")
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
                f"--diff-since {diff_since!r}: an export id or 'last'",
                hint="see: clientbase exports list",
            ) from None
        if conn.execute(select(exports.c.id).where(exports.c.id == prev)).first() is None:
            raise NotFoundError(f"there is no export {prev}", hint="see: clientbase exports list")
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
            f"--hash {algo}: {preset.title} does not accept it (it takes "
            f"{', '.join(preset.hashes)}; checked {preset.checked})",
            hint="if the platform's rules changed: --set hashes="
            + ",".join((*preset.hashes, algo)),
        )
    if split_size is not None and split_size < 1:
        raise UsageError(f"--split-size {split_size}: at least 1 row per file")
    if min_size is not None and min_size < 0:
        raise UsageError(f"--min-size {min_size}: cannot be negative")
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
                    f"no earlier export of this selection to {preset.platform}: everyone is an "
                    "addition"
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
    res.selected = selected
    res.exported = len(members)
    res.rows = sum(rows_by_kind.values())
    res.left_out = {k: v for k, v in left.items() if v}
    res.dropped = {k: v for k, v in dropped.items() if v}
    if members:
        res.share_mobile = round(with_mobile / len(members), 4)
        res.share_email = round(with_email / len(members), 4)
    res.files = [
        {"path": str(f.path), "rows": f.rows, "bytes": f.bytes, "sha256": f.sha256} for f in files
    ]
    if diff:
        res.diff = {
            "since": prev_id, "added": sum(1 for m in members if m not in prev_ids),
            "added_rows": res.rows, **(removed_info or {}),
        }  # fmt: skip
        res.rows += res.diff["removed_rows"]
    _summarise(res, preset, render, rows_by_kind, min_size, writers)
    if not dry_run:
        written = {f.path.resolve() for f in files}
        stale = [p for p in earlier if p.resolve() not in written]
        for p in stale:
            p.unlink(missing_ok=True)
        if stale:
            res.notes.append(
                f"removed {_n(len(stale), 'file')} of an earlier export of the same name: "
                + ", ".join(p.name for p in stale)
            )
        res.export_id = log_export(engine, res, preset, members, include_unknown_consent,
                                   overrides, files, split_size, stale)  # fmt: skip
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
    import re

    from clientbase.db.copies import written_by_us

    found: list[Path] = []
    for t in _targets(out, preset, diff):
        part = re.compile(re.escape(t.stem) + r"-part\d+" + re.escape(t.suffix) + "$")
        found += [t] if t.exists() else []
        found += sorted(p for p in t.parent.glob(f"{t.stem}-part*{t.suffix}") if part.match(p.name))
    if not found:
        return []
    if not force:
        what = "the file" if found[0] == out else found[0].name
        more = (
            f" (and {_n(len(found) - 1, 'more file')} of an earlier export)"
            if len(found) > 1
            else ""
        )
        raise UsageError(
            f"--out {out}: {what} exists already{more}",
            hint="add --force to replace it, or choose another name",
        )
    targets = _targets(out, preset, diff)
    with engine.connect() as conn:
        foreign = [p for p in found if p not in targets and not written_by_us(conn, p, ("export",))]
    if foreign:
        raise UsageError(
            f"--out {out}: {foreign[0]} looks like a part of this export but was not written by "
            "clientbase (or was changed since)",
            hint="move it away or delete it, then export again",
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
                what = _n(n, f"{kind} row" if kind else "row")
                note = f" ({preset.min_size_note})" if preset.min_size_note else ""
                # A dry run writes nothing: it says what a real run would do.
                outcome = (
                    "a real run writes the file anyway"
                    if res.dry_run
                    else "the file is written anyway"
                )
                verb = "is" if n == 1 else "are"
                res.warnings.append(
                    f"{what} {verb} below the minimum of {minimum:,} for {name}{note}; {outcome}"
                )
    if render.cyrillic_names:
        res.notes.append(
            f"{_n(render.cyrillic_names, 'Cyrillic name')} transliterated to Latin: {name} keeps "
            "only the letters a-z and would drop them"
        )
    if render.names_out:
        why = "names = drop" if preset.names == "drop" else f"no letters {name} keeps"
        res.notes.append(f"{_n(render.names_out, 'name')} left out ({why})")
    if render.escaped:
        res.notes.append(
            f"{_n(render.escaped, 'value')} starting with = + - @ prefixed with ' so a "
            "spreadsheet does not run them as formulas"
        )
    replaced = sum(getattr(w, "replaced", 0) for w in writers.values())
    if replaced:
        res.warnings.append(
            f"{replaced} characters cannot be written in {preset.encoding} and became '?'"
        )
    if any(f["rows"] == 0 for f in res.files) and res.exported == 0 and not res.diff:
        res.warnings.append("nobody to export: the file has only the header")
    if preset.match_note:
        res.notes.append(preset.match_note)


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")
