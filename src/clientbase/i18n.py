"""The language clientbase speaks to people: English messages looked up in gettext catalogs.

Every sentence a person reads (messages, errors, summaries, table headers, ``--help``) is written
in English in the code and wrapped in ``_()`` (or ``ngettext()`` when it counts something), so
``scripts/catalog.py`` can collect it and translators can give its Russian in
``locale/ru/LC_MESSAGES/clientbase.po``. The compiled ``.mo`` next to it ships in the wheel.

The language is chosen once per command by the CLI (``--lang``, ``CLIENTBASE_LANG``, the config,
then the locale) and set here with :func:`set_language`; everything below the CLI only calls
``_()``. Worker processes start from a fork server, so ``workers.worker_pool`` hands the
language to each of them. JSON keys and CSV headers for scripts
are identifiers, not sentences, and never go through here.

``N_()`` marks a constant for the catalog without translating it at import time (when the
language is not known yet); the code translates it with ``_()`` where it is shown.
"""

from __future__ import annotations

import gettext as _gettext
from functools import cache
from pathlib import Path

DOMAIN = "clientbase"
LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("en", "ru")

_current = "en"


@cache
def _catalog(lang: str) -> _gettext.NullTranslations:
    # English is the language of the code itself; a missing catalog falls back to it rather
    # than failing a command.
    if lang == "en":
        return _gettext.NullTranslations()
    return _gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)


def set_language(lang: str) -> None:
    """Speak ``lang`` (``ru`` or ``en``) from now on in this process and its forked workers."""
    global _current
    _current = lang if lang in LANGUAGES else "en"


def language() -> str:
    """The language set for this process (``en`` until the CLI sets one)."""
    return _current


def _(message: str) -> str:
    """``message`` in the current language."""
    return _catalog(_current).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a counted phrase that fits ``n`` (Russian has three: 1 клиент, 2 клиента,
    5 клиентов). Pass the count to ``.format()`` afterwards."""
    return _catalog(_current).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """``message`` in the current language, as meant in ``context``: one English word can be
    two Russian ones ("lost": the column of losses, or a customer's lifecycle stage)."""
    return _catalog(_current).pgettext(context, message)


def NC_(context: str, message: str) -> str:
    """Mark ``message`` in ``context`` for the catalog; translated with ``pgettext`` where shown."""
    return message


def N_(message: str) -> str:
    """Mark ``message`` for the catalog; it is translated later, where it is shown."""
    return message


def translations(lang: str | None = None) -> _gettext.NullTranslations:
    """The catalog object itself, for code that hands gettext functions to a library."""
    return _catalog(lang or _current)
