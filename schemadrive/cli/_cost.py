"""``run --dry-run`` and ``run --max-cost AMOUNT``: the estimate before anything is paid.

``--dry-run`` prints the prepared payload (defaults filled, files shown by type and size,
never their content) and its estimate, and sends nothing. ``--max-cost`` refuses a run whose
estimate is higher, or unknown (exit 1, nothing sent). See docs/batches.md "Costs".
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ._context import EXIT_FAILED, EXIT_OK

if TYPE_CHECKING:
    import argparse

    from ._context import Context

__all__ = ["add_cost_options", "cost_gate"]


def add_cost_options(parser: Any) -> None:
    parser.add_argument(
        "--dry-run", action="store_true",
        help="print the prepared payload and its estimated cost; send nothing",
    )  # fmt: skip
    parser.add_argument(
        "--max-cost", metavar="AMOUNT", default=None,
        help="refuse the run (nothing sent) if its estimated cost is higher, or unknown",
    )  # fmt: skip


def cost_gate(
    ctx: Context, model: Any, payload: dict[str, Any], args: argparse.Namespace
) -> int | None:
    """The exit code when the run stops here (a dry run, or over ``--max-cost``); None to go on."""
    dry_run = getattr(args, "dry_run", False)
    limit = getattr(args, "max_cost", None)
    if not dry_run and limit is None:
        return None
    from ..batches import parse_budget
    from ..media.display import display_payload

    budget = parse_budget(limit)
    prepared = model.prepare(dict(payload))
    estimate = model.estimate(prepared)
    if dry_run:
        ctx.out(json.dumps(display_payload(prepared), ensure_ascii=False, indent=2))
        ctx.out(f"estimate: {estimate}")
        ctx.err("schemadrive run: nothing was sent (--dry-run)")
    if budget is not None and estimate.exceeds(budget):
        label = ctx.paint("error", "red", ctx.stderr)
        what = (
            f"the run is estimated at {estimate}"
            if estimate.known
            else f"the run's cost is {estimate}"
        )
        ctx.err(f"schemadrive run: {label}: {what}, over --max-cost {limit}; nothing was sent")
        return EXIT_FAILED
    return EXIT_OK if dry_run else None
