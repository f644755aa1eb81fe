"""Platform presets for audience exports: data in presets.toml, user overrides on top.

A platform's rules (header, delimiter, encoding, how phones and emails are written, hashing,
sizes) change more often than the code, so they live in ``presets.toml`` with the source and the
date they were checked, and a user can change any of them without touching the code:

- ``--preset-file FILE``: a TOML file with the same keys, either at the top level (they apply to
  the chosen platform) or in tables named after platforms (``[yandex]``); a table with a new name
  defines a new platform, starting from the plain ``csv`` preset;
- ``--set KEY=VALUE`` (repeatable), applied last. VALUE is read as a TOML value when it is one
  (``min_size=50``, ``mobile_only=false``, ``hashes=["md5","sha256"]``), else as text
  (``delimiter=;``, ``encoding=cp1251``). ``columns=phone,email,external_id`` picks and orders
  the columns by field (headers kept from the preset where it has that field), and
  ``header.FIELD=Text`` renames one column.
"""

from __future__ import annotations

import codecs
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from clientbase.errors import UsageError
from clientbase.i18n import N_, _

FIELDS = (
    "phone", "email", "first_name", "last_name", "name", "country", "zip", "city", "external_id",
)  # fmt: skip
IDENTIFIERS = ("phone", "email")
FILE_TYPES = ("csv", "txt", "xlsx")
PHONE_FORMATS = ("e164", "digits")
EMAIL_RULES = ("trim", "lowercase", "no_spaces", "gmail", "ascii_only")
NAME_MODES = ("hash", "transliterate", "plain", "drop")
HASHES = ("sha256", "md5", "none")
CONSENT_CHANNELS = ("ads", "own")

# key -> the Python type a value must have (after TOML parsing).
_SCALARS: dict[str, type | tuple[type, ...]] = {
    "label": str, "title": str, "file_type": str, "write_header": bool, "delimiter": str, "encoding": str,
    "phone_format": str, "mobile_only": bool, "consent_channel": str, "names": str, "hash": str, "min_size": int,
    "min_size_note": str, "max_rows": int, "max_bytes": int, "one_identifier_per_file": bool,
    "escape_formulas": bool, "match_note": str, "source": str, "checked": str,
}  # fmt: skip
_LISTS = ("email_rules", "hashes")
_TYPE_NAMES = {str: N_("text"), int: N_("a whole number"), bool: N_("true or false")}
KEYS = (*_SCALARS, *_LISTS, "columns")


@dataclass(frozen=True, slots=True)
class Column:
    field: str
    header: str
    header_plain: str | None = None  # the header when the file is not hashed
    hashed: bool = True  # False: stays plain in a hashed file (Google's Country and Zip)

    def title(self, hashing: bool) -> str:
        return self.header if hashing or not self.header_plain else self.header_plain


@dataclass(frozen=True, slots=True)
class Preset:
    platform: str
    label: str
    title: str
    file_type: str
    columns: tuple[Column, ...]
    write_header: bool
    delimiter: str
    encoding: str
    phone_format: str
    mobile_only: bool
    consent_channel: str
    email_rules: tuple[str, ...]
    names: str
    hash: str
    hashes: tuple[str, ...]
    min_size: int
    min_size_note: str
    max_rows: int
    max_bytes: int
    one_identifier_per_file: bool
    escape_formulas: bool
    match_note: str
    source: str
    checked: str

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(c.field for c in self.columns)

    @property
    def identifiers(self) -> tuple[str, ...]:
        """The identifier kinds the file carries (phone, email), in column order."""
        return tuple(dict.fromkeys(f for f in self.fields if f in IDENTIFIERS))

    def as_dict(self) -> dict:
        d = {k: getattr(self, k) for k in ("platform", *KEYS) if k != "columns"}
        d["columns"] = [
            {"field": c.field, "header": c.header, "header_plain": c.header_plain,
             "hashed": c.hashed}
            for c in self.columns
        ]  # fmt: skip
        for k in _LISTS:
            d[k] = list(d[k])
        return d


