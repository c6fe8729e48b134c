"""``schemadrive models [--search TEXT] [--json]``: the models the hub lists.

One id a line (sorted), so the output pipes into ``grep`` or ``xargs``; ``--json`` prints an
array of ``{"id": ...}`` objects. With ``--offline`` the models are those recorded on disk:
``Client(fixtures=...)`` directories, then the fixtures bundled with schemadrive.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._context import EXIT_OK

if TYPE_CHECKING:
    import argparse

    from ._context import Context

NAME = "models"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        NAME,
        help="list the hub's models (offline: the bundled ones)",
        description=(
            "List the ids of the models the hub serves, one a line. --search keeps the ids "
            "that contain TEXT (case-insensitive); --offline lists the recorded fixtures."
        ),
        epilog="example: schemadrive models --search ltx",
    )
    parser.add_argument("--search", metavar="TEXT", help="only ids containing TEXT (any case)")
    parser.add_argument("--json", action="store_true", help='print a JSON array of {"id": ...}')
    parser.set_defaults(handler=run)


def matching(ids: list[str], search: str | None) -> list[str]:
    """The ids containing ``search`` (case-insensitive), sorted; all of them when None."""
    wanted = (search or "").strip().lower()
    return sorted(i for i in ids if wanted in i.lower())


def run(args: argparse.Namespace, ctx: Context) -> int:
    ctx.offline_helps = True  # a network error here: the cache or fixtures can do
    from ._report import json_document

    ids = matching(ctx.client().list_models(), args.search)
    if args.json:
        ctx.out(json_document([{"id": model_id} for model_id in ids]))
        return EXIT_OK
    if not ids:
        what = f" matching {args.search!r}" if args.search else ""
        ctx.err(f"schemadrive: no models{what}")
        return EXIT_OK
    for model_id in ids:
        ctx.out(model_id)
    return EXIT_OK
