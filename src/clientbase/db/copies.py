"""The registry of files the tool wrote that hold personal data (``written_copies``).

Every writer of such a file (backups, exports, rejected rows, reports) records it here, so erasing a
person can name the copies that may still hold them, and an export can tell its own stale parts
from a user's files.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection, insert, select, update

from clientbase.db.models import written_copies


def file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def record_copy(
    conn: Connection,
    kind: str,
    path: Path,
    *,
    sha256: str | None = None,
    export_id: int | None = None,
    import_ids: list[int] | None = None,
    written_at: datetime | None = None,
) -> None:
    """Note a file just written (its size and hash are read from disk unless given)."""
    path = Path(path).resolve()
    size = path.stat().st_size if path.exists() else None
    if sha256 is None and path.exists():
        sha256 = file_digest(path)
    conn.execute(
        insert(written_copies).values(
            kind=kind, path=str(path), written_at=written_at or datetime.now(), size_bytes=size,
            sha256=sha256, export_id=export_id, import_ids=import_ids,
        )
    )  # fmt: skip


def latest_copy(conn: Connection, path: Path):
    """The latest registry entry for ``path`` (what the tool last wrote there), or None."""
    wc = written_copies.c
    return conn.execute(
        select(written_copies)
        .where(wc.path == str(Path(path).resolve()))
        .order_by(wc.written_at.desc(), wc.id.desc())
        .limit(1)
    ).first()


def written_by_us(conn: Connection, path: Path, kinds: tuple[str, ...]) -> bool:
    """Whether the file at ``path`` is one the tool wrote (of one of ``kinds``) and nobody
    changed since: its hash is the one recorded."""
    row = latest_copy(conn, path)
    if row is None or row.kind not in kinds or row.removed_at is not None:
        return False
    return row.sha256 is None or (Path(path).is_file() and file_digest(Path(path)) == row.sha256)


def mark_removed(conn: Connection, path: Path) -> None:
    wc = written_copies.c
    conn.execute(
        update(written_copies)
        .where(wc.path == str(Path(path).resolve()), wc.removed_at.is_(None))
        .values(removed_at=datetime.now())
    )
