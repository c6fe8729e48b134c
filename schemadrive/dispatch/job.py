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

All times are in seconds. The clock and sleep are the client's dispatcher's (``client.dispatcher
.clock`` / ``.sleep``), so tests can drive them.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Literal

from ..exceptions import (
    ConfigurationError,
    HubError,
    JobCancelled,
    JobFailed,
    JobNotFound,
    JobTimeout,
    NetworkError,
    RateLimited,
    SchemadriveError,
)
from ..hub.status import JobState, Status
from .results import Result
from .retry import Backoff, Deadline

if TYPE_CHECKING:
    from .dispatcher import Dispatcher, DispatchSettings
    from .listener import Outcome

__all__ = ["Job", "Via", "deadline_for", "gone_error", "is_transient"]

log = logging.getLogger("schemadrive")

Via = Literal["auto", "events", "poll"]


def deadline_for(
    timeout: float | None, settings: DispatchSettings, clock: Callable[[], float]
) -> Deadline:
    """``timeout`` seconds from now; ``None`` means the settings' default (one hour)."""
    if timeout is None:
        return Deadline(settings.default_timeout, clock=clock)
    try:
        seconds = float(timeout)
    except (TypeError, ValueError):
        message = f"a timeout must be a number of seconds, not {timeout!r}"
        raise ConfigurationError(message) from None
    return Deadline(seconds, clock=clock)


def is_transient(error: BaseException) -> bool:
    """A failed poll worth trying again: the network, a 5xx, or a rate limit."""
    if isinstance(error, (NetworkError, RateLimited)):
        return True
    return isinstance(error, HubError) and (error.status is None or error.status >= 500)


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
        dispatcher: Dispatcher,
        generation_id: str,
        *,
        model: str | None = None,
        state: JobState | None = None,
        known: bool = False,
    ) -> None:
        self.id = generation_id
        self.model = model
        self._dispatcher = dispatcher
        self._state = state
        self._final: Outcome | None = None
        # created by our own submit (so a later 404 means "finished and gone", not "no such job")
        self._known = known
        # not known to be covered by the event stream: poll once before trusting it
        self._needs_check = True

    @property
    def generation_id(self) -> str:
        return self.id

    @property
    def _gone_means_finished(self) -> bool:
        """A 404 for this job means it ended: we created it, on a hub with that legacy form."""
        return self._known and self._dispatcher.provider.legacy_404_when_finished

    @property
    def state(self) -> JobState | None:
        """The last observed state (None before the first)."""
        return self._state

    @property
    def done(self) -> bool:
        """True once the job is known to have ended (the result or error is then at hand)."""
        return self._final is not None

    def __repr__(self) -> str:
        word = self._state.word if self._state else "unknown"
        return f"Job({self.id!r}, model={self.model!r}, status={word!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Job) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    # -- reading ----------------------------------------------------------------------------
    def status(self) -> JobState:
        """The job's state now (one request). JobNotFound if the hub does not know it."""
        try:
            state = self._dispatcher.fetch_state(self.id)
        except JobNotFound as exc:
            if self._gone_means_finished:
                self._final = exc
                raise gone_error(self.id, exc) from None
            raise
        self._observe(state)
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
        d = self._dispatcher
        return self._poll(
            deadline_for(timeout, d.settings, d.clock), d.backoff(interval, max_interval)
        )

    def _poll(self, deadline: Deadline, backoff: Backoff) -> Iterator[JobState]:
        d = self._dispatcher
        failures = 0
        while True:
            retry_after: float | None = None
            state: JobState | None = None
            try:
                state = self.status()
                failures = 0
            except SchemadriveError as exc:
                if not is_transient(exc):
                    raise
                failures += 1
                if failures > d.settings.poll_failures:
                    raise
                retry_after = exc.retry_after if isinstance(exc, RateLimited) else None
                log.debug("polling %s failed (%s); trying again", self.id, exc)
            if state is not None:
                yield state
                if state.terminal:
                    return
            if deadline.expired:
                raise self._timeout(deadline)
            d.sleep(deadline.clamp(backoff.next(retry_after)))

    # -- waiting ----------------------------------------------------------------------------
    def wait(
        self,
        timeout: float | None = None,
        *,
        via: Via = "auto",
        progress: bool = False,
        on_status: Callable[[JobState], None] | None = None,
        cancel_on_timeout: bool = False,
    ) -> Result:
        """Wait for the job to end and return its Result.

        ``timeout``: seconds (None: the client's default, one hour; ``math.inf``: none).
        ``via``: ``"events"`` (the shared event stream, plus a slow poll to notice
        cancellation), ``"poll"``, or ``"auto"`` (events when the hub has a stream and it
        opens, else polling). ``progress``: a live line on standard error when it is a
        terminal. ``on_status``: called with each new JobState. ``cancel_on_timeout``:
        cancel the job before raising JobTimeout.

        Raises JobFailed (``.message`` is the hub's), JobCancelled, JobTimeout
        (``.generation_id``; the job may still be running), JobNotFound, StreamError
        (``via="events"`` only), or a HubError/NetworkError that retries did not cure.
        """
        if self._final is None:
            from .waiting import iter_finished

            try:
                for _ in iter_finished(
                    self._dispatcher, [self], timeout=timeout, via=via,
                    progress=progress, on_status=on_status,
                ):  # fmt: skip
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
        outcome = self._final
        if outcome is None:
            raise ValueError(f"job {self.id} has not ended yet: call wait() first")
        if isinstance(outcome, JobNotFound):
            raise (
                gone_error(self.id, outcome)
                if self._gone_means_finished
                else JobNotFound(self.id, url=outcome.url)
            )
        if outcome.status is Status.SUCCEEDED:
            return Result.from_state(outcome, downloader=self._dispatcher.downloader)
        if outcome.status is Status.FAILED:
            raise JobFailed(self.id, outcome.error, model=self.model)
        raise JobCancelled(self.id, model=self.model)

    def cancel(self) -> JobState | None:
        """Ask the hub to cancel the job; its state afterwards. A job that already ended is
        left as it is (the hub ignores the request)."""
        state = self._dispatcher.cancel(self.id)
        if state is not None:
            self._observe(state)
        return state

    # -- bookkeeping ------------------------------------------------------------------------
    def _observe(self, state: JobState) -> bool:
        """Note a new observation; True when the status changed."""
        previous = self._state
        self._state = state
        if self.model is None and state.model:
            self.model = state.model
        if state.terminal:
            self._final = state
        return previous is None or (previous.status, previous.raw_status) != (
            state.status,
            state.raw_status,
        )

    def _settle(self, outcome: Outcome) -> bool:
        """Note an outcome from a poll or the stream; True when the status changed."""
        if isinstance(outcome, JobNotFound):
            if self._final is None:
                self._final = outcome
            return True
        return self._observe(outcome)

    def _timeout(self, deadline: Deadline, *, cancelled: bool = False) -> JobTimeout:
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
