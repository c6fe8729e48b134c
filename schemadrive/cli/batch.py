"""``schemadrive batch MODEL INPUT --out DIR``: one generation per input row, resumable.

A thin layer over ``client.batch`` (schemadrive.batches): it parses the options, draws the
progress (a live line on a terminal, one plain line per finished row otherwise, both on
standard error), prints the summary on standard output, and turns the outcome into the exit
code: 0 when every row succeeded, 1 when a row is invalid, over budget, failed, cancelled or
uncertain, 2 for a usage error or a changed INPUT, 130 when interrupted (the resume command is
printed).
"""

from __future__ import annotations

import shlex
import threading
import time
from typing import TYPE_CHECKING, Any

from ._context import EXIT_FAILED, EXIT_OK, EXIT_USAGE

if TYPE_CHECKING:
    import argparse

    from ..batches import BatchPlan, BatchReport, Progress
    from ._context import Context

NAME = "batch"
HELP = "run a model once per row of a JSON Lines or CSV file; resumable, within a budget"
#: Redraw the live line at most this often (seconds).
REDRAW = 0.1


def register(subparsers: Any) -> None:
    import argparse

    parser = subparsers.add_parser(
        NAME,
        help=HELP,
        description=(
            "Run MODEL once per row of INPUT (JSON Lines: one payload per line; CSV: a column "
            "per parameter, typed as `run` types key=value; @file cells name files relative "
            "to INPUT). Every row is validated and the whole batch estimated before anything "
            "is sent. A journal in DIR makes it resumable: after a crash or Ctrl-C, run the "
            "same command again. Outputs go to DIR, named after the input line and the "
            "generation id; DIR/manifest.jsonl lists every row."
        ),
        epilog=(
            "exit codes: 0 every row succeeded; 1 invalid rows or over budget (nothing sent), "
            "or some rows failed, were cancelled or are uncertain; 2 usage error or INPUT "
            "changed since the journal was written; 3 hub or network error; 130 interrupted "
            "(resume with the same command).\n"
            "example:\n"
            "  schemadrive batch ltx-2-3-pro prompts.jsonl --out renders --budget 20"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("model", metavar="MODEL", help="model id, e.g. ltx-2-3-pro")
    parser.add_argument("input", metavar="INPUT", help="a .jsonl or .csv file of payloads")
    parser.add_argument("--out", "-o", metavar="DIR", required=True, help="output directory")
    parser.add_argument(
        "--concurrency", "-j", type=_positive, default=4, metavar="N",
        help="jobs in flight at most (default: 4)",
    )  # fmt: skip
    parser.add_argument(
        "--budget", metavar="AMOUNT",
        help="refuse the batch (nothing sent) if its estimate is higher, or unknown",
    )  # fmt: skip
    parser.add_argument(
        "--dry-run", action="store_true",
        help="validate and estimate, print the plan, send nothing",
    )  # fmt: skip
    parser.add_argument(
        "--via", choices=("events", "poll"), default=None,
        help="how to learn that jobs ended (default: the event stream, else polling)",
    )  # fmt: skip
    parser.add_argument(
        "--retry-failed", action="store_true", help="submit failed and cancelled rows again"
    )
    parser.add_argument(
        "--resubmit-uncertain", action="store_true",
        help="submit rows whose earlier submit may or may not have created a job "
        "(could pay twice: check `schemadrive jobs` first)",
    )  # fmt: skip
    parser.add_argument(
        "--cancel-on-interrupt", action="store_true",
        help="on Ctrl-C, cancel the jobs in flight (default: they keep running on the hub "
        "and a resume collects them)",
    )  # fmt: skip
    parser.set_defaults(handler=run)


def _positive(text: str) -> int:
    import argparse

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def resume_command(ctx: Context, args: argparse.Namespace) -> str:
    """The command that resumes this batch (the same command, without --dry-run)."""
    parts = [NAME, args.model, args.input, "--out", args.out]
    if args.concurrency != 4:
        parts += ["--concurrency", str(args.concurrency)]
    if args.budget is not None:
        parts += ["--budget", args.budget]
    if args.via:
        parts += ["--via", args.via]
    for flag in ("retry_failed", "resubmit_uncertain", "cancel_on_interrupt"):
        if getattr(args, flag):
            parts.append("--" + flag.replace("_", "-"))
    return ctx.command(" ".join(shlex.quote(part) for part in parts))


def run(args: argparse.Namespace, ctx: Context) -> int:
    from ..batches import (
        BatchInterrupted,
        BatchInvalid,
        BatchOptions,
        InputChanged,
        OverBudget,
        parse_budget,
        plan_batch,
        run_batch,
    )
    from ..exceptions import SchemadriveError

    client = ctx.client()
    if args.via == "events" and not client.provider.has_events:
        ctx.err(
            f"schemadrive batch: --via events: the {client.provider.name} hub has no event "
            "stream; use --via poll (or leave --via out)"
        )
        return EXIT_USAGE
    try:
        budget = parse_budget(args.budget)
        plan = plan_batch(client, args.model, args.input, budget=budget)
    except BatchInvalid as exc:
        ctx.err(f"schemadrive batch: {ctx.paint('error', 'red', ctx.stderr)}: {exc}")
        return EXIT_FAILED
    except OverBudget as exc:
        ctx.err(f"schemadrive batch: {ctx.paint('error', 'red', ctx.stderr)}: {exc}")
        return EXIT_FAILED
    if args.dry_run:
        print_plan(ctx, plan, args.out)
        return EXIT_OK
    options = BatchOptions(
        concurrency=args.concurrency,
        via=args.via or "auto",
        retry_failed=args.retry_failed,
        resubmit_uncertain=args.resubmit_uncertain,
        cancel_on_interrupt=args.cancel_on_interrupt,
    )
    display = Display(ctx)
    previous = _terminate_as_interrupt()
    try:
        report = run_batch(client, plan, args.out, options=options, on_progress=display.update)
    except BatchInterrupted as exc:
        display.close()
        print_summary(ctx, exc.report)
        kept = "were cancelled" if args.cancel_on_interrupt else "keep running on the hub"
        ctx.err(
            f"schemadrive batch: interrupted; the journal is consistent and jobs in flight "
            f"{kept}. Resume with:\n  {resume_command(ctx, args)}"
        )
        return 130
    except InputChanged as exc:
        display.close()
        ctx.err(f"schemadrive batch: {ctx.paint('error', 'red', ctx.stderr)}: {exc}")
        return EXIT_USAGE
    except SchemadriveError as exc:  # the hub or the network failed: the batch stopped
        display.close()
        code = ctx.fail(exc)
        ctx.err(f"the journal is consistent; resume with:\n  {resume_command(ctx, args)}")
        return code
    finally:
        display.close()
        _restore_terminate(previous)
    print_summary(ctx, report)
    if not report.ok:
        ctx.err(f"schemadrive batch: not every row succeeded; see {report.manifest}")
        if report.counts["uncertain"]:
            ctx.err(
                "  uncertain rows may or may not have a job on the hub: check `"
                f"{ctx.command(f'jobs --model {args.model}')}`, then resume with "
                "--resubmit-uncertain to submit them again"
            )
        if report.counts["queued"] or report.counts["running"]:
            ctx.err(f"  rows still in flight: resume with `{resume_command(ctx, args)}`")
    return EXIT_OK if report.ok else EXIT_FAILED


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _terminate_as_interrupt() -> Any:
    """SIGINT and SIGTERM (Ctrl-C, a service manager, CI, ``kill``) stop a batch alike: the
    journal consistent, the resume command printed. SIGINT is handled even where it was
    inherited as ignored (a process started in the background by a non-interactive shell),
    as ``schemadrive hub`` does. Returns the handlers to restore."""
    import signal

    if threading.current_thread() is not threading.main_thread():
        return None
    return {number: signal.signal(number, _interrupt) for number in (signal.SIGINT, signal.SIGTERM)}


def _restore_terminate(previous: Any) -> None:
    import signal

    for number, handler in (previous or {}).items():
        signal.signal(number, handler)


def print_plan(ctx: Context, plan: BatchPlan, out: str) -> None:
    """``--dry-run``: the rows, each one's estimate, the total, and what a run would do."""
    from pathlib import Path

    from ..batches.journal import JOURNAL_NAME

    ctx.out(f"batch of {len(plan)} rows for {plan.model_id} into {out}")
    for row, estimate in zip(plan.rows, plan.estimates, strict=True):
        ctx.out(f"  line {row.line}: {estimate}")
    ctx.out(f"estimate: {plan.total}")
    journal = Path(out) / JOURNAL_NAME
    if journal.exists():
        from ..batches.journal import Journal

        stored = Journal(journal)
        try:
            counts = {state: n for state, n in stored.counts().items() if n}
        finally:
            stored.close()
        ctx.out("resumes: " + ", ".join(f"{n} {state}" for state, n in counts.items()))
    ctx.out("nothing was sent (--dry-run)")


def print_summary(ctx: Context, report: BatchReport) -> None:
    """The counts of each state and the money, on standard output."""
    from ..pricing import format_amount

    counts = {state: n for state, n in report.counts.items() if n}
    total = len(report.rows)
    ctx.out(f"{total} rows: " + ", ".join(f"{n} {state}" for state, n in counts.items()))
    estimated = report.estimated
    money = (
        f"estimated {format_amount(estimated.amount)} {estimated.currency}"
        if estimated.amount is not None
        else "estimate unknown"
    )
    ctx.out(f"{money}; spent {format_amount(report.spent)} {estimated.currency} (as reported)")
    ctx.out(f"outputs and manifest: {report.out}")


class Display:
    """Progress on standard error: a live line on a terminal, plain lines otherwise."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.live = ctx.is_terminal(ctx.stderr)
        self._lock = threading.Lock()
        self._last_draw = 0.0
        self._drawn = False
        self._reported: set[tuple[int, str]] = set()

    def update(self, progress: Progress) -> None:
        with self._lock:
            if self.live:
                now = time.monotonic()
                if now - self._last_draw >= REDRAW or progress.remaining == 0:
                    self._last_draw = now
                    self.ctx.stderr.write("\r\x1b[K" + line(progress))
                    self.ctx.stderr.flush()
                    self._drawn = True
                return
            row = progress.last
            if row is None or not row.finished or (row.row, row.state) in self._reported:
                return
            self._reported.add((row.row, row.state))
            files = ", ".join(row.files or ())
            detail = f" -> {files}" if files else f": {row.error}" if row.error else ""
            job = f" {row.generation_id}" if row.generation_id else ""
            self.ctx.err(f"line {row.line}: {row.state}{job}{detail}")

    def close(self) -> None:
        with self._lock:
            if self._drawn:
                self.ctx.stderr.write("\n")
                self.ctx.stderr.flush()
                self._drawn = False


def line(progress: Progress, width: int = 20) -> str:
    """``[#####.....] 12/40 done · 1 failed · 4 in flight · 3.84 USD spent · ETA 0:42``."""
    from ..dispatch.progress import format_elapsed
    from ..pricing import format_amount

    finished = progress.succeeded + progress.failed
    filled = int(width * finished / progress.total) if progress.total else width
    parts = [
        f"[{'#' * filled}{'.' * (width - filled)}] {progress.succeeded}/{progress.total} done",
        f"{progress.failed} failed",
        f"{progress.in_flight} in flight",
        f"{format_amount(progress.spent)} USD spent",
    ]
    eta = progress.eta()
    if eta is not None:
        parts.append(f"ETA {format_elapsed(eta)}")
    return " · ".join(parts)
