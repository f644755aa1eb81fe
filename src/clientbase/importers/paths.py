"""Which files an import reads: the files named, and the importable files of a folder."""

from __future__ import annotations

from pathlib import Path

from clientbase.errors import InputFileError
from clientbase.i18n import _
from clientbase.importers.source import file_problem

SUPPORTED_SUFFIXES = {
    ".csv",
    ".tsv",
    ".txt",
    ".xlsx",
    ".xlsm",
    ".xls",
    ".ods",
    ".vcf",
    ".vcard",
    ".xml",
}


def expand_paths(paths: list[Path]) -> list[tuple[Path, bool, InputFileError | None]]:
    """Files to import, each with whether it came from a folder (and may then be passed over)
    and, for an entry of a folder that is not read at all, why: every entry is named, so
    nothing in the folder is left out without a word."""
    out: list[tuple[Path, bool, InputFileError | None]] = []
    for p in paths:
        if p.is_dir():
            entries = sorted(p.iterdir())
            if not any(_passed_over(q) is None for q in entries):
                raise InputFileError(
                    _("{path}: no files to import here").format(path=p),
                    hint=_("supported: {suffixes}").format(
                        suffixes=", ".join(sorted(SUPPORTED_SUFFIXES))
                    ),
                )
            out.extend((q, True, _passed_over(q)) for q in entries)
        elif (problem := file_problem(p)) is not None:
            raise InputFileError(problem)
        else:
            out.append((p, False, None))
    return out


def _passed_over(q: Path) -> InputFileError | None:
    """Why an entry of a folder is not read, or None for a file to import. A file named on the
    command line is read whatever its name; in a folder the name decides, so a PDF or a photo
    beside the lists is not opened."""
    if q.name.startswith("~$"):
        return InputFileError(
            _(
                "{file}: an Office lock file (the document is open in Excel or Word), not data"
            ).format(file=q.name)
        )
    if q.name.startswith("."):
        return InputFileError(_("{file}: a hidden file").format(file=q.name))
    if q.is_dir():
        return InputFileError(
            _("{file}: a folder (folders inside one are not read)").format(file=q.name),
            hint=_("name it to import it too"),
        )
    if not q.is_file():
        return InputFileError(_("{file}: not a regular file").format(file=q.name))
    if q.suffix.lower() not in SUPPORTED_SUFFIXES:
        what = (
            _("{suffix} files in a folder are passed over").format(suffix=q.suffix.lower())
            if q.suffix
            else _("files without an extension in a folder are passed over")
        )
        return InputFileError(
            f"{q.name}: {what}", hint=_("name the file itself to have its content read")
        )
    return None
