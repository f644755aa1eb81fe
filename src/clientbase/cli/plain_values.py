"""Option values read without the framework's validation library, where that gives the same value.

Typer turns each command-line value into its Python type through a pydantic ``TypeAdapter``;
importing pydantic and building the adapters costs ~0.12 s, a third of the start of a quick
command such as `contacts list --limit 1`. The values clientbase takes are plain: text, whole
numbers and numbers with ranges, choices, paths, and lists and pairs of those. For these,
``install`` gives each parameter a reader that makes the value the framework would make.
Anything else, and every value the quick reader is not sure of (a number written `1e3`, one out
of range, a choice that is not one), goes to the framework's own reader, so results and error
messages stay exactly Typer's. When the framework's internals are not the ones this was written for, nothing is
installed and Typer reads every value itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, get_args, get_origin

from clientbase.cli.help_option import on_help_option

try:
    from typer._click.exceptions import BadParameter
    from typer._coercion import RuntimeParam, TypeDescriptor, build_runtime_param
    from typer._param_types import coerce_cli_choice, coerce_cli_path
except ImportError:  # another Typer: it reads every value itself
    RuntimeParam = None  # type: ignore[assignment,misc]

# What int() and float() read exactly as pydantic does (ASCII digits, no exponent, no spaces).
_INT = re.compile(r"-?[0-9]+")
_DECIMAL = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


class _NotPlain(Exception):
    """The framework's reader decides this value (and words any error)."""


def _in_range(number, info):
    if (info.min is not None and number < info.min) or (info.max is not None and number > info.max):
        raise _NotPlain
    return number


def _leaf(annotation, value, info, param, ctx):
    if annotation is str:
        if type(value) is str:
            return value
    elif annotation is bool:
        if type(value) is bool:
            return value
    elif annotation is int:
        if type(value) is int:
            return _in_range(value, info)
        if type(value) is str and _INT.fullmatch(value):
            return _in_range(int(value), info)
    elif annotation is float:
        if type(value) in (int, float):
            return _in_range(float(value), info)
        if type(value) is str and _DECIMAL.fullmatch(value):
            return _in_range(float(value), info)
    elif isinstance(annotation, type) and issubclass(annotation, Enum):
        try:
            return coerce_cli_choice(
                value, choices=tuple(annotation), case_sensitive=info.case_sensitive, ctx=ctx
            )
        except ValueError:
            raise _NotPlain from None
    elif isinstance(annotation, type) and issubclass(annotation, Path):
        kind = info.path_type or annotation
        if type(value) is str and value:
            try:
                return coerce_cli_path(kind(value), info, path_type=kind, param=param, ctx=ctx)
            except BadParameter:
                raise _NotPlain from None
    raise _NotPlain


def _supported(annotation) -> bool:
    if get_origin(annotation) is list:
        args = get_args(annotation)
        return len(args) == 1 and _supported(args[0])
    if get_origin(annotation) is tuple:  # a fixed number of values (nargs), e.g. --compare A B
        args = get_args(annotation)
        return bool(args) and all(_supported(a) and get_origin(a) is None for a in args)
    if annotation in (str, bool, int, float):
        return True
    return isinstance(annotation, type) and issubclass(annotation, (Enum, Path))


if RuntimeParam is not None:

    @dataclass(frozen=True)
    class PlainRuntimeParam(RuntimeParam):
        """Typer's runtime parameter (None and repeated values handled by its ``coerce``) whose
        values are read here when they are plain, else by the framework."""

        descriptor: TypeDescriptor

        def _coerce_value(self, value: Any, param, ctx) -> Any:
            info, annotation = self.parameter_info, self.annotation
            try:
                if get_origin(annotation) is list:
                    item = get_args(annotation)[0]
                    values = value if isinstance(value, list | tuple) else [value]
                    return [_leaf(item, v, info, param, ctx) for v in values]
                if get_origin(annotation) is tuple:
                    items = get_args(annotation)
                    if not isinstance(value, list | tuple) or len(value) != len(items):
                        raise _NotPlain
                    return tuple(
                        _leaf(a, v, info, param, ctx) for a, v in zip(items, value, strict=True)
                    )
                return _leaf(annotation, value, info, param, ctx)
            except _NotPlain:
                framework = build_runtime_param(self.descriptor)
                return framework._coerce_value(value, param=param, ctx=ctx)


def install(command) -> None:
    """Give the parameters of ``command`` (not of its sub-commands) the plain reader, the
    -h/--help option too (made per command on first use)."""
    if RuntimeParam is None or getattr(command, "_plain_values", False):
        return
    command._plain_values = True
    for param in command.params:
        _install(param)
    on_help_option(command, _install)


def _install(param) -> None:
    descriptor = getattr(param, "type_descriptor", None)
    if (
        descriptor is None
        or getattr(param, "_runtime_param", False) is not None
        or descriptor.file_annotation is not None
        or descriptor.parameter_info.parser is not None
        or descriptor.parameter_info.clamp
        or not _supported(descriptor.annotation)
    ):
        return
    param._runtime_param = PlainRuntimeParam(
        parameter_info=descriptor.parameter_info,
        annotation=descriptor.annotation,
        descriptor=descriptor,
    )
