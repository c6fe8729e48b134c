"""The one polling loop, for every wait that polls: one job (``Job.iter_status``, ``Job.wait``)
or many (``client.as_completed``, ``wait_all``, and the slow check beside the event stream).

A *round* asks the hub once (one job's status, or a list request plus one status request per
finished job) and yields what it learns as it comes. Between rounds the loop sleeps a
:class:`~schemadrive.hub.retry.Backoff` step, at least the hub's ``Retry-After``, never past
the deadline. Transient failures (network, 5xx, 429) are tried again, up to
``DispatchSettings.poll_failures`` in a row; a hub that has never answered during this wait is
given up on after ``DispatchSettings.unreachable_timeout``. All times are in seconds.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, TypeVar

from ..exceptions import ConfigurationError, HubError, NetworkError, RateLimited, SchemadriveError
from ..hub.retry import Backoff, Deadline

if TYPE_CHECKING:
    from .config import DispatchSettings

__all__ = ["Notice", "deadline_for", "is_transient", "poll", "sleep_ticking"]

log = logging.getLogger("schemadrive")

T = TypeVar("T")

#: Called with a line saying what a wait is doing ("hub unreachable since 12:00:03 ..."), and
#: with None when that is over.
Notice = Callable[[str | None], None]

#: Sleeps are cut into slices this long (seconds) when something shows the elapsed time.
TICK = 1.0


def deadline_for(
    timeout: float | None, settings: DispatchSettings, clock: Callable[[], float]
) -> Deadline:
    """``timeout`` seconds from now; ``None`` means the settings' default (one hour)."""
    if timeout is None:
        return Deadline(settings.default_timeout, clock=clock)
    if isinstance(timeout, bool):
        raise ConfigurationError(f"a timeout must be a number of seconds, not {timeout!r}")
    try:
        seconds = float(timeout)
    except (TypeError, ValueError):
        message = f"a timeout must be a number of seconds, not {timeout!r}"
        raise ConfigurationError(message) from None
    return Deadline(seconds, clock=clock)


def is_transient(error: BaseException) -> bool:
    """A failed poll worth trying again: the network, a 5xx, a rate limit, or a reply that
    could not be read (a 2xx with a broken body is taken as a passing fault)."""
    if isinstance(error, (NetworkError, RateLimited)):
        return True
    return isinstance(error, HubError) and (error.status is None or error.status >= 500
                                            or 200 <= error.status < 300)  # fmt: skip


def sleep_ticking(
    sleep: Callable[[float], None], seconds: float, tick: Callable[[], None] | None
) -> None:
    """Sleep ``seconds``; with ``tick``, in slices of at most :data:`TICK`, ticking after each."""
    if tick is None:
        if seconds > 0:
            sleep(seconds)
        return
    while seconds > 0:
        step = min(seconds, TICK)
        sleep(step)
        seconds -= step
        tick()


def _clock_time() -> str:
    return datetime.datetime.now().strftime("%H:%M:%S")


def poll(
    round_: Callable[[Deadline], Iterable[T]],
    *,
    deadline: Deadline,
    backoff: Backoff,
    settings: DispatchSettings,
    sleep: Callable[[float], None],
    done: Callable[[], bool],
    timeout_error: Callable[[], Exception],
    tick: Callable[[], None] | None = None,
    notice: Notice | None = None,
    unanswered_since: float | None = None,
) -> Iterator[T]:
    """Run ``round_(deadline)`` until ``done()``, yielding everything it yields.

    Raises ``timeout_error()`` at the deadline, the round's error when it is not transient
    or repeats too often, and NetworkError when the hub never answered within
    ``settings.unreachable_timeout`` (counted from ``unanswered_since``, seconds into the
    deadline, when the wait already went unanswered before polling; else from now).
    """
    failures = 0
    answered = False
    trouble_since: float | None = None
    started = deadline.elapsed() if unanswered_since is None else unanswered_since
    while True:
        retry_after: float | None = None
        # until the hub has answered once, nothing waits past the connect policy either
        patience = settings.unreachable_timeout - (deadline.elapsed() - started)
        bound = deadline if answered else deadline.sooner(patience)
        try:
            yield from round_(bound)
        except SchemadriveError as exc:
            if not is_transient(exc):
                raise
            failures += 1
            answered = answered or not isinstance(exc, NetworkError)
            if trouble_since is None:
                trouble_since = deadline.elapsed()
                since = _clock_time()
                if notice is not None:
                    what = "unreachable" if isinstance(exc, NetworkError) else "failing"
                    notice(f"hub {what} since {since}; retrying")
            if not answered and deadline.elapsed() - started >= settings.unreachable_timeout:
                raise NetworkError(
                    f"{exc}; the hub has not answered for {settings.unreachable_timeout:g} s, "
                    "giving up (the job, if it exists, is not affected)"
                ) from exc
            if failures > settings.poll_failures:
                raise
            retry_after = exc.retry_after if isinstance(exc, RateLimited) else None
            log.debug("polling failed (%s); trying again", exc)
        else:
            failures = 0
            answered = True
            if trouble_since is not None:
                trouble_since = None
                if notice is not None:
                    notice(None)
        if done():
            return
        if deadline.expired:
            raise timeout_error()
        patience = settings.unreachable_timeout - (deadline.elapsed() - started)
        bound = deadline if answered else deadline.sooner(max(0.0, patience))
        sleep_ticking(sleep, bound.clamp(backoff.next(retry_after)), tick)
