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


def expand_paths(paths: list[Path]) -> list[tuple[Path, bool]]:
    """Files to import, each with whether it came from a folder (and may then be passed over)."""
    out = []
    for p in paths:
        if p.is_dir():
            found = sorted(
                q
                for q in p.iterdir()
                if q.is_file()
                and q.suffix.lower() in SUPPORTED_SUFFIXES
                and not q.name.startswith((".", "~$"))
            )
            if not found:
                raise InputFileError(
                    _("{path}: no files to import here").format(path=p),
                    hint=_("supported: {suffixes}").format(
                        suffixes=", ".join(sorted(SUPPORTED_SUFFIXES))
                    ),
                )
            out.extend((q, True) for q in found)
        elif (problem := file_problem(p)) is not None:
            raise InputFileError(problem)
        else:
            out.append((p, False))
    return out
