"""The job engine shared by every hub flavour: a state machine on a clock.

A job is enqueued, stays ``queued`` for the first half of its ``seconds``, is ``processing``
for the second half and ends ``succeeded`` at ``enqueued_at + seconds``. When it starts, its
parameters are checked (the hub checks late); a job that breaks its model's schema, or that a
test scripted to fail, ends ``failed`` with an ``error_message``. ``cancelled`` jobs end at once.

Transitions happen in :meth:`JobEngine.tick`, which runs on every read, after every submit,
after a manual clock advances, and (wall clock only) on a background thread, so what a reply
says always matches the clock. Timestamps are the scheduled times, not the time of the tick.
Status words here are the internal ones (Oxen's); a flavour renames them for its wire format.
"""

from __future__ import annotations

import collections
import dataclasses
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from .clock import Clock

__all__ = ["ACTIVE", "TERMINAL", "Job", "JobEngine", "JobHooks"]

ACTIVE = frozenset({"queued", "processing"})
TERMINAL = frozenset({"succeeded", "failed", "cancelled"})


@dataclass
class Job:
    """One generation as the hub keeps it. All times are Unix seconds.

    ``params`` are the request parameters as sent, without ``model``; ``seconds`` is how long
    the job takes from enqueue to its end; ``sync`` marks a job made by a synchronous endpoint.
    """

    id: str
    model: str
    media_type: str
    params: dict[str, Any]
    seconds: float
    enqueued_at: float
    status: str = "queued"
    started_at: float | None = None
    completed_at: float | None = None
    result_url: str | None = None
    thumbnail_url: str | None = None
    error_message: str | None = None
    sync: bool = False
    namespace: str = "test-user"
    #: what the job costs when it succeeds, as a decimal string (None: free or unknown)
    cost: str | None = None
    #: a scripted failure: the message the job fails with when it would have succeeded
    fail_with: str | None = field(default=None, repr=False)

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL

    @property
    def starts_at(self) -> float:
        return self.enqueued_at + self.seconds / 2

    @property
    def ends_at(self) -> float:
        return self.enqueued_at + self.seconds

    @property
    def updated_at(self) -> float:
        """The time of the last transition."""
        return self.completed_at or self.started_at or self.enqueued_at

    def snapshot(self) -> Job:
        """A copy that later transitions do not change."""
        return dataclasses.replace(self, params=dict(self.params))


class JobHooks(Protocol):
    """What a hub flavour does at each transition (called with the engine's lock held)."""

    def check(self, job: Job) -> str | None:
        """The error message if the job's parameters break its model's schema, else None."""

    def started(self, job: Job) -> None:
        """The job went to ``processing``."""

    def succeeded(self, job: Job) -> None:
        """The job is about to end ``succeeded``: set its ``result_url`` (and thumbnail)."""

    def finished(self, job: Job) -> None:
        """The job ended ``succeeded`` or ``failed`` (never called for ``cancelled``)."""


