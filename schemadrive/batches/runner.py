"""Running a planned batch: the journal, the resume, N jobs in flight, the outputs.

:func:`run_batch` opens (or resumes) the journal in the output directory, reconciles rows a
crash caught mid-submit, then runs up to ``concurrency`` rows at a time, each on a worker
thread (:mod:`.worker`) that submits through the public client API, waits (all jobs share
the client's one event stream; polling where the hub has none) and downloads. Ctrl-C stops
the workers, leaves the journal consistent and raises BatchInterrupted with the report.
All times are in seconds.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from ..exceptions import SchemadriveError
from ..pricing import Estimate, parse_amount
from . import history
from .errors import BatchInterrupted, InputChanged
from .journal import IN_FLIGHT, JOURNAL_NAME, MANIFEST_NAME, STAGING_NAME, Journal, JournalRow
from .worker import Worker

if TYPE_CHECKING:
    from ..client import Client
    from ..dispatch.job import Via
    from .plan import BatchPlan

__all__ = ["JOURNAL_NAME", "MANIFEST_NAME", "BatchOptions", "BatchReport", "Progress", "run_batch"]

#: How long an interrupted batch waits for submits already on the wire to get their id.
SUBMIT_GRACE = 10.0


@dataclass(frozen=True)
class BatchOptions:
    """How a batch runs. All times are in seconds.

    ``concurrency``: jobs in flight at most. ``timeout``: the deadline of each job's wait
    (None: the client's default, one hour; the row then stays in flight and a resume waits
    again). ``retry_failed``: submit failed and cancelled rows again. ``resubmit_uncertain``:
    submit rows whose earlier submit may or may not have created a job (never by default:
    it could pay twice). ``cancel_on_interrupt``: on Ctrl-C, cancel the jobs in flight
    (otherwise they keep running on the hub and a resume collects them).
    """

    concurrency: int = 4
    via: Via = "auto"
    timeout: float | None = None
    retry_failed: bool = False
    resubmit_uncertain: bool = False
    cancel_on_interrupt: bool = False


@dataclass
class Progress:
    """Where a running batch stands (passed to ``on_progress`` after each change)."""

    total: int
    succeeded: int = 0
    failed: int = 0
    in_flight: int = 0
    spent: Decimal = Decimal(0)
    started: float = field(default_factory=time.monotonic)
    finished_this_run: int = 0
    last: JournalRow | None = None

    @property
    def remaining(self) -> int:
        return self.total - self.succeeded - self.failed

    def eta(self, now: float | None = None) -> float | None:
        """Seconds until the batch ends at this run's pace (None before the first row)."""
        if not self.finished_this_run:
            return None
        elapsed = (time.monotonic() if now is None else now) - self.started
        return elapsed / self.finished_this_run * self.remaining


@dataclass
class BatchReport:
    """The outcome of a batch: every row's journal state and the money.

    ``ok`` is True when every row succeeded and its outputs were saved. ``spent`` sums the
    actual costs the hub reported (``estimated``: the whole batch's estimate).
    """

    out: Path
    rows: list[JournalRow]
    estimated: Estimate
    interrupted: bool = False

    @property
    def journal(self) -> Path:
        return self.out / JOURNAL_NAME

    @property
    def manifest(self) -> Path:
        return self.out / MANIFEST_NAME

    @property
    def counts(self) -> dict[str, int]:
        from .journal import STATES

        counts = dict.fromkeys(STATES, 0)
        for row in self.rows:
            counts[row.state] += 1
        return counts

    @property
    def spent(self) -> Decimal:
        return sum(
            (parse_amount(r.actual_cost) or Decimal(0) for r in self.rows if r.actual_cost),
            Decimal(0),
        )

    @property
    def ok(self) -> bool:
        return all(r.state == "succeeded" and r.files is not None for r in self.rows)

    def __repr__(self) -> str:
        counts = ", ".join(f"{k}={v}" for k, v in self.counts.items() if v)
        return f"BatchReport({str(self.out)!r}, {counts})"


def write_manifest(out: Path, rows: list[JournalRow], *, everything: bool) -> None:
    """Rewrite ``manifest.jsonl`` atomically: the finished rows (``everything``: all rows)."""
    lines = [
        json.dumps(row.manifest_entry(), ensure_ascii=False) + "\n"
        for row in rows
        if everything or row.finished
    ]
    handle, temporary = tempfile.mkstemp(dir=out, prefix=".manifest.", suffix=".part")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.writelines(lines)
        os.replace(temporary, out / MANIFEST_NAME)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _open_journal(plan: BatchPlan, out: Path, client: Client) -> Journal:
    journal = Journal(out / JOURNAL_NAME)
    meta = journal.meta()
    expected = {
        "model": plan.model_id,
        "provider": client.provider.name,
        "base_url": client.base_url,
        "input_sha256": plan.source_hash,
        "rows": str(len(plan)),
    }
    if not meta:
        journal.initialise(
            {**expected, "input": plan.source or "", "created": str(time.time())},
            [
                (row.index, row.line, row.name, digest, estimate.as_json()["amount"])
                for row, digest, estimate in zip(
                    plan.rows, plan.hashes, plan.estimates, strict=False
                )
            ],
        )
        return journal
    changed = [key for key, value in expected.items() if meta.get(key) != value]
    if not changed:
        stored = journal.rows()
        changed = [
            f"line {r.line}"
            for r, h in zip(stored, plan.hashes, strict=False)
            if r.payload_hash != h
        ]
    if changed:
        journal.close()
        what = ", ".join(changed[:5])
        raise InputChanged(
            f"{out} holds the journal of another batch ({what} differ): the input changed "
            f"since the journal was written. Use a new --out directory, or restore the input "
            f"({meta.get('input') or 'the rows'} for {meta.get('model')})"
        )
    return journal


