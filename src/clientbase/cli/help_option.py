"""The -h/--help option of a command, reached when Typer makes it.

Typer makes a command's help option only when it is first asked for (per command), so nothing
that walks ``command.params`` sees it. Both the quick value reader (cli.plain_values) and the
help style (cli.help_style) need to touch it; this is the one wrapper they share.
"""

from __future__ import annotations

from collections.abc import Callable


def on_help_option(command, apply: Callable) -> None:
    """Call ``apply(option)`` on the help option of ``command`` each time Typer hands it out
    (``apply`` must not mind seeing the same option again)."""
    made_help_option = command.get_help_option

    def help_option(ctx):
        option = made_help_option(ctx)
        if option is not None:
            apply(option)
        return option

    command.get_help_option = help_option
