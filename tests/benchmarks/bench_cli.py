"""Start-up: ``schemadrive validate --schema S P`` of one small file against ``check-jsonschema
--schemafile S P`` on the same file (target: at most half its wall time; on the flat schema,
on the conditional one, and with an invalid payload), and ``schemadrive --version``,
``schemadrive --help`` and ``schemadrive validate --help`` against ``python -c pass`` (target:
at most 2.5x). Every command runs in a fresh interpreter, in turns, after one warm-up run.

check-jsonschema is an anchor: ``pip install -e '.[bench]'`` (a run without it fails).
"""

from __future__ import annotations

import json
import sys

from .common import (
    RUNS,
    WORK,
    Figure,
    bench_env,
    compare,
    report,
    require_script,
    skipped,
    walls,
)
from .workloads import (
    CONDITIONAL,
    MODEL,
    conditional_payloads,
    flat_model,
    invalid_conditional,
    invalid_flat,
    payloads,
)

NAME = "cli"
COMMAND = "python tests/benchmarks/run.py cli"


def run(figures: list[Figure], *, quick: bool = False) -> None:
    runs = RUNS if quick else 3 * RUNS
    env = bench_env()
    files = {
        "flat.schema": json.dumps(flat_model().schema),
        "flat.valid": json.dumps(payloads(1)[0]),
        "flat.invalid": json.dumps(invalid_flat(1)[0]),
        "conditional.valid": json.dumps(conditional_payloads(1)[0]),
        "conditional.invalid": json.dumps(invalid_conditional(1)[0]),
    }
    paths = {}
    for name, text in files.items():
        paths[name] = WORK / f"cli-{name}.json"
        paths[name].write_text(text)
    paths["conditional.schema"] = CONDITIONAL
    cli = require_script(NAME, "schemadrive", "schemadrive (pip install -e .)", figures)
    checker = require_script(NAME, "check-jsonschema", "check-jsonschema", figures)
    if cli is None:
        skipped(NAME, "the schemadrive console script is not installed", figures)
        return
    commands: dict[str, list[str]] = {
        "pass": [sys.executable, "-c", "pass"],
        "version": [cli, "--version"],
        "help": [cli, "--help"],
        "validate-help": [cli, "validate", "--help"],
        "model": [cli, "--offline", "validate", MODEL, str(paths["flat.valid"])],
    }
    kinds, variants = ("flat", "conditional"), ("valid", "invalid")
    cases = [(kind, variant) for kind in kinds for variant in variants]
    for kind, variant in cases:
        schema, payload = str(paths[f"{kind}.schema"]), str(paths[f"{kind}.{variant}"])
        commands[f"{kind}.{variant}"] = [cli, "validate", "--schema", schema, payload]
        if checker is not None:
            commands[f"checker.{kind}.{variant}"] = [checker, "--schemafile", schema, payload]
    measured = walls(commands, runs=runs, env=env)
    nothing = measured["pass"]
    for name, what in (
        ("version", "schemadrive --version"),
        ("help", "schemadrive --help"),
        ("validate-help", "schemadrive validate --help"),
    ):
        report(
            compare(
                NAME, what, measured[name], "s", "python -c pass", nothing, better="lower",
                limit=2.5, command=COMMAND,
            ),
            figures,
        )  # fmt: skip
    if checker is None:
        return
    for kind, variant in cases:
        # the target is for a valid payload (no jsonschema import); an invalid one is explained
        limit = 0.5 if variant == "valid" else None
        report(
            compare(
                NAME,
                f"schemadrive validate --schema S P, {kind} schema, {variant} payload",
                measured[f"{kind}.{variant}"], "s", "check-jsonschema --schemafile S P",
                measured[f"checker.{kind}.{variant}"], better="lower", limit=limit,
                command=COMMAND,
            ),
            figures,
        )  # fmt: skip
    report(
        compare(
            NAME, f"schemadrive --offline validate {MODEL} P (valid)", measured["model"], "s",
            "check-jsonschema --schemafile S P", measured["checker.flat.valid"], better="lower",
            command=COMMAND,
        ),
        figures,
    )  # fmt: skip
