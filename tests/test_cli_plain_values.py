"""The quick reader of option values (cli.plain_values) gives what Typer's own reader gives:
the same value, or the same error, for every parameter of every command."""

from __future__ import annotations

import typer
import typer.main
from typer._coercion import build_runtime_param

from clientbase.cli.main import app
from clientbase.cli.plain_values import install

SAMPLES = ["1", "-3", "007", "-0", "1.5", "0.10", "1e3", " 2", "١", "x", "", "table", "JSON",
           "csv", "a/b/", "/nonexistent/x.csv", "manager", "80,95"]  # fmt: skip


def _outcome(reader, value, param, ctx):
    try:
        result = reader.coerce(value, param=param, ctx=ctx)
    except Exception as exc:  # the error, as the user would read it
        return ("error", type(exc).__name__, exc.format_message())
    return ("value", type(result), result)


def _params():
    root = typer.main.get_command(app)
    found = []

    def walk(cmd, ctx):
        install(cmd)
        for param in cmd.params:
            if type(getattr(param, "_runtime_param", None)).__name__ == "PlainRuntimeParam":
                found.append((param, ctx))
        for name in getattr(cmd, "commands", {}):
            sub = cmd.commands[name]
            walk(sub, typer.Context(sub, info_name=name, parent=ctx))

    walk(root, typer.Context(root, info_name="clientbase"))
    return found


def test_every_plain_value_is_read_as_typer_reads_it():
    params = _params()
    kinds = {repr(p.type_descriptor.annotation) for p, _ in params}
    assert {"<class 'str'>", "<class 'int'>", "<class 'float'>", "<class 'pathlib.Path'>",
            "list[str]", "list[int]", "tuple[str, str]"} <= kinds  # fmt: skip
    assert any("enum" in k for k in kinds)
    compared = 0
    for param, ctx in params:
        framework = build_runtime_param(param.type_descriptor)
        is_list = param.multiple or param.nargs == -1
        for value in SAMPLES:
            given = (value,) if is_list else value
            assert _outcome(param._runtime_param, given, param, ctx) == _outcome(
                framework, given, param, ctx
            ), (param.name, value)
            compared += 1
        if param.nargs > 1:  # a pair such as --compare A B: every length, every sample
            for given in [tuple(SAMPLES[i : i + n]) for n in (1, 2, 3) for i in range(0, 6)]:
                assert _outcome(param._runtime_param, given, param, ctx) == _outcome(
                    framework, given, param, ctx
                ), (param.name, given)
        # Defaults arrive as Python values, not text.
        for value in (param.default, 5, 0, True):
            if value is None or (is_list and not isinstance(value, tuple | list)):
                continue
            assert _outcome(param._runtime_param, value, param, ctx) == _outcome(
                framework, value, param, ctx
            ), (param.name, value)
    assert compared > 1000
