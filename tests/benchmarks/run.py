"""Run the benchmarks: ``python tests/benchmarks/run.py [NAME ...] [--quick] [--json FILE]
[--markdown FILE]``.

Also ``python -m tests.benchmarks`` and ``pytest tests/benchmarks -p no:cacheprovider -o
addopts="" -s``. Each benchmark prints its figures as they are measured: the figure, the
baseline it names (measured in the same run), the ratio and the target's verdict. Benchmarks
that need something missing (check-jsonschema, LocalHub, the dispatch API) say so and skip.
Names: validate, jsonl, cli, client, wait, download (default: all). Nothing asserts: a slow
machine prints slow figures. docs/performance.md records the figures of one run.
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

from .common import WORK, Figure, machine, markdown, save, skipped  # noqa: E402

NAMES = ("validate", "jsonl", "cli", "client", "wait", "download", "tables", "batch", "files")


def run_one(name: str, figures: list[Figure], *, quick: bool) -> None:
    module = importlib.import_module(f"{__package__}.bench_{name}")
    print(f"--- {name}: {(module.__doc__ or '').strip().splitlines()[0]}", flush=True)
    start = time.perf_counter()
    try:
        module.run(figures, quick=quick)
    except Exception as exc:  # one broken benchmark must not hide the others' figures
        traceback.print_exc()
        skipped(name, f"failed: {type(exc).__name__}: {exc}", figures)
    print(f"    ({time.perf_counter() - start:.1f} s)", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="tests/benchmarks/run.py", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "names", nargs="*", metavar="NAME", help=f"{', '.join(NAMES)} (default: all)"
    )
    parser.add_argument("--quick", action="store_true", help="smaller inputs, fewer repeats")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures as JSON")
    parser.add_argument("--markdown", type=Path, metavar="FILE", help="also write a Markdown table")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.names) - set(NAMES))
    if unknown:
        parser.error(f"unknown benchmarks {unknown}; choose from {', '.join(NAMES)}")
    WORK.mkdir(parents=True, exist_ok=True)
    info = machine()
    print(
        f"machine: {info['nproc']} CPUs, {info['cpu']}, Python {info['python']}, "
        f"jsonschema {info['jsonschema']}, jsonschema-rs {info['jsonschema-rs']}, "
        f"load {info['load']}"
    )
    figures: list[Figure] = []
    for name in args.names or NAMES:
        run_one(name, figures, quick=args.quick)
    if args.json:
        save(figures, args.json)
    if args.markdown:
        args.markdown.write_text(markdown(figures))
    missed = [f for f in figures if f.met is False]
    print(f"\n{len(figures)} figures; targets not met: {len(missed)}")
    for figure in missed:
        print(f"  {figure.line().splitlines()[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
