"""Reading vCard files: sniffing, lines, unfolding, properties and cards, and the errors a broken
card becomes (what the reader does and why is told in :mod:`clientbase.importers.vcard`)."""

from __future__ import annotations

import base64
import binascii
import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from clientbase.i18n import _
from clientbase.importers.vcard.decode import (
    decode_bytes,
    file_hint,
    qp_decode,
    split_components,
    unescape,
)

# --- what the properties are -------------------------------------------------------------------

# Inline binary data: never decoded as text (a JPEG decoded as cp1251 is megabytes of garbage).
BINARY_PROPERTIES = frozenset({"PHOTO", "LOGO", "SOUND", "KEY"})
# Values made of ';'-separated components: kept escaped so the structure survives; split them with
# split_components() / split_structured().
STRUCTURED_PROPERTIES = frozenset({"N", "ADR", "ORG", "GENDER", "CLIENTPIDMAP", "X-ANDROID-CUSTOM"})
# Values that are ','-separated lists: kept escaped for the same reason.
LIST_PROPERTIES = frozenset({"CATEGORIES"})
# Standard names, used to tell "a new property" from "the rest of a broken quoted-printable value".
KNOWN_PROPERTIES = frozenset(
    {
        "BEGIN", "END", "VERSION", "SOURCE", "KIND", "XML", "FN", "N", "NICKNAME", "PHOTO",
        "BDAY", "ANNIVERSARY", "GENDER", "ADR", "LABEL", "TEL", "EMAIL", "IMPP", "LANG", "TZ",
        "GEO", "TITLE", "ROLE", "LOGO", "ORG", "MEMBER", "RELATED", "CATEGORIES", "NOTE",
        "PRODID", "REV", "SOUND", "UID", "CLIENTPIDMAP", "URL", "KEY", "FBURL", "CALADRURI",
        "CALURI", "NAME", "PROFILE", "MAILER", "AGENT", "CLASS", "SORT-STRING",
    }
)  # fmt: skip

# Bare (valueless) 2.1 parameters that are not types: `TEL;WORK;QUOTED-PRINTABLE;utf-8:` means
# ENCODING=QUOTED-PRINTABLE;CHARSET=utf-8, so they are filed under their real key.
_BARE_ENCODINGS = frozenset({"QUOTED-PRINTABLE", "BASE64", "B", "8BIT", "7BIT"})
_BARE_VALUES = frozenset({"INLINE", "URL", "URI", "CONTENT-ID", "CID"})
_CHARSET_LIKE = re.compile(
    r"(utf|windows|cp|iso|koi|us-ascii|ascii|latin|x-mac|mac|gb|big5|shift|euc)[-_a-z0-9]*", re.I
)

# --- lines --------------------------------------------------------------------------------------

# One line break: CRLF, LF, CR CR LF (seen in iPhone exports that went through a CRLF-converting
# tool twice), or a lone CR (classic Mac). Two lone CRs stay two breaks, so a blank line survives.
_LINE_BREAK = re.compile(rb"\r*\n|\r")
_BEGIN = re.compile(rb"^\s*BEGIN\s*:\s*VCARD\s*$", re.I)
_END = re.compile(rb"^\s*END\s*:\s*VCARD\s*$", re.I)
_VERSION = re.compile(rb"^VERSION\s*:\s*([0-9.]+)", re.I)
_NAME = re.compile(rb"([A-Za-z0-9_-]+)(?:\.([A-Za-z0-9_-]+))?")
_HEADER = re.compile(rb"([A-Za-z0-9_-]+)(?:\.([A-Za-z0-9_-]+))?(?:;[^:]*)?")
_B64_LINE = re.compile(rb"[A-Za-z0-9+/=]+")
_QP_INDENTED_ESCAPE = re.compile(rb"[ \t]+=[0-9A-Fa-f]{2}")
_WS = b" \t"
_LINK_SCHEMES = ("http://", "https://", "ftp://", "cid:", "file:")
_JUNK = b" \t\r\n\x00\x1a\x0c"  # what a blank line may contain (NULs and ^Z from old tools)


# --- public types -------------------------------------------------------------------------------