class JobEngine:
    """Every job of one hub, their transitions, and waits on them. Thread-safe."""

    def __init__(self, clock: Clock, hooks: JobHooks, *, namespace: str = "test-user") -> None:
        self.clock = clock
        self.hooks = hooks
        self.namespace = namespace
        self._jobs: dict[str, Job] = {}
        self._scripted: collections.deque[str] = collections.deque()
        self._cond = threading.Condition()
        self._closed = False
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------
    def start(self) -> None:
        """Run transitions on a background thread (wall clock only)."""
        self._closed = False
        if self.clock.manual or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="localhub-jobs", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the background thread and release every waiter."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _run(self) -> None:
        with self._cond:
            while not self._closed:
                self._tick_locked()
                due = self._next_due_locked()
                wait = 1.0 if due is None else min(1.0, max(0.0, due - self.clock.now()))
                self._cond.wait(timeout=wait)

    # -- submitting and scripting ---------------------------------------------------------
    def submit(
        self,
        *,
        model: str,
        media_type: str,
        params: dict[str, Any],
        seconds: float,
        sync: bool = False,
        cost: str | None = None,
    ) -> Job:
        """Enqueue a job; return a snapshot of it (already finished when ``seconds`` is 0)."""
        with self._cond:
            job = Job(
                id=str(uuid.uuid4()),
                model=model,
                media_type=media_type,
                params=dict(params),
                seconds=max(0.0, float(seconds)),
                enqueued_at=self.clock.now(),
                sync=sync,
                namespace=self.namespace,
                cost=cost,
                fail_with=self._scripted.popleft() if self._scripted else None,
            )
            self._jobs[job.id] = job
            self._tick_locked()
            self._cond.notify_all()
            return job.snapshot()

    def fail_next(self, message: str, count: int = 1) -> None:
        """The next ``count`` jobs submitted end ``failed`` with ``message``."""
        with self._cond:
            self._scripted.extend([message] * count)

    def fail(self, job_id: str, message: str) -> None:
        """The job ends ``failed`` with ``message`` when it would have succeeded."""
        with self._cond:
            job = self._jobs.get(job_id)
            if job is None:
                raise KeyError(job_id)
            if job.terminal:
                raise ValueError(f"job {job_id} has already ended {job.status}")
            job.fail_with = message

    def cancel(self, job_id: str) -> Job | None:
        """Cancel an active job (a finished one is left as it is); None if unknown."""
        with self._cond:
            self._tick_locked()
            job = self._jobs.get(job_id)
            if job is None:
                return None
            if not job.terminal:
                job.status = "cancelled"
                job.completed_at = self.clock.now()
                self._cond.notify_all()
            return job.snapshot()

    # -- reading --------------------------------------------------------------------------
    def get(self, job_id: str) -> Job | None:
        """A snapshot of one job, or None."""
        with self._cond:
            self._tick_locked()
            job = self._jobs.get(job_id)
            return job.snapshot() if job else None

    def all(self) -> list[Job]:
        """Snapshots of every job, in submission order."""
        with self._cond:
            self._tick_locked()
            return [job.snapshot() for job in self._jobs.values()]

    def wait_for(self, predicate: Callable[[list[Job]], bool], timeout: float) -> bool:
        """Block until ``predicate(jobs)`` is true (True) or ``timeout`` seconds pass (False)."""
        with self._cond:
            return (
                self._cond.wait_for(
                    lambda: self._closed or predicate(list(self._jobs.values())), timeout
                )
                and not self._closed
            )

    def wait_finished(self, job_id: str, timeout: float | None = None) -> Job | None:
        """Block until the job is terminal; a snapshot, or None on timeout or shutdown."""

        def done() -> bool:
            self._tick_locked()
            job = self._jobs.get(job_id)
            return self._closed or job is None or job.terminal

        with self._cond:
            if not self._cond.wait_for(done, timeout) or self._closed:
                return None
            job = self._jobs.get(job_id)
            return job.snapshot() if job else None

    # -- time -----------------------------------------------------------------------------
    def advance(self, seconds: float) -> None:
        """Move a manual clock forward and run every transition now due."""
        with self._cond:
            self.clock.advance(seconds)
            self._tick_locked()

    def finish_all(self) -> None:
        """Advance a manual clock until every job in flight has ended."""
        with self._cond:
            self._tick_locked()
            ends = [job.ends_at for job in self._jobs.values() if not job.terminal]
            if ends:
                self.advance(max(0.0, max(ends) - self.clock.now()))

    def tick(self) -> None:
        """Run every transition due by now."""
        with self._cond:
            self._tick_locked()

    def _due_locked(self) -> list[tuple[float, int, Job]]:
        """(time of the next transition, submission order, job) of every job in flight."""
        return [
            (job.starts_at if job.status == "queued" else job.ends_at, order, job)
            for order, job in enumerate(self._jobs.values())
            if not job.terminal
        ]

    def _next_due_locked(self) -> float | None:
        due = self._due_locked()
        return min(due)[0] if due else None

    def _tick_locked(self) -> None:
        now = self.clock.now()
        changed = False
        # One transition at a time, earliest first, so hooks and events see them in order.
        while True:
            due = [entry for entry in self._due_locked() if entry[0] <= now]
            if not due:
                break
            changed = True
            job = min(due, key=lambda entry: entry[:2])[2]
            if job.status == "queued":
                job.status, job.started_at = "processing", job.starts_at
                problem = self.hooks.check(job)
                self.hooks.started(job)
                if problem is not None:
                    self._end(job, "failed", job.starts_at, problem)
            elif job.fail_with is not None:
                self._end(job, "failed", job.ends_at, job.fail_with)
            else:
                self.hooks.succeeded(job)
                self._end(job, "succeeded", job.ends_at, None)
        if changed:
            self._cond.notify_all()

    def _end(self, job: Job, status: str, at: float, error: str | None) -> None:
        job.status, job.completed_at, job.error_message = status, at, error
        self.hooks.finished(job)
