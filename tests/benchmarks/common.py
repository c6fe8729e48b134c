"""Shared pieces of the benchmarks: the figure each one prints, timing, anchors, the machine.

A :class:`Figure` is one measured number (the median of at least :data:`RUNS` runs, with their
spread), the anchor it is compared with (measured in the same run, in turns), the ratio between
them, the target (issue 14's table) and its verdict. A missing anchor is a failure, never a
silent skip: :func:`require` reports it with the install line that fixes it. Benchmarks only
print; nothing here asserts.
"""

from __future__ import annotations

import importlib
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

#: Where generated inputs (the 1,000,000-line files, the sparse 200 MB file) are kept.
WORK = Path(
    os.environ.get("SCHEMADRIVE_BENCH_DIR", Path(tempfile.gettempdir()) / "schemadrive-bench")
)
MODEL = "ltx-2-3-quality-text-to-video"
#: Every figure is the median of at least this many runs (the spread is printed beside it).
RUNS = 5
#: The one line that installs every anchor.
INSTALL = "pip install -e '.[bench]'"
#: The distributions the figures are compared with (their versions head every run).
ANCHORS = ("jsonschema", "jsonschema-rs", "check-jsonschema", "fastjsonschema", "orjson")


@dataclass(frozen=True)
class Sample:
    """Runs of one measurement: the median and the spread (lowest, highest)."""

    median: float
    low: float
    high: float
    runs: int

    @classmethod
    def of(cls, values: Sequence[float]) -> Sample:
        return cls(statistics.median(values), min(values), max(values), len(values))

    def spread(self) -> str:
        return f"median of {self.runs}, spread {fmt(self.low)}-{fmt(self.high)}"


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
    spread: str = ""
    baseline_spread: str = ""

    @property
    def ratio(self) -> float | None:
        if self.baseline_value in (None, 0) or self.value is None:
            return None
        return self.value / self.baseline_value  # type: ignore[operator]

    def line(self) -> str:
        text = f"[{self.benchmark}] {self.what}: {fmt(self.value)} {self.unit}"
        if self.spread:
            text += f" ({self.spread})"
        if self.baseline is not None:
            base = fmt(self.baseline_value) if self.baseline_value is not None else "n/a"
            spread = f" ({self.baseline_spread})" if self.baseline_spread else ""
            ratio = f"{self.ratio:.2f}x" if self.ratio is not None else "n/a"
            text += f"\n    anchor {self.baseline}: {base} {self.unit}{spread}; ratio {ratio}"
        if self.target:
            verdict = {True: "met", False: "NOT MET", None: "n/a"}[self.met]
            text += f"\n    target {self.target}: {verdict}"
        if self.note:
            text += f"\n    {self.note}"
        return text


def compare(
    benchmark: str,
    what: str,
    ours: Sample,
    unit: str,
    anchor: str,
    theirs: Sample,
    *,
    better: str,
    limit: float | None = None,
    command: str = "",
    note: str = "",
) -> Figure:
    """A figure of ``ours`` against ``theirs``; ``limit`` is the target on the ratio
    (ours / theirs): at least ``limit`` when higher is better, at most when lower is."""
    target = met = None
    ratio = ours.median / theirs.median if theirs.median else math.nan
    if limit is not None:
        sign = ">=" if better == "higher" else "<="
        target = f"ratio {sign} {limit:.2f}x"
        met = ratio >= limit if better == "higher" else ratio <= limit
    return Figure(
        benchmark, what, ours.median, unit, anchor, theirs.median, target, met, better,
        note=note, command=command, spread=ours.spread(), baseline_spread=theirs.spread(),
    )  # fmt: skip


def fmt(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
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
    """A measurement that cannot be taken here (not an anchor: those use :func:`require`)."""
    report(Figure(benchmark, f"skipped: {why}", float("nan"), ""), sink)


def require(benchmark: str, module: str, distribution: str, sink: list[Figure]) -> Any:
    """Import an anchor, or report its absence as a FAILED target with the line that fixes it
    (and return None): a comparison never silently disappears from the summary."""
    try:
        return importlib.import_module(module)
    except ImportError:
        report(
            Figure(
                benchmark,
                f"anchor {distribution} is not installed",
                float("nan"),
                "",
                target="every anchor installed",
                met=False,
                note=f"FAILURE: install the anchors: {INSTALL}  (or pip install {distribution})",
            ),
            sink,
        )
        return None


def require_script(benchmark: str, name: str, distribution: str, sink: list[Figure]) -> str | None:
    """A console script an anchor installs, or a FAILED target (see :func:`require`)."""
    found = script(name)
    if found is None:
        require(benchmark, f"_schemadrive_missing_{name.replace('-', '_')}", distribution, sink)
    return found


class Rate:
    """Calls per second of ``function`` over ``items``, one measurement per call: the pass
    count is calibrated once so that a measurement lasts about ``seconds``."""

    def __init__(
        self, function: Callable[[Any], Any], items: Sequence[Any], *, seconds: float = 0.1
    ) -> None:
        self.function, self.items, self.passes = function, items, 1
        while True:
            elapsed = self._once()
            if elapsed * self.passes > seconds or self.passes > 1 << 20:
                break
            self.passes *= 2

    def _once(self) -> float:
        function, items = self.function, self.items
        start = time.perf_counter()
        for _ in range(self.passes):
            for item in items:
                function(item)
        return (time.perf_counter() - start) / self.passes

    def __call__(self) -> float:
        return len(self.items) / self._once()


def in_turns(measures: dict[str, Callable[[], float]], *, runs: int = RUNS) -> dict[str, Sample]:
    """``runs`` measurements of each, taken in turns (so a load change hits all alike)."""
    values: dict[str, list[float]] = {name: [] for name in measures}
    for _ in range(max(runs, RUNS)):
        for name, measure in measures.items():
            values[name].append(measure())
    return {name: Sample.of(v) for name, v in values.items()}


def walls(
    commands: dict[str, Sequence[str]], *, runs: int = RUNS, env: dict[str, str] | None = None
) -> dict[str, Sample]:
    """Wall time in seconds of each command (output discarded), run in turns so that load
    changes during the measurement hit every command alike; one warm-up run each."""
    values: dict[str, list[float]] = {name: [] for name in commands}
    for warm_up in [True] + [False] * max(runs, RUNS):
        for name, argv in commands.items():
            start = time.perf_counter()
            subprocess.run(
                argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False
            )
            if not warm_up:
                values[name].append(time.perf_counter() - start)
    return {name: Sample.of(v) for name, v in values.items()}


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
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
        **{name: _version(name) for name in ANCHORS},
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
        "| benchmark | figure | ours | anchor (same run) | ratio | target | met |",
        "|---|---|---|---|---|---|---|",
    ]
    for f in figures:
        met = {True: "yes", False: "**NO**", None: ""}[f.met]
        if f.unit == "":  # a skipped measurement or a missing anchor
            rows.append(f"| {f.benchmark} | {f.what} | | | | {f.target or ''} | {met} |")
            continue
        ours = f"{fmt(f.value)} {f.unit}" + (f" ({f.spread})" if f.spread else "")
        base = ""
        if f.baseline:
            base = f"{f.baseline}: {fmt(f.baseline_value)} {f.unit}"
            base += f" ({f.baseline_spread})" if f.baseline_spread else ""
        ratio = f"{f.ratio:.2f}x" if f.ratio is not None else ""
        rows.append(
            f"| {f.benchmark} | {f.what} | {ours} | {base} | {ratio} | {f.target or ''} | {met} |"
        )
    return "\n".join(rows) + "\n"
