"""Copies of personal data the tool wrote outside the base: which exist, which may hold a person.

The registry (``written_copies``) lists backups, audience exports, files of rejected rows and
report files.
The latest entry for a path says what is in the file now; a file deleted or moved away by hand
no longer counts. What each kind holds:

- a backup (``db backup``, or the copy made before a schema upgrade) holds everyone who was in
  the base when it was written;
- an export holds its members (``export_members``);
- a rejects file holds the rejected rows of the batches it lists;
- a report may hold anyone who was in the base when it was written (its missed calls list the
  callers' numbers), as a backup does.
"""

from __future__ import annotations

import shlex
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, select

from clientbase.db.models import export_members, exports, written_copies

BACKUP_KINDS = ("backup", "upgrade-backup")


def _current(conn: Connection) -> list:
    """The latest entry of every path the tool wrote, if the file is still there."""
    wc = written_copies.c
    latest: dict[str, object] = {}
    for row in conn.execute(select(written_copies).order_by(wc.written_at, wc.id)):
        latest[row.path] = row
    return [r for r in latest.values() if r.removed_at is None and Path(r.path).is_file()]


def list_copies(engine: Engine) -> list[dict]:
    """Every copy still on disk, newest first."""
    with engine.connect() as conn:
        rows = _current(conn)
    rows.sort(key=lambda r: (r.written_at, r.id), reverse=True)
    return [
        {"path": r.path, "kind": r.kind, "written_at": r.written_at.isoformat(sep=" ", timespec="seconds"),
         "size_bytes": r.size_bytes, "export_id": r.export_id}
        for r in rows
    ]  # fmt: skip


def copies_holding(
    conn: Connection,
    ids: list[int],
    known_since: datetime | None,
    batches: set[int],
    db_path: Path | None = None,
) -> list[dict]:
    """The copies that may still hold the customers ``ids`` (one person's cards): backups
    and reports written after ``known_since`` (when the first card was made), exports they were
    in, rejects files of the ``batches`` that carried their rows; each with what to do about it."""
    out: list[dict] = []
    seen: set[str] = set()
    for r in _current(conn):
        if r.kind in BACKUP_KINDS or r.kind == "report":
            holds = known_since is None or r.written_at >= known_since
        elif r.kind == "export":
            holds = r.export_id is not None and conn.execute(
                select(export_members.c.customer_id).where(
                    export_members.c.export_id.in_(_exports_behind(conn, r.export_id)),
                    export_members.c.customer_id.in_(ids),
                ).limit(1)
            ).first() is not None  # fmt: skip
        elif r.kind == "rejects":
            holds = bool(set(r.import_ids or []) & batches)
        else:
            holds = True
        if holds:
            seen.add(r.path)
            out.append(_advice(conn, r.kind, r.path, r.written_at, r.export_id))
    if db_path is not None:
        # Copies made before upgrades, from before the registry existed.
        for p in sorted(db_path.parent.glob(f"{db_path.name}.*.bak")):
            path = str(p.resolve())
            if path not in seen:
                when = datetime.fromtimestamp(p.stat().st_mtime)
                out.append(_advice(conn, "upgrade-backup", path, when, None))
    return out


def _exports_behind(conn: Connection, export_id: int) -> list[int]:
    """The exports whose members a file of ``export_id`` may hold: its own, and for a diff the
    earlier export it was compared with (its -removed file lists people who left since)."""
    params = conn.scalar(select(exports.c.params).where(exports.c.id == export_id)) or {}
    since = (params.get("diff") or {}).get("since")
    return [export_id, since] if since else [export_id]


def _advice(conn: Connection, kind: str, path: str, when: datetime, export_id: int | None) -> dict:
    q = shlex.quote(path)
    refresh = None
    if kind == "export" and export_id is not None:
        row = conn.execute(select(exports).where(exports.c.id == export_id)).first()
        refresh = _export_command(row) if row is not None else None
    elif kind == "backup":
        refresh = f"clientbase db backup {q} --force"
    return {
        "path": path,
        "kind": kind,
        "written_at": when.isoformat(sep=" ", timespec="seconds"),
        "export_id": export_id,
        "refresh": refresh,
        "delete": f"rm {q}",
    }


def _export_command(row) -> str | None:
    """The command that writes the same export again (without the erased person), or None for
    a diff, which cannot be written again."""
    p = row.params or {}
    if p.get("diff"):
        return None
    out = p.get("out") or row.file_name
    cmd = ["clientbase", "export", "audience", "--platform", row.platform, "--out", out]
    if p.get("segment"):
        cmd += ["--segment", p["segment"]]
    elif p.get("where"):
        cmd += ["--where", p["where"]]
    if p.get("hash"):
        cmd += ["--hash", p["hash"]]
    if p.get("include_unknown_consent"):
        cmd.append("--include-unknown-consent")
    for s in p.get("overrides") or []:
        cmd += ["--set", s]
    if p.get("split_size"):
        cmd += ["--split-size", str(p["split_size"])]
    return shlex.join([*cmd, "--force"])
