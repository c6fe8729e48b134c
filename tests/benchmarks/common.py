"""Shared pieces of the benchmarks: the figure each one prints, timing, the machine, files.

A :class:`Figure` is one measured number, the baseline it is compared with (measured in the
same run), the ratio between them and the target from issue 8, with a verdict. Benchmarks
only print; nothing here asserts.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

#: Where generated inputs (the 1,000,000-line file, the sparse 200 MB file) are kept.
WORK = Path(
    os.environ.get("SCHEMADRIVE_BENCH_DIR", Path(tempfile.gettempdir()) / "schemadrive-bench")
)
MODEL = "ltx-2-3-quality-text-to-video"


@dataclass
class Figure:
    """One result line. ``ratio`` is value / baseline; ``better`` says which way is good."""

    benchmark: str
    what: str
    value: float
    unit: str
    baseline: str | None = None
    baseline_value: float | None = None
    target: str | None = None
    met: bool | None = None
    better: str = "higher"  # or "lower"
    note: str = ""
    command: str = ""

    @property
    def ratio(self) -> float | None:
        if self.baseline_value in (None, 0) or self.value is None:
            return None
        return self.value / self.baseline_value  # type: ignore[operator]

    def line(self) -> str:
        text = f"[{self.benchmark}] {self.what}: {fmt(self.value)} {self.unit}"
        if self.baseline is not None:
            base = fmt(self.baseline_value) if self.baseline_value is not None else "n/a"
            ratio = f"{self.ratio:.2f}x" if self.ratio is not None else "n/a"
            text += f"  | {ratio} {self.baseline} ({base} {self.unit})"
        if self.target:
            verdict = {True: "MET", False: "NOT MET", None: "n/a"}[self.met]
            text += f"  | target {self.target}: {verdict}"
        if self.note:
            text += f"\n    {self.note}"
        return text


def fmt(value: float | None) -> str:
    if value is None:
        return "n/a"
    if value == 0:
        return "0"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    if abs(value) >= 0.01:
        return f"{value:.3f}"
    return f"{value:.2e}"


def report(figure: Figure, sink: list[Figure]) -> Figure:
    """Print a figure as soon as it is known, and keep it for the summary."""
    sink.append(figure)
    print(figure.line(), flush=True)
    return figure


def skipped(benchmark: str, why: str, sink: list[Figure]) -> None:
    report(Figure(benchmark, f"skipped: {why}", float("nan"), ""), sink)


def rate(function: Callable[[Any], Any], items: Sequence[Any], *, seconds: float = 0.4) -> float:
    """Calls per second of ``function`` over ``items``: best of repeated passes."""
    passes = 1
    while True:  # calibrate: one measurement should last about 50 ms
        start = time.perf_counter()
        for _ in range(passes):
            for item in items:
                function(item)
        elapsed = time.perf_counter() - start
        if elapsed > 0.05:
            break
        passes *= 2
    best = elapsed / passes
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        start = time.perf_counter()
        for _ in range(passes):
            for item in items:
                function(item)
        best = min(best, (time.perf_counter() - start) / passes)
    return len(items) / best


def interleaved(rates: dict[str, Callable[[], float]], rounds: int = 3) -> dict[str, float]:
    """Best of ``rounds`` for each measurement, taken in turns (so load spikes hit all)."""
    best: dict[str, float] = {}
    for _ in range(rounds):
        for name, measure in rates.items():
            best[name] = max(best.get(name, 0.0), measure())
    return best


def walls(
    commands: dict[str, Sequence[str]], *, runs: int = 7, env: dict[str, str] | None = None
) -> dict[str, float]:
    """Best wall time in seconds of each command (output discarded), run in turns so that
    load changes during the measurement hit every command alike."""
    best = {name: float("inf") for name in commands}
    for _ in range(runs):
        for name, argv in commands.items():
            start = time.perf_counter()
            subprocess.run(
                argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False
            )
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def script(name: str) -> str | None:
    """A console script installed next to this Python (the venv's), else on PATH."""
    here = Path(sys.executable).parent / name
    return str(here) if here.exists() else shutil.which(name)


def bench_env() -> dict[str, str]:
    """The environment for subprocesses: no user cache, key or hub settings, and bytecode
    cached as after a normal install (kept under WORK, outside the source tree), even where
    PYTHONDONTWRITEBYTECODE is set: compiling every module on every start is not what users
    pay."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SCHEMADRIVE_", "OXEN_"))}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(WORK / "pycache")
    env["SCHEMADRIVE_CACHE_DIR"] = str(WORK / "cache")
    return env


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor() or "unknown"
    try:
        import jsonschema_rs  # noqa: F401

        rs = _version("jsonschema-rs")
    except ImportError:
        rs = "not installed"
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "jsonschema": _version("jsonschema"),
        "jsonschema-rs": rs,
        "load": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }


def _version(distribution: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution)
    except PackageNotFoundError:
        return "not installed"


def save(figures: list[Figure], path: Path) -> None:
    path.write_text(
        json.dumps({"machine": machine(), "figures": [asdict(f) for f in figures]}, indent=1)
    )


def markdown(figures: list[Figure]) -> str:
    """The figures as a Markdown table (for docs/performance.md)."""
    rows = [
        "| benchmark | figure | value | baseline (same run) | ratio | target | met |",
        "|---|---|---|---|---|---|---|",
    ]
    for f in figures:
        if f.unit == "":  # a skipped or unavailable measurement
            rows.append(f"| {f.benchmark} | {f.what} | | | | {f.target or ''} | n/a |")
            continue
        base = f"{f.baseline}: {fmt(f.baseline_value)} {f.unit}" if f.baseline else ""
        ratio = f"{f.ratio:.2f}x" if f.ratio is not None else ""
        met = {True: "yes", False: "**no**", None: ""}[f.met]
        rows.append(
            f"| {f.benchmark} | {f.what} | {fmt(f.value)} {f.unit} | {base} | {ratio} "
            f"| {f.target or ''} | {met} |"
        )
    return "\n".join(rows) + "\n"
