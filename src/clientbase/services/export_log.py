"""What an audience export did (ExportResult) and the log of exports: the ``exports`` row
(counts, file names and hashes, no personal data), the customers in ``export_members`` (what a
later diff compares with) and the listing."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import OperationalError

from clientbase.db.bulk import insert_rows
from clientbase.db.copies import mark_removed, record_copy
from clientbase.db.engine import write_transaction
from clientbase.db.models import export_members, exports
from clientbase.exporters.presets import Preset
from clientbase.exporters.writer import FileInfo
from clientbase.i18n import _
from clientbase.services.results import Result


@dataclass(frozen=True, slots=True)
class ExportResult(Result):
    """What an export wrote (or would write, ``dry_run``): who was selected and exported, who
    was left out and why, the files with their hashes, and the log entry (``export_id``)."""

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

    def to_dict(self) -> dict:
        d = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "preset"}
        d["left_out_total"] = sum(self.left_out.values())
        d["source"] = self.preset.get("source")
        d["checked"] = self.preset.get("checked")
        return d


def log_export(engine: Engine, res: ExportResult, preset: Preset, members: list[int],
               include_unknown: bool, overrides, files: list[FileInfo], split_size: int | None,
               removed: list[Path]) -> int:  # fmt: skip
    """The exports row (no personal data: counts, names of files, hashes), its members, and its
    files in the registry of copies."""
    params = {
        "segment": res.segment, "where": res.where, "hash": res.hash,
        "include_unknown_consent": include_unknown, "selected": res.selected,
        "exported": res.exported, "left_out": res.left_out, "dropped": res.dropped,
        "share_mobile": res.share_mobile, "share_email": res.share_email,
        "files": res.files, "diff": res.diff, "overrides": list(overrides or []),
        "preset_checked": preset.checked, "out": res.out, "split_size": split_size,
    }  # fmt: skip
    first = files[0] if files else None
    with write_transaction(engine) as conn:
        export_id = conn.execute(
            insert(exports).values(
                platform=preset.platform, file_name=str(first.path) if first else res.out,
                file_sha256=first.sha256 if first else None, rows=res.rows, params=params,
                created_at=datetime.now(),
            )
        ).inserted_primary_key[0]  # fmt: skip
        _insert_members(conn, export_id, members)
        for p in removed:
            mark_removed(conn, p)
        for f in files:
            record_copy(conn, "export", f.path, sha256=f.sha256, export_id=export_id)
    return export_id


def _insert_members(conn, export_id: int, members: list[int]) -> None:
    """export_members rows. On SQLite one ``INSERT ... SELECT FROM json_each`` per 200,000 ids:
    three times faster than binding a million parameter pairs (measured 0.4 s against 1.2 s)."""
    step = 200_000
    start = 0
    if conn.dialect.name == "sqlite":
        table = conn.dialect.identifier_preparer.format_table(export_members)
        sql = f"INSERT INTO {table} (export_id, customer_id) SELECT ?, value FROM json_each(?)"
        try:
            for start in range(0, len(members), step):
                ids = "[" + ",".join(map(str, members[start : start + step])) + "]"
                conn.exec_driver_sql(sql, (export_id, ids))
        except OperationalError:
            # An SQLite built without JSON: the chunk that failed, and the rest, the plain way.
            _insert_members_plain(conn, export_id, members[start:], step)
        return
    _insert_members_plain(conn, export_id, members, step)


def _insert_members_plain(conn, export_id: int, members: list[int], step: int) -> None:
    for i in range(0, len(members), step):
        insert_rows(conn, export_members, ("export_id", "customer_id"),
                    [(export_id, m) for m in members[i : i + step]])  # fmt: skip


@dataclass(frozen=True, slots=True)
class ExportRecord(Result):
    """One logged export (no personal data): when, where to, which selection, the counts, the
    files and the hash of the first."""

    id: int
    created_at: str
    platform: str
    selection: str  # "all", "segment NAME" or "where EXPR"
    segment: str | None
    where: str | None
    hash: str | None
    selected: int | None
    exported: int | None
    rows: int
    left_out: int
    left_out_by_reason: dict[str, int]
    diff_since: int | None
    files: list[str]
    file: str
    sha256: str | None


def list_exports(engine: Engine) -> list[ExportRecord]:
    """Every logged export, newest first: when, where to, which selection, how many, the files."""
    with engine.connect() as conn:
        rows = conn.execute(select(exports).order_by(exports.c.id.desc())).all()
    out = []
    for r in rows:
        p = r.params or {}
        sel = (
            _("segment {name}").format(name=p["segment"]) if p.get("segment")
            else _("where {expression}").format(expression=p["where"]) if p.get("where")
            else _("all")
        )  # fmt: skip
        out.append(
            ExportRecord(
                id=r.id, created_at=r.created_at.isoformat(sep=" ", timespec="seconds"),
                platform=r.platform, selection=sel, segment=p.get("segment"),
                where=p.get("where"), hash=p.get("hash"), selected=p.get("selected"),
                exported=p.get("exported"), rows=r.rows,
                left_out=sum((p.get("left_out") or {}).values()),
                left_out_by_reason=p.get("left_out") or {},
                diff_since=(p.get("diff") or {}).get("since") if p.get("diff") else None,
                files=[f["path"] for f in p.get("files") or []] or [r.file_name],
                file=r.file_name, sha256=r.file_sha256,
            )
        )  # fmt: skip
    return out
