"""Start-up: ``schemadrive validate`` of one small file against ``check-jsonschema
--schemafile`` on the same file (target: at most half its wall time), and ``schemadrive
--version`` against ``python -c pass`` (target: at most 2.5x).

check-jsonschema is not a dependency: ``pip install check-jsonschema`` to include it (the
benchmark says it is skipped otherwise).
"""

from __future__ import annotations

import json
import sys

from .bench_validate import payloads
from .common import MODEL, WORK, Figure, bench_env, report, script, skipped, walls

NAME = "cli"
COMMAND = "python tests/benchmarks/run.py cli"


def run(figures: list[Figure], *, quick: bool = False) -> None:
    from schemadrive import Client

    runs = 5 if quick else 15
    env = bench_env()
    schema_file, payload_file = WORK / "schema.json", WORK / "payload.json"
    schema_file.write_text(json.dumps(Client(offline=True, cache_dir=False).model(MODEL).schema))
    payload_file.write_text(json.dumps(payloads(1)[0]))
    cli = script("schemadrive")
    if cli is None:
        skipped(NAME, "the schemadrive console script is not installed", figures)
        return
    commands = {
        "pass": [sys.executable, "-c", "pass"],
        "version": [cli, "--version"],
        "help": [cli, "--help"],
        "schema": [cli, "validate", "--schema", str(schema_file), str(payload_file)],
        "model": [cli, "--offline", "validate", MODEL, str(payload_file)],
    }
    checker = script("check-jsonschema")
    if checker is not None:
        commands["checker"] = [checker, "--schemafile", str(schema_file), str(payload_file)]
        commands["checker-version"] = [checker, "--version"]
    best = walls(commands, runs=runs, env=env)
    nothing = best["pass"]
    for name, what, target in (
        ("version", "schemadrive --version", "<= 2.5x"),
        ("help", "schemadrive --help", None),
    ):
        met = best[name] <= 2.5 * nothing if target else None
        report(
            Figure(
                NAME,
                what,
                best[name],
                "s",
                "python -c pass",
                nothing,
                target,
                met,
                "lower",
                command=COMMAND,
            ),
            figures,
        )
    if checker is None:
        skipped(
            NAME,
            "check-jsonschema is not installed (pip install check-jsonschema); "
            f"schemadrive validate --schema took {best['schema']:.3f} s",
            figures,
        )
        return
    theirs = best["checker"]
    for name, what in (
        ("schema", "schemadrive validate --schema schema.json payload.json"),
        ("model", f"schemadrive --offline validate {MODEL} payload.json"),
    ):
        report(
            Figure(
                NAME,
                what,
                best[name],
                "s",
                "check-jsonschema --schemafile",
                theirs,
                "<= 0.5x",
                best[name] <= 0.5 * theirs,
                "lower",
                command=COMMAND,
            ),
            figures,
        )
    report(
        Figure(
            NAME,
            "check-jsonschema --version",
            best["checker-version"],
            "s",
            "python -c pass",
            nothing,
            better="lower",
            command=COMMAND,
        ),
        figures,
    )
