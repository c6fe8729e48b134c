"""Waiting for many jobs at once: :func:`iter_finished` yields each job as it ends.

Behind ``Job.wait()``, ``client.as_completed()`` and ``client.wait_all()``.

* **Events** (the hub has a stream): every job waits on the client's one shared listener, so
  200 jobs cost one connection. Jobs the stream may have missed (re-attached ones, or ones
  submitted across a reconnect) are polled once first; then every ``reconcile_interval``
  seconds the open jobs are polled together (one list request plus one per finished job),
  because a cancelled job gets no event. If the listener gives up, ``via="auto"`` goes on
  by polling and ``via="events"`` raises StreamError.
* **Polling** (no stream, or ``via="poll"``): one job is polled with its own backoff
  (``Job.iter_status``); several are polled together, a round per backoff step.

Every wait has a deadline (JobTimeout names the jobs still running).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from ..exceptions import (
    ConfigurationError,
    JobNotFound,
    JobTimeout,
    RateLimited,
    SchemadriveError,
    StreamError,
)
from ..hub.status import JobState
from .job import deadline_for, is_transient
from .progress import ProgressLine
from .retry import Deadline

if TYPE_CHECKING:
    from .dispatcher import Dispatcher
    from .job import Job, Via
    from .listener import EventListener, Outcome

__all__ = ["iter_finished"]

log = logging.getLogger("schemadrive")

#: With a progress line, wake at least this often (seconds) to redraw the elapsed time.
_TICK = 1.0


class _Observer:
    """Passes new states to ``on_status`` and the progress line."""

    def __init__(self, total: int, on_status: Callable[[JobState], None] | None, progress: bool,
                 clock: Callable[[], float]) -> None:  # fmt: skip
        self.on_status = on_status
        self.line = ProgressLine(total, clock=clock) if progress else None
        self._seen: dict[str, tuple[object, str]] = {}
        self._finished: set[str] = set()

    def settle(self, job: Job, outcome: Outcome) -> None:
        job._settle(outcome)
        if isinstance(outcome, JobState):
            key = (outcome.status, outcome.raw_status)
            if self._seen.get(job.id) != key:
                self._seen[job.id] = key
                if self.on_status is not None:
                    self.on_status(outcome)
                if self.line is not None:
                    self.line.update(outcome)
        if job.done and job.id not in self._finished:
            self._finished.add(job.id)
            if self.line is not None and job.state is not None:
                self.line.finished(job.state)

    def tick(self) -> None:
        if self.line is not None:
            self.line.tick()

    def close(self) -> None:
        if self.line is not None:
            self.line.close()


def _timeout_error(pending: dict[str, Job], deadline: Deadline) -> JobTimeout:
    jobs = list(pending.values())
    error = jobs[0]._timeout(deadline)
    if len(jobs) > 1:
        after = "" if math.isinf(deadline.timeout) else f" after {deadline.timeout:g} s"
        shown = ", ".join(job.id for job in jobs[:20]) + (", ..." if len(jobs) > 20 else "")
        error.args = (
            f"{len(jobs)} jobs did not finish{after}: {shown}; they may still finish: resume "
            "with client.job(generation_id).wait()",
        )
    error.pending = [job.id for job in jobs]
    return error


def iter_finished(
    dispatcher: Dispatcher,
    jobs: Iterable[Job],
    *,
    timeout: float | None = None,
    via: Via = "auto",
    progress: bool = False,
    on_status: Callable[[JobState], None] | None = None,
) -> Iterator[Job]:
    """Yield each of ``jobs`` once, as it ends (succeeded, failed, cancelled or gone)."""
    if via not in ("auto", "events", "poll"):
        raise ConfigurationError(f"via must be 'auto', 'events' or 'poll', not {via!r}")
    deadline = deadline_for(timeout, dispatcher.settings, dispatcher.clock)
    pending: dict[str, Job] = {}
    for job in jobs:
        pending.setdefault(job.id, job)
    observer = _Observer(len(pending), on_status, progress, dispatcher.clock)
    try:
        for job in [job for job in pending.values() if job.done]:
            del pending[job.id]
            observer.settle(job, job._final)  # type: ignore[arg-type]
            yield job
        mode = via
        if mode == "auto":
            mode = "events" if dispatcher.provider.has_events else "poll"
        if mode == "events" and pending:
            listener = dispatcher.watch(pending.values(), timeout=deadline.remaining())
            if listener is None:
                if via == "events":
                    failure = getattr(dispatcher.listener(), "failure", None)
                    raise StreamError(
                        f"no event stream to wait on: {failure or 'this hub has none'}"
                    )
            else:
                yield from _via_events(
                    dispatcher, listener, pending, deadline, observer, strict=via == "events"
                )
        if pending:
            yield from _via_poll(dispatcher, pending, deadline, observer)
    finally:
        observer.close()


def _apply(outcomes: dict[str, Outcome], pending: dict[str, Job], observer: _Observer) -> list[Job]:
    finished = []
    for generation_id, outcome in outcomes.items():
        job = pending.get(generation_id)
        if job is None:
            continue
        job._needs_check = False
        observer.settle(job, outcome)
        if job.done:
            finished.append(pending.pop(generation_id))
    return finished


def _via_events(
    dispatcher: Dispatcher,
    listener: EventListener,
    pending: dict[str, Job],
    deadline: Deadline,
    observer: _Observer,
    *,
    strict: bool,
) -> Iterator[Job]:
    interval = dispatcher.settings.reconcile_interval
    unchecked = [job.id for job in pending.values() if job._needs_check]
    next_poll = dispatcher.clock() + interval
    if unchecked:
        next_poll = dispatcher.clock()  # poll them at once, below
    while pending:
        if dispatcher.clock() >= next_poll:
            ids = unchecked or list(pending)
            retry = interval
            try:
                outcomes = dispatcher.reconcile(ids)
            except SchemadriveError as exc:
                if not is_transient(exc):
                    raise
                log.debug(
                    "polling %d job(s) failed (%s); the stream is still watched", len(ids), exc
                )
                outcomes = {}
                retry = min(interval, dispatcher.settings.max_poll_interval)
            else:
                unchecked = []
                listener.record(outcomes)
            yield from _apply(outcomes, pending, observer)
            next_poll = dispatcher.clock() + retry
            if not pending:
                return
        if deadline.expired:
            raise _timeout_error(pending, deadline)
        wait = min(deadline.remaining(), max(0.0, next_poll - dispatcher.clock()))
        if observer.line is not None:
            wait = min(wait, _TICK)
        found = listener.take(list(pending), wait)
        yield from _apply(dict(found), pending, observer)
        observer.tick()
        if listener.failure is not None or listener.stopped:
            if strict and pending:
                reason = listener.failure or "the client was closed"
                raise StreamError(
                    f"the event stream ended ({reason}); {len(pending)} job(s) still running: "
                    + ", ".join(list(pending)[:20])
                ) from listener.failure
            return  # via="auto": polling takes over


def _via_poll(dispatcher: Dispatcher, pending: dict[str, Job], deadline: Deadline,
              observer: _Observer) -> Iterator[Job]:  # fmt: skip
    backoff = dispatcher.backoff()
    if len(pending) == 1:
        (job,) = pending.values()
        try:
            for state in job._poll(deadline, backoff):
                observer.settle(job, state)
        except JobNotFound as exc:  # yielded like any other end; job.wait() raises it
            observer.settle(job, job._final if isinstance(job._final, JobNotFound) else exc)
        pending.clear()
        yield job
        return
    failures = 0
    while pending:
        retry_after: float | None = None
        try:
            outcomes = dispatcher.reconcile(list(pending))
            failures = 0
        except SchemadriveError as exc:
            failures += 1
            if not is_transient(exc) or failures > dispatcher.settings.poll_failures:
                raise
            retry_after = exc.retry_after if isinstance(exc, RateLimited) else None
            outcomes = {}
        yield from _apply(outcomes, pending, observer)
        if not pending:
            return
        if deadline.expired:
            raise _timeout_error(pending, deadline)
        observer.tick()
        dispatcher.sleep(deadline.clamp(backoff.next(retry_after)))
