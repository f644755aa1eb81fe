"""The root command: global options, error handling, and the command groups."""

from __future__ import annotations

import os
import sys
import traceback
from typing import Annotated

import typer
from typer.core import TyperGroup

from clientbase import __version__
from clientbase.cli.common import Lang, State, state
from clientbase.cli.completion import speak_when_installing
from clientbase.cli.help_style import tidy_command, tidy_tree
from clientbase.cli.language import (
    choose_language,
    speak,
    translate_command,
    translate_tree,
    usage_error,
)
from clientbase.cli.lazy import LazyCommands, module_commands
from clientbase.cli.output import reset_currency
from clientbase.errors import EXIT_ERROR, EXIT_USAGE, ClientbaseError
from clientbase.i18n import _

_GLOBAL_FLAGS = ("-q", "--quiet", "-v", "--verbose")


def hoist_global_options(args: list[str]) -> list[str]:
    """Move -q/-v/--db/--wait/--lang written after the command (`clientbase import x.csv -q`, the way cron
    lines get edited) in front of it, where the root command reads them. Nothing after `--` moves;
    no sub-command defines these names, so a flag can't be taken from it."""
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest.extend(args[i:])
            break
        if arg in _GLOBAL_FLAGS or arg.startswith(("--db=", "--wait=", "--lang=")):
            front.append(arg)
        elif arg in ("--db", "--wait", "--lang") and i + 1 < len(args):
            front.extend(args[i : i + 2])
            i += 1
        else:
            rest.append(arg)
        i += 1
    return front + rest


def _usage_message(exc) -> str:
    """A command-line mistake as one line: what is wrong and where to read how it is done."""
    text = usage_error(exc.format_message().replace("Value error, ", "")).rstrip(".")
    text = text[:1].lower() + text[1:]
    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        # The program's own name, also when run as `python -m clientbase` or from a test.
        path = ["clientbase", *ctx.command_path.split()[1:]]
        text += " " + _("(see: {command} -h)").format(command=" ".join(path))
    return text


def _is_usage_error(exc) -> bool:
    # Typer's usage errors (bad choice, unknown option, missing argument) carry exit code 2;
    # "no arguments, so here is the help" is one of them too, and stays as it is.
    return (
        isinstance(exc, typer.TyperException)
        and getattr(exc, "exit_code", None) == EXIT_USAGE
        and type(exc).__name__ != "NoArgsIsHelpError"
    )


# The commands under the root, in the order --help lists them: (module of clientbase.cli, and
# its `register(app)` function adding top-level commands or its Typer app added as a group).
# Each is built when first used (cli.lazy): `contacts list` imports only cli.contacts.
COMMANDS = {
    "import": ("imports", "register"),
    "note": ("card", "register"),
    "remind": ("card", "register"),
    "birthdays": ("segments", "register"),
    "reactivation": ("segments", "register"),
    "report": ("report", "register"),
    "segment": ("segments", "register"),
    "settings": ("segments", "register"),
    "tag": ("segments", "register"),
    "imports": ("imports", "imports_app"),
    "contacts": ("contacts", "app"),
    "calls": ("calls", "app"),
    "consent": ("consent", "app"),
    "analyze": ("analyze", "app"),
    "dedupe": ("dedupe", "app"),
    "export": ("export", "app"),
    "exports": ("export", "exports_app"),
    "db": ("db", "app"),
    "config": ("config", "app"),
}


def _prepare(command) -> None:
    """House style, the current language and the plain value readers for ``command`` and its
    sub-commands (cli.help_style names the values first: their names are translated too)."""
    from clientbase.cli.plain_values import install  # typer's value types: once a command runs

    tidy_tree(command)
    translate_tree(command)

    def walk(cmd) -> None:
        install(cmd)
        for sub in getattr(cmd, "commands", {}).values():
            walk(sub)

    walk(command)


def _prepare_root(root) -> None:
    """What ``_prepare`` does, for the root command's own options only."""
    from clientbase.cli.plain_values import install  # typer's value types: once a command runs

    tidy_command(root)
    translate_command(root)
    install(root)


