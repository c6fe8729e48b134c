"""Validate JSON Lines payloads in bulk: streaming, in input order, optionally in processes.

:func:`iter_validate_lines` checks any iterable of lines (a file, stdin);
:func:`iter_validate_file` checks a file by path, and with ``jobs > 1`` lets each worker read
its own byte range, so the lines never travel between processes. Both yield one
:class:`LineResult` per non-blank line (with ``only_problems``, per line with a problem), in
input order. Memory stays constant: at most ``2 * jobs + 1`` chunks are in flight. Each worker
compiles the schema once. Pure stdlib (``json``, ``multiprocessing``): no printing, no exiting.

A line that is not JSON is a failure with one ``json`` problem (``malformed=True``), judged
as ``json.loads`` judges the line's bytes (a text line counts as its UTF-8 bytes; a line nested
too deeply to parse is not JSON either); blank lines (nothing but the ASCII whitespace that
``bytes.strip()`` removes) are skipped but counted in line numbers (which start at 1).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import sys
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

from .compile import CompiledSchema, Unknown
from .problems import Problem

__all__ = [
    "CHUNK_BYTES",
    "CHUNK_LINES",
    "Counts",
    "LineResult",
    "iter_validate_file",
    "iter_validate_lines",
]

#: Lines per task when the input is an iterable of lines (jobs > 1).
CHUNK_LINES = 4096
#: Bytes per task when workers read the file themselves (jobs > 1).
CHUNK_BYTES = 1 << 20


class LineResult(NamedTuple):
    """One checked line (``line`` counts from 1). ``payload`` is the payload (defaults filled
    with ``fill``) when asked for with ``payloads=True`` or ``fill=True``, else None.
    ``problems`` lists errors and warnings (``unknown="warn"``); ``valid`` means no error."""

    line: int
    payload: Any
    problems: list[Problem]
    malformed: bool = False

    @property
    def valid(self) -> bool:
        return not self.malformed and not any(p.severity == "error" for p in self.problems)


@dataclass
class Counts:
    """Running totals, updated as results are produced (also for lines ``only_problems`` skips).

    ``checked`` counts non-blank lines; ``invalid`` lines with an error or not JSON;
    ``malformed`` lines that are not JSON."""

    checked: int = 0
    invalid: int = 0
    malformed: int = 0


def _scanner() -> tuple[Any, list[str]]:
    """json's scanner (C), as json.loads calls it, and the list of the ``NaN`` and
    ``Infinity`` literals it meets (json.loads accepts them; JSON has no such numbers, and
    jsonschema-rs lets them pass ``maximum`` and ``not``). A line that is one value, with
    nothing before or after it, parses to what json.loads gives, without json.loads's
    Python-level steps (about 1 us of the 2 us a line json.loads takes)."""
    met: list[str] = []

    def constant(name: str) -> float:
        met.append(name)
        return float(name)  # what json.loads gives: nan, inf, -inf

    return json.JSONDecoder(parse_constant=constant).scan_once, met  # type: ignore[attr-defined]


#: What bytes.strip() strips: a line of these alone is blank (str.strip() would strip more).
_SPACE = " \t\n\r\x0b\x0c"
_BLANK: Any = object()


class _NotJson(NamedTuple):
    problem: Problem


def _json_problem(exc: BaseException) -> Problem:
    if isinstance(exc, RecursionError):
        return Problem("$", "json", "not valid JSON here: it nests too deeply to read")
    if isinstance(exc, json.JSONDecodeError):
        return Problem("$", "json", f"not valid JSON: {exc.msg} (column {exc.colno})")
    return Problem("$", "json", f"not valid JSON: {exc}", "save the file as UTF-8")


def _reread(line: bytes | str, error: BaseException) -> Any:
    """A line ``json.loads`` refused: ``_BLANK``, a ``_NotJson`` or, for a text line whose
    UTF-8 bytes are JSON (a byte order mark, UTF-16), the payload: judged as json.loads(bytes)
    judges the line's bytes."""
    if not (line.strip(_SPACE) if type(line) is str else line.strip()):
        return _BLANK
    if type(line) is str and not isinstance(error, RecursionError):
        try:
            return json.loads(line.encode("utf-8", "surrogatepass"))
        except (ValueError, RecursionError) as final:
            error = final
    return _NotJson(_json_problem(error))


