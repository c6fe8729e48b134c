"""``schemadrive validate``: check payload files against a model's schema, for people and CI.

Inputs are JSON files (one payload each), JSON Lines files (one payload a line: ``--jsonl``,
or any ``*.jsonl`` / ``*.ndjson`` file) and stdin (``-``, or no FILE). JSON Lines are read one
line at a time and each verdict is written as soon as it is known, so memory stays constant
however large the file. Checking one payload is a pure function (:func:`check_payload`) of
the payload's bytes, which is what ``--jobs N`` will hand to worker processes.

Exit codes: 0 every payload valid; 1 at least one payload invalid or not valid JSON; 2 a
file could not be read (missing, a directory, no permission) or a usage error. 2 wins over 1.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, BinaryIO, Protocol, TextIO

from ._context import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from ._report import FORMATS, github_annotation, json_line

if TYPE_CHECKING:
    import argparse

    from ..problems import Problem
    from ._context import Context

NAME = "validate"
STDIN = "-"
STDIN_NAME = "<stdin>"
JSONL_SUFFIXES = (".jsonl", ".ndjson")

USAGE = (
    "schemadrive validate [options] MODEL [FILE ... | -]\n"
    "       schemadrive validate [options] --schema SCHEMA [FILE ... | -]"
)


def register(subparsers: Any) -> None:
    import argparse

    parser = subparsers.add_parser(
        NAME,
        usage=USAGE,
        help="check payload files against a model's schema (for CI and pre-commit)",
        description=(
            "Check JSON payloads against a model's request schema before anything is sent or "
            "paid for. Reads JSON files (one payload each), JSON Lines files (one payload a "
            "line; --jsonl, or any *.jsonl / *.ndjson file) and stdin (- or no FILE). "
            "Malformed JSON is reported as a failed payload, with its line. Options may come "
            "before or after the files."
        ),
        epilog=(
            "exit codes: 0 all valid; 1 a payload is invalid or not valid JSON; 2 a file could "
            "not be read, or a usage error; 3 hub or network error.\n"
            "examples:\n"
            "  schemadrive validate ltx-2-3-pro payloads/*.json\n"
            "  schemadrive validate --offline ltx-2-3-pro payloads/*.json --format github\n"
            "  schemadrive validate ltx-2-3-pro --fill-defaults batch.jsonl > ready.jsonl\n"
            "  schemadrive validate --schema schema.json payload.json"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_options(parser)
    # REMAINDER, re-parsed in run() with parse_intermixed_args, so options may follow the
    # files (`validate MODEL a.json --format github b.json`), which plain argparse refuses.
    parser.add_argument(
        "inputs",
        nargs=argparse.REMAINDER,
        metavar="MODEL [FILE ...]",
        help="the model id (left out with --schema), then payload files; - or none: stdin",
    )
    parser.set_defaults(handler=run, command_parser=parser)


def add_options(parser: Any) -> None:
    """The options of ``validate`` (on the command's parser and the re-parser of its rest)."""
    import argparse

    parser.add_argument("--jsonl", action="store_true", help="read every input as JSON Lines")
    parser.add_argument(
        "--fill-defaults",
        action="store_true",
        help="write each valid payload, defaults filled, to stdout as JSON Lines "
        "(reports then go to stderr)",
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="text",
        help="text (default), json (JSON Lines: one record a payload, then a summary) or "
        "github (GitHub Actions annotations)",
    )
    parser.add_argument(
        "--schema",
        metavar="FILE",
        help="validate against this schema file (a JSON Schema or a recorded model object); "
        "no MODEL and no hub needed",
    )
    parser.add_argument(
        "--unknown",
        choices=("error", "warn", "allow"),
        default="error",
        help="parameters the schema does not declare: error (default), warn or allow",
    )
    parser.add_argument(
        "--fixtures",
        metavar="DIR",
        help="read the model objects `schemadrive cache pull --into DIR` recorded "
        "(implies --offline)",
    )
    # Also accepted after the command, so a pre-commit hook's `args:` can turn it on.
    parser.add_argument(
        "--offline",
        action="store_true",
        default=argparse.SUPPRESS,
        help="never touch the network (the global --offline, accepted here too)",
    )


class UsageError(Exception):
    """A usage error found after the main parse (exit 2)."""


def reparse(args: Any, add: Any, prog: str) -> Any:
    """Parse ``args.inputs`` (an argparse REMAINDER) again, allowing options among positionals.

    ``add(parser)`` adds the options; values parsed before the remainder are kept (argparse
    sets a default only where the namespace has no value yet). Raises UsageError.
    """
    import argparse

    class Parser(argparse.ArgumentParser):
        def error(self, message: str) -> Any:
            raise UsageError(f"{prog}: {message}")

    rest = list(args.inputs or [])
    if "-h" in rest or "--help" in rest:
        raise UsageError("--help")
    if rest and rest[0] == "--":
        rest = rest[1:]
    parser = Parser(prog=prog, add_help=False)
    add(parser)
    parser.add_argument("inputs", nargs="*")
    del args.inputs  # parse_intermixed_args warns about positionals already in the namespace
    return parser.parse_intermixed_args(rest, namespace=args)


# -- checking: pure ------------------------------------------------------------------------


class Target(Protocol):
    """What payloads are checked against: a Model or a CompiledSchema."""

    def validate(self, payload: Any, *, unknown: Any = ...) -> list[Problem]: ...

    def fill_defaults(self, payload: Any) -> Any: ...


@dataclass
class Verdict:
    """What one payload came to. ``lines`` gives each problem's line (None: unknown)."""

    problems: list[Problem] = field(default_factory=list)
    lines: list[int | None] = field(default_factory=list)
    filled: Any = None
    #: True when the payload was not valid JSON (``problems`` then holds one ``json`` problem)
    malformed: bool = False

    @property
    def valid(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)


def _json_problem(exc: ValueError) -> tuple[Problem, int]:
    from ..problems import Problem

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
    target: Target,
    raw: bytes | str,
    *,
    unknown: str = "error",
    fill: bool = False,
    first_line: int = 1,
    locate_lines: bool = False,
) -> Verdict:
    """Parse and check one payload. Never raises for bad input: it becomes a problem.

    ``first_line`` is the line ``raw`` starts on; ``locate_lines`` finds each problem's line
    in a multi-line document (for JSON files; a JSON Lines payload is all on its line).
    """
    try:
        payload = json.loads(raw)
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
        problem, offset = _json_problem(exc)
        return Verdict([problem], [first_line + offset - 1], malformed=True)
    except RecursionError:
        from ..problems import Problem

        problem = Problem("$", "json", "not valid JSON here: it nests too deeply to read")
        return Verdict([problem], [first_line], malformed=True)
    if fill:
        payload = target.fill_defaults(payload)
    problems = target.validate(payload, unknown=unknown)
    if locate_lines and problems:
        text = raw.decode("utf-8-sig", "replace") if isinstance(raw, bytes) else raw
        located = sorted(
            ((locate(text, p.path) or first_line, p) for p in problems), key=lambda pair: pair[0]
        )
        problems = [p for _, p in located]
        lines: list[int | None] = [line for line, _ in located]
    else:
        lines = [first_line] * len(problems)
    verdict = Verdict(problems, lines)
    if fill and verdict.valid:
        verdict.filled = payload
    return verdict


