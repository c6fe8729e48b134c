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
from .common import MODEL, WORK, Figure, bench_env, report, script, skipped, wall

NAME = "cli"
COMMAND = "python tests/benchmarks/run.py cli"


def run(figures: list[Figure], *, quick: bool = False) -> None:
    from schemadrive import Client

    runs = 5 if quick else 15
    env = bench_env()
    schema_file, payload_file = WORK / "schema.json", WORK / "payload.json"
    schema_file.write_text(json.dumps(Client(offline=True, cache_dir=False).model(MODEL).schema))
    payload_file.write_text(json.dumps(payloads(1)[0]))
    python = sys.executable
    nothing = wall([python, "-c", "pass"], runs=runs, env=env)
    cli = script("schemadrive")
    if cli is None:
        skipped(NAME, "the schemadrive console script is not installed", figures)
        return
    version = wall([cli, "--version"], runs=runs, env=env)
    report(
        Figure(
            NAME,
            "schemadrive --version",
            version,
            "s",
            "python -c pass",
            nothing,
            "<= 2.5x",
            version <= 2.5 * nothing,
            "lower",
            command=COMMAND,
        ),
        figures,
    )
    helped = wall([cli, "--help"], runs=runs, env=env)
    report(
        Figure(
            NAME,
            "schemadrive --help",
            helped,
            "s",
            "python -c pass",
            nothing,
            better="lower",
            command=COMMAND,
        ),
        figures,
    )
    ours = wall(
        [cli, "validate", "--schema", str(schema_file), str(payload_file)], runs=runs, env=env
    )
    by_id = wall([cli, "--offline", "validate", MODEL, str(payload_file)], runs=runs, env=env)
    checker = script("check-jsonschema")
    if checker is None:
        skipped(
            NAME,
            "check-jsonschema is not installed (pip install check-jsonschema); "
            f"schemadrive validate --schema took {ours:.3f} s",
            figures,
        )
        return
    theirs = wall(
        [checker, "--schemafile", str(schema_file), str(payload_file)], runs=runs, env=env
    )
    for what, value in (
        ("schemadrive validate --schema FILE payload.json", ours),
        (f"schemadrive --offline validate {MODEL} payload.json", by_id),
    ):
        report(
            Figure(
                NAME,
                what,
                value,
                "s",
                "check-jsonschema --schemafile",
                theirs,
                "<= 0.5x",
                value <= 0.5 * theirs,
                "lower",
                command=COMMAND,
            ),
            figures,
        )
    report(
        Figure(
            NAME,
            "check-jsonschema --version",
            wall([checker, "--version"], runs=runs, env=env),
            "s",
            "python -c pass",
            nothing,
            better="lower",
            command=COMMAND,
        ),
        figures,
    )
