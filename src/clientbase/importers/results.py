"""What an import is asked to do (ImportOptions) and what it did, per file and in all
(FileResult, ImportResult): filled in by the pipeline as it goes, shown by the cli, returned by
services.imports.run_import."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from clientbase.importers.contacts import Counts, Reject


@dataclass
class ImportOptions:
    kind: str | None = None
    source: str | None = None
    columns: dict[str, str] = field(default_factory=dict)  # --map / --mapping overrides
    region: str = "RU"
    region_given: bool = False  # --region was given: never replaced by the file's own region
    own_numbers: list[str] = field(default_factory=list)  # the company's lines (call logs)
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    dry_run: bool = False
    force: bool = False  # import even if the same file (sha256) was imported already
    create_missing: bool = True  # orders: create customers the base does not have yet
    find_duplicates: bool = True  # match new customers against the base (the after_contacts hook)


@dataclass
class FileResult:
    file: str
    format: str
    kind: str
    batch_id: int | None = None
    skipped: str | None = None  # why nothing was done (already imported, not importable)
    skipped_sheets: list[str] = field(default_factory=list)  # sheets that are not contact lists
    encoding: str | None = None
    delimiter: str | None = None
    sheets: list[str] = field(default_factory=list)
    mapping: dict[str, dict[str, str]] = field(default_factory=dict)  # per sheet ("" for CSV)
    not_mapped: list[str] = field(default_factory=list)
    counts: Counts = field(default_factory=Counts)
    rejects: list[Reject] = field(default_factory=list)
    region: str | None = None  # the region phones without a country code were read with
    notes: list[str] = field(default_factory=list)  # what was repaired or found while reading
    # What the import did not do as a row said, one line each (a client code another customer
    # has; an order the file gives to another customer).
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        d = asdict(self)
        d.update(d.pop("counts"))
        d["rejects"] = [
            {"row": r.row, "sheet": r.sheet, "reason": r.reason, "raw": r.raw} for r in self.rejects
        ]
        return d


@dataclass
class ImportResult:
    files: list[FileResult]
    dry_run: bool
    possible_duplicates: int | None = None  # new pairs for `dedupe review` (contacts imports)

    def total(self, name: str) -> int:
        return sum(getattr(f.counts, name) for f in self.files)

    @property
    def rejected(self) -> int:
        return self.total("rejected")

    def as_dict(self) -> dict:
        totals = {k: self.total(k) for k in asdict(Counts())}
        return {"dry_run": self.dry_run, **totals, "possible_duplicates": self.possible_duplicates,
                "files": [f.as_dict() for f in self.files]}  # fmt: skip
