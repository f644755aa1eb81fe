"""What a zip file holds, and whether it is safe to unpack.

.xlsx, .ods and .docx are all zip archives, so the first bytes ("PK") only say "a zip". The
names inside say which: ``xl/workbook.xml`` is Excel, a ``mimetype`` entry names an
OpenDocument type, ``word/document.xml`` is a Word document.

A zip also declares, per entry, how big it unpacks. A spreadsheet's XML compresses well (10 to 20
times is usual, sheets of empty styled cells reach 50–100), but an archive that declares 1,000
times its size, or gigabytes in total, is a decompression bomb: reading it would take all the
memory of the machine. Those are refused from the declared sizes alone, before anything is
unpacked. Entries that lie about their size are caught by the zip reader's own length and CRC
checks while unpacking (``verify_sizes``).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from clientbase.i18n import N_, _

# Apache POI refuses entries that inflate more than 100 times (ZipSecureFile's default minimum
# inflate ratio of 0.01); small entries are exempt because a few KB of repeated XML can exceed
# that ratio legitimately.
MAX_RATIO = 100
RATIO_EXEMPT_BYTES = 10 << 20
MAX_UNPACKED_BYTES = 1 << 30  # a workbook that big would not fit in memory as cells either
MAX_ENTRIES = 10_000  # a workbook has a few dozen parts; thousands means something else

_ODF_TYPES = {
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.presentation": "odp",
}
DESCRIPTIONS = {
    "docx": N_("a Word document"),
    "pptx": N_("a PowerPoint presentation"),
    "odt": N_("an OpenDocument text document"),
    "odp": N_("an OpenDocument presentation"),
    "zip": N_("a zip archive"),
}


@dataclass
class ZipInfo:
    kind: str  # xlsx, xlsb, ods, docx, pptx, odt, odp, zip
    problem: str | None = None  # why it cannot be read (damaged)
    bomb: str | None = None  # why it must not be unpacked


def _mb(n: int) -> str:
    return f"{n / (1 << 20):,.0f} MB" if n >= 1 << 20 else f"{n / 1024:,.0f} KB"


def inspect_zip(data: bytes) -> ZipInfo:
    """The kind of document in a zip archive and, if any, the reason not to unpack it."""
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return ZipInfo(
            "zip", _("the archive is damaged or cut short (no zip directory at its end)")
        )
    except (OSError, ValueError, NotImplementedError) as exc:
        return ZipInfo("zip", _("the archive is damaged: {error}").format(error=exc))
    with z:
        infos = z.infolist()
        names = {i.filename for i in infos}
        kind = _kind(z, names)
        if len(infos) > MAX_ENTRIES:
            return ZipInfo(
                kind,
                bomb=_("the archive has {n} parts; a document has dozens").format(
                    n=f"{len(infos):,}"
                ),
            )
        total = sum(i.file_size for i in infos)
        if total > MAX_UNPACKED_BYTES:
            return ZipInfo(
                kind,
                bomb=_(
                    "it declares {unpacked} unpacked from {packed} "
                    "(more than the {limit} clientbase unpacks)"
                ).format(unpacked=_mb(total), packed=_mb(len(data)), limit=_mb(MAX_UNPACKED_BYTES)),
            )
        for i in infos:
            if i.file_size > RATIO_EXEMPT_BYTES and i.file_size > MAX_RATIO * max(
                i.compress_size, 1
            ):
                return ZipInfo(
                    kind,
                    bomb=_(
                        "part {part} unpacks {ratio} times its size ({packed} to {unpacked}): "
                        "a decompression bomb, not a spreadsheet"
                    ).format(
                        part=i.filename,
                        ratio=f"{i.file_size // max(i.compress_size, 1):,}",
                        packed=_mb(i.compress_size),
                        unpacked=_mb(i.file_size),
                    ),
                )
    return ZipInfo(kind)


def verify_sizes(data: bytes) -> str | None:
    """Unpack every entry in pieces, checking real sizes and CRCs against the declared ones.

    Python's zip reader stops at the declared size and checks the CRC at the end, so an entry
    that declares little and inflates to gigabytes fails here after a few bytes too many,
    with memory flat."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for info in z.infolist():
                with z.open(info) as f:
                    while f.read(1 << 20):
                        pass
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        return _("the archive is damaged: {error}").format(error=exc)
    except Exception as exc:  # zlib.error and friends: a broken stream in a part
        return _("the archive is damaged: {error}").format(error=exc)
    return None


def _kind(z: zipfile.ZipFile, names: set[str]) -> str:
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "xl/workbook.bin" in names:
        return "xlsb"
    if "mimetype" in names:
        try:
            mime = z.read("mimetype")[:100].decode("ascii", "replace").strip()
        except Exception:  # a broken first entry: judged by the other names below
            mime = ""
        if mime in _ODF_TYPES:
            return _ODF_TYPES[mime]
    if "content.xml" in names and "META-INF/manifest.xml" in names:
        return "ods"  # OpenDocument without a readable mimetype: assume a spreadsheet
    if "word/document.xml" in names:
        return "docx"
    if "ppt/presentation.xml" in names:
        return "pptx"
    return "zip"
