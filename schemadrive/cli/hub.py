"""``schemadrive hub``: run a LocalHub in the foreground until interrupted.

Prints the URL and the (test) key to point a client at, then serves until Ctrl-C, which is
the normal way to stop it (exit 0).
"""

from __future__ import annotations

import signal
import threading
from typing import TYPE_CHECKING, Any

from ._context import EXIT_OK

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

    from ..testing import LocalHub
    from ._context import Context

NAME = "hub"

#: The environment variable each provider's client reads its key from.
KEY_VARIABLES = {"oxen": "OXEN_API_KEY", "gmicloud": "GMI_API_KEY"}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        NAME,
        help="run a local test hub (LocalHub) on 127.0.0.1 until interrupted",
        description=(
            "Serve the hub's HTTP contract on 127.0.0.1 with recorded models and fake jobs that "
            "finish after --job-seconds, for demos and for testing code that calls the hub. "
            "Nothing is paid for and nothing leaves the machine. Stop it with Ctrl-C."
        ),
        epilog=(
            "example: schemadrive hub --port 8765 & "
            "OXEN_API_KEY=test-key schemadrive --base-url http://127.0.0.1:8765 run ltx-2-3-pro ..."
        ),
    )
    parser.add_argument(
        "--port", type=port, default=0, metavar="N",
        help="port to listen on, 0 to 65535 (default 0: a free one)",
    )  # fmt: skip
    parser.add_argument(
        "--fixtures",
        metavar="DIR",
        help="directory of recorded model objects (default: the bundled ones)",
    )
    parser.add_argument(
        "--job-seconds",
        type=float,
        default=5.0,
        metavar="S",
        help="how long each job takes, queued then processing (default: 5)",
    )
    parser.add_argument(
        "--provider",
        dest="hub_provider",
        choices=sorted(KEY_VARIABLES),
        default=None,
        help="which hub's contract to speak (default: the global --provider, else oxen)",
    )
    parser.add_argument(
        "--api-key",
        default="test-key",
        metavar="KEY",
        help="the Bearer key clients must send (default: test-key; not a secret)",
    )
    parser.add_argument(
        "--keepalive-seconds",
        type=float,
        default=15.0,
        metavar="S",
        help="idle time before an event stream sends a keep-alive (default: 15)",
    )
    parser.add_argument(
        "--results",
        choices=("hub", "cdn", "redirect"),
        default="hub",
        help="serve result files from the hub, a second port (cdn), or the cdn behind a redirect",
    )
    parser.set_defaults(handler=run)


def port(text: str) -> int:
    """An argparse type: a TCP port number (0: any free port)."""
    import argparse

    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"a port is 0 to 65535, not {number}")
    return number


def run(args: argparse.Namespace, ctx: Context) -> int:
    """Serve until interrupted."""
    from pathlib import Path

    from ..exceptions import ConfigurationError
    from ..testing import LocalHub

    provider = args.hub_provider or ctx.provider or "oxen"
    if args.fixtures is not None and not Path(args.fixtures).is_dir():
        raise ConfigurationError(f"--fixtures {args.fixtures}: not a directory")
    hub = LocalHub(
        args.fixtures,
        api_key=args.api_key,
        job_seconds=args.job_seconds,
        provider=provider,
        keepalive_seconds=args.keepalive_seconds,
        port=args.port,
        results=args.results,
    )
    try:
        hub.start()
    except OSError as exc:
        raise ConfigurationError(
            f"cannot listen on port {args.port}: {exc.strerror or exc}"
        ) from exc
    return serve_until_stopped(ctx, lambda: _announce(hub, provider, ctx), hub.stop)


def serve_until_stopped(
    ctx: Context, announce: Callable[[], None], stop: Callable[[], None]
) -> int:
    """Announce a started server, then wait for Ctrl-C or SIGTERM; stop it, restore the
    signal handlers, say "stopped." (for ``hub`` and ``ui``)."""
    stopping = threading.Event()
    previous = _stop_on_signals(stopping)
    try:
        announce()
        while not stopping.wait(0.5):  # short waits, so a signal is seen at once
            pass
        ctx.out("stopped.")
    except KeyboardInterrupt:  # Ctrl-C while the banner prints
        ctx.out("stopped.")
    finally:
        stop()
        for number, handler in previous.items():
            signal.signal(number, handler)
    return EXIT_OK


def _stop_on_signals(stopping: threading.Event) -> dict[int, Any]:
    """Stop on SIGINT (Ctrl-C) and SIGTERM, even where SIGINT was inherited as ignored.

    A process started in the background by a non-interactive shell inherits SIGINT ignored,
    and Python then installs no KeyboardInterrupt handler: the hub would not stop on Ctrl-C
    or on a supervisor's SIGINT. Returns the previous handlers, to restore them.
    """
    previous: dict[int, Any] = {}
    if threading.current_thread() is not threading.main_thread():
        return previous  # signal handlers can only be set from the main thread
    for number in (signal.SIGINT, signal.SIGTERM):
        previous[number] = signal.signal(number, lambda *_: stopping.set())
    return previous


def _announce(hub: LocalHub, provider: str, ctx: Context) -> None:
    models = len(hub.models)
    if not models:
        ctx.err(f"schemadrive: warning: no {provider} model objects found; the hub serves none")
    ctx.out(
        f"LocalHub ({provider}) serving {models} model{'' if models == 1 else 's'} on {hub.url}"
    )
    ctx.out(f"API key: {hub.api_key}  (a test key, not a secret)")
    if hub.cdn is not None:
        ctx.out(f"result files on {hub.cdn.url}")
    ctx.out(
        f"try: {KEY_VARIABLES[provider]}={hub.api_key} schemadrive --provider {provider} "
        f"--base-url {hub.url} describe <model>"
    )
    ctx.out("Ctrl-C to stop.")
    ctx.stdout.flush()
