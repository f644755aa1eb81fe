"""docs/cli.md is generated from --help; a change to a command must come with the regenerated file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_cli_reference_matches_help():
    # A process of its own: the script fixes the terminal width before Typer is imported.
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "cli_reference.py"), "--check"],
        capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr


def test_the_readme_links_the_references():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/cli.md" in readme and "docs/api.md" in readme
    assert (ROOT / "docs" / "api.md").exists()


def test_the_api_page_names_functions_that_exist():
    import importlib
    import re

    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("| `services.")]
    assert len(rows) >= 10
    for row in rows:
        module_cell, names_cell = row.split("|")[1:3]
        module = importlib.import_module("clientbase." + module_cell.strip().strip("`"))
        for name in re.findall(r"`(\w+)", names_cell):
            assert hasattr(module, name), f"{module.__name__} has no {name}"
