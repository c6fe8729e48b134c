"""The :class:`Job` handle: one queued generation, its status, the wait for it, its cancel.

A job comes from ``client.submit()`` / ``client.submit_many()``, or from
``client.job(generation_id)`` to re-attach after a restart. Waiting:

* ``job.iter_status()`` polls with capped exponential backoff and jitter, honouring the hub's
  ``Retry-After``, and yields each observation: a generator with a deadline;
* ``job.wait()`` returns the :class:`~schemadrive.dispatch.results.Result`, or raises
  JobFailed (with the hub's message), JobCancelled, or JobTimeout carrying the generation
  id, so a paid job is never lost; by default it waits on the shared event stream and
  polls slowly beside it (cancelled jobs get no event), or polls only when the hub has no
  stream.

A Job talks to a :class:`JobBackend` (the dispatcher implements it) and imports nothing above
itself. All times are in seconds. The clock and sleep are the client's dispatcher's
(``client.dispatcher.clock`` / ``.sleep``), so tests can drive them.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Literal, Protocol

from ..exceptions import JobCancelled, JobFailed, JobNotFound, JobTimeout, SchemadriveError
from ..hub.retry import Backoff, Deadline
from ..hub.status import JobState, Status
from .polling import deadline_for, poll
from .results import Result

if TYPE_CHECKING:
    from ..hub.providers import Provider
    from .config import DispatchSettings
    from .downloads import Downloader
    from .lookup import Outcome
    from .polling import Notice
    from .progress import ProgressLine

__all__ = ["Job", "JobBackend", "Via", "gone_error", "status_changed"]

log = logging.getLogger("schemadrive")

Via = Literal["auto", "events", "poll"]


class JobBackend(Protocol):
    """What a Job needs from the client's dispatcher."""

    provider: Provider
    settings: DispatchSettings
    clock: Callable[[], float]
    sleep: Callable[[float], None]

    @property
    def downloader(self) -> Downloader: ...

    def fetch_state(self, generation_id: str, *, deadline: Deadline | None = None) -> JobState: ...

    def cancel(self, generation_id: str) -> JobState | None: ...

    def backoff(
        self, interval: float | None = None, max_interval: float | None = None
    ) -> Backoff: ...

    def iter_finished(
        self, jobs: Iterable[Job], *, timeout: float | None, via: Via,
        progress: bool | ProgressLine, on_status: Callable[[JobState], None] | None,
    ) -> Iterator[Job]: ...  # fmt: skip


def status_changed(previous: JobState | None, state: JobState) -> bool:
    """The one rule for "the status changed": a new status, or a new word for it."""
    return previous is None or (previous.status, previous.raw_status) != (
        state.status,
        state.raw_status,
    )


def gone_error(generation_id: str, cause: JobNotFound | None = None) -> JobNotFound:
    """The error for a job that existed and now answers 404 (the hub's legacy form)."""
    error = JobNotFound(generation_id, url=cause.url if cause else None)
    error.args = (
        f"job {generation_id} existed, but the hub now answers 404 for it: on the hub's legacy "
        "contract a job leaves the queue when it ends (docs/hub-contract.md §10), so it has "
        "finished (succeeded, failed or expired) and polling can no longer read its result. "
        "Wait via events (the completion event carries the result) or look it up in the hub's "
        "history.",
    )
    return error