# -- reading -------------------------------------------------------------------------------


@dataclass
class Item:
    """One payload's place (file, JSON Lines line or None) and its verdict."""

    source: str
    line: int | None
    verdict: Verdict


class Unreadable(Exception):
    """An input that cannot be read at all (missing, a directory, no permission)."""


def _stdin_bytes() -> BinaryIO | TextIO:
    return getattr(sys.stdin, "buffer", sys.stdin)


def iter_items(
    target: Target, name: str, *, jsonl: bool, unknown: str, fill: bool
) -> Iterator[Item]:
    """Every payload of one input, checked. Raises Unreadable if the input cannot be opened."""
    if name == STDIN:
        stream: Any = _stdin_bytes()
        source, close = STDIN_NAME, False
    else:
        try:
            stream = open(name, "rb")  # noqa: SIM115 - closed below, after streaming
        except OSError as exc:
            raise Unreadable(f"cannot read {name}: {exc.strerror or exc}") from exc
        source, close = name, True
    try:
        if jsonl or name.lower().endswith(JSONL_SUFFIXES):
            for number, line in enumerate(stream, 1):
                if line.strip():
                    yield Item(source, number, check_payload(
                        target, line, unknown=unknown, fill=fill, first_line=number
                    ))  # fmt: skip
        else:
            try:
                raw = stream.read()
            except OSError as exc:  # e.g. EISDIR on some systems
                raise Unreadable(f"cannot read {name}: {exc.strerror or exc}") from exc
            verdict = check_payload(target, raw, unknown=unknown, fill=fill, locate_lines=True)
            yield Item(source, None, verdict)
    finally:
        if close:
            stream.close()


# -- reporting -----------------------------------------------------------------------------


