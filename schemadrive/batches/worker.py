"""One batch row at a time: submit (intent first), wait, download, journal each step.

Used only by :mod:`.runner`. Every step goes through the public client API (``submit``,
``job``, ``Job.wait``, ``Result.download``) and is committed to the journal as soon as it
happens. Test hook: ``SCHEMADRIVE_BATCH_CRASH=POINT:N`` kills the process with SIGKILL the
N-th time it reaches POINT (``before-post``, ``after-post``, ``waiting``, ``downloading``),
so the crash tests stop it at exactly those places without sleeping.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import signal
import threading
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from ..exceptions import (
    AuthenticationError,
    JobCancelled,
    JobFailed,
    JobNotFound,
    JobTimeout,
    ModelNotFound,
    NetworkError,
    RateLimited,
    SchemadriveError,
    SubmitUncertain,
)
from . import history
from .journal import IN_FLIGHT, MANIFEST_NAME, STAGING_NAME, Journal

if TYPE_CHECKING:
    from ..client import Client
    from ..dispatch.job import Job
    from .plan import BatchPlan
    from .runner import BatchOptions, Progress

__all__ = ["Worker"]

log = logging.getLogger("schemadrive")

#: Sends of one row while the hub answers 429 (each after the client's own retries).
RATE_LIMIT_ROUNDS = 10
#: Finished rows whose actual cost is looked up together in the hub's history.
COST_SWEEP = 25


class _Crash:
    """The SIGKILL test hook (see the module docstring)."""

    def __init__(self) -> None:
        point, _, count = os.environ.get("SCHEMADRIVE_BATCH_CRASH", "").partition(":")
        self.point = point or None
        self.left = int(count) if count.isdigit() else 1
        self._lock = threading.Lock()

    def __call__(self, point: str) -> None:
        if point != self.point:
            return
        with self._lock:
            self.left -= 1
            if self.left == 0:
                os.kill(os.getpid(), signal.SIGKILL)


class Worker:
    """Shared by the runner's threads: each calls :meth:`loop` on the same work queue."""

    def __init__(
        self,
        client: Client,
        plan: BatchPlan,
        journal: Journal,
        out: Path,
        options: BatchOptions,
        progress: Progress,
        on_progress: Callable[[Progress], None] | None,
    ) -> None:
        self.client = client
        self.plan = plan
        self.journal = journal
        self.out = out
        self.options = options
        self.progress = progress
        self.on_progress = on_progress
        self.stop = threading.Event()
        self.finished = threading.Event()
        self.fatal: SchemadriveError | None = None
        self._crash = _Crash()
        self._lock = threading.Lock()
        self._submitting = 0
        self._idle = threading.Condition(self._lock)
        self._active = 0
        self._jobs: dict[int, Job] = {}
        self._not_before = 0.0
        self._uncosted: dict[str, int] = {}  # generation id -> row, cost not known yet
        self._sweeping = threading.Lock()

    # -- the loop -------------------------------------------------------------------------
    def loop(self, work: queue.SimpleQueue[int]) -> None:
        with self._lock:
            self._active += 1
        try:
            while not self.stop.is_set():
                try:
                    row = work.get_nowait()
                except queue.Empty:
                    return
                try:
                    self.process(row)
                except SchemadriveError as exc:  # affects every row: stop the batch
                    with self._lock:
                        self.fatal = self.fatal or exc
                    self.stop.set()
                except Exception as exc:  # a bug must not leave the batch hanging
                    log.exception("batch row %d failed unexpectedly", row)
                    self.journal.note(row, f"{type(exc).__name__}: {exc}")
        finally:
            with self._lock:
                self._active -= 1
                if self._active == 0:
                    self.finished.set()

    def _changed(self, row: int, *, became: str | None = None, cost: Decimal | None = None) -> None:
        with self._lock:
            p = self.progress
            if became == "in-flight":
                p.in_flight += 1
            elif became is not None:
                p.in_flight = max(0, p.in_flight - 1)
                p.finished_this_run += 1
                if became == "succeeded":
                    p.succeeded += 1
                else:
                    p.failed += 1
            if cost is not None:
                p.spent += cost
            if self.journal.closed:
                return
            p.last = self.journal.get(row)
            if became not in (None, "in-flight", "timeout") and p.last.finished:
                self._append_manifest(p.last.manifest_entry())
            if self.on_progress is not None:
                self.on_progress(p)

    def _append_manifest(self, entry: dict[str, object]) -> None:
        """Keep ``manifest.jsonl`` current as rows finish (the run rewrites it whole at its
        start and end, so a line lost or cut by a crash is restored)."""
        try:
            with open(self.out / MANIFEST_NAME, "a", encoding="utf-8") as manifest:
                manifest.write(json.dumps(entry, ensure_ascii=False) + "\n")
        except OSError as exc:
            log.warning("could not append to the manifest: %s", exc)

    # -- one row --------------------------------------------------------------------------
    def process(self, row: int) -> None:
        current = self.journal.get(row)
        if current.generation_id and (
            current.state in IN_FLIGHT or (current.state == "succeeded" and current.files is None)
        ):
            job = self.client.job(current.generation_id, model=self.plan.model_id)
        else:
            submitted = self.submit(row)
            if submitted is None:
                return
            job = submitted
        self._changed(row, became="in-flight")
        with self._lock:
            self._jobs[row] = job
        try:
            self.wait_and_save(row, job, already_succeeded=current.state == "succeeded")
        finally:
            with self._lock:
                self._jobs.pop(row, None)

    def submit(self, row: int) -> Job | None:
        payload = self.plan.payload(row)  # prepared (files encoded) by submit
        for _ in range(RATE_LIMIT_ROUNDS):
            self._respect_rate_limit()
            if self.stop.is_set():
                return None
            with self._lock:
                self._submitting += 1
            try:
                self.journal.submitting(row)
                self._crash("before-post")
                job = self.client.submit(self.plan.model_id, payload)
                self._crash("after-post")
                self.journal.submitted(row, job.id)
                return job
            except RateLimited as exc:  # answered 429: nothing was created
                self.journal.set_state(row, "pending", error=str(exc))
                with self._lock:
                    wait = exc.retry_after if exc.retry_after is not None else 5.0
                    self._not_before = max(self._not_before, time.monotonic() + wait)
            except SubmitUncertain as exc:
                self.journal.set_state(row, "uncertain", error=str(exc).splitlines()[0])
                self._changed(row, became="uncertain")
                return None
            except (AuthenticationError, ModelNotFound, NetworkError) as exc:
                self.journal.set_state(row, "pending", error=str(exc))  # certainly not sent
                raise
            except (SchemadriveError, OSError) as exc:  # a 4xx, or a file unreadable: not sent
                self.journal.set_state(row, "failed", error=str(exc).splitlines()[0])
                self._changed(row, became="failed")
                return None
            finally:
                with self._lock:
                    self._submitting -= 1
                    self._idle.notify_all()
        self.journal.set_state(row, "failed", error="the hub kept answering 429 (rate limited)")
        self._changed(row, became="failed")
        return None

    def _respect_rate_limit(self) -> None:
        while not self.stop.is_set():
            with self._lock:
                delay = self._not_before - time.monotonic()
            if delay <= 0:
                return
            self.stop.wait(delay)

    def wait_and_save(self, row: int, job: Job, *, already_succeeded: bool) -> None:
        self._crash("waiting")
        running = False

        def on_status(state: object) -> None:
            nonlocal running
            word = getattr(getattr(state, "status", None), "value", None)
            if word == "running" and not running and not self.stop.is_set():
                running = True
                self.journal.set_state(row, "running")

        try:
            result = job.wait(self.options.timeout, via=self.options.via, on_status=on_status)
        except JobFailed as exc:
            self._end(row, "failed", exc.message or str(exc))
            return
        except JobCancelled:
            self._end(row, "cancelled", "cancelled on the hub")
            return
        except JobTimeout as exc:  # still running: the row stays in flight for a resume
            self.journal.note(row, str(exc).splitlines()[0])
            self._changed(row, became="timeout")
            return
        except JobNotFound as exc:
            self._end(row, "failed", str(exc).splitlines()[0])
            return
        if self.stop.is_set():
            return
        if not already_succeeded:
            self.journal.succeeded(row, actual_cost=None)
        self.save(row, job.id, result)
        self._changed(row, became="succeeded" if self._saved(row) else "failed")
        self.cost_later(row, job.id)

    def _saved(self, row: int) -> bool:
        return self.journal.closed or self.journal.get(row).files is not None

    def _end(self, row: int, state: str, error: str) -> None:
        if self.stop.is_set():
            return
        self.journal.set_state(row, state, error=error)
        self._changed(row, became=state)

    def save(self, row: int, generation_id: str, result: object) -> None:
        """Download into a staging directory, then rename into ``out``; journal the files."""
        name = self.plan.rows[row].name
        staging = self.out / STAGING_NAME / name
        try:
            staging.mkdir(parents=True, exist_ok=True)
            for leftover in staging.iterdir():
                leftover.unlink()
            downloaded = result.download(staging)  # type: ignore[attr-defined]
            self._crash("downloading")
            files: list[str] = []
            for path in downloaded:
                final = self.out / f"{name}-{Path(path).name}"
                os.replace(path, final)
                files.append(final.name)
            staging.rmdir()
        except (SchemadriveError, OSError) as exc:
            self.journal.note(row, f"download failed: {exc}; a resume downloads it again")
            return
        self.journal.downloaded(row, files)

    # -- actual costs ---------------------------------------------------------------------
    def cost_later(self, row: int, generation_id: str, *, sweep: bool = True) -> None:
        """Look the row's actual cost up with the next sweep (``sweep``: start one when
        enough rows wait)."""
        with self._lock:
            self._uncosted[generation_id] = row
            due = len(self._uncosted) >= COST_SWEEP
        if due and sweep:
            self.sweep_costs()

    def sweep_costs(self) -> None:
        """Fill in the actual costs of finished rows from the hub's history: a few rows at a
        time (every :data:`COST_SWEEP` rows, and at the end), not a request per row."""
        if not self._sweeping.acquire(blocking=False):
            return  # another thread is at it
        try:
            with self._lock:
                wanted = dict(self._uncosted)
            if not wanted:
                return
            since = {gid: self._submitted_at(row) for gid, row in wanted.items()}
            found = history.actual_costs(self.client, self.plan.model_id, since)
            self.journal.costs({wanted[gid]: cost for gid, cost in found.items()})
            with self._lock:
                for gid, cost in found.items():
                    self._uncosted.pop(gid, None)
                    self.progress.spent += cost
        finally:
            self._sweeping.release()

    def _submitted_at(self, row: int) -> float:
        if self.journal.closed:
            return time.time()
        current = self.journal.get(row)
        return current.submitted_at or current.submitting_at or current.created_at

    # -- interruption ---------------------------------------------------------------------
    def cancel_in_flight(self) -> None:
        """Ask the hub to cancel every job of the batch in flight (``--cancel-on-interrupt``)."""
        for current in self.journal.rows():
            if current.state not in IN_FLIGHT or current.generation_id is None:
                continue
            job = self.client.job(current.generation_id, model=self.plan.model_id)
            try:
                job.cancel()
            except SchemadriveError as exc:
                log.warning("could not cancel %s: %s", job.id, exc)
                continue
            self.journal.set_state(current.row, "cancelled", error="cancelled on interrupt")

    def wait_for_submits(self, timeout: float) -> None:
        """Let submits already on the wire journal their id (at most ``timeout`` s)."""
        with self._idle:
            self._idle.wait_for(lambda: self._submitting == 0, timeout)
