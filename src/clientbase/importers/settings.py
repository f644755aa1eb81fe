"""Import settings kept in the base: the company's own phone numbers.

A company's lines ("+7 495 123-45-67", the number on its website) show up in every PBX log and
in outgoing calls' caller id; they are never customers. Stored once with
``clientbase settings set own_numbers "+74951234567, +78001234567"`` they hold for every call log
imported since, alongside ``clientbase import --own-number``.
"""

from __future__ import annotations

import re

from sqlalchemy import Connection, select

from clientbase.db.models import settings
from clientbase.errors import UsageError
from clientbase.i18n import N_, _

OWN_NUMBERS = "own_numbers"
OWN_NUMBERS_MEANING = N_("the company's own phone numbers, comma-separated: never customers")
_SEPARATORS = re.compile(r"[,;\n]+")


def parse_own_numbers(text: str) -> list[str]:
    """Numbers from "+7 495 123-45-67, 8 800 123-45-67" (commas or semicolons between)."""
    out = []
    for part in _SEPARATORS.split(text):
        number = " ".join(part.split())
        if not number:
            continue
        if sum(c.isdigit() for c in number) < 6 or re.search(r"[^\d\s()+\-.]", number):
            raise UsageError(
                _("own_numbers: {number} is not a phone number").format(number=repr(number)),
                hint=_('e.g. clientbase settings set own_numbers "+74951234567, +78001234567"'),
            )
        out.append(number)
    return out


def stored_own_numbers(conn: Connection) -> list[str]:
    value = conn.execute(select(settings.c.value).where(settings.c.key == OWN_NUMBERS)).scalar()
    return parse_own_numbers(value) if value else []