@dataclass(frozen=True)
class _Job:
    """What a worker needs to check lines; the schema is compiled once per process."""

    compiled: CompiledSchema  # pickled by its schema and options, rebuilt in the worker
    unknown: Unknown
    fill: bool
    payloads: bool
    only_problems: bool

    def check(self, compiled: CompiledSchema, lines: Iterable[Any], first: int) -> _Checked:
        """Check ``lines``, numbered from ``first``."""
        loads, validate, fill_defaults = json.loads, compiled.validate, compiled.fill_defaults
        unknown, fill, keep, only = self.unknown, self.fill, self.payloads, self.only_problems
        # a payload the scanner read whole, with no NaN or Infinity: plain JSON by construction
        # (the defaults fill adds are plain too), checked without walking it in Python
        parsed = compiled.parsed_checker(unknown)
        scan, constants = _scanner()  # one per call: threads may check chunks at once
        make = tuple.__new__  # LineResult(...) without the Python-level __new__: runs per line
        out: list[LineResult] = []
        number, blank, invalid, malformed = first - 1, 0, 0, 0
        for number, line in enumerate(lines, first):  # noqa: B007 - number is read after the loop
            try:
                fast = False
                if type(line) is str:
                    try:
                        payload, end = scan(line, 0)
                    except StopIteration:  # no value at 0 (e.g. whitespace first)
                        end = -1
                    if end != len(line):  # not one bare value: json.loads judges the line
                        constants.clear()
                        payload = loads(line)
                    elif constants:
                        constants.clear()
                    else:
                        fast = True
                else:
                    payload = loads(line)
            except (ValueError, RecursionError) as error:
                payload = _reread(line, error)
                if payload is _BLANK:
                    blank += 1
                    continue
                if type(payload) is _NotJson:
                    invalid += 1
                    malformed += 1
                    out.append(make(LineResult, (number, None, [payload.problem], True)))
                    continue
            if fill:
                payload = fill_defaults(payload)
            problems = parsed(payload) if fast else validate(payload, unknown=unknown)
            if problems:
                invalid += any(p.severity == "error" for p in problems)
                out.append(make(LineResult, (number, payload if keep else None, problems, False)))
            elif not only:
                out.append(make(LineResult, (number, payload if keep else None, problems, False)))
        seen = number - first + 1
        return _Checked(seen, seen - blank, invalid, malformed, out)


class _Checked(NamedTuple):
    lines: int  # lines read, blank ones included
    checked: int  # non-blank lines
    invalid: int
    malformed: int
    results: list[LineResult]


_worker: tuple[_Job, CompiledSchema] | None = None


def _start_worker(job: _Job) -> None:
    global _worker
    _worker = (job, job.compiled)


def _work_lines(task: tuple[int, list[bytes]]) -> _Checked:
    assert _worker is not None
    job, compiled = _worker
    return job.check(compiled, task[1], task[0])


def _work_range(task: tuple[str, int, int]) -> _Checked:
    assert _worker is not None
    job, compiled = _worker
    path, begin, end = task
    with open(path, "rb") as stream:
        stream.seek(begin)
        block = stream.read(end - begin)
    return job.check(compiled, _lines_of(block), 1)


def _lines_of(block: bytes) -> list[Any]:
    """The lines of a block of whole lines: decoded at once when the block is UTF-8 (parsing
    text is faster than parsing bytes), else as bytes, each then decoded by json.loads."""
    try:
        lines: list[Any] = block.decode("utf-8").split("\n")
    except UnicodeDecodeError:
        lines = block.split(b"\n")
    if lines and not lines[-1]:
        lines.pop()  # the newline ending the block ends its last line
    return lines


def _context() -> Any:
    # fork starts workers in milliseconds and inherits the compiled schema; it is only safe
    # while this process runs a single thread.
    if sys.platform == "linux" and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _emit(checked: _Checked, offset: int, counts: Counts | None) -> list[LineResult]:
    """The results of one chunk, their line numbers shifted by ``offset``; counted."""
    if counts is not None:
        counts.checked += checked.checked
        counts.invalid += checked.invalid
        counts.malformed += checked.malformed
    if not offset:
        return checked.results
    make = tuple.__new__
    return [make(LineResult, (r[0] + offset, r[1], r[2], r[3])) for r in checked.results]


