"""The wheel holds every package of the source tree (pyproject lists them by hand)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_package_is_listed_in_pyproject():
    # An editable install finds a package that is not listed; the wheel CI installs does not.
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    src = ROOT / "src"
    found = {".".join(p.parent.relative_to(src).parts) for p in src.rglob("__init__.py")}
    assert found - listed == set()


def test_the_compiled_catalog_ships_with_the_package():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert "locale/*/LC_MESSAGES/*.mo" in data["package-data"]["clientbase"]
    assert (ROOT / "src/clientbase/locale/ru/LC_MESSAGES/clientbase.mo").is_file()