def _reconcile(client: Client, plan: BatchPlan, journal: Journal) -> None:
    """Rows without an id whose submit may have reached the hub: adopt their job, or mark
    them uncertain."""
    rows = journal.rows()
    lost = [
        r
        for r in rows
        if r.generation_id is None and r.state in ("submitting", "uncertain") and r.submitting_at
    ]
    if not lost:
        return
    owned = {r.generation_id for r in rows if r.generation_id}
    model = client.model(plan.model_id)
    pending = [
        history.Pending(r.row, model.prepare(plan.payload(r.row)), r.submitting_at or 0.0)
        for r in lost
    ]
    try:
        records = history.hub_rows(client, plan.model_id, min(p.since for p in pending))
    except SchemadriveError as exc:
        records = []
        note = f"could not read the hub's history ({exc})"
    else:
        note = "no job on the hub matches it (it may still appear)"
    found = history.adopt(records, plan.model_id, pending, owned)
    for row in lost:
        if row.row in found:
            journal.submitted(row.row, found[row.row])
        elif row.state == "submitting":
            journal.set_state(
                row.row,
                "uncertain",
                error=f"interrupted while submitting; {note}: resubmit only with "
                "--resubmit-uncertain",
            )


def _work(journal: Journal, options: BatchOptions) -> list[int]:
    """The rows to work on now, those already in flight first."""
    attach: list[int] = []
    submit: list[int] = []
    for row in journal.rows():
        if row.state in IN_FLIGHT or (row.state == "succeeded" and row.files is None):
            attach.append(row.row)
        elif row.state == "pending" or (
            (row.state == "uncertain" and options.resubmit_uncertain)
            or (row.state in ("failed", "cancelled") and options.retry_failed)
        ):
            submit.append(row.row)
    return attach + submit


def run_batch(
    client: Client,
    plan: BatchPlan,
    out: str | os.PathLike[str],
    *,
    options: BatchOptions | None = None,
    on_progress: Callable[[Progress], None] | None = None,
) -> BatchReport:
    """Run (or resume) ``plan`` into ``out``; the report once every row is settled."""
    options = options or BatchOptions()
    if not isinstance(options.concurrency, int) or options.concurrency < 1:
        raise ValueError(f"concurrency must be a positive integer, not {options.concurrency!r}")
    directory = Path(out).expanduser()
    directory.mkdir(parents=True, exist_ok=True)
    journal = _open_journal(plan, directory, client)
    try:
        staging = directory / STAGING_NAME
        shutil.rmtree(staging, ignore_errors=True)  # half-downloaded files of a crash
        _reconcile(client, plan, journal)
        rows = journal.rows()
        todo = _work(journal, options)
        again = set(todo)  # rows worked on again get their line when they finish
        write_manifest(directory, [r for r in rows if r.row not in again], everything=False)
        progress = Progress(total=len(rows))
        for row in rows:
            if row.row not in todo:
                if row.state == "succeeded":
                    progress.succeeded += 1
                elif row.finished:
                    progress.failed += 1
            progress.spent += parse_amount(row.actual_cost) or Decimal(0)
        interrupted = _run_workers(client, plan, journal, directory, todo, options, progress,
                                   on_progress)  # fmt: skip
        rows = journal.rows()
        write_manifest(directory, rows, everything=True)
        if not interrupted:
            shutil.rmtree(staging, ignore_errors=True)
    finally:
        journal.close()
    report = BatchReport(directory, rows, plan.total, interrupted=interrupted)
    if interrupted:
        raise BatchInterrupted(report)
    return report


def _run_workers(
    client: Client,
    plan: BatchPlan,
    journal: Journal,
    out: Path,
    todo: list[int],
    options: BatchOptions,
    progress: Progress,
    on_progress: Callable[[Progress], None] | None,
) -> bool:
    """Run the rows in ``todo`` on ``options.concurrency`` threads; True if interrupted."""
    work: queue.SimpleQueue[int] = queue.SimpleQueue()
    for row in todo:
        work.put(row)
    worker = Worker(client, plan, journal, out, options, progress, on_progress)
    again = set(todo)
    for stored in journal.rows():  # succeeded in an earlier run, before the hub had a cost
        owed = stored.state == "succeeded" and stored.actual_cost is None
        if owed and stored.generation_id and stored.row not in again:
            worker.cost_later(stored.row, stored.generation_id, sweep=False)
    threads = [
        threading.Thread(target=worker.loop, args=(work,), name=f"batch-{i}", daemon=True)
        for i in range(min(options.concurrency, max(1, len(todo))))
    ]
    for thread in threads:
        thread.start()
    try:
        while not worker.finished.wait(0.25):
            if not any(thread.is_alive() for thread in threads):
                break
    except KeyboardInterrupt:
        worker.stop.set()
        if options.cancel_on_interrupt:
            worker.cancel_in_flight()
        worker.wait_for_submits(SUBMIT_GRACE)
        return True
    worker.stop.set()
    for thread in threads:
        thread.join(timeout=1.0)
    worker.sweep_costs()  # the last rows' actual costs, before the final manifest
    if worker.fatal is not None:
        raise worker.fatal
    return False
