"""`import --rejects FILE`: the rejected rows of an import, with the reasons, as CSV.

The file is a copy of personal data, so it is noted in the registry of copies. It is written only
when some row was rejected, and it never replaces a file the tool did not write: an existing file
at that name is replaced only when it is an earlier rejects file of ours that nobody changed
since (otherwise the import is refused before it starts). An earlier rejects file of ours is
removed when an import rejects nothing, so the name never shows another run's rows.
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

from sqlalchemy import Engine

from clientbase.db.copies import mark_removed, record_copy, written_by_us
from clientbase.db.engine import write_transaction
from clientbase.errors import UsageError
from clientbase.i18n import _

HEADER = ["file", "sheet", "row", "reason", "data"]


def check_rejects_target(engine: Engine, path: Path) -> None:
    """Refuse, before anything is imported, a rejects file that cannot be written or that would
    replace a file the tool did not write."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(
            _("--rejects {path}: cannot write there: the folder {folder} does not exist").format(
                path=path, folder=folder
            )
        )
    if path.exists():
        if not path.is_file():
            raise UsageError(_("--rejects {path}: not a regular file").format(path=path))
        with engine.connect() as conn:
            ours = written_by_us(conn, path, ("rejects",))
        if not ours:
            raise UsageError(
                _(
                    "--rejects {path}: the file exists and was not written by clientbase (or was changed since)"
                ).format(path=path),
                hint=_("choose another name, or move the file away"),
            )
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise UsageError(
            _("--rejects {path}: cannot write there (permission denied)").format(path=path)
        )


def write_rejects(engine: Engine, path: Path, result) -> dict:
    """Write the rejected rows of an import ``result``; returns what was done:
    {"written": rows or 0, "removed_earlier": bool}."""
    rows = [(fr, r) for fr in result.files for r in fr.rejects]
    if not rows:
        removed = path.is_file()  # check_rejects_target made sure it is ours
        if removed:
            path.unlink()
            with write_transaction(engine) as conn:
                mark_removed(conn, path)
        return {"written": 0, "removed_earlier": removed}
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with tmp.open("w", encoding="utf-8-sig", newline="") as f:  # BOM: for Excel
            w = csv.writer(f)
            w.writerow(HEADER)
            for fr, r in rows:
                w.writerow(
                    [fr.file, r.sheet or "", r.row, r.reason, json.dumps(r.raw, ensure_ascii=False)]
                )
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise UsageError(
            _("--rejects {path}: cannot write there: {strerror}").format(
                path=path, strerror=exc.strerror
            )
        ) from exc
    batches = sorted({fr.batch_id for fr, _ in rows if fr.batch_id and not result.dry_run})
    with write_transaction(engine) as conn:
        record_copy(conn, "rejects", path, import_ids=batches)
    return {"written": len(rows), "removed_earlier": False}
