"""Shell completion: Typer's install/show options, and values completed from the base."""

from __future__ import annotations

from typer.testing import CliRunner

from clientbase.cli.main import app


def complete(line: str) -> str:
    env = {"_CLIENTBASE_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": line}
    r = CliRunner().invoke(app, [], prog_name="clientbase", env=env)
    assert r.exit_code == 0, r.output
    return r.stdout


def test_completion_can_be_shown_and_installed(monkeypatch):
    # Name the shell instead of letting Typer guess it from the parent process (a test may run
    # with none); Typer reads this when it builds the command.
    monkeypatch.setenv("_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION", "1")
    r = CliRunner().invoke(app, ["--show-completion", "bash"], prog_name="clientbase")
    assert r.exit_code == 0, (r.output, r.exception)
    assert "_CLIENTBASE_COMPLETE=complete_bash" in r.stdout
    help_text = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "200"}).stdout
    assert "--install-completion" in help_text


def test_platform_names_complete():
    out = complete("clientbase export audience --platform y")
    assert '"yandex"' in out and '"vk"' not in out
    out = complete("clientbase export presets ")
    assert all(f'"{p}"' in out for p in ("yandex", "vk", "google", "meta"))


def test_saved_segment_names_complete(cli):
    cli("segment", "create", "kazan", "--where", "city = 'Казань'")
    cli("segment", "create", "vip", "--where", "orders >= 3")
    out = complete(f"clientbase --db {cli.db} contacts list --segment ")
    assert '"kazan"' in out and '"vip"' in out
    out = complete(f"clientbase --db {cli.db} segment show ka")
    assert '"kazan"' in out and '"vip"' not in out


def test_completion_never_creates_a_base(tmp_path):
    missing = tmp_path / "nothing-here.sqlite3"
    complete(f"clientbase --db {missing} contacts list --segment ")
    assert not missing.exists()
