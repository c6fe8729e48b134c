"""``schemadrive validate --jsonl`` on 1,000,000 lines against merely parsing the file with
Python's json module; targets: at most 2x the parse time, and below it with ``--jobs 2``.
Also times schemadrive.schema.batch (the streaming, multi-process core the command can call).
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from pathlib import Path

from .bench_validate import payloads
from .common import MODEL, WORK, Figure, bench_env, report, script, skipped

NAME = "jsonl"
COMMAND = "python tests/benchmarks/run.py jsonl"

# The baseline: the plainest fast way to parse the file (text mode parses faster than bytes).
PARSE = """
import json, sys
loads = json.loads
with open(sys.argv[1], encoding="utf-8") as stream:
    for line in stream:
        loads(line)
"""

BATCH = """
import sys
from schemadrive import Client
from schemadrive.schema.batch import Counts, iter_validate_file
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


def timed(argv: list[str], runs: int) -> tuple[float, int, float]:
    """Best wall time, the exit code, and the CPU time (user + system, the process and its
    workers) of the best run: on a busy machine the CPU time shows what parallelism could give."""
    import resource

    best, code, cpu = float("inf"), -1, 0.0
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(
            argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=bench_env(), check=False
        )
        elapsed = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if elapsed < best:
            best, code = elapsed, done.returncode
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return best, code, cpu


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
    parse, _, parse_cpu = timed([python, "-c", PARSE, str(path)], runs)
    baseline = f"json.loads of every line ({what})"
    report(
        Figure(
            NAME, f"parse only, {what}", parse, "s", note=f"CPU {parse_cpu:.2f} s", command=COMMAND
        ),
        figures,
    )

    def measure(what: str, argv: list[str], jobs: int, note: str = "") -> None:
        elapsed, code, cpu = timed(argv, runs)
        goal, met = ("<= 2x", elapsed <= 2 * parse) if jobs == 1 else ("< 1x", elapsed < parse)
        note = f"exit {code}; CPU {cpu:.2f} s (parse: {parse_cpu:.2f} s)" + (
            f"; {note}" if note else ""
        )
        report(
            Figure(
                NAME,
                what,
                elapsed,
                "s",
                baseline,
                parse,
                goal,
                met,
                "lower",
                note=note,
                command=COMMAND,
            ),
            figures,
        )

    if cli is None:
        skipped(NAME, "schemadrive validate --jsonl: no schemadrive console script", figures)
    else:
        command = [cli, "--offline", "validate"]
        measure(f"schemadrive validate --jsonl, {what}", [*command, MODEL, "--jsonl", str(path)], 1)
        if has_flag(command, "--jobs"):
            argv = [*command, MODEL, "--jsonl", "--jobs", "2", str(path)]
            measure(f"schemadrive validate --jsonl --jobs 2, {what}", argv, 2)
        else:
            skipped(
                NAME,
                "schemadrive validate --jsonl --jobs 2: not available (the command "
                "has no --jobs flag yet)",
                figures,
            )
    for jobs in (1, 2):
        argv = [python, "-c", BATCH, str(path), MODEL, str(jobs)]
        measure(
            f"schemadrive.schema.batch.iter_validate_file jobs={jobs}, {what}",
            argv,
            jobs,
            "the library core the command can call (only lines with problems come back)",
        )
