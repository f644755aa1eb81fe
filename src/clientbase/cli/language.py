"""Choosing the language of a command, and putting `--help` and the CLI framework's words in it.

The language is decided before the command line is parsed, because `--help` and parse errors
are printed during parsing: `--lang` anywhere on the line (it is a global option), else
``CLIENTBASE_LANG``, the config file's ``lang``, then the locale (``LANG=ru_RU.UTF-8``).

Help texts stay English in the code (docstrings and ``help=``); ``scripts/catalog.py`` collects
them from the command tree into the catalog, and :func:`translate_tree` swaps in their
translation just before parsing. Click and Typer look their own words ("Usage:", "Options",
"No such option") up through ``gettext.gettext`` bound at import time in each of their modules;
pointing those names at our catalog makes the whole screen one language. The rest of their
words are fixed English f-strings; the usage errors among them are translated by pattern in
:func:`usage_error`, and the "Usage:" prefix by :func:`_translate_usage_prefix`.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import re
import sys
from collections.abc import Callable

from clientbase import i18n
from clientbase.errors import ClientbaseError
from clientbase.i18n import N_, _
from clientbase.services.config import language

# Modules of the CLI framework that bound gettext's functions to module names at import time.
_FRAMEWORK_MODULES = ("typer.core", "typer.rich_utils", "typer._click.parser")
# Typer translates these once, at import; their English originals are kept to translate again.
_TYPER_CONSTANTS = (
    "DEPRECATED_STRING",
    "DEFAULT_STRING",
    "ENVVAR_STRING",
    "REQUIRED_LONG_STRING",
    "ARGUMENTS_PANEL_TITLE",
    "OPTIONS_PANEL_TITLE",
    "COMMANDS_PANEL_TITLE",
    "ERRORS_PANEL_TITLE",
    "ABORTED_TEXT",
    "RICH_HELP",
)
_typer_originals: dict[str, str] = {}


def lang_from_args(args: list[str]) -> str | None:
    """The value of `--lang` anywhere before `--`, if given."""
    for i, arg in enumerate(args):
        if arg == "--":
            return None
        if arg == "--lang" and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def choose_language(args: list[str]) -> str:
    """ru or en for this command: --lang, CLIENTBASE_LANG, the config, then the locale."""

    flag = lang_from_args(args)
    try:
        return language(flag if flag in i18n.LANGUAGES else None)
    except ClientbaseError:
        # A broken config file is reported by the command that reads it; the language falls
        # back to the locale so that report is readable.
        from clientbase.reports.i18n import default_lang

        return default_lang()


def speak(lang: str) -> None:
    """Set ``lang`` for our messages and for the framework's own words."""
    i18n.set_language(lang)
    for name in _FRAMEWORK_MODULES:
        _when_loaded(name, _bind_words)
    _translate_usage_prefix()


def _bind_words(module) -> None:
    if hasattr(module, "_"):
        module._ = i18n._
    if hasattr(module, "ngettext"):
        module.ngettext = i18n.ngettext
    if module.__name__ == "typer.rich_utils":
        for name in _TYPER_CONSTANTS:
            original = _typer_originals.setdefault(name, getattr(module, name))
            setattr(module, name, i18n._(original))


_pending: dict[str, Callable] = {}


def _when_loaded(name: str, apply: Callable) -> None:
    """``apply(module)`` now if the module is loaded, else right after Python loads it.
    typer.rich_utils brings rich's markdown and syntax modules (~0.1 s), which only a help page
    or an error panel needs: importing it just to translate it would slow every command."""
    module = sys.modules.get(name)
    if module is not None:
        apply(module)
        return
    _pending[name] = apply
    if not any(isinstance(f, _AfterLoad) for f in sys.meta_path):
        sys.meta_path.insert(0, _AfterLoad())


class _AfterLoad(importlib.abc.MetaPathFinder):
    """Finds nothing itself: wraps the normal loader of a module waiting in ``_pending``."""

    def find_spec(self, fullname, path, target=None):
        apply = _pending.pop(fullname, None)
        if apply is None:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        if spec is None or spec.loader is None:
            return spec
        load = spec.loader.exec_module

        def exec_module(module) -> None:
            load(module)
            apply(module)

        spec.loader.exec_module = exec_module  # this module's own loader object
        return spec


def _translate_usage_prefix() -> None:
    # Typer writes a fixed "Usage: " before the usage line; wrap it once so it asks the catalog.
    try:
        formatting = importlib.import_module("typer._click.formatting")
    except ImportError:
        return
    original = formatting.HelpFormatter.write_usage
    if getattr(original, "_clientbase", False):
        return

    def write_usage(self, prog, args="", prefix=None):
        return original(self, prog, args, i18n._("Usage: ") if prefix is None else prefix)

    write_usage._clientbase = True
    formatting.HelpFormatter.write_usage = write_usage


