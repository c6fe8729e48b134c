"""``import schemadrive``, ``schemadrive --help`` and ``--version`` stay fast: they import none
of the heavy libraries (jsonschema, requests, hypothesis, jsonschema-rs), which are imported
where they are used. Each check runs in a fresh interpreter, so other tests cannot hide an import.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = (
    "jsonschema",
    "jsonschema_rs",
    "referencing",
    "requests",
    "urllib3",
    "hypothesis",
    "hypothesis_jsonschema",
    "rfc3986_validator",
)

SCRIPT = """
import io, json, sys
import schemadrive
argv = json.loads(sys.argv[1])
if argv is not None:
    from schemadrive.cli import main
    out = io.StringIO()
    sys.stdout, real = out, sys.stdout  # --help goes to sys.stdout through argparse
    try:
        code = main(argv, stdout=out, stderr=io.StringIO())
    finally:
        sys.stdout = real
    assert code == 0, (code, out.getvalue())
    assert out.getvalue(), "nothing printed"
print(json.dumps(sorted(sys.modules)))
"""


def modules_after(argv: list[str] | None) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, json.dumps(argv)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return set(json.loads(result.stdout.splitlines()[-1]))


@pytest.mark.parametrize(
    "argv", [None, ["--help"], ["--version"]], ids=["import", "help", "version"]
)
def test_no_heavy_import(argv: list[str] | None) -> None:
    loaded = modules_after(argv)
    heavy = sorted(name for name in loaded if name.split(".")[0] in HEAVY)
    assert heavy == [], f"{argv}: imported {heavy}"


def test_a_command_that_needs_them_does_import_them() -> None:
    """The check above can fail: validating a payload does load jsonschema."""
    code = (
        "import sys, schemadrive\n"
        "schemadrive.validate({'type': 'object'}, {})\n"
        "print('jsonschema' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "True"


def test_jsonschema_rs_is_imported_when_a_schema_is_compiled_not_before() -> None:
    code = (
        "import sys, schemadrive.schema.compile, schemadrive.schema.batch\n"
        "before = 'jsonschema_rs' in sys.modules\n"
        "schemadrive.schema.compile.compile_schema({'type': 'object'})\n"
        "print(before, 'jsonschema_rs' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False", "True"]


@pytest.mark.parametrize("argv", [["--help"], ["validate", "--help"]], ids=["help", "validate"])
def test_help_imports_only_the_command_it_shows(argv: list[str]) -> None:
    """The parser is built from a table: `--help` imports no command module, and a command's
    `--help` imports that command's module only (issue 14: --help within 2.5x `python -c pass`)."""
    from schemadrive.cli._main import COMMANDS

    every = {f"schemadrive.cli.{module}" for module, _ in COMMANDS.values()}
    every |= {"schemadrive.cli.validate"}  # the checking, apart from validate's parser
    loaded = sorted(every & modules_after(argv))
    assert loaded == [f"schemadrive.cli.{COMMANDS[argv[0]][0]}" for _ in argv[1:]], loaded


def test_the_command_table_matches_the_modules() -> None:
    """Each command in the table is registered by its module, with the help the table shows."""
    import argparse

    from schemadrive.cli._main import COMMANDS, command_parser

    for name, (module, text) in COMMANDS.items():
        parser = command_parser(name)
        assert parser.prog == f"schemadrive {name}", module
        holder = argparse.ArgumentParser()
        subparsers = holder.add_subparsers()
        __import__(f"schemadrive.cli.{module}", fromlist=["register"]).register(subparsers)
        helps = {action.dest: action.help for action in subparsers._choices_actions}
        assert helps[name] == text, name
