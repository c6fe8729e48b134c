"""The command line of ``schemadrive validate`` (its parser, and the re-parse that lets
options follow the files), apart from the checking in :mod:`.validate`: ``validate --help``
imports this module only, so it stays fast.

``UsageError`` and ``reparse`` are shared with ``run`` (a REMAINDER re-parsed the same way).
"""

from __future__ import annotations

import os

from ._validate_tables import add_table_options

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up)
if TYPE_CHECKING:
    import argparse
    from typing import Any

    from ._context import Context

__all__ = ["UsageError", "add_options", "register", "reparse"]

NAME = "validate"
#: The report formats (the reporters are in _validate_report.py and _report.py).
FORMATS = ("text", "json", "github")

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
            "  schemadrive validate ltx-2-3-pro --jobs 0 million-lines.jsonl\n"
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
    parser.set_defaults(handler=_run, command_parser=parser)


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
        default=None,
        help="parameters the schema does not declare: error, warn or allow (default: error "
        "for a model's payloads and with --strict; allow for a bare --schema, as JSON Schema says)",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="with --schema: judge as a model's payloads are judged (unknown names are errors, "
        "format is asserted in every draft)",
    )
    parser.add_argument(
        "--jobs",
        type=_jobs,
        default=1,
        metavar="N",
        help="check JSON Lines in N processes (default 1; 0: one per CPU)",
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
    add_table_options(parser)  # --parquet, --csv, --payload-column (_validate_tables.py)


def _jobs(text: str) -> int:
    """``--jobs N``: N processes; 0 is one per CPU this process may run on."""
    import argparse

    if not (text.isascii() and text.isdigit()):
        raise argparse.ArgumentTypeError(f"expected a number of processes, not {text!r}")
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return int(text) or cpus or 1


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
    from ._main import add_global_options

    add_global_options(parser, after_command=True)  # `run MODEL k=v --offline` too
    parser.add_argument("inputs", nargs="*")
    del args.inputs  # parse_intermixed_args warns about positionals already in the namespace
    return parser.parse_intermixed_args(rest, namespace=args)


def _run(args: argparse.Namespace, ctx: Context) -> int:
    """The handler: ``--help`` is answered here; anything else imports the checking."""
    if "-h" in (args.inputs or ()) or "--help" in (args.inputs or ()):
        args.command_parser.print_help(ctx.stdout)
        return 0
    import importlib

    # Imported by name, as _main imports the command modules: validate.py imports this module
    # (its options), so a plain import here would be an import cycle.
    checking = importlib.import_module(f"{__package__}.validate")
    return int(checking.run(args, ctx))
