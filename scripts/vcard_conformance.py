"""Print what the vCard reader makes of every .vcf file in a folder, for a person to eyeball.

    PYTHONPATH=src python scripts/vcard_conformance.py /path/to/folder [--raw]

One block per contact: file, line, name (N parts, else FN), company, phones, emails, messengers,
birthday; broken cards are printed with their line and reason. It exits 1 if any card was broken
or any decoded text holds a replacement character or typical UTF-8-read-as-cp1251 mojibake, so it
can also run in CI against a folder of real exports.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from clientbase.importers.vcard import VCardSyntaxError, read_vcards, vcard_to_record

# "Ð", "Ñ" followed by another Latin-1 letter or "Р"/"С" + "°", "ё"… are what UTF-8 Cyrillic looks
# like when read as Latin-1 / cp1251.
_MOJIBAKE = ("\ufffd", "Ð°", "Ð¸", "Ñ\x80", "Ñ\x81", "Р°", "Рё", "РІ", "С‚", "Ã¤", "Ã¶", "Ã¼")


def _name(fields: dict[str, str]) -> str:
    parts = [fields.get(k, "") for k in ("last_name", "first_name", "middle_name")]
    if any(parts):
        return " | ".join(parts)
    return f"full_name: {fields['full_name']}" if "full_name" in fields else "(no name)"


def _suspicious(record) -> list[str]:
    texts = [
        *record.fields.values(),
        *(v for v, _ in record.phones),
        *(v for v, _ in record.emails),
    ]
    return [t for t in texts if any(m in t for m in _MOJIBAKE)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--raw", action="store_true", help="also print the raw property dict")
    args = ap.parse_args(argv)

    files = sorted(args.folder.glob("*.vcf"))
    if not files:
        print(f"no .vcf files in {args.folder}", file=sys.stderr)
        return 2
    problems = contacts = 0
    for path in files:
        print(f"=== {path.name}")
        for item in read_vcards(path.read_bytes()):
            if isinstance(item, VCardSyntaxError):
                problems += 1
                where = f" (card at line {item.card_line})" if item.card_line else ""
                print(f"  line {item.line}: ERROR {item.message}{where}")
                continue
            contacts += 1
            rec = vcard_to_record(item)
            f = rec.fields
            print(f"  line {rec.row} (vCard {item.version}): {_name(f)}")
            if "full_name" in f and any(k in f for k in ("last_name", "first_name")):
                print(f"      full_name: {f['full_name']}")
            for key in ("company", "position", "birthday", "city", "postcode", "address", "tags"):
                if key in f:
                    print(f"      {key}: {f[key]}")
            for value, label in rec.phones:
                print(f"      phone: {value}  [{label}]")
            for value, label in rec.emails:
                print(f"      email: {value}  [{label}]")
            for kind, value in rec.messengers:
                print(f"      {kind}: {value}")
            if "note" in f:
                note = f["note"].replace("\n", " / ")
                print(f"      note: {note[:70]}{'…' if len(note) > 70 else ''}")
            if args.raw:
                for key, value in rec.raw.items():
                    print(f"      raw {key} = {value[:80]!r}")
            for text in _suspicious(rec):
                problems += 1
                print(f"      SUSPICIOUS TEXT: {text[:60]!r}")
    print(f"--- {contacts} contacts, {problems} problems in {len(files)} files")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
