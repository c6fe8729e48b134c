"""Parsing and dispatching the command line (see schemadrive.cli for the exit codes).

Two steps, so that ``schemadrive --help`` (and any command) imports only what it needs: the
global options and the command's name are parsed first, with the command list below, and no
command module is imported; then the one module that implements the command is imported and
parses the rest. Global options are accepted before and after the command.
"""

from __future__ import annotations

import argparse
import os
import sys

# cli/__init__'s EXIT_OK and EXIT_USAGE (docs/cli.md): cli/__init__ imports this module, so
# importing them from it would be an import cycle.
EXIT_OK = 0
EXIT_USAGE = 2

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from typing import Any, TextIO

    from ._context import Context

__all__ = ["COMMANDS", "build_parser", "command_parser", "run"]

#: Each command, the module that implements it (``register(subparsers)``), and its one-line
#: help, in the order ``--help`` lists them. tests/unit/test_lazy_imports.py checks that each
#: module registers the commands named here with this help.
COMMANDS: dict[str, tuple[str, str]] = {
    "describe": ("describe", "show a model's parameters"),
    "models": ("models", "list the hub's models (offline: the bundled ones)"),
    "validate": (
        "_validate_options",  # the parser only: the checking is imported when it runs
        "check payload files against a model's schema (for CI and pre-commit)",
    ),
    "run": ("run", "run a model: key=value parameters typed by its schema"),
    "batch": (
        "batch",
        "run a model once per row of a JSON Lines or CSV file; resumable, within a budget",
    ),
    "status": ("jobs", "show a queued job's status"),
    "wait": ("jobs", "wait for a queued job (resume an interrupted `run`)"),
    "cancel": ("jobs", "cancel a queued job"),
    "jobs": ("jobs", "list queued jobs"),
    "cache": ("cache", "list or clear the schema cache; record model objects as offline fixtures"),
    "lint": ("lint", "check request schemas for defects (lint rules SD001...)"),
    "diff": ("diff", "compare two versions of a schema and say what breaks"),
    "fuzz": (
        "fuzz",
        "generate payloads a model's schema accepts (or, with --invalid, rejects) as JSON Lines",
    ),
    "hub": ("hub", "run a local test hub (LocalHub) on 127.0.0.1 until interrupted"),
    "demo": ("demo", "a two-minute tour on a local hub (no key, no network)"),
    "ui": (
        "ui",
        "a local page to try a model: a form from its schema, live problems, costs, jobs, video",
    ),
}