@dataclass
class VCardProperty:
    group: str | None  # "item1" in Apple's item1.TEL / item1.X-ABLabel pairs
    name: str  # upper-case: "TEL"
    # Upper-case keys. Bare 2.1 params go under "TYPE" (except encodings, charsets and value
    # kinds, which go under ENCODING / CHARSET / VALUE). TYPE values are lower-cased and split
    # on commas.
    params: dict[str, list[str]]
    # Decoded text. Escapes are resolved, except for structured (N, ADR, ORG, ...) and list
    # (CATEGORIES) values, which keep them so their separators stay meaningful: use components().
    # Inline binary (PHOTO/LOGO/SOUND/KEY in base64) is skipped: the value is "".
    value: str
    line: int  # 1-based line where the property starts

    def param(self, key: str) -> str | None:
        """The first value of a parameter, or None."""
        values = self.params.get(key.upper())
        return values[0] if values else None

    @property
    def types(self) -> set[str]:
        return set(self.params.get("TYPE", ()))

    @property
    def is_binary(self) -> bool:
        """Inline binary data (skipped while reading), a data: URI or bare base64 - not a link."""
        if self.name not in BINARY_PROPERTIES:
            return False
        enc = (self.param("ENCODING") or "").upper()
        return enc in ("B", "BASE64") or not self.value.lower().startswith(_LINK_SCHEMES)

    def components(self) -> list[str]:
        """The value split on unescaped ';' with escapes resolved (N, ADR, ORG ...)."""
        return split_components(self.value)


@dataclass
class VCard:
    line: int  # 1-based line of BEGIN:VCARD
    version: str | None
    properties: list[VCardProperty] = field(default_factory=list)

    def first(self, name: str) -> VCardProperty | None:
        name = name.upper()
        return next((p for p in self.properties if p.name == name), None)

    def all(self, name: str) -> list[VCardProperty]:
        name = name.upper()
        return [p for p in self.properties if p.name == name]

    def in_group(self, group: str) -> list[VCardProperty]:
        """Properties sharing an Apple-style group (item1.TEL, item1.X-ABLabel)."""
        g = group.lower()
        return [p for p in self.properties if p.group and p.group.lower() == g]

    def ab_label(self, prop: VCardProperty) -> str | None:
        """The X-ABLabel text attached to prop through its group, if any and not blank."""
        if not prop.group:
            return None
        for other in self.in_group(prop.group):
            if other.name == "X-ABLABEL" and other.value.strip():
                return other.value.strip()
        return None


class VCardSyntaxError(ValueError):
    """A card that could not be read. Yielded (not raised) by read_vcards.

    ``line`` is where the problem is (1-based); ``card_line`` is the card's BEGIN:VCARD line when
    the problem is inside a card; ``partial`` holds the properties read before the problem, so a
    caller may still show (or salvage) what the person typed.
    """

    def __init__(
        self,
        line: int,
        message: str,
        *,
        card_line: int | None = None,
        partial: VCard | None = None,
    ):
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message
        self.card_line = card_line
        self.partial = partial


# --- sniffing -----------------------------------------------------------------------------------


def _unicode_base(data: bytes) -> tuple[bytes, bool]:
    """(bytes in UTF-8 or the file's own 8-bit mix, whether the file declared itself Unicode).

    UTF-16/32 files (BOM, or the tell-tale NUL pattern without one) are decoded whole and
    re-encoded as UTF-8, so the rest of the reader only ever deals with ASCII-compatible bytes.
    """
    for bom, enc in (
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF8, None),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            if enc is None:
                return data[len(bom) :], True
            return data[len(bom) :].decode(enc, errors="replace").encode("utf-8"), True
    if len(data) >= 4 and data[0] and not data[1] and data[2] and not data[3]:
        return data.decode("utf-16-le", errors="replace").encode("utf-8"), True
    if len(data) >= 4 and not data[0] and data[1] and not data[2] and data[3]:
        return data.decode("utf-16-be", errors="replace").encode("utf-8"), True
    return data, False


def looks_like_vcard(head: bytes) -> bool:
    """True if the first few KB hold a BEGIN:VCARD line (after BOM / UTF-16 decoding).

    head may be cut anywhere, even inside a UTF-16 code unit; trailing bytes are ignored.
    """
    head = head[:16384]
    if len(head) % 2 and (
        head[:2] in (b"\xff\xfe", b"\xfe\xff") or (len(head) > 3 and not head[1])
    ):
        head = head[:-1]  # half a UTF-16 code unit at the cut
    base, _ = _unicode_base(head)
    return any(_BEGIN.match(line) for line in _LINE_BREAK.split(base)[:200])


