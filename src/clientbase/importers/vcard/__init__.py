"""A tolerant reader for vCard files (.vcf) as phones, Outlook and Google really write them.

Versions 2.1, 3.0 and 4.0 are read by one parser. Everything happens on bytes first, because one
file can mix encodings property by property: an Android 2.1 export has quoted-printable UTF-8
names next to plain ASCII phones, an old Nokia writes raw Windows-1251 with no CHARSET at all, and
a soft line break in quoted-printable may split one Cyrillic letter in two. Only after a value is
reassembled and un-quoted-printabled do we turn its bytes into text.

The reader never raises on bad input: a broken card becomes a ``VCardSyntaxError`` in the stream
(with the line a person can open the file at) and reading continues with the next card.

``vcard_to_record`` maps a card onto the pipeline's ``ContactRecord`` without normalising
anything: phones, names and dates stay as typed, only decoded.
"""

from clientbase.importers.vcard.decode import split_components, split_structured
from clientbase.importers.vcard.record import vcard_to_record
from clientbase.importers.vcard.syntax import (
    VCard,
    VCardProperty,
    VCardSyntaxError,
    looks_like_vcard,
    read_vcards,
)

__all__ = [
    "VCard",
    "VCardProperty",
    "VCardSyntaxError",
    "looks_like_vcard",
    "read_vcards",
    "split_components",
    "split_structured",
    "vcard_to_record",
]
