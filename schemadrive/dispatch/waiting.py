"""Waiting for many jobs at once: :func:`iter_finished` yields each job as it ends.

Behind ``Job.wait()``, ``client.as_completed()`` and ``client.wait_all()``.

* **Events** (the hub has a stream): every job waits on the client's one shared listener, so
  200 jobs cost one connection. Jobs the stream may have missed (re-attached ones, or ones
  submitted while it was not open) are polled once first; then every ``reconcile_interval``
  seconds the open jobs are polled together (one list request plus one per finished job),
  because a cancelled job gets no event. If the listener gives up, ``via="auto"`` goes on
  by polling and ``via="events"`` raises StreamError.
* **Polling** (no stream, or ``via="poll"``): rounds of the one polling loop
  (:func:`~schemadrive.dispatch.polling.poll`); a round asks about every open job in
  parallel and each job is yielded as soon as its end is known.

Every wait has a deadline (JobTimeout names the jobs still running), and every request made
for it ends by that deadline. A progress line ticks at least once a second and says when the
hub or its stream is unreachable.
"""

from __future__ import annotations

import datetime
import logging
import math
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from ..exceptions import ConfigurationError, JobTimeout, SchemadriveError, StreamError
from ..hub.retry import Deadline
from ..hub.status import JobState
from .polling import TICK, deadline_for, is_transient, poll
from .progress import ProgressLine

if TYPE_CHECKING:
    from .dispatcher import Dispatcher
    from .job import Job, Via
    from .listener import EventListener
    from .lookup import Outcome

__all__ = ["iter_finished", "pending_timeout"]

log = logging.getLogger("schemadrive")


class _Observer:
    """Settles jobs and passes each change to ``on_status`` and the progress line."""

    def __init__(self, total: int, on_status: Callable[[JobState], None] | None,
                 progress: bool | ProgressLine, clock: Callable[[], float]) -> None:  # fmt: skip
        self.on_status = on_status
        self._own_line = not isinstance(progress, ProgressLine)  # the caller's: not closed
        if isinstance(progress, ProgressLine):
            self.line: ProgressLine | None = progress
        else:
            self.line = ProgressLine(total, clock=clock) if progress else None
        self._finished: set[str] = set()
        self._reported: set[str] = set()

    def settle(self, job: Job, outcome: Outcome) -> None:
        was_done = job.done
        changed = job.settle(outcome)  # the job decides whether its status changed
        first = job.id not in self._reported  # this wait's first sight of it is news too
        if (changed or first) and isinstance(outcome, JobState):
            self._reported.add(job.id)
            if self.on_status is not None:
                self.on_status(outcome)
            if self.line is not None:
                self.line.update(outcome, changed=True)
        if (job.done or was_done) and job.id not in self._finished:
            self._finished.add(job.id)
            if self.line is not None and job.state is not None:
                self.line.finished(job.state)

    @property
    def tick(self) -> Callable[[], None] | None:
        return self.line.tick if self.line is not None else None

    def notice(self, text: str | None) -> None:
        if text:
            log.info("waiting: %s", text)
        if self.line is not None:
            self.line.note(text)

    def close(self) -> None:
        if self.line is not None and self._own_line:
            self.line.close()


def pending_timeout(pending: dict[str, Job], deadline: Deadline) -> JobTimeout:
    """The JobTimeout of a wait on ``pending`` (by id) at ``deadline``; ``.pending`` lists them."""
    jobs = list(pending.values())
    error = jobs[0].timeout_error(deadline)
    if len(jobs) > 1:
        after = "" if math.isinf(deadline.timeout) else f" after {deadline.timeout:g} s"
        shown = ", ".join(job.id for job in jobs[:20]) + (", ..." if len(jobs) > 20 else "")
        error.args = (
            f"{len(jobs)} jobs did not finish{after}: {shown}; they may still finish: resume "
            "with client.job(generation_id).wait()",
        )
    error.pending = [job.id for job in jobs]
    return error


_timeout_error = pending_timeout  # the name schemadrive.aio first used