# The CLI framework's usage errors (fixed English text) and their message in the catalog.
# Each pattern is matched against the whole message; its named groups fill the template.
_USAGE_ERRORS = (
    (r"No such option: (?P<name>\S+)(?: \(Possible options: (?P<options>.*)\))?", None),
    (r"Missing argument '(?P<name>[^']+)'\.?", N_("missing argument {name}")),
    (r"Missing option '(?P<name>[^']+)'\.?", N_("missing option {name}")),
    (r"Missing parameter: (?P<name>\S+)", N_("missing parameter {name}")),
    (r"Got unexpected extra arguments? \((?P<args>.*)\)", N_("unexpected extra argument: {args}")),
    (r"Option '(?P<name>[^']+)' requires an argument\.?", N_("option {name} needs a value")),
    (r"Option '(?P<name>[^']+)' does not take a value\.?", N_("option {name} takes no value")),
    (r"No such command '(?P<name>[^']+)'\.?", N_("no such command: {name}")),
    (r"Missing command\.?", N_("missing command")),
    (
        r"Invalid value for '(?P<name>[^']+)': '(?P<value>.*)' is not one of (?P<choices>.*?)\.?",
        N_("invalid value for {name}: {value} is not one of {choices}"),
    ),
    (
        r"Invalid value for '(?P<name>[^']+)': (?P<message>.*)",
        N_("invalid value for {name}: {message}"),
    ),
)


def usage_error(text: str) -> str:
    """A usage error of the CLI framework in the current language (unknown ones as they are).
    English keeps the framework's own wording."""
    if i18n.language() == "en":
        return text
    # Typer appends its suggestion to the message in English: ". Did you mean 'list'?"
    m = re.fullmatch(
        r"(?P<head>.*?)\.? Did you mean (?P<suggestions>.+)\?", text.strip(), re.DOTALL
    )
    if m:
        return _("{message}. Did you mean {suggestions}?").format(
            message=usage_error(m.group("head")).rstrip("."), suggestions=m.group("suggestions")
        )
    for pattern, template in _USAGE_ERRORS:
        m = re.fullmatch(pattern, text.strip(), flags=re.DOTALL)
        if not m:
            continue
        groups = m.groupdict()
        if template is None:  # no such option, with or without suggestions
            if groups.get("options"):
                return i18n._("no such option: {name} (possible: {options})").format(**groups)
            return i18n._("no such option: {name}").format(**groups)
        return i18n._(template).format(**groups)
    return text


# A value name made of words (FILE, KEY=VALUE, PATH|URL) is translated; choices
# (table|json|csv), letters (N, CC, A,B,C) and identifiers typed as they are (ID, due) are not.
_WORD_METAVAR = re.compile(r"(?<![A-Za-z])(?!(?:ID|URL|CSV)(?![A-Z]))[A-Z]{3,}")
_COMMAND_ATTRS = ("help", "short_help", "epilog", "options_metavar", "subcommand_metavar")


def _translatable(obj, attr: str) -> str | None:
    text = _original(obj, attr)
    if not text:
        return None
    if attr in ("metavar", "options_metavar", "subcommand_metavar"):
        return text if _WORD_METAVAR.search(text) else None
    return text


def help_texts(command) -> list[str]:
    """Every help text of ``command`` and its sub-commands, in English (for the catalog): the
    descriptions, and the names of values (FILE, [OPTIONS]) that are words."""
    texts: list[str] = []

    def walk(cmd) -> None:
        for attr in _COMMAND_ATTRS:
            text = _translatable(cmd, attr)
            if text:
                texts.append(text)
        for param in cmd.params:
            for attr in ("help", "metavar"):
                text = _translatable(param, attr)
                if text:
                    texts.append(text)
        for sub in getattr(cmd, "commands", {}).values():
            walk(sub)

    walk(command)
    return texts


def _original(obj, attr: str) -> str | None:
    saved = getattr(obj, "_msgids", {})
    if attr in saved:
        return saved[attr]
    text = getattr(obj, attr, None)
    return text.strip() if isinstance(text, str) else None


def translate_tree(command) -> None:
    """Put every help text of ``command`` and its sub-commands into the current language.
    Run it after ``help_style.tidy_tree``, which names the values."""
    translate_command(command)
    for sub in getattr(command, "commands", {}).values():
        translate_tree(sub)


def _put(obj, attr: str) -> None:
    text = _translatable(obj, attr)
    if not text:
        return
    obj.__dict__.setdefault("_msgids", {})[attr] = text
    setattr(obj, attr, i18n._(text))


def translate_command(cmd) -> None:
    """The help texts of ``cmd`` itself (not of its sub-commands) in the current language."""
    for attr in _COMMAND_ATTRS:
        _put(cmd, attr)
    for param in cmd.params:
        _put(param, "help")
        _put(param, "metavar")
    made_help_option = cmd.get_help_option  # -h/--help is made later, on first use

    def help_option(ctx):
        option = made_help_option(ctx)
        if option is not None:
            _put(option, "help")
        return option

    cmd.get_help_option = help_option


# The framework's own help option, made per command on first use, says this.
HELP_OPTION_HELP = N_("Show this message and exit.")
