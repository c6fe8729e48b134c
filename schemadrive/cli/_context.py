"""What every command gets: streams, colour, global options, a lazily built client, and
the mapping from errors to one line on stderr and an exit code."""

from __future__ import annotations

import os

from . import EXIT_DEADLINE, EXIT_FAILED, EXIT_HUB, EXIT_OK, EXIT_USAGE

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from typing import Any, TextIO

__all__ = ["EXIT_DEADLINE", "EXIT_FAILED", "EXIT_HUB", "EXIT_OK", "EXIT_USAGE", "Context"]


def exit_code_for(exc: BaseException) -> int:
    """The documented exit code for an exception."""
    from .. import exceptions as e

    if isinstance(exc, e.JobTimeout):
        return EXIT_DEADLINE
    if isinstance(exc, (e.PayloadInvalid, e.JobFailed, e.JobCancelled)):
        return EXIT_FAILED
    if isinstance(exc, (e.ConfigurationError, e.SchemaError)):
        return EXIT_USAGE
    if isinstance(exc, e.SchemadriveError):
        return EXIT_HUB
    if isinstance(exc, (OSError, ValueError)):
        return EXIT_USAGE
    return EXIT_HUB


class Context:
    """Per-invocation state shared by the command handlers.

    A plain class rather than a dataclass: importing dataclasses costs more of `--help`'s
    start-up time than this module does.
    """

    def __init__(
        self,
        stdout: TextIO,
        stderr: TextIO,
        base_url: str | None = None,
        provider: str | None = None,
        offline: bool | None = None,
        cache_dir: str | None = None,
        debug: bool = False,
    ) -> None:
        self.stdout = stdout
        self.stderr = stderr
        self.base_url = base_url
        self.provider = provider
        self.offline = offline
        self.cache_dir = cache_dir
        self.debug = debug
        #: whether "--offline would help" is said with a network error: only while a command
        #: reads schemas, which the cache and the fixtures can stand in for (not for jobs)
        self.offline_helps = False
        #: Client settings a command's own flags give (``--poll-interval``), for ``client()``
        self.client_options: dict[str, Any] = {}
        self._client: Any = None

    @classmethod
    def from_args(cls, args: Any, *, stdout: TextIO, stderr: TextIO) -> Context:
        return cls(
            stdout=stdout,
            stderr=stderr,
            base_url=getattr(args, "base_url", None),
            provider=getattr(args, "provider", None),
            offline=getattr(args, "offline", None),
            cache_dir=getattr(args, "cache_dir", None),
            debug=bool(getattr(args, "debug", False)),
        )

    def absorb(self, args: Any) -> None:
        """Take the global options given after the command (parsed by the command itself)."""
        for name in ("base_url", "provider", "offline", "cache_dir"):
            value = getattr(args, name, None)
            if value is not None:
                setattr(self, name, value)
        if getattr(args, "debug", False):
            self.debug = True

    # -- output ---------------------------------------------------------------------------
    def is_terminal(self, stream: TextIO | None = None) -> bool:
        stream = stream or self.stdout
        try:
            return bool(stream.isatty())
        except (AttributeError, ValueError):
            return False

    def color(self, stream: TextIO | None = None) -> bool:
        """Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
        if os.environ.get("NO_COLOR"):
            return False
        return self.is_terminal(stream)

    def paint(self, text: str, code: str, stream: TextIO | None = None) -> str:
        codes = {"red": "31", "green": "32", "yellow": "33", "bold": "1", "dim": "2", "cyan": "36"}
        if not self.color(stream):
            return text
        return f"\x1b[{codes.get(code, code)}m{text}\x1b[0m"

    def out(self, text: str = "") -> None:
        self.stdout.write(text + "\n")

    def err(self, text: str) -> None:
        self.stderr.write(text + "\n")

    def command(self, rest: str) -> str:
        """``schemadrive [the global flags given] REST``, for hints such as how to resume."""
        flags = ""
        if self.provider:
            flags += f" --provider {self.provider}"
        if self.base_url:
            flags += f" --base-url {self.base_url}"
        return f"schemadrive{flags} {rest}"

    # -- the client -----------------------------------------------------------------------
    def client(self, **overrides: Any) -> Any:
        """The Client for this invocation, built on first use from the global options."""
        if self._client is None:
            from ..client import Client

            options: dict[str, Any] = {}
            if self.base_url:
                options["base_url"] = self.base_url
            if self.offline:
                options["offline"] = True
            if self.cache_dir:
                options["cache_dir"] = self.cache_dir
            if self.provider:
                options["provider"] = self.provider
            options.update(self.client_options)
            options.update(overrides)
            self._client = Client(**options)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    # -- failure --------------------------------------------------------------------------
    def fail(self, exc: BaseException) -> int:
        """Report ``exc`` as one line on stderr (a traceback with --debug); return the code."""
        if self.debug:
            import traceback

            self.stderr.write("".join(traceback.format_exception(exc)))
        text = str(exc).strip() or type(exc).__name__
        first, _, rest = text.partition("\n")
        from ..exceptions import NetworkError, PayloadInvalid, SchemaInvalid

        if isinstance(exc, NetworkError) and self.offline_helps and not self.offline:
            first += " (with no network, --offline uses the schema cache and recorded fixtures)"
        label = self.paint("error", "red", self.stderr)
        self.err(f"schemadrive: {label}: {first}")
        # PayloadInvalid and SchemaInvalid carry one line per problem: those lines help.

        if isinstance(exc, PayloadInvalid) and rest:
            for line in rest.splitlines():
                self.err(line)
        elif isinstance(exc, SchemaInvalid):
            for line in exc.errors[:20]:
                self.err(f"  {line}")
        return exit_code_for(exc)
