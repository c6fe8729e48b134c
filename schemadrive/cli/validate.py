"""``schemadrive validate``: check payload files against a model's schema, for people and CI.

Inputs are JSON files (one payload each), JSON Lines files (one payload a line: ``--jsonl``,
or any ``*.jsonl`` / ``*.ndjson`` file) and stdin (``-``, or no FILE). JSON Lines go through
:mod:`schemadrive.schema.batch`: read in blocks, checked in order (in ``--jobs N`` processes), each
verdict written as soon as its block is checked, so memory stays constant however large the
input. The reports themselves are in :mod:`._validate_report`.

Exit codes: 0 every payload valid; 1 at least one payload invalid or not valid JSON; 2 a
file could not be read (missing, a directory, no permission) or a usage error. 2 wins over 1.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
import sys
from collections.abc import Iterator

from ._context import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from ._report import json_line
from ._validate_options import USAGE, UsageError, add_options, register, reparse
from ._validate_report import REPORTERS, STDIN_NAME, Tally, report_lines
from ._validate_tables import run_tables, wants_tables

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up)
if TYPE_CHECKING:
    import argparse
    from typing import Any, BinaryIO, TextIO

    from ..schema.batch import LineResult
    from ..schema.compile import CompiledSchema, Unknown
    from ..schema.problems import Problem
    from ._context import Context

# register, add_options, UsageError and reparse live in _validate_options.py (a light module,
# for `validate --help`); they stay importable from here.
__all__ = ["USAGE", "UsageError", "add_options", "register", "reparse", "run"]

STDIN = "-"
JSONL_SUFFIXES = (".jsonl", ".ndjson")

# -- checking: pure ------------------------------------------------------------------------


class Verdict:
    """What one payload came to. ``lines`` gives each problem's line (None: unknown);
    ``malformed``: the payload was not valid JSON (``problems`` then holds one ``json``
    problem). A plain class: dataclasses costs ``validate --help`` its start-up time."""

    def __init__(
        self,
        problems: list[Problem] | None = None,
        lines: list[int | None] | None = None,
        filled: Any = None,
        malformed: bool = False,
    ) -> None:
        self.problems = problems if problems is not None else []
        self.lines = lines if lines is not None else []
        self.filled = filled
        self.malformed = malformed

    @property
    def valid(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)


def _json_problem(exc: ValueError) -> tuple[Problem, int]:
    from ..schema.problems import Problem

    if isinstance(exc, json.JSONDecodeError):
        message = f"not valid JSON: {exc.msg} (column {exc.colno})"
        return Problem("$", "json", message, None), exc.lineno
    return Problem("$", "json", f"not valid JSON: {exc}", "save the file as UTF-8"), 1


def locate(text: str, path: str) -> int | None:
    """Best effort: the line of the top-level key a problem's path starts with."""
    match = re.match(r'^\$(?:\.([A-Za-z_][A-Za-z0-9_-]*)|\[("(?:[^"\\]|\\.)*")\])', path)
    if not match:
        return None
    key = match.group(1) if match.group(1) is not None else json.loads(match.group(2))
    found = re.search(re.escape(json.dumps(key, ensure_ascii=False)) + r"\s*:", text)
    if not found:
        found = re.search(re.escape(json.dumps(key)) + r"\s*:", text)
    return text.count("\n", 0, found.start()) + 1 if found else None


def check_payload(
    target: CompiledSchema, raw: bytes | str, *, unknown: Unknown | None = None, fill: bool = False
) -> Verdict:
    """Parse and check one JSON document; each problem's line is the line of the parameter
    at fault (best effort). Never raises for bad input: it becomes a problem."""
    try:
        payload = json.loads(raw)
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
        problem, line = _json_problem(exc)
        return Verdict([problem], [line], malformed=True)
    except RecursionError:
        from ..schema.problems import Problem

        problem = Problem("$", "json", "not valid JSON here: it nests too deeply to read")
        return Verdict([problem], [1], malformed=True)
    if fill:
        payload = target.fill_defaults(payload)
    problems = target.validate(payload, unknown=unknown)
    located: list[tuple[int, Problem]] = []
    if problems:
        text = raw.decode("utf-8-sig", "replace") if isinstance(raw, bytes) else raw
        located = sorted(((locate(text, p.path) or 1, p) for p in problems), key=lambda x: x[0])
    verdict = Verdict([p for _, p in located], [line for line, _ in located])
    if fill and verdict.valid:
        verdict.filled = payload
    return verdict


# -- reading -------------------------------------------------------------------------------


class Unreadable(Exception):
    """An input that cannot be read at all (missing, a directory, no permission)."""


def _stdin_bytes() -> BinaryIO | TextIO:
    return getattr(sys.stdin, "buffer", sys.stdin)


def _open(name: str) -> Any:
    try:
        return open(name, "rb")  # noqa: SIM115 - the caller closes it
    except OSError as exc:
        raise Unreadable(f"cannot read {name}: {exc.strerror or exc}") from exc


def check_document(
    target: CompiledSchema, name: str, *, unknown: Unknown | None, fill: bool
) -> Verdict:
    """Check the one JSON document of a file or stdin. Raises Unreadable."""
    stream = _stdin_bytes() if name == STDIN else _open(name)
    try:
        raw = stream.read()
    except OSError as exc:  # e.g. EISDIR on some systems
        raise Unreadable(f"cannot read {name}: {exc.strerror or exc}") from exc
    finally:
        if name != STDIN:
            stream.close()
    return check_payload(target, raw, unknown=unknown, fill=fill)


