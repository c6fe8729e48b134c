"""``schemadrive cache list | clear | pull``: the schema cache, and recording fixtures.

``cache pull MODEL ... --into DIR`` writes each live model object to
``DIR/<provider>/<name>.json``, the layout ``--offline`` with ``Client(fixtures=DIR)`` (or
``schemadrive validate --fixtures DIR``) reads, so a pipeline can validate with no network.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._files import write_atomically
from ..hub.diskcache import cache_file_name, clear_every_entry, every_entry
from ._context import EXIT_OK, exit_code_for
from ._report import json_document

if TYPE_CHECKING:
    import argparse

    from ._context import Context

NAME = "cache"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        NAME,
        help="list or clear the schema cache; record model objects as offline fixtures",
        description=(
            "The schema cache keeps each model object fetched from a hub (one file per hub and "
            "model, revalidated after 10 minutes). `cache pull --into DIR` records live model "
            "objects as fixtures for offline pipelines."
        ),
    )
    actions = parser.add_subparsers(dest="cache_action", metavar="ACTION", required=True)
    listing = actions.add_parser(
        "list", help="list cached model objects", description="List cached model objects."
    )
    listing.add_argument(
        "--all", action="store_true", help="every hub's entries, not only this hub's"
    )
    listing.add_argument("--json", action="store_true", help="print the entries as a JSON array")
    listing.set_defaults(handler=run_list)
    clear = actions.add_parser(
        "clear", help="delete cached model objects", description="Delete cached model objects."
    )
    clear.add_argument(
        "--all", action="store_true", help="every hub's entries, not only this hub's"
    )
    clear.set_defaults(handler=run_clear)
    pull = actions.add_parser(
        "pull",
        help="fetch model objects now (and record them as fixtures with --into)",
        description=(
            "Fetch each model object from the hub (revalidating any cached copy) into the cache; "
            "with --into DIR, also write it to DIR/<provider>/<name>.json for "
            "`schemadrive --offline` and `schemadrive validate --fixtures DIR`."
        ),
        epilog=(
            "example: schemadrive cache pull ltx-2-3-pro --into fixtures/ && "
            "schemadrive validate --fixtures fixtures/ ltx-2-3-pro payload.json"
        ),
    )
    pull.add_argument("models", nargs="+", metavar="MODEL", help="model ids")
    pull.add_argument(
        "--into", metavar="DIR", help="also write the model objects as fixtures under DIR"
    )
    pull.set_defaults(handler=run_pull)


# -- list / clear --------------------------------------------------------------------------


def _cache_root(ctx: Context) -> Path | None:
    directory = ctx.client().cache_dir
    return Path(directory) if directory else None


def _age(fetched_at: Any, now: float) -> str:
    if not isinstance(fetched_at, (int, float)):
        return "?"
    seconds = max(now - fetched_at, 0)
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:.0f} {unit} ago"
    return f"{seconds:.0f} s ago"


def run_list(args: argparse.Namespace, ctx: Context) -> int:
    client = ctx.client()
    root = _cache_root(ctx)
    if args.all and root is not None:
        entries = [entry.as_dict() for entry in every_entry(root)]
    else:
        entries = client.store.cached_entries()
    if args.json:
        ctx.out(json_document(entries))
        return EXIT_OK
    where = "every hub" if args.all else client.base_url
    ctx.out(f"cache: {root or 'disabled'} ({where})")
    if not entries:
        ctx.out("no cached model objects")
        return EXIT_OK
    now = time.time()
    width = max(len(str(e["model_id"])) for e in entries)
    for entry in entries:
        line = f"{str(entry['model_id']).ljust(width)}  {_age(entry['fetched_at'], now):>12}"
        if args.all:
            line += f"  {entry['base_url']}"
        if entry.get("etag"):
            line += f"  etag {entry['etag']}"
        ctx.out(line)
    return EXIT_OK


def run_clear(args: argparse.Namespace, ctx: Context) -> int:
    client = ctx.client()
    root = _cache_root(ctx)
    if args.all and root is not None:
        removed = clear_every_entry(root)
        client.store.invalidate()
        ctx.out(f"removed {removed} cached model object{'s' if removed != 1 else ''} from {root}")
        return EXIT_OK
    removed = client.store.clear_disk()
    ctx.out(
        f"removed {removed} cached model object{'s' if removed != 1 else ''} "
        f"for {client.base_url} from {root or 'nowhere (the cache is disabled)'}"
    )
    return EXIT_OK


# -- pull ----------------------------------------------------------------------------------


def fixture_name(model_id: str) -> str:
    """A file name for a model id: the id itself when it is safe, else a slug plus a hash."""
    if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}", model_id):
        return f"{model_id}.json"
    return cache_file_name(model_id)


def write_fixture(
    directory: Path, provider: str, model_id: str, info: dict[str, Any], source: str
) -> Path:
    """Write one model object atomically as ``directory/provider/<name>.json``."""
    folder = directory / provider
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / fixture_name(model_id)
    document = dict(info)
    document["x-schemadrive"] = {
        "recorded": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "source": source,
    }
    write_atomically(path, json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    return path


def run_pull(args: argparse.Namespace, ctx: Context) -> int:
    from ._context import EXIT_USAGE

    # schema_ttl=0: a cached copy is always revalidated with the hub (a 304 costs no body).
    client = ctx.client(schema_ttl=0)
    into = Path(args.into) if args.into else None
    if into is not None:  # writable, and never the installed package (a fixtures/ link)
        from ._paths import check_destination

        check_destination(into, option="--into")
    if client.offline and into is None:  # nothing would be fetched, so nothing cached
        ctx.err(
            "schemadrive: cache pull fetches model objects from the hub, and offline mode is "
            "on (--offline / SCHEMADRIVE_OFFLINE): nothing was cached. With --into DIR it "
            "records the offline copies as fixtures instead."
        )
        return EXIT_USAGE
    worst = EXIT_OK
    for model_id in args.models:
        try:
            model = client.model(model_id)
            if into is not None:
                source = "offline fixtures" if client.offline else client.base_url
                path = write_fixture(into, client.provider.name, model_id, model.info, source)
                ctx.out(f"{model_id}: recorded {path}")
            else:
                ctx.out(f"{model_id}: cached")
            if not model.has_schema:
                ctx.err(f"schemadrive: note: {model_id} publishes no request schema")
        except Exception as exc:  # report each model and go on with the others
            code = exit_code_for(exc)
            worst = max(worst, code)
            if ctx.debug:
                raise
            ctx.err(f"schemadrive: {ctx.paint('error', 'red', ctx.stderr)}: {model_id}: {exc}")
    return worst
