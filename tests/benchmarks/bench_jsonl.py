"""``schemadrive validate --jsonl`` on 1,000,000 lines against merely parsing the file with
Python's json module; targets: at most 2x the parse time, and below it with ``--jobs 2``.
Also times schemadrive.batch (the streaming, multi-process core the command can call).
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from pathlib import Path

from .bench_validate import payloads
from .common import MODEL, WORK, Figure, bench_env, report, script

NAME = "jsonl"
COMMAND = "python tests/benchmarks/run.py jsonl"

PARSE = """
import json, sys
loads = json.loads
with open(sys.argv[1], "rb") as stream:
    for line in stream:
        loads(line)
"""

BATCH = """
import sys
from schemadrive import Client
from schemadrive.batch import Counts, iter_validate_file
compiled = Client(offline=True, cache_dir=False).model(sys.argv[2]).compiled
counts = Counts()
for result in iter_validate_file(sys.argv[1], compiled, jobs=int(sys.argv[3]),
                                 only_problems=True, counts=counts):
    pass
print(counts.checked, counts.invalid)
"""


def data_file(lines: int) -> Path:
    """A JSON Lines file of ``lines`` payloads, one in 1,000 invalid (made once, then kept)."""
    path = WORK / f"payloads-{lines}.jsonl"
    if path.exists():
        return path
    rng = random.Random(lines)
    pool = [json.dumps(p) for p in payloads(5000)]
    bad = json.dumps({"prompt": "x", "num_frames": 999})
    temporary = path.with_suffix(".tmp")
    with open(temporary, "w") as stream:
        for index in range(lines):
            stream.write((bad if index % 1000 == 999 else rng.choice(pool)) + "\n")
    temporary.replace(path)
    return path


def timed(argv: list[str], runs: int) -> tuple[float, int]:
    """Best wall time and the exit code of the last run."""
    best, code = float("inf"), -1
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(
            argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=bench_env(), check=False
        )
        best, code = min(best, time.perf_counter() - start), done.returncode
    return best, code


def has_flag(command: list[str], flag: str) -> bool:
    done = subprocess.run([*command, "--help"], capture_output=True, text=True, env=bench_env())
    return flag in done.stdout


def run(figures: list[Figure], *, quick: bool = False) -> None:
    lines = 100_000 if quick else 1_000_000
    runs = 1 if quick else 2
    path = data_file(lines)
    cli = script("schemadrive")
    python = sys.executable
    what = f"{lines:,} lines"
    parse, _ = timed([python, "-c", PARSE, str(path)], runs)
    baseline = f"json.loads of every line ({what})"
    report(Figure(NAME, f"parse only, {what}", parse, "s", command=COMMAND), figures)
    if cli is None:
        report(
            Figure(
                NAME,
                "schemadrive validate --jsonl: not available (no console script)",
                float("nan"),
                "",
            ),
            figures,
        )
    else:
        command = [cli, "--offline", "validate"]
        elapsed, code = timed([*command, MODEL, "--jsonl", str(path)], runs)
        report(
            Figure(
                NAME,
                f"schemadrive validate --jsonl, {what} (exit {code})",
                elapsed,
                "s",
                baseline,
                parse,
                "<= 2x",
                elapsed <= 2 * parse,
                "lower",
                command=COMMAND,
            ),
            figures,
        )
        if has_flag(command, "--jobs"):
            elapsed, code = timed([*command, MODEL, "--jsonl", "--jobs", "2", str(path)], runs)
            report(
                Figure(
                    NAME,
                    f"schemadrive validate --jsonl --jobs 2, {what} (exit {code})",
                    elapsed,
                    "s",
                    baseline,
                    parse,
                    "< 1x",
                    elapsed < parse,
                    "lower",
                    command=COMMAND,
                ),
                figures,
            )
        else:
            report(
                Figure(
                    NAME,
                    "schemadrive validate --jsonl --jobs 2: not available (the "
                    "command has no --jobs flag yet)",
                    float("nan"),
                    "",
                    target="< 1x",
                ),
                figures,
            )
    for jobs, target, met in (
        (1, "<= 2x", lambda t: t <= 2 * parse),
        (2, "< 1x", lambda t: t < parse),
    ):
        elapsed, _ = timed([python, "-c", BATCH, str(path), MODEL, str(jobs)], runs)
        report(
            Figure(
                NAME,
                f"schemadrive.batch.iter_validate_file jobs={jobs}, {what}",
                elapsed,
                "s",
                baseline,
                parse,
                target,
                met(elapsed),
                "lower",
                note="the library core a CLI can call (only lines with problems come back)",
                command=COMMAND,
            ),
            figures,
        )
