"""The root command's sub-commands, each built from its module when it is first asked for.

`clientbase contacts list` needs the `contacts` group only: importing every command module and
building every command's parameters from its signature would cost a tenth of a second of each
run. ``LazyCommands`` knows the names (in the order `--help` lists them) and which module and
registration makes each; the command is built on first access, with the same Typer calls as an
eager build (so the objects, their help and docs/cli.md are the same). Walking all of them
(`--help`, the catalog, the reference) builds all of them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, MutableMapping

import typer
import typer.main


class LazyCommands(MutableMapping):
    """{name: click command}, each made by ``build(name)`` when first read. ``on_load`` (set by
    the root command before it parses) sees every command made."""

    def __init__(self, names: list[str], build: Callable[[str], object]):
        self._names = list(names)
        self._built: dict[str, object] = {}
        self._build = build
        self.on_load: Callable[[object], None] | None = None

    def __getitem__(self, name: str):
        if name not in self._built:
            if name not in self._names:
                raise KeyError(name)
            command = self._build(name)
            self._built[name] = command
            if self.on_load is not None:
                self.on_load(command)
        return self._built[name]

    def __setitem__(self, name: str, command) -> None:
        if name not in self._names:
            self._names.append(name)
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        self._names.remove(name)
        self._built.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._names))

    def __len__(self) -> int:
        return len(self._names)

    def __contains__(self, name) -> bool:
        return name in self._names

    def built(self) -> list:
        """The commands made so far (nothing is made by asking)."""
        return list(self._built.values())


def module_commands(registrations: dict[str, tuple[str, str]]):
    """``build(name)`` for LazyCommands: ``registrations`` maps a name to (module, attribute) of
    ``clientbase.cli``: a ``register(app)`` function adding top-level commands, or a Typer app
    added as the group ``name``. A module is registered once; all it adds is kept."""
    made: dict[str, object] = {}

    def build(name: str):
        if name not in made:
            module_name, attribute = registrations[name]
            target = getattr(importlib.import_module(f"clientbase.cli.{module_name}"), attribute)
            # A holder with a callback is always a group (one command alone would be returned
            # as the command itself); its default settings are the root's.
            holder = typer.Typer(add_completion=False)
            holder.callback()(_nothing)
            if isinstance(target, typer.Typer):
                holder.add_typer(target, name=name)
            else:
                target(holder)
            made.update(typer.main.get_command(holder).commands)
        return made.pop(name)

    return build


def _nothing() -> None:
    """The holder group's callback (never run)."""