# --- parsing ------------------------------------------------------------------------------------


@dataclass
class _RawProperty:
    line: int
    group: bytes | None
    name: str
    params: list[bytes]
    value: bytes
    encoding: str | None  # "QP", "B64" or None


def _split_header(line: bytes, quotes: bool = True) -> tuple | None:
    """(group, name, [param bytes], value bytes) or None if line is not a property."""
    colon = line.find(b":")
    if colon < 0:
        return None
    if line.find(b'"', 0, colon) < 0:
        # Fast path (almost every line): no quoted parameter, so the first ':' ends the header.
        m = _HEADER.fullmatch(line, 0, colon)
        if not m:
            return None
        group, name = (m.group(1), m.group(2)) if m.group(2) else (None, m.group(1))
        params = line[m.end(2) if m.group(2) else m.end(1) : colon].split(b";")[1:]
        return group, name, params, line[colon + 1 :]
    m = _NAME.match(line)
    if not m:
        return None
    group, name = (m.group(1), m.group(2)) if m.group(2) else (None, m.group(1))
    pos, params, size = m.end(), [], len(line)
    while pos < size:
        ch = line[pos]
        if ch == 0x3A:  # ':'
            return group, name, params, line[pos + 1 :]
        if ch != 0x3B:  # ';'
            return None
        start = pos = pos + 1
        in_quotes = False
        while pos < size:
            ch = line[pos]
            if ch == 0x22 and quotes:
                in_quotes = not in_quotes
            elif not in_quotes and ch in (0x3A, 0x3B):
                break
            pos += 1
        params.append(line[start:pos])
    if quotes:  # maybe an unbalanced quote swallowed the ':'; read it again without quoting
        return _split_header(line, quotes=False)
    return None


def _looks_like_property(line: bytes) -> bool:
    head = _split_header(line)
    if head is None:
        return False
    name = head[1].decode("ascii")
    if name.upper().startswith("X-"):
        return True
    # Writers put standard names in capitals; text that goes on after a soft break and happens
    # to start with "Note:" or "Tel:" is not a new property.
    return name.isupper() and name in KNOWN_PROPERTIES


def _encoding_of(params: list[bytes]) -> str | None:
    for p in params:
        text = p.strip().strip(b'"').upper()
        if text.startswith(b"ENCODING="):
            text = text[9:].strip().strip(b'"')
        if text in (b"QUOTED-PRINTABLE", b"QP"):
            return "QP"
        if text in (b"BASE64", b"B"):
            return "B64"
    return None


