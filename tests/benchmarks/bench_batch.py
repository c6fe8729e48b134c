"""Batches: the client's own overhead per row for 1,000 rows against fast LocalHub jobs
(``schemadrive batch``: validation, estimate, journal commits, waiting, download, manifest),
against a bare loop over the same public API (submit, wait, download; no journal).

The hub runs in this process with instant jobs; each client runs in a subprocess, so its CPU
time (user + system, from the child's rusage) is the client's alone. Medians of several runs,
with the spread.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from .common import Figure, report, skipped

NAME = "batch"
COMMAND = "python tests/benchmarks/run.py batch"
MODEL = "ltx-2-3-pro"
CONCURRENCY = 8

#: The baseline: the loop a user would write without `batch` (same threads, same API).
BARE_LOOP = """
import sys, concurrent.futures as cf
from pathlib import Path
import json
from schemadrive import Client
url, source, out = sys.argv[1:4]
rows = [json.loads(line) for line in open(source)]
Path(out).mkdir(parents=True, exist_ok=True)
with Client("test-key", base_url=url, cache_dir=False) as client:
    def one(payload):
        job = client.submit(sys.argv[4], payload)
        job.wait().download(out)
    with cf.ThreadPoolExecutor(int(sys.argv[5])) as pool:
        list(pool.map(one, rows))
"""


def _child(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one subprocess."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"{argv[:4]} exited {done.returncode}: {done.stderr[-500:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _spread(values: list[float]) -> str:
    return f"median of {len(values)}, {min(values) * 1000:.2f}-{max(values) * 1000:.2f} ms"


def run(figures: list[Figure], *, quick: bool = False) -> None:
    try:
        from schemadrive.testing import LocalHub
    except ImportError as exc:
        skipped(NAME, f"LocalHub is not available ({exc})", figures)
        return
    rows = 200 if quick else 1000
    runs = 1 if quick else 5
    work = Path(tempfile.mkdtemp(prefix="schemadrive-bench-batch-"))
    source = work / "rows.jsonl"
    source.write_text(
        "".join(json.dumps({"prompt": f"row {i}", "duration": 1}) + "\n" for i in range(rows))
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SCHEMADRIVE_", "OXEN_"))}
    env.update(OXEN_API_KEY="test-key", SCHEMADRIVE_CACHE_DIR=str(work / "cache"))
    measured: dict[str, list[tuple[float, float]]] = {"batch": [], "bare": []}
    with LocalHub(job_seconds=0.0, unrelated_events=False) as hub:
        for attempt in range(runs):  # in turns, so load changes hit both alike
            batch = [
                sys.executable, "-m", "schemadrive", "--base-url", hub.url, "batch", MODEL,
                str(source), "--out", str(work / f"batch-{attempt}"),
                "--concurrency", str(CONCURRENCY),
            ]  # fmt: skip
            bare = [sys.executable, "-c", BARE_LOOP, hub.url, str(source),
                    str(work / f"bare-{attempt}"), MODEL, str(CONCURRENCY)]  # fmt: skip
            measured["batch"].append(_child(batch, env))
            measured["bare"].append(_child(bare, env))
    per_row: dict[str, Any] = {
        name: {
            "wall": [wall / rows for wall, _ in values],
            "cpu": [cpu / rows for _, cpu in values],
        }
        for name, values in measured.items()
    }
    for kind, label in (("cpu", "client CPU time per row"), ("wall", "wall time per row")):
        value = statistics.median(per_row["batch"][kind])
        base = statistics.median(per_row["bare"][kind])
        report(
            Figure(
                NAME,
                f"{rows} rows, instant jobs, concurrency {CONCURRENCY}: {label}",
                value * 1000,
                "ms/row",
                "a bare submit/wait/download loop (no journal)",
                base * 1000,
                better="lower",
                note=(
                    f"batch: {_spread(per_row['batch'][kind])}; "
                    f"bare loop: {_spread(per_row['bare'][kind])}"
                ),
                command=COMMAND,
            ),
            figures,
        )
