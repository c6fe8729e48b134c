"""The ``schemadrive`` command.

``main(argv=None, *, stdout=None, stderr=None) -> int`` is the only entry point; the library
never prints or exits, this package does. Each command lives in its own module of this
package with ``register(subparsers)``, named in ``_main.COMMANDS``: only the module of the
command being run is imported (none for ``schemadrive --help``), and heavy libraries are
imported inside the handlers, so ``--help`` and ``--version`` stay fast. Global options are
accepted before and after the command.

Exit codes (docs/cli.md):

====  ==========================================================================
0     success
1     the thing checked failed: an invalid payload, a lint error, a breaking
      schema change, a failed or cancelled job
2     usage error or unreadable input (a bad flag, a missing file, a --payload or
      --schema file that is not JSON, a model with no request schema, an option
      that cannot work such as an unwritable --output, a missing extra); malformed
      JSON in a payload being validated is a failed check (1)
3     hub, network or authentication error
124   a deadline passed (the job may still be running; its id was printed)
130   interrupted (Ctrl-C)
====  ==========================================================================
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from typing import TextIO

__all__ = ["EXIT_DEADLINE", "EXIT_FAILED", "EXIT_HUB", "EXIT_OK", "EXIT_USAGE", "main"]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_HUB = 3
EXIT_DEADLINE = 124


def main(
    argv: list[str] | None = None, *, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    """Run the command line; return the exit code."""
    stdout = stdout if stdout is not None else sys.stdout
    stderr = stderr if stderr is not None else sys.stderr
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list == ["--version"]:  # answered before argparse and the commands are loaded
        from .. import __version__

        stdout.write(f"schemadrive {__version__}\n")
        return EXIT_OK
    from ._main import run

    return run(args_list, stdout, stderr)