# The sentences of the built-in presets (presets.toml), marked for the catalog: the services show
# them through _(); a text of the user's own --preset-file has no translation and is shown as is.
PRESET_TEXTS = (
    N_("Yandex Audiences: segment from customer data (CRM)"),
    N_("segments with fewer than 100 matched users show 'insufficient data'"),
    N_("Yandex keeps only identifiers active in the last 30 days; 30-60 % matched is normal"),
    N_("VK Ads / myTarget: audience from a customer list"),
    N_("a list needs at least 2,000 unique values"),
    N_("VK matches phones and emails of its own accounts; plan for a partial match"),
    N_("Google Ads Customer Match"),
    N_("a list is served only with at least 100 active matched users"),
    N_("Google paused ads in Russia (March 2022): for Russian audiences use Yandex or VK"),
    N_("Meta Custom Audience from a customer list"),
    N_("lists under 100 people do not deliver; a lookalike source needs 100 from one country"),
    N_("Meta stopped ads targeting Russia: for Russian audiences use Yandex or VK"),
    N_("TikTok Ads custom audience from a customer file"),
    N_("a file needs 1,000 rows, and 1,000 matched users to serve"),
    N_("TikTok matches phones and emails of its own accounts"),
    N_("Plain CSV for a mailing service or an SMS gateway"),
    N_("Excel workbook for a mailing service or an SMS gateway"),
)


def builtin_presets() -> dict[str, dict]:
    text = resources.files("clientbase.exporters").joinpath("presets.toml").read_text("utf-8")
    return tomllib.loads(text)


def platforms() -> tuple[str, ...]:
    return tuple(builtin_presets())


def load_preset(
    platform: str, *, preset_file: Path | None = None, settings: list[str] | None = None
) -> Preset:
    """The preset of ``platform`` with the user's preset file and ``KEY=VALUE`` settings on top."""
    raw = builtin_presets()
    if preset_file is not None:
        _merge_file(raw, platform, preset_file)
    if platform not in raw:
        raise UsageError(
            _("--platform {platform!r}: unknown platform").format(platform=platform),
            hint=_("one of {platforms}, or define it in a --preset-file").format(
                platforms=", ".join(raw)
            ),
        )
    data = dict(raw[platform])
    for item in settings or []:
        _apply_setting(data, item)
    return _build(platform, data)


def _merge_file(raw: dict[str, dict], platform: str, path: Path) -> None:
    try:
        user = tomllib.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise UsageError(
            _("--preset-file {path}: cannot read it: {strerror}").format(
                path=path, strerror=exc.strerror
            )
        ) from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(
            _("--preset-file {path}: not valid TOML: {exc}").format(path=path, exc=exc)
        ) from exc
    top = {k: v for k, v in user.items() if not (isinstance(v, dict) and k not in KEYS)}
    for name, table in user.items():
        if isinstance(table, dict) and name not in KEYS:
            # A new platform starts from the plain CSV preset, so it only has to say what differs.
            raw[name] = {**raw.get(name, raw["csv"]), **table}
    if top:
        raw[platform] = {**raw.get(platform, raw["csv"]), **top}


def _parse_value(text: str):
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def _apply_setting(data: dict, item: str) -> None:
    key, sep, text = item.partition("=")
    key = key.strip()
    if not sep or not key:
        raise UsageError(
            _("--set {item!r}: expected KEY=VALUE, e.g. --set delimiter=;").format(item=item)
        )
    if key.startswith("header."):
        field = key.removeprefix("header.")
        cols = _columns(data.get("columns"), "columns")
        if field not in {c["field"] for c in cols}:
            raise UsageError(
                _("--set {item!r}: the preset has no {field!r} column").format(
                    item=item, field=field
                )
            )
        data["columns"] = [
            {**c, "header": text, "header_plain": text} if c["field"] == field else c for c in cols
        ]
        return
    if key not in KEYS:
        raise UsageError(
            _("--set {item!r}: unknown key {key!r}").format(item=item, key=key),
            hint=_("keys: {keys}").format(keys=", ".join(KEYS)),
        )
    if key == "columns":
        value = _parse_value(text)
        if isinstance(value, str):
            value = [f.strip() for f in value.split(",") if f.strip()]
        old = {c["field"]: c for c in _columns(data.get("columns"), "columns")}
        data["columns"] = [
            old.get(f, {"field": f, "header": f}) if isinstance(f, str) else f for f in value
        ]
        return
    value = _parse_value(text)
    if key in _LISTS and isinstance(value, str):
        value = [v.strip() for v in value.split(",") if v.strip()]
    if _SCALARS.get(key) is str and not isinstance(value, str):
        value = text  # "checked=2025-12" must stay text, not become a TOML date
    data[key] = value