class _Reader:
    """Turns the file's lines into raw cards (properties still as bytes), one card at a time."""

    def __init__(self, data: bytes):
        base, self.unicode_file = _unicode_base(data)
        self.base = base
        # A BOM at the start of any line: files joined with `cat` each bring their own.
        self.lines = [ln[3:] if ln[:3] == codecs.BOM_UTF8 else ln for ln in _LINE_BREAK.split(base)]
        if self.lines and self.lines[-1] == b"":
            self.lines.pop()  # the final line break ends a line, it does not start one
        try:
            base.decode("utf-8")
            self.utf8_file = True
        except UnicodeDecodeError:
            self.utf8_file = False

    def raw_cards(self) -> Iterator:
        """Yields (line, version, props), _CardError or VCardSyntaxError, in file order."""
        lines, n, i = self.lines, len(self.lines), 0
        while i < n:
            line = lines[i]
            if not line.strip(_JUNK):
                i += 1
            elif _BEGIN.match(line):
                item, i = self._card(i)
                yield item
            else:
                start = i
                while i < n and lines[i].strip(_JUNK) and not _BEGIN.match(lines[i]):
                    i += 1
                yield VCardSyntaxError(
                    start + 1,
                    _("text outside BEGIN:VCARD … END:VCARD: {text}").format(text=_preview(line)),
                )

    def _card(self, begin: int) -> tuple[object, int]:
        """The card starting at line index begin, and the index of the line after it."""
        lines, n = self.lines, len(self.lines)
        version = None
        for j in range(begin + 1, n):
            if _END.match(lines[j]) or _BEGIN.match(lines[j]):
                break
            m = _VERSION.match(lines[j])
            if m:
                version = m.group(1).decode("ascii")
                break
        props: list[_RawProperty] = []
        j = begin + 1
        while j < n:
            line = lines[j]
            if _END.match(line):
                return (begin + 1, version, props), j + 1
            if _BEGIN.match(line) and props and props[-1].name == "AGENT" and not props[-1].value:
                # 2.1 AGENT: a whole vCard (an assistant's) nested in this one. It is not a
                # contact of its own and must not end the outer card: skip it.
                j = self._skip_nested(j)
                continue
            if _BEGIN.match(line):
                message = _(
                    "BEGIN:VCARD without END:VCARD (next card starts at line {line})"
                ).format(line=j + 1)
                return _CardError(begin + 1, message, begin + 1, version, props), j
            if not line.strip(_JUNK):
                j += 1
                continue
            if line[:1] in (b" ", b"\t") and props:
                # A folded line with nothing to fold into (after a blank line): keep the text.
                if props[-1].name not in BINARY_PROPERTIES:
                    props[-1].value += line[1:]
                j += 1
                continue
            head = _split_header(line)
            if head is None:
                message = _("not a vCard property: {text}").format(text=_preview(line))
                error = _CardError(j + 1, message, begin + 1, version, props)
                # Skip the rest of this card; the next one is still read.
                j += 1
                while j < n and not _END.match(lines[j]) and not _BEGIN.match(lines[j]):
                    j += 1
                return error, (j + 1 if j < n and _END.match(lines[j]) else j)
            group, name, params, value = head
            prop = _RawProperty(j + 1, group, name.decode("ascii").upper(), params, value, None)
            prop.encoding = _encoding_of(params)
            j = self._continue_value(prop, j + 1, version)
            props.append(prop)
        message = _("BEGIN:VCARD without END:VCARD (file ends)")
        return _CardError(begin + 1, message, begin + 1, version, props), n

    def _skip_nested(self, j: int) -> int:
        lines, n, depth = self.lines, len(self.lines), 0
        while j < n:
            if _BEGIN.match(lines[j]):
                depth += 1
            elif _END.match(lines[j]):
                depth -= 1
                if depth == 0:
                    return j + 1
            j += 1
        return j

    def _continue_value(self, prop: _RawProperty, j: int, version: str | None) -> int:
        """Append the property's continuation lines to prop.value; return the next line index."""
        lines, n = self.lines, len(self.lines)
        if prop.encoding == "B64":
            chunks = [prop.value.strip()]
            while j < n:
                nxt = lines[j]
                if nxt[:1] in (b" ", b"\t"):
                    chunks.append(nxt.strip())
                elif not nxt.strip(_JUNK):
                    j += 1  # 2.1 ends a base64 value with a blank line: it belongs to the value
                    break
                elif _B64_LINE.fullmatch(nxt.strip()):
                    chunks.append(nxt.strip())  # 2.1 writers that do not indent base64 lines
                else:
                    break
                j += 1
            prop.value = b"" if prop.name in BINARY_PROPERTIES else b"".join(chunks)
            return j
        # RFC 822 folding (2.1) keeps the whitespace; RFC 2425/6350 (3.0/4.0) drops one character.
        keep_ws = version == "2.1"
        qp = prop.encoding == "QP"
        chunks = [prop.value]
        while j < n:
            nxt = lines[j]
            if qp and chunks[-1].endswith(b"="):
                # Soft line break: the value goes on, indented or not (Android does not indent).
                if _BEGIN.match(nxt) or _END.match(nxt) or _looks_like_property(nxt):
                    break
                if _QP_INDENTED_ESCAPE.match(nxt):
                    nxt = nxt.lstrip(_WS)  # a writer that folds AND soft-breaks: drop its indent
                chunks[-1] = chunks[-1][:-1]
                chunks.append(nxt)
            elif nxt[:1] in (b" ", b"\t"):
                chunks.append(nxt if keep_ws else nxt[1:])
            else:
                break
            j += 1
        if qp and chunks[-1].endswith(b"="):
            chunks[-1] = chunks[-1][:-1]  # a soft break right before END:VCARD
        prop.value = b"".join(chunks) if len(chunks) > 1 else chunks[0]
        return j


class _CardError:
    """A broken card as read; becomes a VCardSyntaxError once its properties are decoded."""

    def __init__(self, line, message, card_line, version, props):
        self.line, self.message, self.card_line = line, message, card_line
        self.version, self.props = version, props


