"""Write docs/cli.md, the command reference, from the `--help` of every command.

    python scripts/cli_reference.py            # rewrite docs/cli.md
    python scripts/cli_reference.py --check    # exit 1 when docs/cli.md differs from --help

The help is rendered as a terminal of a fixed width without colour (TERMINAL_WIDTH, COLUMNS and
NO_COLOR are set here, before Typer reads them on import), so the file is the same on every
machine and a changed option shows up as a changed line in review. The tests run `--check`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

WIDTH = 100
# Set before typer/rich are imported: typer reads TERMINAL_WIDTH once, at import.
os.environ.update(
    TERMINAL_WIDTH=str(WIDTH), COLUMNS=str(WIDTH), NO_COLOR="1", _TYPER_FORCE_DISABLE_TERMINAL="1"
)
for name in ("FORCE_COLOR", "PY_COLORS", "GITHUB_ACTIONS", "CLIENTBASE_DB"):
    os.environ.pop(name, None)

import typer  # noqa: E402
import typer.main  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from clientbase.cli.main import app  # noqa: E402

DOC = Path(__file__).resolve().parent.parent / "docs" / "cli.md"
COMMAND = "python scripts/cli_reference.py"

HEADER = f"""# Command reference

<!-- Generated from the commands' --help by `{COMMAND}`; do not edit by hand.
     CI fails when this file and --help disagree. -->

Every command and its options, exactly as `clientbase COMMAND --help` prints them. The options
`--db`, `-q` and `-v` belong to `clientbase` itself and may also be written after the command
(`clientbase import x.csv -q`).
"""


def commands() -> list[tuple[str, ...]]:
    """Every command path, the root first, depth-first in the order `--help` lists them."""
    root = typer.main.get_command(app)
    paths: list[tuple[str, ...]] = []

    def walk(cmd, path: tuple[str, ...]) -> None:
        paths.append(path)
        if hasattr(cmd, "list_commands"):  # a group
            ctx = typer.Context(cmd, info_name=path[-1] if path else "clientbase")
            for name in cmd.list_commands(ctx):
                sub = cmd.get_command(ctx, name)
                if sub is not None and not sub.hidden:
                    walk(sub, (*path, name))

    walk(root, ())
    return paths


def render() -> str:
    runner = CliRunner()
    parts = [HEADER]
    for path in commands():
        result = runner.invoke(app, [*path, "--help"], prog_name="clientbase")
        if result.exit_code != 0:
            raise SystemExit(f"clientbase {' '.join(path)} --help failed:\n{result.output}")
        text = "\n".join(line.rstrip() for line in result.output.strip("\n").splitlines())
        title = " ".join(("clientbase", *path))
        parts.append(f"\n## {title}\n\n```text\n{text}\n```\n")
    return "".join(parts)


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        if not DOC.exists() or DOC.read_text(encoding="utf-8") != text:
            print(f"{DOC.name} is not what --help says now; regenerate it: {COMMAND}")
            return 1
        return 0
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text(text, encoding="utf-8")
    print(f"wrote {DOC} ({len(commands())} commands)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
