"""Shell completion of values: platform names, and the names of the base's saved segments.

Completion runs on every Tab press, before any command: it reads the base only when it exists
(never creating or migrating one) and says nothing when it cannot read it.
"""

from __future__ import annotations

import typer

from clientbase.config import resolve_db
from clientbase.i18n import _


def complete_platform(incomplete: str) -> list[str]:
    # exporters.presets (its tables, importlib.resources) only on a Tab press: not at start-up
    from clientbase.exporters.presets import platforms

    return [p for p in platforms() if p.startswith(incomplete.lower())]


def complete_segment(ctx: typer.Context, incomplete: str) -> list[str]:
    location = resolve_db(ctx.find_root().params.get("db"))
    if location.path is not None and not location.path.is_file():
        return []
    try:
        # SQLAlchemy, loaded by both, only when a segment name is completed
        from clientbase.db.engine import make_engine
        from clientbase.services.segments import segment_names

        names = segment_names(make_engine(location.url))
    except Exception:  # a Tab press must never print a traceback into the command line
        return []
    return [n for n in names if n.lower().startswith(incomplete.lower())]


def install_completion(ctx, param, value):
    """`--install-completion`: Typer's installation, saying what it did in the chosen language."""
    if not value or ctx.resilient_parsing:
        return value
    from typer.completion import install  # shell-completion code: only when installing it

    shell, path = install(shell=value) if isinstance(value, str) else install()
    typer.secho(
        _("{shell} completion installed in {path}").format(shell=shell, path=path), fg="green"
    )
    typer.echo(_("Completion will take effect once you restart the terminal"))
    raise typer.Exit()


def speak_when_installing(command) -> None:
    """Have the root command's `--install-completion` report through :func:`install_completion`."""
    for param in command.params:
        if param.name == "install_completion":
            param.callback = install_completion
