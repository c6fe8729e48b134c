"""Parsing and dispatching the command line (see schemadrive.cli for the exit codes)."""


from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
from typing import Any, TextIO

from ._context import EXIT_OK, EXIT_USAGE, Context

__all__ = ["build_parser", "run"]

#: Command modules, in the order ``--help`` lists them. A missing module is skipped, so a
#: command can be added by creating its module and naming it here.
COMMAND_MODULES = (
    "describe",
    "validate",
    "run",
    "jobs",
    "cache",
    "lint",
    "diff",
    "fuzz",
    "hub",
    "demo",
)


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so main() decides the exit code."""

    def error(self, message: str) -> Any:
        raise _UsageError(f"{self.prog}: {message}")

    def exit(self, status: int = 0, message: str | None = None) -> Any:
        if message:
            raise _UsageError(message.strip())
        raise _Exit(status)


class _UsageError(Exception):
    pass


class _Exit(Exception):
    def __init__(self, status: int) -> None:
        self.status = status


def build_parser(stdout: TextIO) -> argparse.ArgumentParser:
    parser = _Parser(
        prog="schemadrive",
        description=(
            "A schema-driven client for generative-model hubs: describe any model, validate "
            "payloads before paying, run jobs, lint and diff schemas, fuzz payloads."
        ),
        epilog=(
            "The API key comes from OXEN_API_KEY (GMI_API_KEY for --provider gmicloud) or the "
            "oxen CLI's config, never from a flag. Exit codes: 0 ok, 1 check failed, 2 usage "
            "or unreadable input, 3 hub or network error, 124 deadline passed."
        ),
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    parser.add_argument(
        "--base-url",
        metavar="URL",
        help="hub URL (default: $SCHEMADRIVE_BASE_URL or the provider's)",
    )
    parser.add_argument(
        "--provider",
        choices=("oxen", "gmicloud"),
        default=None,
        help="which hub API to speak (default: oxen)",
    )
    parser.add_argument(
        "--offline",
        action="store_true",
        default=None,
        help="never touch the network: disk cache, then bundled fixtures",
    )
    parser.add_argument(
        "--cache-dir",
        metavar="DIR",
        help="schema cache directory (default: $SCHEMADRIVE_CACHE_DIR or the user cache dir)",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks and HTTP debugging")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"{__package__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"{__package__}.{name}":
                continue
            raise
        module.register(sub)
    return parser


def run(args_list: list[str], stdout: TextIO, stderr: TextIO) -> int:
    """Parse ``args_list`` and run the command; return the exit code."""
    parser = build_parser(stdout)
    try:
        with contextlib.redirect_stdout(stdout):  # argparse prints --help to sys.stdout
            args = parser.parse_args(args_list)
    except _UsageError as exc:
        stderr.write(f"{exc}\n")
        return EXIT_USAGE
    except _Exit as exc:
        return exc.status
    if args.version:
        from .. import __version__

        stdout.write(f"schemadrive {__version__}\n")
        return EXIT_OK
    if not getattr(args, "handler", None):
        parser.print_help(stdout)
        return EXIT_USAGE if args.command is None and args_list else EXIT_OK
    context = Context.from_args(args, stdout=stdout, stderr=stderr)
    try:
        return int(args.handler(args, context))
    except KeyboardInterrupt:
        stderr.write("schemadrive: interrupted\n")
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `| head`); nothing more to say.
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the interpreter's flush
        return EXIT_OK
    except Exception as exc:  # every error ends in one line and an exit code
        return context.fail(exc)
    finally:
        context.close()