class ErrorHandlingGroup(TyperGroup):
    """Turns our errors into one line on stderr and an exit code; tracebacks only under -v."""

    def __init__(self, *, commands=None, **kwargs):
        lazy = LazyCommands(list(COMMANDS), module_commands(COMMANDS))
        for name, command in (commands or {}).items():  # any added on the Typer app itself
            lazy[name] = command
        super().__init__(commands=lazy, **kwargs)

    def list_commands(self, ctx) -> list[str]:
        return list(self.commands)  # the names only: listing builds nothing

    def main(self, args=None, *rest, **kwargs):
        # The language first: --help and parse errors are printed while parsing.
        speak(choose_language(list(sys.argv[1:] if args is None else args)))
        # The root's own options now; each sub-command as it is built (cli.lazy).
        for command in self.commands.built():
            _prepare(command)
        self.commands.on_load = _prepare
        _prepare_root(self)
        speak_when_installing(self)
        return super().main(args, *rest, **kwargs)

    def make_context(self, info_name, args, parent=None, **extra):
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except typer.TyperException as exc:
            if not _is_usage_error(exc):
                raise
            print(
                _("clientbase: error: {message}").format(message=_usage_message(exc)),
                file=sys.stderr,
            )
            raise typer.Exit(EXIT_USAGE) from None

    def parse_args(self, ctx, args):
        if ctx.parent is None:
            args = hoist_global_options(list(args))
        return super().parse_args(ctx, args)

    def invoke(self, ctx):
        try:
            return self._invoke_retrying(ctx)
        except typer.TyperException as exc:
            if not _is_usage_error(exc):
                raise  # the CLI framework's own exits
            _report(ctx, _usage_message(exc), exc)
            raise typer.Exit(EXIT_USAGE) from None
        except (typer.Exit, typer.Abort):
            raise
        except ClientbaseError as exc:
            _report(ctx, str(exc), exc)
            raise typer.Exit(exc.exit_code) from None
        except BrokenPipeError:
            # `clientbase contacts list | head`: the reader has what it wanted. Point stdout at
            # /dev/null so the interpreter's final flush does not complain, and end quietly.

            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise typer.Exit(0) from None
        except KeyboardInterrupt:
            print(
                _("clientbase: interrupted; the unfinished change was rolled back"),
                file=sys.stderr,
            )
            raise typer.Exit(130) from None
        except Exception as exc:
            # SQLAlchemy (and db.engine, which loads it) only once a command failed: not for --help
            from sqlalchemy.exc import DatabaseError, OperationalError

            from clientbase.db.engine import is_busy

            if isinstance(exc, OperationalError) and ("locked" in str(exc) or is_busy(exc)):
                _report(
                    ctx,
                    _("the database is busy (another clientbase command is writing); try again"),
                    exc,
                )
            elif isinstance(exc, DatabaseError):
                from clientbase.db.engine import is_connection_failure, shown_url  # SQLAlchemy

                where = state(ctx).location()
                shown = where.path or shown_url(where.url)
                reason = " ".join(line.strip() for line in str(exc.orig).splitlines())
                if is_connection_failure(exc):
                    _report(
                        ctx,
                        _(
                            "cannot connect to {where}: {reason} (check the URL, that the "
                            "server runs and the role may log in)"
                        ).format(where=shown, reason=reason),
                        exc,
                    )
                else:
                    _report(
                        ctx,
                        _(
                            "database error in {where}: {error} "
                            "(is --db pointing at a clientbase database?)"
                        ).format(where=shown, error=exc.orig),
                        exc,
                    )
            else:
                _report(
                    ctx,
                    _("internal error: {error} (please report it; -v shows the traceback)").format(
                        error=f"{type(exc).__name__}: {exc}"
                    ),
                    exc,
                )
            raise typer.Exit(EXIT_ERROR) from None

    def _invoke_retrying(self, ctx):
        """Run the command; when PostgreSQL aborted its transaction to break a deadlock or a
        serialization conflict (nothing of it was kept), run it again a few times. Commands
        that write take the write lock first (db.engine.write_transaction), so this is mostly
        a reader that met an import rebuilding indexes."""
        from clientbase.db.locks import RETRIES, is_transient  # no SQLAlchemy: a quick start

        saved = (list(ctx._protected_args), list(ctx.args))
        for attempt in range(RETRIES):
            try:
                return super().invoke(ctx)
            except Exception as exc:
                if not is_transient(exc) or attempt == RETRIES - 1:
                    raise
                import random  # only for a retry: not at start-up
                import time

                time.sleep(0.05 * 2**attempt * (1 + random.random()))
                ctx._protected_args, ctx.args = list(saved[0]), list(saved[1])
        raise AssertionError("unreachable")


def _report(ctx, message: str, exc: BaseException) -> None:
    obj = ctx.find_root().obj
    if obj is not None and obj.verbose:
        traceback.print_exception(exc, file=sys.stderr)
    print(_("clientbase: error: {message}").format(message=message), file=sys.stderr)


app = typer.Typer(
    cls=ErrorHandlingGroup,
    help="Turn scattered customer contacts into one clean base, and put it to work.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        print(f"clientbase {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            metavar="PATH|URL",
            help="Database file or SQLAlchemy URL (env CLIENTBASE_DB; default: in the user data dir).",
        ),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print only errors (for cron).")
    ] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="More detail; tracebacks on errors.")
    ] = False,
    wait: Annotated[
        float | None,
        typer.Option(
            "--wait",
            metavar="SECONDS",
            min=0,
            help="How long to wait for another command that is writing (env CLIENTBASE_WAIT; "
            "default 600).",
        ),
    ] = None,
    lang: Annotated[
        Lang | None,
        typer.Option(
            "--lang",
            help="Language of messages, help and reports: ru or en (env CLIENTBASE_LANG; "
            "default: the config's lang, else the locale).",
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    reset_currency()  # in-process runs (tests, scripts) do not inherit the last base's currency
    ctx.obj = State(db=db, quiet=quiet, verbose=verbose, wait=wait)


def run() -> None:
    app(prog_name="clientbase")
