"""Every `--help` reads the same way, and command-line mistakes are one line."""

from __future__ import annotations

import re

import pytest
import typer
from typer.testing import CliRunner

from clientbase.cli.help_style import tidy_tree
from clientbase.cli.main import app

SHARED_SHORT_FLAGS = {"--where": "-w", "--format": "-f", "--out": "-o", "--dry-run": "-n"}


def _commands():
    root = typer.main.get_command(app)
    tidy_tree(root)  # what the root command does before it parses anything

    def walk(command, path):
        yield path, command
        for name, sub in getattr(command, "commands", {}).items():
            yield from walk(sub, [*path, name])

    return list(walk(root, []))


COMMANDS = _commands()


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=lambda p: " ".join(p) or "root")
def test_help_has_no_type_placeholders_and_describes_every_option(path):
    result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "<bool>" not in text
    assert not re.search(r"<(str|int|float|Path|list\[[^]]*\]|int range|float range)>", text)
    assert "[[" not in text  # an optional argument's name is bracketed once
    command = dict((tuple(p), c) for p, c in COMMANDS)[tuple(path)]
    for param in command.params:
        if param.param_type_name == "option":
            assert param.help, f"{' '.join(path)} {param.opts[0]} has no help"


def test_shared_options_have_the_same_short_flag_everywhere():
    for path, command in COMMANDS:
        for param in command.params:
            if param.param_type_name != "option":
                continue
            for long, short in SHARED_SHORT_FLAGS.items():
                if long in param.opts:
                    assert short in param.opts, f"{' '.join(path)} {long} lacks {short}"
            for opt in param.opts:
                if opt in SHARED_SHORT_FLAGS.values():
                    long = next(k for k, v in SHARED_SHORT_FLAGS.items() if v == opt)
                    assert long in param.opts, f"{' '.join(path)}: {opt} is not {long}"


def test_flags_take_no_value_and_choices_show_their_values():
    text = CliRunner().invoke(app, ["import", "--help"], env={"COLUMNS": "200"}).stdout
    dry_run = next(line for line in text.splitlines() if "--dry-run" in line)
    assert re.search(r"--dry-run\s+-n\s+Show the mapping", dry_run)
    assert "table|json" in text


def test_churn_by_help_says_what_it_does():
    text = CliRunner().invoke(app, ["analyze", "churn", "--help"], env={"COLUMNS": "300"}).stdout
    assert "Base loss per group. channel:" in text
    assert "Average per group" not in text


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["consent", "set", "17", "maybe", "--channel", "sms"],
         "clientbase: error: invalid value for 'STATUS': 'maybe' is not one of 'granted', "
         "'withdrawn' (see: clientbase consent set -h)\n"),
        (["contacts", "list", "--xyzzy"],
         "clientbase: error: no such option: --xyzzy (see: clientbase contacts list -h)\n"),
        (["contacts", "list", "--format", "xml"],
         "clientbase: error: invalid value for '--format' / '-f': 'xml' is not one of 'table', "
         "'json', 'csv' (see: clientbase contacts list -h)\n"),
        (["contacts", "show"],
         "clientbase: error: missing argument 'ID' (see: clientbase contacts show -h)\n"),
    ],
)  # fmt: skip
def test_a_command_line_mistake_is_one_line_and_exit_2(cli, args, expected):
    result = cli(*args, expect=2)
    assert result.stderr == expected
    assert result.stdout == ""


def test_a_group_without_a_command_still_shows_its_help():
    result = CliRunner().invoke(app, ["contacts"])
    assert "list" in result.stdout and "Usage" in result.stdout


def test_consent_set_needs_a_channel(cli, tmp_path):
    (tmp_path / "c.csv").write_text("ФИО;Телефон\nИванов Иван;89161234567\n", encoding="utf-8")
    cli("import", tmp_path / "c.csv")
    r = cli("consent", "set", "1", "granted", expect=2)
    assert r.stderr.startswith("clientbase: error: missing option '--channel'")
    cli("consent", "set", "1", "granted", "--channel", "all")
    card = cli.json("contacts", "show", "1")
    assert card["contact_points"][0]["channels"] == {
        "sms": "granted",
        "calls": "granted",
        "ads": "granted",
    }


@pytest.mark.parametrize(
    ("args", "usage"),
    [(["note"], "clientbase note [OPTIONS] {ID} {TEXT}"),
     (["remind"], "clientbase remind [OPTIONS] {ID|due|done} [TEXT|N]"),
     (["tag", "add"], "clientbase tag add [OPTIONS] {TAG} [ID]..."),
     (["import"], "clientbase import [OPTIONS] {FILE|DIR}..."),
     (["db", "backup"], "clientbase db backup [OPTIONS] {DEST}")],
)  # fmt: skip
def test_usage_lines_name_values_one_way(args, usage):
    r = CliRunner().invoke(app, [*args, "--help"], prog_name="clientbase", env={"COLUMNS": "200"})
    assert f"Usage: {usage}" in r.stdout
