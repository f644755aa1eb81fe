"""One look for every `--help`: how values are named, and a description for every option.

Typer names every value by its Python type (`<str>`, `<int range>`, even `<bool>` after a flag
that takes no value). This walks the command tree once, before parsing, and gives each option a
metavar in one style: a flag shows none; a choice lists its values (`table|json|csv`); anything
else an upper-case word (TEXT, N, NUMBER, PATH, DATE) unless the command chose its own. Arguments
are named in upper case (unless the command chose the name) and show no second type label.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path

from clientbase.cli.help_option import on_help_option

# Descriptions of options that many commands share, for a command that does not give its own.
_FORMAT_HELP = {
    ("json", "table"): "Output: table (for people) or json (for scripts).",
    ("csv", "json", "table"): "Output: table (for people), json or csv (for scripts).",
}

_TYPE_WORDS = {int: "N", float: "NUMBER", str: "TEXT", Path: "PATH"}


def _choice_values(descriptor) -> list[str]:
    return [c.value if isinstance(c, Enum) else str(c) for c in descriptor.choices or ()]


def _value_word(descriptor) -> str:
    if descriptor.is_choice:
        return "|".join(_choice_values(descriptor))
    annotation = descriptor.annotation
    args = getattr(annotation, "__args__", None)
    if descriptor.is_list and args:
        annotation = args[0]
    if descriptor.is_path:
        return "PATH"
    if descriptor.is_datetime:
        return "DATE"
    return _TYPE_WORDS.get(annotation, "VALUE")


def _no_type_label(ctx) -> None:
    return None


def tidy_option(param) -> None:
    descriptor = param.type_descriptor
    if param.param_type_name == "argument":
        # Typer brackets the name itself ({REQUIRED}, [OPTIONAL], "..." when repeated); a
        # metavar the command chose keeps its words as they are (`remind ID|due|done`).
        name = param.metavar.rstrip(".").strip("[]{}") if param.metavar else param.name.upper()
        param.metavar = name
        param.display_type_rich = _no_type_label  # the name says it; no "<int>" next to "ID"
        return
    if param.is_flag and not param.count:
        param.metavar = ""
    elif param.metavar is None:
        param.metavar = _value_word(descriptor)
    if not param.help and param.name in ("fmt", "format") and descriptor.is_choice:
        param.help = _FORMAT_HELP.get(tuple(sorted(_choice_values(descriptor))))


def tidy_tree(command) -> None:
    """Give every parameter of ``command`` and its sub-commands the house style, once."""
    if not tidy_command(command):
        return
    for sub in getattr(command, "commands", {}).values():
        tidy_tree(sub)


def tidy_command(command) -> bool:
    """The house style for the parameters of ``command`` itself; False when it had it."""
    if getattr(command, "_help_tidied", False):
        return False
    command._help_tidied = True
    for param in command.params:
        tidy_option(param)
    on_help_option(command, tidy_option)  # -h/--help is made later, per first use
    return True
