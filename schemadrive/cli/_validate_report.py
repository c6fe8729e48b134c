"""The reports of ``schemadrive validate``: text, json (JSON Lines) and github annotations.

A reporter writes each payload's verdict as soon as it is given one, so a huge JSON Lines
file streams; the summary comes last, from a :class:`Tally`. Only payloads with a problem
reach a reporter, except in the json format, which lists valid payloads too
(:attr:`Reporter.lists_valid`, :meth:`Reporter.valid_line`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence

from ._report import github_annotation, json_line

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up)
if TYPE_CHECKING:
    from typing import TextIO

    from ..schema.batch import Counts, LineResult
    from ..schema.problems import Problem
    from ._context import Context

STDIN_NAME = "<stdin>"


class Tally:
    """What the summary counts. (A plain class: importing dataclasses would cost
    ``schemadrive validate --help`` more start-up time than the rest of this module.)"""

    def __init__(self) -> None:
        self.checked = 0
        self.invalid = 0
        self.malformed = 0
        self.problems = 0
        self.warnings = 0
        self.unreadable = 0
        self.files = 0

    def add(self, problems: Sequence[Problem], *, valid: bool, malformed: bool) -> None:
        """Count one payload and its problems."""
        self.checked += 1
        self.invalid += not valid
        self.malformed += malformed
        self.add_problems(problems)

    def add_problems(self, problems: Sequence[Problem]) -> None:
        """Count problems only (their payloads are counted elsewhere, e.g. by batch.Counts)."""
        errors = sum(p.severity == "error" for p in problems)
        self.problems += errors
        self.warnings += len(problems) - errors

    def to_dict(self) -> dict[str, int]:
        return {
            "checked": self.checked,
            "valid": self.checked - self.invalid,
            "invalid": self.invalid,
            "malformed": self.malformed,
            "problems": self.problems,
            "warnings": self.warnings,
            "unreadable": self.unreadable,
            "files": self.files,
        }


class Reporter:
    """Writes verdicts as they come. ``payload`` is called for every payload with a problem
    (and, where :attr:`lists_valid`, for every JSON file or stdin document)."""

    #: True when valid payloads are reported too (then JSON Lines input is read in full).
    lists_valid = False

    def __init__(self, ctx: Context, stream: TextIO, title: str) -> None:
        self.ctx = ctx
        self.stream = stream
        self.title = title

    def write(self, text: str) -> None:
        self.stream.write(text + "\n")

    def payload(
        self,
        source: str,
        line: int | None,
        valid: bool,
        problems: Sequence[Problem],
        lines: Sequence[int | None],
    ) -> None:
        """One payload: ``line`` is its JSON Lines line (None for a document), ``lines`` the
        line of each problem."""
        raise NotImplementedError

    def line(self, source: str, line: int, valid: bool, problems: Sequence[Problem]) -> None:
        """:meth:`payload` for a JSON Lines payload (every problem on its line)."""
        self.payload(source, line, valid, problems, [line] * len(problems))

    def valid_line(self, source: str) -> Callable[[int], None] | None:
        """A writer for a valid JSON Lines payload with no problem, given its line; None when
        such payloads are not reported."""
        return None

    def unreadable(self, name: str, message: str) -> None:
        raise NotImplementedError

    def finish(self, tally: Tally) -> None:
        raise NotImplementedError


class TextReporter(Reporter):
    """``file:line: error: $.path: message (hint)``, one problem a line, then a summary."""

    def __init__(self, ctx: Context, stream: TextIO, title: str) -> None:
        super().__init__(ctx, stream, title)
        # decided once: whether to colour asks the environment and the terminal, and a JSON
        # Lines file can have hundreds of thousands of problem lines
        self._labels = {
            severity: ctx.paint(severity, "red" if severity == "error" else "yellow", stream)
            for severity in ("error", "warning")
        }

        self._tails: dict[int, tuple[Problem, str]] = {}  # by id; the problem kept alive

    def _label(self, severity: str) -> str:
        return self._labels.get(severity) or self.ctx.paint(severity, "yellow", self.stream)

    def _tail(self, problem: Problem) -> str:
        """``": error: $.path: message (hint)\\n"``, made once per problem object (the
        problems of a recurring error are the same objects: schemadrive/schema/explain.py)."""
        kept = self._tails.get(id(problem))
        if kept is not None and kept[0] is problem:
            return kept[1]
        hint = f" ({problem.hint})" if problem.hint else ""
        tail = f": {self._label(problem.severity)}: {problem.path}: {problem.message}{hint}\n"
        if len(self._tails) >= 4096:
            self._tails.clear()
        self._tails[id(problem)] = (problem, tail)
        return tail

    def line(self, source: str, line: int, valid: bool, problems: Sequence[Problem]) -> None:
        where, tail = f"{source}:{line}", self._tail
        self.stream.write("".join([where + tail(problem) for problem in problems]))

    def payload(
        self,
        source: str,
        line: int | None,
        valid: bool,
        problems: Sequence[Problem],
        lines: Sequence[int | None],
    ) -> None:
        label = self._label
        self.stream.write(
            "".join(
                f"{source if at is None else f'{source}:{at}'}: {label(problem.severity)}: "
                f"{problem.path}: {problem.message}"
                f"{f' ({problem.hint})' if problem.hint else ''}\n"
                for problem, at in zip(problems, lines, strict=True)
            )
        )

    def unreadable(self, name: str, message: str) -> None:
        self.write(f"{name}: {self._label('error')}: {message}")

    def finish(self, tally: Tally) -> None:
        noun = "payload" if tally.checked == 1 else "payloads"
        if tally.invalid:
            problems = f"{tally.problems} problem{'s' if tally.problems != 1 else ''}"
            text = f"{tally.invalid} of {tally.checked} {noun} invalid ({problems})"
            text = self.ctx.paint(text, "red", self.stream)
        else:
            text = self.ctx.paint(f"{tally.checked} {noun} valid", "green", self.stream)
        if tally.warnings:
            text += f", {tally.warnings} warning{'s' if tally.warnings != 1 else ''}"
        if tally.unreadable:
            text += f"; {tally.unreadable} unreadable"
        self.write(f"{text} ({self.title})")


class JsonReporter(Reporter):
    """JSON Lines: one record a payload, a record a unreadable input, then one summary record.

    ``{"file", "line", "valid", "problems": [{"path", "keyword", "message", "hint",
    "severity", "line"}]}``, then ``{"summary": {...}, "schema": TITLE}``.
    """

    lists_valid = True

    def payload(
        self,
        source: str,
        line: int | None,
        valid: bool,
        problems: Sequence[Problem],
        lines: Sequence[int | None],
    ) -> None:
        listed = [{**p.to_dict(), "line": at} for p, at in zip(problems, lines, strict=True)]
        self.write(json_line({"file": source, "line": line, "valid": valid, "problems": listed}))

    def valid_line(self, source: str) -> Callable[[int], None]:
        # json_line's record for a valid line, keys sorted, built without json.dumps per line
        head = '{"file":' + json.dumps(source, ensure_ascii=False) + ',"line":'
        tail = ',"problems":[],"valid":true}\n'
        write = self.stream.write

        def valid_line(line: int) -> None:
            write(f"{head}{line}{tail}")

        return valid_line

    def unreadable(self, name: str, message: str) -> None:
        problem = {
            "path": "$", "keyword": "unreadable", "message": message,
            "hint": None, "severity": "error", "line": None,
        }  # fmt: skip
        self.write(json_line({"file": name, "line": None, "valid": False, "problems": [problem]}))

    def finish(self, tally: Tally) -> None:
        self.write(json_line({"summary": tally.to_dict(), "schema": self.title}))


class GithubReporter(TextReporter):
    """``::error file=F,line=L,title=...::$.path: message (hint)`` for each problem, then the
    text summary (a plain line in the job's log)."""

    line = Reporter.line  # annotations, not the text reporter's lines

    def _annotation(self, level: str, message: str, source: str, line: int | None) -> str:
        if source == STDIN_NAME:  # an annotation's line means nothing without its file
            file, line = None, None
        else:
            file = source
        return github_annotation(
            level, message, file=file, line=line, title=f"schemadrive validate ({self.title})"
        )

    def payload(
        self,
        source: str,
        line: int | None,
        valid: bool,
        problems: Sequence[Problem],
        lines: Sequence[int | None],
    ) -> None:
        for problem, at in zip(problems, lines, strict=True):
            level = "error" if problem.severity == "error" else "warning"
            self.write(self._annotation(level, str(problem), source, at))

    def unreadable(self, name: str, message: str) -> None:
        self.write(self._annotation("error", message, name, None))


def report_lines(
    results: Iterable[LineResult],
    source: str,
    reporter: Reporter,
    tally: Tally,
    counts: Counts,
    filled: TextIO | None,
) -> None:
    """Report the results of one JSON Lines input (``counts`` is the Counts that
    schemadrive.schema.batch keeps for them); with ``filled``, write each valid payload there, as
    JSON Lines. Only lines with problems cost more than a loop step: the rest are written
    (listed, filled) or skipped without building anything."""
    report, listed = reporter.line, reporter.valid_line(source)
    if filled is not None:  # json_line()'s output, with one encoder for every line
        dump = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode
        put = filled.write
    try:
        for line, payload, problems, malformed in results:
            if problems:
                errors = 0
                for problem in problems:
                    errors += problem.severity == "error"
                tally.problems += errors
                tally.warnings += len(problems) - errors
                valid = not malformed and not errors
                report(source, line, valid, problems)
                if not valid:
                    continue
            elif listed is not None:
                listed(line)
            if filled is not None:
                put(dump(payload) + "\n")
    finally:  # what was written is counted, even if reading stops half-way
        tally.checked += counts.checked
        tally.invalid += counts.invalid
        tally.malformed += counts.malformed


REPORTERS: dict[str, type[Reporter]] = {
    "text": TextReporter,
    "json": JsonReporter,
    "github": GithubReporter,
}
