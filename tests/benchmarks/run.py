"""Run the benchmarks: ``python tests/benchmarks/run.py [NAME ...] [--quick] [--json FILE]
[--markdown FILE]``.

Also ``python -m tests.benchmarks`` and ``pytest tests/benchmarks -p no:cacheprovider -o
addopts="" -s``. Each benchmark prints its figures as they are measured: ours (the median of at
least five runs, with the spread), the anchor it names (measured in the same run, in turns),
the ratio, the target and its verdict. A missing anchor is a failed target, printed with the
line that installs every anchor (``pip install -e '.[bench]'``). The run ends with the count of
targets not met and exits 1 when there is any (0 when every target is met), so a run that
misses a target says so loudly; ``--no-fail`` keeps the exit status 0 (to only look).
docs/performance.md records the figures of one run.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
import traceback
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    __package__ = "tests.benchmarks"

from .common import WORK, Figure, machine, markdown, report, save  # noqa: E402

NAMES = ("validate", "jsonl", "cli", "client", "wait", "download", "tables", "batch", "files",
         "async")  # fmt: skip


def available() -> tuple[str, ...]:
    """The benchmarks whose module is there (one added in another checkout may not be yet)."""
    here = Path(__file__).resolve().parent
    return tuple(name for name in NAMES if (here / f"bench_{name}.py").exists())


def run_one(name: str, figures: list[Figure], *, quick: bool) -> None:
    module = importlib.import_module(f"{__package__}.bench_{name}")
    print(f"--- {name}: {(module.__doc__ or '').strip().splitlines()[0]}", flush=True)
    start = time.perf_counter()
    try:
        module.run(figures, quick=quick)
    except Exception as exc:  # one broken benchmark must not hide the others' figures
        traceback.print_exc()
        report(
            Figure(
                name, f"the benchmark failed: {type(exc).__name__}: {exc}", float("nan"), "",
                target="the benchmark runs", met=False,
            ),
            figures,
        )  # fmt: skip
    print(f"    ({time.perf_counter() - start:.1f} s)", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="tests/benchmarks/run.py", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "names", nargs="*", metavar="NAME", help=f"{', '.join(available())} (default: all)"
    )
    parser.add_argument("--quick", action="store_true", help="smaller inputs, fewer repeats")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures as JSON")
    parser.add_argument("--markdown", type=Path, metavar="FILE", help="also write a Markdown table")
    parser.add_argument(
        "--no-fail", action="store_true", help="exit 0 even when a target is not met"
    )
    args = parser.parse_args(argv)
    names = available()
    unknown = sorted(set(args.names) - set(names))
    if unknown:
        parser.error(f"unknown benchmarks {unknown}; choose from {', '.join(names)}")
    WORK.mkdir(parents=True, exist_ok=True)
    info = machine()
    print(
        f"machine: {info['nproc']} CPUs, {info['cpu']}, Python {info['python']}, "
        f"jsonschema {info['jsonschema']}, jsonschema-rs {info['jsonschema-rs']}, "
        f"check-jsonschema {info['check-jsonschema']}, fastjsonschema {info['fastjsonschema']}, "
        f"orjson {info['orjson']}, load {info['load']}"
    )
    figures: list[Figure] = []
    for name in args.names or names:
        run_one(name, figures, quick=args.quick)
    if args.json:
        save(figures, args.json)
    if args.markdown:
        args.markdown.write_text(markdown(figures))
    return summary(figures, fail=not args.no_fail)


def summary(figures: list[Figure], *, fail: bool = True) -> int:
    """Print the count of targets met and not met (every one not met by name); the exit
    status: 1 when a target is not met (a missing anchor counts), else 0."""
    targets = [f for f in figures if f.met is not None]
    missed = [f for f in targets if f.met is False]
    skips = [f for f in figures if f.unit == "" and f.met is None]
    print(
        f"\n{len(figures)} figures, {len(targets)} with a target: "
        f"{len(targets) - len(missed)} met, {len(missed)} NOT MET; {len(skips)} skipped"
    )
    if missed:
        print(f"\n!!! {len(missed)} TARGET{'S' if len(missed) > 1 else ''} NOT MET:")
        for figure in missed:
            lines = figure.line().splitlines()
            print(f"  - {lines[0]}")
            print("\n".join(f"    {line}" for line in lines[1:]))
    for figure in skips:
        print(f"  (skipped) {figure.what}")
    return 1 if missed and fail else 0


if __name__ == "__main__":
    sys.exit(main())