class Job:
    """One queued generation. ``id`` is the hub's generation id; ``model`` the model id."""

    def __init__(
        self,
        backend: JobBackend,
        generation_id: str,
        *,
        model: str | None = None,
        state: JobState | None = None,
        known: bool = False,
    ) -> None:
        self.id = generation_id
        self.model = model
        self._backend = backend
        self._state = state
        self._outcome: Outcome | None = None
        # created by our own submit (so a later 404 means "finished and gone", not "no such job")
        self._known = known
        #: not known to be covered by the event stream: a wait polls it once before trusting
        #: the stream (set by the submit, cleared by the first poll)
        self.needs_check = True

    @property
    def generation_id(self) -> str:
        return self.id

    @property
    def _gone_means_finished(self) -> bool:
        """A 404 for this job means it ended: we created it, on a hub with that legacy form."""
        return self._known and self._backend.provider.legacy_404_when_finished

    @property
    def state(self) -> JobState | None:
        """The last observed state (None before the first)."""
        return self._state

    @property
    def outcome(self) -> Outcome | None:
        """How the job ended (a terminal JobState, or JobNotFound), None while running."""
        return self._outcome

    @property
    def done(self) -> bool:
        """True once the job is known to have ended (the result or error is then at hand)."""
        return self._outcome is not None

    def __repr__(self) -> str:
        word = self._state.word if self._state else "unknown"
        return f"Job({self.id!r}, model={self.model!r}, status={word!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Job) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    # -- reading ----------------------------------------------------------------------------
    def status(self, *, deadline: Deadline | None = None) -> JobState:
        """The job's state now (one request). JobNotFound if the hub does not know it."""
        try:
            state = self._backend.fetch_state(self.id, deadline=deadline)
        except JobNotFound as exc:
            if self._gone_means_finished:
                self._outcome = exc
                raise gone_error(self.id, exc) from None
            raise
        self.settle(state)
        return state

    def iter_status(
        self,
        *,
        interval: float | None = None,
        max_interval: float | None = None,
        timeout: float | None = None,
    ) -> Iterator[JobState]:
        """Poll until the job ends, yielding every observation; the last one is terminal.

        Waits ``interval`` seconds (default 2), then longer each time up to ``max_interval``
        (default 30), with jitter; a 429's ``Retry-After`` is honoured. Unknown status words
        are not terminal. Raises JobTimeout (with the generation id) after ``timeout``
        seconds (None: the client's default, one hour), JobNotFound for a job the hub does
        not know (or no longer knows: the legacy 404 for a finished job).
        """
        b = self._backend
        deadline = deadline_for(timeout, b.settings, b.clock)
        return self.poll(deadline, b.backoff(interval, max_interval))

    def poll(
        self,
        deadline: Deadline,
        backoff: Backoff,
        *,
        tick: Callable[[], None] | None = None,
        notice: Notice | None = None,
    ) -> Iterator[JobState]:
        """The polling loop for this job (:func:`~schemadrive.dispatch.polling.poll`)."""
        b = self._backend
        return poll(
            lambda bound: (self.status(deadline=bound),),
            deadline=deadline, backoff=backoff, settings=b.settings, sleep=b.sleep,
            done=lambda: self.done, timeout_error=lambda: self.timeout_error(deadline),
            tick=tick, notice=notice,
        )  # fmt: skip

    # -- waiting ----------------------------------------------------------------------------
    def wait(
        self,
        timeout: float | None = None,
        *,
        via: Via = "auto",
        progress: bool | ProgressLine = False,
        on_status: Callable[[JobState], None] | None = None,
        cancel_on_timeout: bool = False,
    ) -> Result:
        """Wait for the job to end and return its Result.

        ``timeout``: seconds (None: the client's default, one hour; ``math.inf``: none); the
        wait, its retries and every request end by it. ``via``: ``"events"`` (the shared
        event stream, plus a slow poll to notice cancellation), ``"poll"``, or ``"auto"``
        (events when the hub has a stream and it opens, else polling). ``progress``: a live
        line on standard error when it is a terminal, or a ProgressLine of the caller's
        (ticked at least once a second). ``on_status``: called with each new
        JobState. ``cancel_on_timeout``: cancel the job before raising JobTimeout.

        Raises JobFailed (``.message`` is the hub's), JobCancelled, JobTimeout
        (``.generation_id``; the job may still be running), JobNotFound, StreamError
        (``via="events"`` only), or a HubError/NetworkError that retries did not cure (a hub
        that never answered is given up on after ``settings.unreachable_timeout``).
        """
        if self._outcome is None:
            try:
                for _ in self._backend.iter_finished(
                    [self], timeout=timeout, via=via, progress=progress, on_status=on_status
                ):
                    pass
            except JobTimeout as exc:
                if not cancel_on_timeout:
                    raise
                error = self._cancel_after_timeout(exc)
                if not self.done or error.cancelled:
                    raise error from exc
                # it ended just as the deadline passed: its result (or error) stands
        return self.result()

    def result(self) -> Result:
        """The Result of a job that has ended (raise its error); wait() first otherwise."""
        outcome = self._outcome
        if outcome is None:
            raise ValueError(f"job {self.id} has not ended yet: call wait() first")
        if isinstance(outcome, JobNotFound):
            raise (
                gone_error(self.id, outcome)
                if self._gone_means_finished
                else JobNotFound(self.id, url=outcome.url)
            )
        if outcome.status is Status.SUCCEEDED:
            return Result.from_state(outcome, downloader=self._backend.downloader)
        if outcome.status is Status.FAILED:
            raise JobFailed(self.id, outcome.error, model=self.model)
        raise JobCancelled(self.id, model=self.model)

    def cancel(self) -> JobState | None:
        """Ask the hub to cancel the job; its state afterwards. A job that already ended is
        left as it is (the hub ignores the request)."""
        state = self._backend.cancel(self.id)
        if state is not None:
            self.settle(state)
        return state

    # -- what waiters tell the job ----------------------------------------------------------
    def settle(self, outcome: Outcome | JobState) -> bool:
        """Note an observation (a state, or JobNotFound: gone); True when the status changed.

        Waiters (``Job.poll``, :mod:`~schemadrive.dispatch.waiting`, an async waiter) call it
        with what they learn; a terminal state or JobNotFound ends the job.
        """
        if isinstance(outcome, JobNotFound):
            if self._outcome is None:
                self._outcome = outcome
                return True
            return False
        previous = self._state
        self._state = outcome
        if self.model is None and outcome.model:
            self.model = outcome.model
        if outcome.terminal and self._outcome is None:
            self._outcome = outcome
        return status_changed(previous, outcome)

    def timeout_error(self, deadline: Deadline, *, cancelled: bool = False) -> JobTimeout:
        """The JobTimeout for this job at ``deadline`` (its id and last status on it)."""
        last = self._state.word if self._state else None
        timeout = None if math.isinf(deadline.timeout) else deadline.timeout
        return JobTimeout(
            self.id, timeout=timeout, last_status=last, cancelled=cancelled, model=self.model
        )

    def _cancel_after_timeout(self, exc: JobTimeout) -> JobTimeout:
        try:
            state = self.cancel()
        except SchemadriveError as error:
            log.warning("could not cancel %s after its deadline: %s", self.id, error)
            return exc
        cancelled = state is None or state.status is Status.CANCELLED
        return JobTimeout(
            self.id, timeout=exc.timeout, last_status=exc.last_status, cancelled=cancelled,
            model=self.model,
        )  # fmt: skip
