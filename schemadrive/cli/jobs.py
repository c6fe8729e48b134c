"""``schemadrive status | wait | cancel ID`` and ``schemadrive jobs``: queued generations.

``status`` exits 0 for a job that is queued, running or succeeded and 1 for one that failed
or was cancelled, so a script can branch on it; ``wait`` exits like ``run`` (0, 1, 124).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._context import EXIT_FAILED, EXIT_OK
from ._report import json_document
from ._status import STATUSES, shown_status, status_word

if TYPE_CHECKING:
    import argparse

    from ..hub.status import JobState
    from ._context import Context


def register(subparsers: Any) -> None:
    from .run import add_wait_options

    status = subparsers.add_parser(
        "status",
        help="show a queued job's status",
        description=(
            "Show a queued job's status (and its result URLs or error). Exits 0 while it is "
            "queued or running and when it succeeded, 1 when it failed or was cancelled."
        ),
    )
    status.add_argument("id", metavar="ID", help="the generation id")
    status.add_argument("--json", action="store_true", help="print the status as JSON")
    status.set_defaults(handler=run_status)

    wait = subparsers.add_parser(
        "wait",
        help="wait for a queued job (resume an interrupted `run`)",
        description=(
            "Wait until a queued job ends; print its result URLs, or download them with "
            "--output. Exits 0 when it succeeded, 1 when it failed or was cancelled, 124 when "
            "--timeout passed first (the job keeps running)."
        ),
    )
    wait.add_argument("id", metavar="ID", help="the generation id (printed first by `run`)")
    add_wait_options(wait)
    wait.set_defaults(handler=run_wait)

    cancel = subparsers.add_parser(
        "cancel",
        help="cancel a queued job",
        description=(
            "Cancel a queued or running job. Exits 0 when it is cancelled, 1 when it had "
            "already ended (succeeded or failed), 3 when the hub does not know the id."
        ),
    )
    cancel.add_argument("id", metavar="ID", help="the generation id")
    cancel.set_defaults(handler=run_cancel)

    jobs = subparsers.add_parser(
        "jobs",
        help="list queued jobs",
        description="List your jobs: the active ones, or those with --status.",
    )
    jobs.add_argument(
        "--status", type=status_word, metavar="STATUS",
        help=f"only jobs in this state: {', '.join(STATUSES)} (the hubs' own words, such as "
        "processing or success, are accepted too)",
    )  # fmt: skip
    jobs.add_argument("--model", metavar="M", help="only jobs of this model")
    jobs.add_argument("--json", action="store_true", help="print the jobs as a JSON array")
    jobs.set_defaults(handler=run_jobs)


def state_to_dict(state: JobState) -> dict[str, Any]:
    return {
        "generation_id": state.generation_id,
        "status": str(state.status),
        "raw_status": state.raw_status,
        "model": state.model,
        "urls": list(state.urls),
        "error": state.error,
    }


def _paint_status(ctx: Context, state: JobState) -> str:
    colour = {"succeeded": "green", "failed": "red", "cancelled": "yellow"}.get(
        str(state.status), "cyan"
    )
    return ctx.paint(shown_status(state), colour)


def run_status(args: argparse.Namespace, ctx: Context) -> int:
    state = ctx.client().job(args.id).status()
    if args.json:
        ctx.out(json_document(state_to_dict(state)))
    else:
        ctx.out(f"{state.generation_id}  {_paint_status(ctx, state)}  {state.model or ''}".rstrip())
        for url in state.urls:
            ctx.out(url)
        if state.error:
            ctx.out(f"error: {state.error}")
    return EXIT_FAILED if str(state.status) in ("failed", "cancelled") else EXIT_OK


def run_wait(args: argparse.Namespace, ctx: Context) -> int:
    from ._context import EXIT_USAGE
    from ._preflight import check_wait_options
    from ._validate_options import UsageError
    from .run import wait_and_report

    try:
        check_wait_options(ctx, args, prog="schemadrive wait")
    except UsageError as exc:
        ctx.err(str(exc))
        return EXIT_USAGE
    return wait_and_report(ctx, ctx.client().job(args.id), args)


def run_cancel(args: argparse.Namespace, ctx: Context) -> int:
    job = ctx.client().job(args.id)
    # Asked first, so that a job that had already ended (cancelled included) exits 1 as
    # documented: the hub's answer to a second cancel does not say it was a second one.
    before = job.status()
    state = before if before.terminal else job.cancel()
    if state is not None and state.terminal and (before.terminal or state.status != "cancelled"):
        ctx.err(f"schemadrive: job {args.id} had already {_ended(state)}; nothing to cancel")
        return EXIT_FAILED
    ctx.out(f"cancelled {args.id}")
    return EXIT_OK


def _ended(state: JobState) -> str:
    return {"succeeded": "succeeded", "failed": "failed", "cancelled": "been cancelled"}.get(
        str(state.status), state.word
    )


def run_jobs(args: argparse.Namespace, ctx: Context) -> int:
    from ..hub.status import Status

    options: dict[str, Any] = {}
    if args.status:  # our words; the client translates them to the hub's ("processing")
        options["status"] = Status(args.status)
    if args.model:
        options["model"] = args.model
    states = ctx.client().jobs(**options)
    if args.json:
        ctx.out(json_document([state_to_dict(s) for s in states]))
        return EXIT_OK
    if not states:
        ctx.out("no jobs" + (f" with status {args.status}" if args.status else " in progress"))
        return EXIT_OK
    id_width = max(len(s.generation_id) for s in states)
    status_width = max(len(shown_status(s)) for s in states)
    for state in states:
        word = shown_status(state)
        shown = _paint_status(ctx, state) + " " * (status_width - len(word))
        detail = state.urls[0] if state.urls else (f"error: {state.error}" if state.error else "")
        line = f"{state.generation_id.ljust(id_width)}  {shown}  {state.model or '-'}  {detail}"
        ctx.out(line.rstrip())
    return EXIT_OK
