"""Cleaned chunks of the sources that are not tables: call logs and vCard files."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import chain, islice
from pathlib import Path

from sqlalchemy import Connection

from clientbase.i18n import _
from clientbase.importers.calls import CallLogError, OwnNumbers, read_call_log
from clientbase.importers.clean import Clean, Rejected, clean_call, clean_record, to_json
from clientbase.importers.region import region_for
from clientbase.importers.results import FileResult, ImportOptions
from clientbase.importers.settings import stored_own_numbers
from clientbase.importers.source import Source
from clientbase.importers.vcard import VCardSyntaxError, read_vcards, vcard_to_record
from clientbase.normalize.phones import split_phones


def choose_region(numbers: Iterable[str], opt: ImportOptions, result: FileResult) -> str:
    choice = region_for(numbers, opt.region, chosen=opt.region_given)
    result.region = choice.region
    if choice.note and choice.note not in result.notes:
        result.notes.append(choice.note)
    return choice.region


def call_chunks(
    conn: Connection,
    path: Path,
    fmt: str,
    opt: ImportOptions,
    result: FileResult,
    chunk_rows: int,
) -> Iterator[list]:

    own = OwnNumbers([*opt.own_numbers, *stored_own_numbers(conn)])
    records = read_call_log(
        path, fmt, encoding=opt.encoding, delimiter=opt.delimiter, columns=opt.columns or None,
        own_numbers=own,
    )  # fmt: skip
    # The first records are looked at before any is cleaned: the log's own numbers with a
    # country code tell how to read the ones without.
    ahead = list(islice(records, chunk_rows))
    region = choose_region(
        (r.number for r in ahead if not isinstance(r, CallLogError) and not r.region), opt, result
    )
    if own.learned:
        result.notes.append(
            _("the company's own numbers, not customers: {numbers}").format(
                numbers=", ".join(f"{key} ({how})" for key, how in own.learned.items())
            )
        )
    chunk: list = []
    for item in chain(ahead, records):
        if isinstance(item, CallLogError):
            raw = to_json(item.raw)
            chunk.append(Rejected(item.row, None, raw, item.message))
        else:
            chunk.append(clean_call(item, region, opt.source, own))
        if len(chunk) >= chunk_rows:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def vcard_chunks(
    source: Source, opt: ImportOptions, result: FileResult, chunk_rows: int
) -> Iterator[list[Clean | Rejected]]:

    items = [
        (item, None if isinstance(item, VCardSyntaxError) else vcard_to_record(item))
        for item in read_vcards(source.read_all())
    ]
    region = choose_region(
        (part for _, rec in items if rec is not None for cell, _ in rec.phones
         for part in split_phones(cell)),
        opt, result,
    )  # fmt: skip
    chunk: list[Clean | Rejected] = []
    for item, rec in items:
        if rec is None:
            # Keep what the person typed before the broken line, not just the error.
            raw = vcard_to_record(item.partial).raw if item.partial is not None else {}
            raw["error"] = item.message
            chunk.append(
                Rejected(
                    item.card_line or item.line,
                    None,
                    to_json(raw),
                    _("malformed vCard at line {line}: {message}").format(
                        line=item.line, message=item.message
                    ),
                )
            )
        else:
            chunk.append(clean_record(rec, region, opt.source))
        if len(chunk) >= chunk_rows:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
