"""The user's config file: defaults a shop owner should not have to type every time.

A TOML file in the user config dir (``~/.config/clientbase/config.toml`` on Linux), or wherever
``CLIENTBASE_CONFIG`` points. Every value is resolved the same way: a command-line flag, else the
environment variable, else the config file, else the built-in default; ``clientbase config show``
prints each value with where it came from. Lifecycle thresholds in the file are defaults for a
base that has not set its own with ``clientbase settings set``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from clientbase.config import config_path, default_db_path, read_config, write_config_value
from clientbase.errors import UsageError
from clientbase.i18n import N_, _

LIFECYCLE_PREFIX = "lifecycle."


# --- what can be set -----------------------------------------------------------------------------


def _region(text: str) -> str:
    code = text.strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", code):
        raise UsageError(
            _("region: {text!r} is not a two-letter country code").format(text=text),
            hint=_("e.g. RU, KZ, BY"),
        )
    # phonenumbers (~0.1 s): only when a region is set; `clientbase --help` reads this module
    import phonenumbers

    if code not in phonenumbers.SUPPORTED_REGIONS:
        raise UsageError(
            _("region: {code} is not a country phone numbers are known for").format(code=code)
        )
    return code


def _area_code(text: str) -> str:
    digits = text.strip()
    if not re.fullmatch(r"\d{3,5}", digits):
        raise UsageError(
            _("area_code: {text!r} is not 3-5 digits").format(text=text),
            hint=_("e.g. 495, 812, 3432"),
        )
    return digits


def _lang(text: str) -> str:
    value = text.strip().lower()
    if value not in ("ru", "en"):
        raise UsageError(_("lang: {text!r} is not ru or en").format(text=text))
    return value


def _cutoffs(key: str) -> Callable[[str], str]:
    def check(text: str) -> str:
        parts = [p.strip() for p in str(text).split(",")]
        try:
            low, high = (float(p) for p in parts)
        except ValueError:
            raise UsageError(
                _("{key}: {text!r} is not two numbers like 80,95").format(key=key, text=text)
            ) from None
        if not 0 < low < high:
            raise UsageError(
                _("{key}: {text!r}: the first cut-off must be above 0 and below the second").format(
                    key=key, text=text
                )
            )
        return f"{low:g},{high:g}"

    return check


def _platform(text: str) -> str:
    # the presets' tables (importlib.resources): only when a platform is set, not at start-up
    from clientbase.exporters.presets import platforms

    names = sorted(platforms())
    value = text.strip().lower()
    if value not in names:
        raise UsageError(
            _("export_platform: {text!r} is not a platform").format(text=text),
            hint=_("one of: {names}").format(names=", ".join(names)),
        )
    return value


def _db(text: str) -> str:
    if not text.strip():
        raise UsageError(_("db: empty"))
    return text.strip()


@dataclass(frozen=True)
class Key:
    name: str
    check: Callable[[str], object]
    env: str | None
    meaning: str


KEYS: dict[str, Key] = {
    k.name: k
    for k in (
        Key("db", _db, "CLIENTBASE_DB", N_("the database file or URL")),
        Key("region", _region, "CLIENTBASE_REGION", N_("country of phones written without a code")),
        Key("area_code", _area_code, "CLIENTBASE_AREA_CODE",
            N_("local area code of 7-digit phones (495 for Moscow)")),
        Key("lang", _lang, "CLIENTBASE_LANG", N_("language of reports and number formats: ru or en")),
        Key("abc", _cutoffs("abc"), None, N_("ABC cut-offs, cumulative %: A and B")),
        Key("xyz", _cutoffs("xyz"), None, N_("XYZ cut-offs, variation %: X and Y")),
        Key("export_platform", _platform, None, N_("default platform of export audience")),
    )
}  # fmt: skip


def _lifecycle_key(name: str) -> Key | None:
    if not name.startswith(LIFECYCLE_PREFIX):
        return None
    # segments.lifecycle loads SQLAlchemy: only for a lifecycle key (`config set region` needs none)
    from clientbase.segments.lifecycle import SETTINGS, parse_setting

    setting = name[len(LIFECYCLE_PREFIX) :]
    if setting not in SETTINGS:
        return None
    return Key(name, lambda text: parse_setting(setting, text), None, SETTINGS[setting][3])


def key(name: str) -> Key:
    found = KEYS.get(name) or _lifecycle_key(name)
    if found is None:
        # segments.lifecycle loads SQLAlchemy: only for a lifecycle key (`config set region` needs none)
        from clientbase.segments.lifecycle import SETTINGS

        raise UsageError(
            _("unknown config key {name!r}").format(name=name),
            hint=_("one of: {names}").format(
                names=f"{', '.join(KEYS)}, {LIFECYCLE_PREFIX}<{'|'.join(SETTINGS)}>"
            ),
        )
    return found


def all_keys() -> list[Key]:
    # segments.lifecycle loads SQLAlchemy: only for a lifecycle key (`config set region` needs none)
    from clientbase.segments.lifecycle import SETTINGS

    return [*KEYS.values(), *(key(LIFECYCLE_PREFIX + s) for s in SETTINGS)]


# --- resolving -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Resolved:
    value: object
    origin: str  # "flag", "env CLIENTBASE_REGION", "config", "default"


def resolve(
    name: str,
    flag: object = None,
    default: object = None,
    *,
    env: Mapping[str, str] | None = None,
    file_values: Mapping[str, object] | None = None,
) -> Resolved:
    """A value by flag > environment > config file > ``default``; checked like `config set`."""
    env = os.environ if env is None else env
    k = key(name)
    if flag is not None:
        return Resolved(flag, "flag")
    if k.env and env.get(k.env):
        try:
            return Resolved(k.check(env[k.env]), f"env {k.env}")
        except UsageError as exc:
            raise UsageError(f"{k.env}: {exc.message}", hint=exc.hint) from None
    values = read_config(config_path(env)) if file_values is None else file_values
    if name in values:
        try:
            return Resolved(k.check(str(values[name])), "config")
        except UsageError as exc:
            raise UsageError(
                _("config {config_path}: {message}").format(
                    config_path=config_path(env), message=exc.message
                ),
                hint=exc.hint,
            ) from None
    return Resolved(default, "default")


def set_value(name: str, text: str) -> object:
    """`config set`: check the value, then store it in the config file."""
    checked = key(name).check(text)
    write_config_value(name, checked)
    return checked


def value(name: str, flag: object = None, default: object = None) -> object:
    return resolve(name, flag, default).value


def lifecycle_defaults() -> dict[str, str]:
    """The lifecycle thresholds the config file sets, as text like the settings table holds."""
    return {
        k[len(LIFECYCLE_PREFIX) :]: str(v)
        for k, v in read_config().items()
        if k.startswith(LIFECYCLE_PREFIX)
    }


def language(flag: str | None = None) -> str:
    """ru or en: flag, CLIENTBASE_LANG, the config file, then the locale."""
    from clientbase.reports.i18n import default_lang  # its number formats: not at start-up

    return str(value("lang", flag, None) or default_lang())


def _builtin_default(name: str) -> object:
    if name.startswith(LIFECYCLE_PREFIX):
        # segments.lifecycle loads SQLAlchemy: only for a lifecycle key (`config set region` needs none)
        from clientbase.segments.lifecycle import DEFAULTS

        return getattr(DEFAULTS, name[len(LIFECYCLE_PREFIX) :])
    if name == "db":
        return str(default_db_path())
    return BUILTIN_DEFAULTS.get(name)


BUILTIN_DEFAULTS: dict[str, object] = {"region": "RU", "abc": "80,95", "xyz": "10,25"}


# Where a value comes from, in words for the table; JSON and CSV keep the identifier.
_ORIGINS = {
    "flag": N_("flag"),
    "config": N_("config"),
    "default": N_("default"),
    "locale": N_("locale"),
}


def origin_label(origin: str) -> str:
    """``origin`` as `config show` prints it in its table ("env X" keeps the variable's name)."""
    if origin.startswith("env "):
        return _("env {variable}").format(variable=origin[len("env ") :])
    return _(_ORIGINS[origin]) if origin in _ORIGINS else origin


def show(flags: Mapping[str, object] | None = None) -> dict:
    """Every key with the value in force and where it comes from, for `config show`."""
    flags = flags or {}
    path = config_path()
    values = read_config(path)
    rows = []
    for k in all_keys():
        r = resolve(k.name, flags.get(k.name), _builtin_default(k.name), file_values=values)
        origin = r.origin
        if k.name == "lang" and r.value is None:
            from clientbase.reports.i18n import default_lang  # as in language()

            r = Resolved(default_lang(), "locale")
            origin = r.origin
        rows.append({"key": k.name, "value": r.value, "from": origin, "meaning": _(k.meaning)})
    unknown = sorted(set(values) - {k.name for k in all_keys()})
    return {"file": str(path), "exists": path.is_file(), "keys": rows, "unknown": unknown}
