"""Keep the Russian catalog in step with the code: collect, update, compile, check.

    python scripts/catalog.py update    # collect the messages, add new ones to ru.po, compile .mo
    python scripts/catalog.py check     # exit 1 when a message has no translation or .mo is stale
    python scripts/catalog.py union     # after a git merge conflict in clientbase.po: keep both
                                        # sides' translations, then update

Messages are collected from three places:
  * ``_()``, ``ngettext()`` and ``N_()`` calls in ``src/clientbase`` (Babel's extractor);
  * every help text of the command tree (docstrings and ``help=``), which stay plain English in
    the code and are translated when the tree is built (``clientbase.cli.language``);
  * the words Typer prints itself through gettext ("Options", "[default: {}]").
``update`` keeps every existing translation, marks changed messages fuzzy (a fuzzy entry counts as
untranslated), drops messages the code no longer has, and compiles the ``.mo`` the wheel ships.
Babel is needed here and in the tests, not at run time (gettext reads the ``.mo``).
"""

from __future__ import annotations

import io
import sys
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "src" / "clientbase"
PO = SOURCE / "locale" / "ru" / "LC_MESSAGES" / "clientbase.po"
MO = PO.with_suffix(".mo")
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2),
            "NC_": ((1, "c"), 2)}  # fmt: skip
FRAMEWORK_KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2)}
FLAG = "clientbase-help"  # an auto comment on the help texts, so translators see what they are


def _add(catalog: Catalog, message, locations=(), comments=(), context=None) -> None:
    if not message or (isinstance(message, tuple) and not message[0]):
        return
    catalog.add(message, locations=list(locations), auto_comments=list(comments), context=context)


def _extract(directory: Path, keywords: dict, catalog: Catalog, root: Path) -> None:
    for filename, lineno, message, comments, context in extract_from_dir(
        str(directory), keywords=keywords, comment_tags=("TRANSLATORS:",)
    ):
        rel = Path(filename).as_posix()
        _add(catalog, message, [(f"{root.name}/{rel}", lineno)], comments, context)


def own_messages() -> Catalog:
    """The messages of clientbase itself: _() calls and the help texts of the command tree."""
    import typer.main

    from clientbase.cli.help_style import tidy_tree
    from clientbase.cli.language import help_texts
    from clientbase.cli.main import app

    catalog = Catalog(project="clientbase", locale="ru")
    _extract(SOURCE, KEYWORDS, catalog, SOURCE)
    command = typer.main.get_command(app)
    tidy_tree(command)
    for text in help_texts(command):
        _add(catalog, text, comments=[FLAG])
    return catalog


def framework_messages() -> Catalog:
    """The words Typer prints itself through gettext (panel titles, "default:", "required")."""
    import typer

    catalog = Catalog(project="clientbase", locale="ru")
    directory = Path(typer.__file__).parent
    _extract(directory, FRAMEWORK_KEYWORDS, catalog, directory)
    return catalog


def read_ru() -> Catalog:
    with PO.open("rb") as f:
        return read_po(f, locale="ru", domain="clientbase")


def _mo_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, catalog)
    return out.getvalue()


def _header(catalog: Catalog) -> None:
    # A fuzzy header would be left out of the .mo, and with it the Russian plural rule. The
    # dates are fixed so that updating the catalog changes only the messages.
    catalog.fuzzy = False
    catalog.header_comment = (
        "# Russian messages of clientbase. Update with: python scripts/catalog.py update"
    )
    catalog.project, catalog.version = "clientbase", "1"
    catalog.msgid_bugs_address = ""
    catalog.last_translator = "clientbase"
    catalog.language_team = "ru"
    catalog.creation_date = catalog.revision_date = datetime(2026, 1, 1, tzinfo=UTC)


def update() -> None:
    template = own_messages()
    for message in framework_messages():
        if message.id and message.id not in template:
            template[message.id] = message
    catalog = read_ru() if PO.exists() else Catalog(project="clientbase", locale="ru")
    catalog.update(template, no_fuzzy_matching=True)
    catalog.obsolete.clear()
    _header(catalog)
    PO.parent.mkdir(parents=True, exist_ok=True)
    with PO.open("wb") as f:
        # Sorted, and without line numbers, so an edit elsewhere in a file changes nothing here.
        write_po(f, catalog, width=100, sort_output=True, include_lineno=False)
    MO.write_bytes(_mo_bytes(read_ru()))
    missing = untranslated()
    print(f"{PO.relative_to(ROOT)}: {len(catalog)} messages, {len(missing)} without a translation")


def untranslated() -> list[str]:
    """Messages of clientbase (not the framework's) with no usable Russian."""
    catalog = read_ru()
    missing = []
    for message in own_messages():
        if not message.id:
            continue
        entry = catalog.get(message.id, context=message.context)
        strings = [] if entry is None else entry.string
        strings = list(strings) if isinstance(strings, tuple) else [strings]
        if entry is None or entry.fuzzy or not all(strings):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


def stale_mo() -> bool:
    return not MO.exists() or MO.read_bytes() != _mo_bytes(read_ru())


def check() -> int:
    missing = untranslated()
    for text in missing:
        print(f"no translation: {text!r}", file=sys.stderr)
    if stale_mo():
        print(
            f"{MO.relative_to(ROOT)} is stale: run python scripts/catalog.py update",
            file=sys.stderr,
        )
    return 1 if missing or stale_mo() else 0


def union() -> None:
    """Resolve a merge conflict in the .po: every translation either side has, then update.

    Both sides of the conflict are read from git's index (stages 2 and 3); where both translated
    the same message differently, ours wins."""
    import subprocess

    rel = PO.relative_to(ROOT).as_posix()
    sides = []
    for stage in (3, 2):  # theirs first, so ours overwrites
        text = subprocess.run(
            ["git", "show", f":{stage}:{rel}"], cwd=ROOT, capture_output=True, check=True
        ).stdout
        sides.append(read_po(io.BytesIO(text), locale="ru", domain="clientbase"))
    merged = Catalog(project="clientbase", locale="ru")
    for side in sides:
        for message in side:
            if message.id and message.string and not message.fuzzy:
                merged[message.id] = message
    with PO.open("wb") as f:
        write_po(f, merged, width=100, sort_output=True, include_lineno=False)
    update()


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "check"
    if command == "update":
        update()
    elif command == "union":
        union()
    elif command == "check":
        sys.exit(check())
    else:
        sys.exit(f"usage: {sys.argv[0]} update|check|union")