def iter_stream_lines(stream: Any, size: int) -> Iterator[bytes | str]:
    """The lines of a stream (without their newline), read in blocks of whole lines of about
    ``size``; a UTF-8 block is decoded at once (json parses text faster than bytes)."""
    read = getattr(stream, "read1", stream.read)  # read1: what a pipe has now, not a full block
    while block := read(size):
        newline = b"\n" if isinstance(block, bytes) else "\n"
        if not block.endswith(newline):
            block += stream.readline()
        lines: list[Any] = block.split(newline)
        if isinstance(block, bytes):
            with contextlib.suppress(UnicodeDecodeError):  # else json.loads judges the bytes
                lines = block.decode("utf-8").split("\n")
        if not lines[-1]:
            lines.pop()
        yield from lines


def iter_line_results(
    target: CompiledSchema, name: str, *, jobs: int, **options: Any
) -> Iterator[LineResult]:
    """Every JSON Lines payload of one input, checked by schemadrive.schema.batch (``options`` are
    its keyword arguments). Raises Unreadable (at once) if the input cannot be opened."""
    from ..schema.batch import CHUNK_BYTES, iter_validate_file, iter_validate_lines

    if name == STDIN:
        stream = _stdin_bytes()
    else:
        stream = _open(name)
        info = os.fstat(stream.fileno())
        if stat.S_ISREG(info.st_mode):  # workers can read their own parts of the file
            stream.close()
            jobs = jobs if info.st_size > CHUNK_BYTES else 1  # one block: no processes to start
            return iter_validate_file(name, target, jobs=jobs, **options)
        # else a pipe or a device (e.g. <(command)): read once, in order

    def results() -> Iterator[LineResult]:
        try:
            lines = iter_stream_lines(stream, CHUNK_BYTES)
            yield from iter_validate_lines(lines, target, jobs=jobs, **options)
        finally:
            if name != STDIN:
                stream.close()

    return results()


# -- the command ---------------------------------------------------------------------------


def _target(args: argparse.Namespace, ctx: Context) -> tuple[CompiledSchema, str, list[str]]:
    """The compiled schema to check against, a title for reports, and the payload inputs."""
    inputs = list(args.inputs)
    if args.schema:
        from ..hub.recorded import read_schema_file
        from ..schema.compile import compile_schema

        return (
            compile_schema(read_schema_file(args.schema), strict=args.strict),
            args.schema,
            inputs,
        )
    if not inputs:
        raise UsageError("give a MODEL (or --schema FILE), then payload files")
    model_id, files = inputs[0], inputs[1:]
    overrides: dict[str, Any] = {}
    if args.fixtures:
        overrides = {"fixtures": args.fixtures, "offline": True}
    model = ctx.client(**overrides).model(model_id)
    # raises SchemaUnavailable / SchemaInvalid before any input is read
    return model.compiled, model_id, files


def run(args: argparse.Namespace, ctx: Context) -> int:
    from ..exceptions import SchemaUnavailable

    try:
        args = reparse(args, add_options, "schemadrive validate")
    except UsageError as exc:
        if str(exc) == "--help":
            args.command_parser.print_help(ctx.stdout)
            return EXIT_OK
        ctx.err(str(exc))
        return EXIT_USAGE
    ctx.absorb(args)
    ctx.offline_helps = True
    try:
        target, title, files = _target(args, ctx)
    except (UsageError, SchemaUnavailable) as exc:
        ctx.err(f"schemadrive validate: {ctx.paint('error', 'red', ctx.stderr)}: {exc}")
        return EXIT_USAGE
    if wants_tables(args):  # tables through the Arrow core (_validate_tables.py)
        return run_tables(args, ctx, target, title, files)
    if not files:
        if sys.stdin is None or ctx.is_terminal(sys.stdin):
            ctx.err("schemadrive validate: give payload files, or pipe payloads to stdin")
            return EXIT_USAGE
        files = [STDIN]
    from ..schema.batch import Counts  # imported once the schema is compiled: the same imports

    fill = args.fill_defaults
    reporter = REPORTERS[args.format](ctx, ctx.stderr if fill else ctx.stdout, title)
    tally = Tally()
    for name in files:
        try:
            source = STDIN_NAME if name == STDIN else name
            if args.jsonl or name.lower().endswith(JSONL_SUFFIXES):
                counts = Counts()
                results = iter_line_results(
                    target, name, jobs=args.jobs, counts=counts, unknown=args.unknown, fill=fill,
                    only_problems=not (fill or reporter.lists_valid),
                )  # fmt: skip
                report_lines(results, source, reporter, tally, counts, ctx.stdout if fill else None)
            else:
                verdict = check_document(target, name, unknown=args.unknown, fill=fill)
                valid = verdict.valid
                tally.add(verdict.problems, valid=valid, malformed=verdict.malformed)
                reporter.payload(source, None, valid, verdict.problems, verdict.lines)
                if fill and valid:
                    ctx.stdout.write(json_line(verdict.filled) + "\n")
        except Unreadable as exc:
            tally.unreadable += 1
            reporter.unreadable(name, str(exc))
        else:
            tally.files += 1
    reporter.finish(tally)
    if tally.unreadable:
        return EXIT_USAGE
    return EXIT_FAILED if tally.invalid else EXIT_OK
