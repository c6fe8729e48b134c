"""``schemadrive ui [MODEL]``: a local page to try a model (docs/ui.md).

Serves :class:`schemadrive.ui.PlaygroundServer` until Ctrl-C and prints the page's URL, which
carries the per-run token (the page's only key: the API key stays in this process). Needs the
``schemadrive[ui]`` extra; it is imported here, when the command runs, never for ``--help``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import argparse

    from ._context import Context

NAME = "ui"
HELP = "a local page to try a model: a form from its schema, live problems, costs, jobs, video"


def register(subparsers: Any) -> None:
    from .hub import port

    parser = subparsers.add_parser(
        NAME,
        help=HELP,
        description=(
            "Serve a page on 127.0.0.1 to try any model: a form drawn from its schema, the "
            "problems as you type (the checks of `validate`), the cost estimate, Generate, the "
            "job's status live, and the video. Open the URL it prints (it carries a token the "
            "page needs); the API key stays in this process. Stop it with Ctrl-C. Needs "
            "pip install 'schemadrive[ui]'."
        ),
        epilog="example: schemadrive ui ltx-2-3-pro --open   (offline: schemadrive --offline ui)",
    )
    parser.add_argument("model", nargs="?", metavar="MODEL", help="the model to open first")
    parser.add_argument(
        "--port", type=port, default=0, metavar="N",
        help="port to listen on (default 0: a free one)",
    )  # fmt: skip
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        metavar="ADDRESS",
        help="address to listen on (default 127.0.0.1: this machine only)",
    )
    parser.add_argument("--open", action="store_true", help="open the page in a web browser")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    """Serve until interrupted."""
    from ..exceptions import ConfigurationError

    ctx.absorb(args)
    try:
        import uvicorn  # noqa: F401 - the ui extra, checked before anything starts

        from ..ui import app  # noqa: F401 - imports Starlette
        from ..ui.server import PlaygroundServer, is_loopback
    except ImportError as exc:
        raise ConfigurationError(
            f"schemadrive ui needs the ui extra ({exc.name} is missing): "
            "pip install 'schemadrive[ui]'"
        ) from None
    client = ctx.client()
    if args.model:
        client.model(args.model)  # an unknown id fails here, with its close matches
    server = PlaygroundServer(client, host=args.host, port=args.port, model=args.model)
    if not is_loopback(args.host):
        ctx.err(
            f"schemadrive: warning: listening on {args.host}: other machines can reach the "
            "page; the token in its URL is all that stands between them and your API key's "
            "spending"
        )
    server.start()
    from .hub import serve_until_stopped

    def announce() -> None:
        ctx.out(f"schemadrive playground on {server.url}")
        ctx.out("open that URL (it carries this run's token); Ctrl-C to stop.")
        ctx.stdout.flush()
        if args.open:
            import webbrowser

            webbrowser.open(server.url)

    return serve_until_stopped(ctx, announce, server.stop)
