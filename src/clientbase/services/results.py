"""What the services return: frozen dataclasses whose ``to_dict()`` is what a command prints.

A script gets named attributes it can rely on (and a type checker can follow); ``to_dict()``
gives exactly the keys, in the same order, that ``--format json`` prints, so the two cannot
drift apart. Nested results, and lists and dicts of them, become plain dicts too.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import ClassVar


@dataclass(frozen=True, slots=True)
class Result:
    """Base of the typed results: ``to_dict()`` lists the fields in their declared order,
    leaving out those named in ``OMIT_IF_NONE`` while they are None (keys the JSON has only
    when there is something to say, such as a segment's ``error``)."""

    OMIT_IF_NONE: ClassVar[tuple[str, ...]] = ()
    # A key that cannot be a field's name ("from"): field name -> key.
    KEYS: ClassVar[dict[str, str]] = {}

    def to_dict(self) -> dict:
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None and f.name in self.OMIT_IF_NONE:
                continue
            out[self.KEYS.get(f.name, f.name)] = plain(value)
        return out


def plain(value):
    """``value`` with every ``Result`` in it (also inside lists and dicts) as its dict."""
    if isinstance(value, Result):
        return value.to_dict()
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value