def _preview(line: bytes) -> str:
    text = line.decode("utf-8", errors="replace").strip()
    return repr(text if len(text) <= 60 else text[:57] + "...")


def _classify_bare(token: str) -> str:
    upper = token.upper()
    if upper in _BARE_ENCODINGS:
        return "ENCODING"
    if upper in _BARE_VALUES:
        return "VALUE"
    if _CHARSET_LIKE.fullmatch(token):
        try:
            codecs.lookup(token)
        except LookupError:
            return "TYPE"
        return "CHARSET"
    return "TYPE"


_CARET = {"n": "\n", "^": "^", "'": '"'}


def _param_value(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1]
    if "^" in text:  # RFC 6868 escapes in 4.0 parameter values
        text = re.sub(r"\^([n^'])", lambda m: _CARET[m.group(1)], text)
    return text


class _Decoder:
    """Turns raw cards into VCards: parameters parsed, values decoded to text."""

    def __init__(self, reader: _Reader):
        self.reader = reader
        self._params_cache: dict[tuple[bytes, ...], dict[str, list[str]]] = {}
        self.trust_utf8 = reader.utf8_file or reader.unicode_file
        self._hint: str | None = None
        self._hint_known = False

    def hint(self) -> str | None:
        """The file's 8-bit code page, judged once from all its legacy bytes together.

        Needed only for a non-UTF-8 value too short to judge alone ("Я"), so computed lazily.
        """
        if not self._hint_known:
            self._hint = file_hint(self.reader.base, self.reader.utf8_file)
            self._hint_known = True
        return self._hint

    def text(self, data: bytes, charset: str | None = None, transfer_encoded: bool = False) -> str:
        return decode_bytes(
            data,
            charset,
            trust_utf8=self.trust_utf8 and not transfer_encoded,
            hint=self.hint,
        )

    def card(self, line: int, version: str | None, props: list[_RawProperty]) -> VCard:
        return VCard(line, version, [self.prop(p) for p in props])

    def params(self, raw_params: list[bytes]) -> dict[str, list[str]]:
        # The same few parameter strings repeat on every card of an export: parse each once.
        key = tuple(raw_params)
        parsed = self._params_cache.get(key)
        if parsed is None:
            parsed = {}
            for p in raw_params:
                token = self.text(p).strip()
                if not token:
                    continue
                if "=" in token:
                    name, val = token.split("=", 1)
                    name = name.strip().upper()
                    values = [_param_value(val)]
                else:
                    name, values = _classify_bare(token), [token]
                if name == "TYPE":
                    values = [t.strip().lower() for v in values for t in v.split(",") if t.strip()]
                parsed.setdefault(name, []).extend(values)
            if len(self._params_cache) < 10000:
                self._params_cache[key] = parsed
        return {name: list(values) for name, values in parsed.items()}  # callers may mutate

    def prop(self, raw: _RawProperty) -> VCardProperty:
        params = self.params(raw.params)
        charset = (params.get("CHARSET") or [None])[0]
        data = raw.value
        transfer_encoded = raw.encoding is not None
        if raw.encoding == "QP":
            data = qp_decode(data)
        elif raw.encoding == "B64" and data:
            try:
                data = base64.b64decode(data + b"=" * (-len(data) % 4))
            except (binascii.Error, ValueError):
                transfer_encoded = False  # not base64 after all: read it as it stands
        text = self.text(data, charset, transfer_encoded)
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        if raw.name not in STRUCTURED_PROPERTIES and raw.name not in LIST_PROPERTIES:
            text = unescape(text)
        group = raw.group.decode("ascii") if raw.group else None
        return VCardProperty(group, raw.name, params, text, raw.line)


def read_vcards(data: bytes) -> Iterator[VCard | VCardSyntaxError]:
    """Every card in data, in file order; a broken card yields a VCardSyntaxError instead."""
    if isinstance(data, str):  # forgiving: text already decoded by a caller
        data = data.encode("utf-8")
    reader = _Reader(data)
    decoder = _Decoder(reader)
    for item in reader.raw_cards():
        if isinstance(item, VCardSyntaxError):
            yield item
        elif isinstance(item, _CardError):
            partial = decoder.card(item.card_line, item.version, item.props)
            yield VCardSyntaxError(
                item.line, item.message, card_line=item.card_line, partial=partial
            )
        else:
            yield decoder.card(*item)
