"""The one rule for commands that spend money or wait on the hub: every option and
destination is checked before the first request, so input bound to fail costs nothing.

``check_run_options`` for ``run`` (and, later, ``batch``), ``check_wait_options`` for the
options ``run`` and ``wait`` share. Each raises UsageError (exit 2) or ConfigurationError
(exit 2) naming the option.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._paths import check_destination
from ._validate_options import UsageError

if TYPE_CHECKING:
    import argparse

    from ._context import Context

__all__ = ["check_run_options", "check_wait_options"]


def check_wait_options(ctx: Context, args: argparse.Namespace, *, prog: str) -> None:
    """``--via``, ``--output`` (``--timeout`` and ``--poll-interval`` are checked by their
    argparse type); ``--poll-interval`` becomes the client's setting."""
    if getattr(args, "poll_interval", None) is not None:
        if getattr(args, "no_wait", False) or getattr(args, "mode", "queue") == "sync":
            raise UsageError(f"{prog}: --poll-interval needs a wait (--mode queue, no --no-wait)")
        if args.poll_interval <= 0:
            raise UsageError(f"{prog}: --poll-interval must be more than 0 seconds")
        ctx.client_options["poll_interval"] = args.poll_interval
    if getattr(args, "via", None) == "events":
        provider = ctx.client().provider
        if not provider.has_events:
            raise UsageError(
                f"{prog}: --via events: the {provider.name} hub has no event stream; "
                "use --via poll (or leave --via out)"
            )
    if getattr(args, "output", None):
        check_destination(args.output, option="--output")


def check_run_options(ctx: Context, args: argparse.Namespace, *, prog: str) -> None:
    """Everything ``run`` can know is wrong before it submits (or sends a sync request)."""
    waiting = [
        flag
        for flag, given in (("--via", args.via), ("--timeout", args.timeout is not None))
        if given
    ]
    if args.no_wait:
        if args.mode == "sync":
            raise UsageError(f"{prog}: --no-wait needs --mode queue")
        if args.output:
            raise UsageError(f"{prog}: --output needs a wait; with --no-wait use `wait ID -o ...`")
        if waiting:
            raise UsageError(f"{prog}: {waiting[0]} has no effect with --no-wait")
    if args.mode == "sync" and waiting:
        raise UsageError(
            f"{prog}: {waiting[0]} needs --mode queue (a sync run is one request, not a wait)"
        )
    check_wait_options(ctx, args, prog=prog)