def _columns(value, where: str) -> list[dict]:
    if not isinstance(value, list) or not value:
        raise UsageError(
            _("{where}: a list of columns, e.g. columns=phone,email").format(where=where)
        )
    out = []
    for c in value:
        if isinstance(c, str):
            c = {"field": c, "header": c}
        if not isinstance(c, dict) or not isinstance(c.get("field"), str):
            raise UsageError(
                _("{where}: each column needs a field ({fields})").format(
                    where=where, fields=", ".join(FIELDS)
                )
            )
        out.append(c)
    return out


def _build(platform: str, data: dict) -> Preset:
    where = _("preset {platform!r}").format(platform=platform)
    missing = [k for k in KEYS if k not in data]
    if missing:
        raise UsageError(
            _("{where}: missing {missing}").format(where=where, missing=", ".join(missing))
        )
    unknown = [k for k in data if k not in KEYS]
    if unknown:
        raise UsageError(
            _("{where}: unknown key {unknown}").format(where=where, unknown=", ".join(unknown)),
            hint=_("keys: {keys}").format(keys=", ".join(KEYS)),
        )
    for k, t in _SCALARS.items():
        v = data[k]
        if not isinstance(v, t) or (t is int and isinstance(v, bool)):
            raise UsageError(
                _("{where}: {k} = {v!r} should be {type}").format(
                    where=where, k=k, v=v, type=_(_TYPE_NAMES[t])
                )
            )
    for k in _LISTS:
        if not isinstance(data[k], list) or not all(isinstance(v, str) for v in data[k]):
            raise UsageError(_("{where}: {k} should be a list of names").format(where=where, k=k))
    _choice(where, "file_type", data["file_type"], FILE_TYPES)
    _choice(where, "phone_format", data["phone_format"], PHONE_FORMATS)
    _choice(where, "names", data["names"], NAME_MODES)
    _choice(where, "consent_channel", data["consent_channel"], CONSENT_CHANNELS)
    _choice(where, "hash", data["hash"], HASHES)
    for rule in data["email_rules"]:
        _choice(where, "email_rules", rule, EMAIL_RULES)
    for h in data["hashes"]:
        _choice(where, "hashes", h, HASHES)
    if len(data["delimiter"]) != 1:
        raise UsageError(
            _("{where}: delimiter {delimiter!r} should be one character").format(
                where=where, delimiter=data["delimiter"]
            )
        )
    try:
        codecs.lookup(data["encoding"])
    except LookupError:
        raise UsageError(
            _("{where}: unknown encoding {encoding!r}").format(
                where=where, encoding=data["encoding"]
            )
        ) from None
    for k in ("min_size", "max_rows", "max_bytes"):
        if data[k] < 0:
            raise UsageError(_("{where}: {k} cannot be negative").format(where=where, k=k))
    columns = []
    for c in _columns(data["columns"], f"{where}: columns"):
        _choice(where, "column field", c["field"], FIELDS)
        extra = set(c) - {"field", "header", "header_plain", "hashed"}
        if extra:
            raise UsageError(
                _("{where}: column {field!r} has unknown keys {extra}").format(
                    where=where, field=c["field"], extra=sorted(extra)
                )
            )
        columns.append(
            Column(
                c["field"], str(c.get("header", c["field"])),
                str(c["header_plain"]) if c.get("header_plain") else None,
                bool(c.get("hashed", True)),
            )
        )  # fmt: skip
    if not any(c.field in IDENTIFIERS for c in columns):
        raise UsageError(_("{where}: the columns need a phone or an email").format(where=where))
    args = {k: data[k] for k in _SCALARS}
    return Preset(
        platform=platform, columns=tuple(columns),
        email_rules=tuple(data["email_rules"]), hashes=tuple(data["hashes"]), **args,
    )  # fmt: skip


def _choice(where: str, key: str, value, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise UsageError(
            _("{where}: {key} {value!r} is not one of {allowed}").format(
                where=where, key=key, value=value, allowed=", ".join(allowed)
            )
        )