def iter_finished(
    dispatcher: Dispatcher,
    jobs: Iterable[Job],
    *,
    timeout: float | None = None,
    via: Via = "auto",
    progress: bool | ProgressLine = False,
    on_status: Callable[[JobState], None] | None = None,
) -> Iterator[Job]:
    """Yield each of ``jobs`` once, as it ends (succeeded, failed, cancelled or gone).

    ``progress``: True for a line on standard error (a terminal only), or a ProgressLine of
    the caller's to drive (ticked at least once a second, told of every change and of an
    unreachable hub; not closed here)."""
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
            observer.settle(job, job.outcome)  # type: ignore[arg-type]  # done: not None
            yield job
        mode = via
        if mode == "auto":
            mode = "events" if dispatcher.provider.has_events else "poll"
        unanswered: float | None = None  # the stream never opened: the hub may be down
        if mode == "events" and pending:
            listener = dispatcher.watch(
                pending.values(), timeout=deadline.remaining(), strict=via == "events"
            )
            if listener is None and getattr(dispatcher.listener(), "epoch", 1) == 0:
                unanswered = 0.0
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
            yield from _via_poll(dispatcher, pending, deadline, observer, unanswered)
    finally:
        observer.close()


def _apply(
    outcomes: Iterable[tuple[str, Outcome]], pending: dict[str, Job], observer: _Observer
) -> Iterator[Job]:
    """Settle each outcome as it comes; yield the jobs that ended."""
    for generation_id, outcome in outcomes:
        job = pending.get(generation_id)
        if job is None:
            continue
        job.needs_check = False
        observer.settle(job, outcome)
        if job.done:
            yield pending.pop(generation_id)


def _stream_notice(listener: EventListener, observer: _Observer, shown: list[bool]) -> None:
    """Say once that the stream is reconnecting (and since when), and once that it is back."""
    down = listener.down_since
    if down is not None and not shown[0]:
        since = datetime.datetime.fromtimestamp(down).strftime("%H:%M:%S")
        observer.notice(f"event stream reconnecting since {since}")
        shown[0] = True
    elif down is None and shown[0]:
        observer.notice(None)
        shown[0] = False


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
    unchecked = [job.id for job in pending.values() if job.needs_check]
    next_poll = dispatcher.clock() if unchecked else dispatcher.clock() + interval
    shown = [False]
    while pending:
        if dispatcher.clock() >= next_poll:
            ids = [i for i in unchecked if i in pending] or list(pending)
            retry = interval
            try:
                for generation_id, outcome in dispatcher.iter_reconcile(ids, deadline=deadline):
                    listener.record({generation_id: outcome})
                    yield from _apply([(generation_id, outcome)], pending, observer)
            except SchemadriveError as exc:
                if not is_transient(exc):
                    raise
                log.debug("polling %d job(s) failed (%s); the stream is still watched",
                          len(ids), exc)  # fmt: skip
                retry = min(interval, dispatcher.settings.max_poll_interval)
            else:
                unchecked = []
            next_poll = dispatcher.clock() + retry
            if not pending:
                return
        if deadline.expired:
            raise pending_timeout(pending, deadline)
        wait = min(deadline.remaining(), max(0.0, next_poll - dispatcher.clock()))
        if observer.line is not None:
            wait = min(wait, TICK)
        found = listener.take(list(pending), wait)
        yield from _apply(found.items(), pending, observer)
        _stream_notice(listener, observer, shown)
        if observer.tick is not None:
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
              observer: _Observer, unanswered: float | None = None) -> Iterator[Job]:  # fmt: skip
    def round_(bound: Deadline) -> Iterator[Job]:
        return _apply(dispatcher.iter_reconcile(list(pending), deadline=bound), pending, observer)

    yield from poll(
        round_, deadline=deadline, backoff=dispatcher.backoff(), settings=dispatcher.settings,
        sleep=dispatcher.sleep, done=lambda: not pending,
        timeout_error=lambda: pending_timeout(pending, deadline),
        tick=observer.tick, notice=observer.notice, unanswered_since=unanswered,
    )  # fmt: skip