def _run_pool(
    job: _Job, worker: Any, tasks: Iterator[Any], jobs: int, counts: Counts | None, relative: bool
) -> Iterator[LineResult]:
    """Run ``tasks`` on ``jobs`` processes, at most ``2 * jobs + 1`` at a time, in order.

    With ``relative``, each task numbers its lines from 1 and they are shifted here."""
    with _context().Pool(jobs, initializer=_start_worker, initargs=(job,)) as pool:
        pending: deque[Any] = deque()
        offset = 0
        for task in tasks:
            pending.append(pool.apply_async(worker, (task,)))
            while len(pending) > 2 * jobs:
                checked = pending.popleft().get()
                yield from _emit(checked, offset if relative else 0, counts)
                offset += checked.lines
        while pending:
            checked = pending.popleft().get()
            yield from _emit(checked, offset if relative else 0, counts)
            offset += checked.lines


def _line_chunks(lines: Iterable[Any], size: int) -> Iterator[tuple[int, list[Any]]]:
    chunk: list[Any] = []
    first = 1
    for line in lines:
        chunk.append(line)
        if len(chunk) == size:
            yield first, chunk
            first += size
            chunk = []
    if chunk:
        yield first, chunk


def _byte_ranges(path: str, size: int) -> Iterator[tuple[str, int, int]]:
    """(path, begin, end) blocks of about ``size`` bytes, each ending after a newline."""
    total = os.path.getsize(path)
    with open(path, "rb") as stream:
        begin = 0
        while begin < total:
            stream.seek(min(begin + size, total))
            stream.readline()  # move on to the end of the line the cut fell into
            end = min(stream.tell(), total)
            yield path, begin, end
            begin = end


def _job(
    compiled: CompiledSchema, unknown: Unknown | None, fill: bool, payloads: bool, only: bool
) -> _Job:
    mode = compiled._unknown_mode(unknown)
    return _Job(compiled, mode, fill, payloads or fill, only)


def iter_validate_lines(
    lines: Iterable[bytes | str],
    compiled: CompiledSchema,
    *,
    unknown: Unknown | None = None,
    fill: bool = False,
    payloads: bool = False,
    only_problems: bool = False,
    jobs: int = 1,
    chunk_lines: int = CHUNK_LINES,
    counts: Counts | None = None,
) -> Iterator[LineResult]:
    """Check every line of ``lines`` (JSON Lines), in order; see the module docstring.

    ``fill`` fills defaults before checking (as ``prepare`` does) and returns the filled
    payloads; ``payloads`` returns the parsed payloads too (with ``jobs > 1`` they travel back
    from the workers, which costs time); ``only_problems`` yields only lines with a problem
    (an error or a warning) or that are not JSON, while ``counts`` still counts every line;
    ``jobs`` is the number of worker processes.
    """
    job = _job(compiled, unknown, fill, payloads, only_problems)
    chunks = _line_chunks(lines, chunk_lines)
    if jobs <= 1:
        for first, chunk in chunks:
            yield from _emit(job.check(compiled, chunk, first), 0, counts)
        return
    yield from _run_pool(job, _work_lines, chunks, jobs, counts, relative=False)


def iter_validate_file(
    path: str | os.PathLike[str],
    compiled: CompiledSchema,
    *,
    unknown: Unknown | None = None,
    fill: bool = False,
    payloads: bool = False,
    only_problems: bool = False,
    jobs: int = 1,
    chunk_bytes: int = CHUNK_BYTES,
    counts: Counts | None = None,
) -> Iterator[LineResult]:
    """:func:`iter_validate_lines` for a JSON Lines file; with ``jobs > 1`` each worker reads
    its own ``chunk_bytes`` ranges of the file. Raises OSError if the file cannot be read."""
    name = os.fspath(path)
    job = _job(compiled, unknown, fill, payloads, only_problems)
    if jobs <= 1:
        with open(name, "rb") as stream:
            first = 1
            while block := stream.read(chunk_bytes):
                if not block.endswith(b"\n"):
                    block += stream.readline()  # end the block with its last whole line
                checked = job.check(compiled, _lines_of(block), first)
                first += checked.lines
                yield from _emit(checked, 0, counts)
        return
    yield from _run_pool(job, _work_range, _byte_ranges(name, chunk_bytes), jobs, counts, True)
