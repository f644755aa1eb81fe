"""`clientbase report`: collect the figures, render them, write the file, check the alert.

The figures come from ``services.report_data`` (one dict of numbers); ``clientbase.reports``
renders them and checks the alert. This module ties it together for
the CLI and for scripts (``make_report(engine, ...)``) and owns the decisions around it:
which format a file gets, which file it may replace, and how it reaches the disk (whole or not
at all). A report holds personal data (the missed calls' numbers), so the file is noted in the
registry of copies; that note is also how a scheduled report recognises yesterday's file as its
own and replaces it, while a file the tool did not write is replaced only with ``force``.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import Engine

from clientbase.db.copies import record_copy, written_by_us
from clientbase.db.engine import write_transaction
from clientbase.errors import ClientbaseError, UsageError
from clientbase.i18n import _
from clientbase.reports import alert as alerts
from clientbase.reports.i18n import LANGS, default_lang
from clientbase.reports.metrics import METRICS, parse_sections, sections_for
from clientbase.reports.writers import FORMATS, render
from clientbase.services.report_data import collect
from clientbase.services.results import Result

EXTENSIONS = {
    ".html": "html",
    ".htm": "html",
    ".md": "md",
    ".markdown": "md",
    ".json": "json",
    ".txt": "text",
    ".text": "text",
}


@dataclass(frozen=True, slots=True)
class Alert(Result):
    """A ``--fail-if`` condition, whether it held, and the metrics it read."""

    expression: str
    held: bool
    values: dict = field(default_factory=dict)  # the metrics the condition reads

    def message(self) -> str:
        shown = ", ".join(f"{k} = {_plain(v)}" for k, v in self.values.items())
        return _("alert: {expression} holds ({shown})").format(
            expression=self.expression, shown=shown
        )


@dataclass(frozen=True, slots=True)
class Report(Result):
    """A report: ``data`` the figures (the JSON document, what ``to_dict()`` gives), ``text``
    rendered in ``fmt`` and ``lang``, and the ``alert`` when a condition was given."""

    data: dict
    fmt: str
    lang: str
    text: str
    alert: Alert | None = None

    def to_dict(self) -> dict:
        return self.data


def _plain(value) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def format_for(out: Path | None, fmt: str | None) -> str:
    """The output format: the one asked for, else the file's extension, else text."""
    if fmt:
        return fmt
    if out is None:
        return "text"
    ext = out.suffix.lower()
    if ext not in EXTENSIONS:
        raise UsageError(
            _("--out {out}: cannot tell the format from {value!r}").format(
                out=out, value=ext or _("a name without an extension")
            ),
            hint=_("name it .html, .md, .json or .txt, or give --format"),
        )
    return EXTENSIONS[ext]


def make_report(
    engine: Engine,
    *,
    period: str = "30d",
    sections: str | list[str] | None = None,
    as_of: date | None = None,
    fmt: str = "text",
    lang: str | None = None,
    fail_if: str | None = None,
    color: bool = False,
    width: int = 120,
    now: datetime | None = None,
    orders: Callable[[], tuple] | None = None,
) -> Report:
    """Collect, render and (with ``fail_if``) check the report. The condition is checked for
    sense before anything is read, so a typo fails at once; the sections its metrics come from
    are collected even when ``sections`` leaves them out of the report. ``orders``: the
    orders being read already (``services.report_prefetch.start_reading_orders``)."""
    if fmt not in FORMATS:
        raise UsageError(
            _("--format {fmt!r}: one of {formats}").format(fmt=fmt, formats=", ".join(FORMATS))
        )
    lang = lang or default_lang()
    if lang not in LANGS:
        raise UsageError(
            _("--lang {lang!r}: one of {langs}").format(lang=lang, langs=", ".join(LANGS))
        )
    wanted = parse_sections(sections) if not isinstance(sections, list) else sections
    tree = alerts.parse(fail_if, METRICS) if fail_if is not None else None
    needed = sections_for(alerts.names(tree)) if tree is not None else []
    data = collect(
        engine,
        period=period,
        sections=[s for s in wanted] + [s for s in needed if s not in wanted],
        as_of=as_of,
        now=now,
        orders=orders,
    )
    # Sections gathered only for the condition stay out of the report; their figures stay in
    # "metrics", so the JSON shows what the condition saw.
    for extra in [s for s in data["sections"] if s not in wanted]:
        data.pop(extra, None)
    data["sections"] = [s for s in data["sections"] if s in wanted]
    text = render(data, fmt, lang, color=color, width=width)
    alert = None
    if tree is not None:
        metrics = data["metrics"]
        alert = Alert(
            expression=fail_if.strip(),
            held=alerts.evaluate(tree, metrics),
            values={n: metrics.get(n) for n in alerts.names(tree)},
        )
    return Report(data=data, fmt=fmt, lang=lang, text=text, alert=alert)


def check_target(engine: Engine, path: Path, *, force: bool = False) -> Path:
    """Refuse, before the report is made, a file at ``path`` the tool did not write (or that
    was changed since), unless ``force``; an earlier report of ours is replaced."""
    path = path.expanduser()
    if not path.exists() and not path.is_symlink():
        return path
    if path.is_dir():
        raise UsageError(_("--out {path}: not a regular file").format(path=path))
    if force:
        return path
    with engine.connect() as conn:
        ours = written_by_us(conn, path, ("report",))
    if not ours:
        raise UsageError(
            _(
                "--out {path}: the file exists and was not written by clientbase (or was changed since)"
            ).format(path=path),
            hint=_("add --force to replace it, or choose another name"),
        )
    return path


def write_report(engine: Engine, path: Path, text: str) -> Path:
    """Write the file whole or not at all: a temporary file beside it, then a rename, so a web
    server or a mail job reading the report never sees half of one. The file is then noted in
    the registry of copies (``check_target`` has said it may be written)."""
    path = path.expanduser()
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ClientbaseError(
            _("--out {path}: the folder {folder} does not exist").format(path=path, folder=folder)
        )
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        # mkstemp makes the file private (0600); a report is for reading (a web server, the
        # mail job), so it gets the mode any new file of this user gets.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except OSError as exc:
        if "tmp" in locals() and os.path.exists(tmp):
            os.unlink(tmp)
        raise ClientbaseError(
            _("--out {path}: cannot write it ({strerror})").format(path=path, strerror=exc.strerror)
        ) from None
    with write_transaction(engine) as conn:
        record_copy(conn, "report", path)
    return path