_DESCRIPTION = (
    "A schema-driven client for generative-model hubs: describe any model, validate "
    "payloads before paying, run jobs, lint and diff schemas, fuzz payloads."
)
_EPILOG = (
    "Global options may also follow the command. The API key comes from OXEN_API_KEY "
    "(GMI_API_KEY for --provider gmicloud) or the oxen CLI's config, never from a flag. Exit "
    "codes: 0 ok, 1 check failed, 2 usage or unreadable input, 3 hub or network error, 124 "
    "deadline passed."
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


def add_global_options(parser: argparse.ArgumentParser, *, after_command: bool = False) -> None:
    """The global options. ``after_command``: the copy a command's parser gets, which skips
    the options the command defines itself (``hub --provider``) and sets no defaults, so a
    flag given before the command is kept."""
    taken = parser._option_string_actions if after_command else {}

    def add(flag: str, **options: Any) -> None:
        if flag in taken:
            return
        if after_command:
            options["default"] = argparse.SUPPRESS
            options["help"] = argparse.SUPPRESS
        parser.add_argument(flag, **options)

    add("--version", action="store_true", help="print the version and exit")
    add(
        "--base-url",
        metavar="URL",
        help="hub URL (default: $SCHEMADRIVE_BASE_URL or the provider's)",
    )
    add(
        "--provider",
        choices=("oxen", "gmicloud"),
        default=None,
        help="which hub API to speak (default: oxen)",
    )
    add(
        "--offline",
        action="store_true",
        default=None,
        help="never touch the network: disk cache, then bundled fixtures",
    )
    add(
        "--cache-dir",
        metavar="DIR",
        help="schema cache directory (default: $SCHEMADRIVE_CACHE_DIR or the user cache dir)",
    )
    add(
        "--debug",
        action="store_true",
        default=False,
        help="tracebacks, and HTTP requests logged on stderr (also SCHEMADRIVE_LOG=debug)",
    )


def build_parser(stdout: TextIO | None = None) -> argparse.ArgumentParser:
    """The top-level parser: global options, the command's name, and the rest unparsed."""
    description, epilog = _help_text()
    parser = _Parser(
        prog="schemadrive",
        usage="schemadrive [global options] COMMAND [options] ...",
        description=description,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_global_options(parser)
    parser.add_argument("command", nargs="?", metavar="COMMAND", help=argparse.SUPPRESS)
    parser.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    return parser


def _help_text(width: int = 78) -> tuple[str, str]:
    """The description (with the command list) and the epilog, wrapped for --help."""
    import textwrap

    widest = max(len(name) for name in COMMANDS)
    listing = [
        textwrap.fill(
            text, width, initial_indent=f"  {name.ljust(widest)}  ",
            subsequent_indent=" " * (widest + 4), break_on_hyphens=False,
        )
        for name, (_, text) in COMMANDS.items()
    ]  # fmt: skip
    description = "\n".join([textwrap.fill(_DESCRIPTION, width), "", "commands:", *listing])
    return description, textwrap.fill(_EPILOG, width)


def command_parser(name: str) -> argparse.ArgumentParser:
    """The parser of one command, its module imported now; global options added to it."""
    import importlib

    module = importlib.import_module(f"{__package__}.{COMMANDS[name][0]}")
    holder = _Parser(prog="schemadrive", add_help=False)
    subparsers = holder.add_subparsers(dest="command", parser_class=_Parser)
    module.register(subparsers)
    parser: argparse.ArgumentParser = subparsers.choices[name]
    _add_globals_everywhere(parser)
    return parser


def _add_globals_everywhere(parser: argparse.ArgumentParser) -> None:
    add_global_options(parser, after_command=True)
    for action in parser._actions:  # nested commands (cache list|clear|pull)
        if isinstance(action, argparse._SubParsersAction):
            for nested in set(action.choices.values()):
                _add_globals_everywhere(nested)


class _StdoutTo:
    """``contextlib.redirect_stdout`` without importing contextlib (start-up time)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.saved: list[TextIO] = []

    def __enter__(self) -> None:
        self.saved.append(sys.stdout)
        sys.stdout = self.stream

    def __exit__(self, *exc: object) -> None:
        sys.stdout = self.saved.pop()


def _parse(args_list: list[str], stdout: TextIO) -> tuple[argparse.Namespace, Any]:
    parser = build_parser(stdout)
    with _StdoutTo(stdout):  # argparse prints --help to sys.stdout
        args = parser.parse_args(args_list)
        if args.command is None or args.version:
            return args, parser
        if args.command not in COMMANDS:
            choices = ", ".join(COMMANDS)
            raise _UsageError(
                f"schemadrive: invalid command {args.command!r} (choose from {choices})"
            )
        rest = args.rest
        del args.rest
        sub = command_parser(args.command)
        sub.parse_args(rest, namespace=args)
    return args, parser


def run(args_list: list[str], stdout: TextIO, stderr: TextIO) -> int:
    """Parse ``args_list`` and run the command; return the exit code."""
    try:
        args, parser = _parse(args_list, stdout)
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
    from ._context import Context  # not before: --help needs no context

    context = Context.from_args(args, stdout=stdout, stderr=stderr)
    logging_handler = _start_logging(context)
    try:
        return int(args.handler(args, context))
    except KeyboardInterrupt:
        stderr.write("schemadrive: interrupted\n")
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `| head`); nothing more to say.
        import contextlib

        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the interpreter's flush
        return EXIT_OK
    except Exception as exc:  # every error ends in one line and an exit code
        return context.fail(exc)
    finally:
        context.close()
        if logging_handler is not None:
            _stop_logging(logging_handler)


def _start_logging(context: Context) -> Any:
    """``--debug`` or ``SCHEMADRIVE_LOG=debug``: the ``schemadrive`` logger to stderr.

    The library logs each request's method, URL, status and time (never the key or a
    payload); without the flag nothing is configured and the records go nowhere.
    """
    level = os.environ.get("SCHEMADRIVE_LOG", "").strip().lower()
    if not context.debug and level != "debug":
        return None
    import logging

    handler = logging.StreamHandler(context.stderr)
    handler.setFormatter(logging.Formatter("schemadrive: debug: %(message)s"))
    logger = logging.getLogger("schemadrive")
    handler.previous_level = logger.level  # type: ignore[attr-defined]
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    return handler


def _stop_logging(handler: Any) -> None:
    import logging

    logger = logging.getLogger("schemadrive")
    logger.removeHandler(handler)
    logger.setLevel(handler.previous_level)