@dataclass
class Tally:
    checked: int = 0
    invalid: int = 0
    malformed: int = 0
    problems: int = 0
    warnings: int = 0
    unreadable: int = 0
    files: int = 0

    def add(self, item: Item) -> None:
        self.checked += 1
        verdict = item.verdict
        self.invalid += not verdict.valid
        self.malformed += verdict.malformed
        self.problems += sum(p.severity == "error" for p in verdict.problems)
        self.warnings += sum(p.severity != "error" for p in verdict.problems)

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
    """Writes verdicts as they come (so a huge JSON Lines file streams)."""

    def __init__(self, ctx: Context, stream: TextIO, title: str) -> None:
        self.ctx = ctx
        self.stream = stream
        self.title = title

    def write(self, text: str) -> None:
        self.stream.write(text + "\n")

    def item(self, item: Item) -> None:
        raise NotImplementedError

    def unreadable(self, name: str, message: str) -> None:
        raise NotImplementedError

    def finish(self, tally: Tally) -> None:
        raise NotImplementedError


class TextReporter(Reporter):
    """``file:line: error: $.path: message (hint)``, one problem a line, then a summary."""

    def _label(self, severity: str) -> str:
        return self.ctx.paint(severity, "red" if severity == "error" else "yellow", self.stream)

    def item(self, item: Item) -> None:
        for problem, line in zip(item.verdict.problems, item.verdict.lines, strict=True):
            where = item.source if line is None else f"{item.source}:{line}"
            hint = f" ({problem.hint})" if problem.hint else ""
            label = self._label(problem.severity)
            self.write(f"{where}: {label}: {problem.path}: {problem.message}{hint}")

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

    def item(self, item: Item) -> None:
        problems = []
        for problem, line in zip(item.verdict.problems, item.verdict.lines, strict=True):
            problems.append({**problem.to_dict(), "line": line})
        record = {
            "file": item.source,
            "line": item.line,
            "valid": item.verdict.valid,
            "problems": problems,
        }
        self.write(json_line(record))

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

    def _annotation(self, level: str, message: str, source: str, line: int | None) -> str:
        if source == STDIN_NAME:  # an annotation's line means nothing without its file
            file, line = None, None
        else:
            file = source
        return github_annotation(
            level, message, file=file, line=line, title=f"schemadrive validate ({self.title})"
        )

    def item(self, item: Item) -> None:
        for problem, line in zip(item.verdict.problems, item.verdict.lines, strict=True):
            level = "error" if problem.severity == "error" else "warning"
            self.write(self._annotation(level, str(problem), item.source, line))

    def unreadable(self, name: str, message: str) -> None:
        self.write(self._annotation("error", message, name, None))


REPORTERS: dict[str, type[Reporter]] = {
    "text": TextReporter,
    "json": JsonReporter,
    "github": GithubReporter,
}


# -- the command ---------------------------------------------------------------------------


def _target(args: argparse.Namespace, ctx: Context) -> tuple[Target, str, list[str]]:
    """The schema to check against, a title for reports, and the payload inputs."""
    inputs = list(args.inputs)
    if args.schema:
        from ..payloads import compile_schema
        from ..recorded import read_schema_file

        return compile_schema(read_schema_file(args.schema)), args.schema, inputs
    if not inputs:
        raise UsageError("give a MODEL (or --schema FILE), then payload files")
    model_id, files = inputs[0], inputs[1:]
    overrides: dict[str, Any] = {}
    if args.fixtures:
        overrides = {"fixtures": args.fixtures, "offline": True}
    model = ctx.client(**overrides).model(model_id)
    model.compiled  # noqa: B018 - raise SchemaUnavailable / SchemaInvalid before reading input
    return model, model_id, files


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
    if getattr(args, "offline", None):
        ctx.offline = True
    try:
        target, title, files = _target(args, ctx)
    except (UsageError, SchemaUnavailable) as exc:
        ctx.err(f"schemadrive validate: {ctx.paint('error', 'red', ctx.stderr)}: {exc}")
        return EXIT_USAGE
    if not files:
        if sys.stdin is None or ctx.is_terminal(sys.stdin):
            ctx.err("schemadrive validate: give payload files, or pipe payloads to stdin")
            return EXIT_USAGE
        files = [STDIN]
    report_stream = ctx.stderr if args.fill_defaults else ctx.stdout
    reporter = REPORTERS[args.format](ctx, report_stream, title)
    tally = Tally()
    for name in files:
        try:
            for item in iter_items(
                target, name, jsonl=args.jsonl, unknown=args.unknown, fill=args.fill_defaults
            ):
                tally.add(item)
                reporter.item(item)
                if args.fill_defaults and item.verdict.valid:
                    ctx.stdout.write(json_line(item.verdict.filled) + "\n")
        except Unreadable as exc:
            tally.unreadable += 1
            reporter.unreadable(name, str(exc))
        else:
            tally.files += 1
    reporter.finish(tally)
    if tally.unreadable:
        return EXIT_USAGE
    return EXIT_FAILED if tally.invalid else EXIT_OK
