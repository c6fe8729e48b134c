"""``import schemadrive``, ``schemadrive --help`` and ``--version`` stay fast: they import none
of the heavy libraries (jsonschema, requests, hypothesis, jsonschema-rs), which are imported
where they are used. Each check runs in a fresh interpreter, so other tests cannot hide an import.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

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


def fresh(script: str, argv: list[str] | None) -> Any:
    """What ``script`` prints last (JSON), run in a fresh interpreter with ``argv``."""
    result = subprocess.run(
        [sys.executable, "-c", script, json.dumps(argv)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(result.stdout.splitlines()[-1])


def modules_after(argv: list[str] | None) -> set[str]:
    return set(fresh(SCRIPT, argv))


@pytest.mark.parametrize(
    "argv", [None, ["--help"], ["--version"]], ids=["import", "help", "version"]
)
def test_no_heavy_import(argv: list[str] | None) -> None:
    loaded = modules_after(argv)
    heavy = sorted(name for name in loaded if name.split(".")[0] in HEAVY)
    assert heavy == [], f"{argv}: imported {heavy}"


def test_a_command_that_needs_them_does_import_them() -> None:
    """The check above can fail: explaining an invalid payload does load jsonschema."""
    code = (
        "import sys, schemadrive\n"
        "schemadrive.validate({'type': 'object'}, [])\n"
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


def test_validating_a_valid_file_against_a_schema_file_imports_no_jsonschema(
    tmp_path: Any,
) -> None:
    """`validate --schema S P` of a valid payload compiles with jsonschema-rs alone (issue
    14: one small file within 0.5x check-jsonschema's time); an invalid one is explained by
    jsonschema, which is then imported (so this check can fail)."""
    pytest.importorskip("jsonschema_rs")
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "urn:example:video",
        "type": "object",
        "properties": {
            "prompt": {"type": "string", "minLength": 1},
            "image_url": {"type": "string", "format": "uri"},
            "mode": {"enum": ["text", "image"], "default": "text"},
        },
        "required": ["prompt"],
        "if": {"properties": {"mode": {"const": "image"}}, "required": ["mode"]},
        "then": {"required": ["image_url"]},
    }
    (tmp_path / "schema.json").write_text(json.dumps(schema))
    (tmp_path / "good.json").write_text(json.dumps({"prompt": "a fox"}))
    (tmp_path / "bad.json").write_text(json.dumps({"prompt": "", "mode": "image"}))
    for payload, imported in (("good.json", False), ("bad.json", True)):
        argv = ["validate", "--schema", str(tmp_path / "schema.json"), str(tmp_path / payload)]
        code, modules = fresh(VALIDATE_SCRIPT, argv)
        assert code == (1 if imported else 0), payload
        assert ("jsonschema" in modules) is imported, payload
        if not imported:
            assert "referencing" not in modules, payload


VALIDATE_SCRIPT = """
import io, json, sys
from schemadrive.cli import main
code = main(json.loads(sys.argv[1]), stdout=io.StringIO(), stderr=io.StringIO())
print(json.dumps([code, sorted(sys.modules)]))
"""
