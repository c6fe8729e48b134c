"""The one retry and backoff policy: how long to wait between tries, how many tries, and until
when. Every layer that tries again asks this module: the transport's GET retries (urllib3's
``Retry``, mounted on the session; never for a POST), paid POSTs refused with 429, downloads,
the event stream's reconnects and the polling loops.

Deadlines: a caller's :class:`Deadline` bounds everything done for it. :func:`within` makes it
the current deadline of the thread (a context variable) while a request runs; then urllib3's
sleeps between GET retries, a ``Retry-After``, and each try's connect and read timeouts are cut
to what is left of it, and no retry starts once it has passed. All times are in seconds.
"""

from __future__ import annotations

import contextlib
import contextvars
import math
import random as _random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ..exceptions import ConfigurationError

__all__ = [
    "DOWNLOAD",
    "HTTP",
    "PAID_POST",
    "POLL",
    "RECONNECT",
    "Backoff",
    "Deadline",
    "RetryPolicy",
    "current_deadline",
    "within",
]

#: Methods urllib3 may send again: never POST (a paid submit has no idempotency key).
IDEMPOTENT = frozenset({"GET", "HEAD", "DELETE", "OPTIONS"})
#: Statuses a GET is retried on.
RETRY_STATUSES = (429, 502, 503, 504)
#: The shortest timeout handed to a socket (urllib3 refuses 0).
_MIN_TIMEOUT = 0.001


class Backoff:
    """Capped exponential delays with jitter.

    The n-th delay (n from 0) is ``min(maximum, initial * factor**n)`` shortened by a random
    fraction of at most ``jitter`` (0.2: between 80 % and 100 % of it), so many clients that
    started together drift apart instead of polling in step. A server's ``Retry-After`` is a
    floor: ``next(retry_after=…)`` never returns less than it.
    """

    def __init__(
        self,
        initial: float = 2.0,
        maximum: float = 30.0,
        *,
        factor: float = 1.5,
        jitter: float = 0.2,
        random: Callable[[], float] = _random.random,
    ) -> None:
        if initial < 0 or maximum < 0:
            raise ConfigurationError("backoff delays must be >= 0 seconds")
        if factor < 1:
            raise ConfigurationError("the backoff factor must be >= 1")
        if not 0 <= jitter <= 1:
            raise ConfigurationError("jitter must be between 0 and 1")
        self.initial = initial
        self.maximum = max(initial, maximum)
        self.factor = factor
        self.jitter = jitter
        self._random = random
        self.attempts = 0

    def peek(self) -> float:
        """The next delay before jitter, without using it up."""
        if self.initial == 0:
            return 0.0
        # factor**attempts overflows for long waits; the cap is reached long before that
        exponent = min(self.attempts, 64)
        return min(self.maximum, self.initial * self.factor**exponent)

    def next(self, retry_after: float | None = None) -> float:
        """The next delay; at least ``retry_after`` when the server sent one."""
        delay = self.peek() * (1.0 - self.jitter * self._random())
        self.attempts += 1
        if retry_after is not None and retry_after > delay:
            return float(retry_after)
        return delay

    def reset(self) -> None:
        """Start again from ``initial`` (after a success)."""
        self.attempts = 0


class Deadline:
    """A point in time on ``clock``: ``timeout`` seconds from now (``inf``: never)."""

    def __init__(self, timeout: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        if timeout < 0 or math.isnan(timeout):
            raise ConfigurationError(f"a timeout must be >= 0 seconds, not {timeout!r}")
        self.timeout = timeout
        self._clock = clock
        self.started = clock()
        self.at = self.started + timeout

    def remaining(self) -> float:
        """Seconds left, never negative (``inf`` without a deadline)."""
        return max(0.0, self.at - self._clock())

    @property
    def expired(self) -> bool:
        return self._clock() >= self.at

    def elapsed(self) -> float:
        return self._clock() - self.started

    def clamp(self, delay: float) -> float:
        """``delay``, shortened so that it ends at the deadline at the latest."""
        return max(0.0, min(delay, self.remaining()))

    def sooner(self, seconds: float) -> Deadline:
        """This deadline, or one ``seconds`` from now if that comes first (same clock)."""
        if seconds >= self.remaining():
            return self
        return Deadline(max(0.0, seconds), clock=self._clock)


@dataclass(frozen=True)
class RetryPolicy:
    """How one kind of request is tried again. All times are in seconds.

    ``attempts`` counts sends (or connection attempts), the first included; delays follow
    :class:`Backoff` (``initial``, ``maximum``, ``factor``, ``jitter``); a server's
    ``Retry-After`` is honoured up to ``max_retry_after`` (and never past a deadline).
    """

    initial: float
    maximum: float
    factor: float = 2.0
    jitter: float = 0.2
    attempts: int = 5
    max_retry_after: float = 120.0

    def backoff(self, *, random: Callable[[], float] = _random.random) -> Backoff:
        """A fresh schedule of this policy's delays."""
        return Backoff(
            self.initial, self.maximum, factor=self.factor, jitter=self.jitter, random=random
        )

    def urllib3_retry(self, *, connect_attempts: int = 3) -> Any:
        """urllib3's ``Retry`` for a session: idempotent methods only, on connection errors
        and 429/502/503/504, bounded by the thread's current deadline (see :func:`within`)."""
        retries = max(0, self.attempts - 1)
        return _deadline_retry_class()(
            total=retries,
            connect=min(retries, max(0, connect_attempts - 1)),
            read=retries,
            status=retries,
            # "other" errors (e.g. a TLS failure after the body went out) may have reached the
            # hub, and urllib3 retries them for any method: never, or a POST could pay twice
            other=0,
            backoff_factor=self.initial,
            backoff_max=self.maximum,
            backoff_jitter=self.jitter,
            status_forcelist=RETRY_STATUSES,
            allowed_methods=IDEMPOTENT,
            respect_retry_after_header=True,
            raise_on_status=False,
            max_retry_after=self.max_retry_after,
        )


#: A hub GET/DELETE (transport): urllib3 retries, Retry-After honoured up to 20 s per retry.
HTTP = RetryPolicy(0.5, 30.0, factor=2.0, jitter=0.25, attempts=6, max_retry_after=20.0)
#: A paid POST refused with 429 (nothing was created): sent again at most this often.
PAID_POST = RetryPolicy(1.0, 30.0, factor=2.0, jitter=0.2, attempts=5, max_retry_after=120.0)
#: The event stream's reconnects; ``attempts`` failed connections in a row end the listener.
RECONNECT = RetryPolicy(0.5, 30.0, factor=2.0, jitter=0.5, attempts=8)
#: Polling a job; ``attempts``: failed polls in a row (after the transport's retries) tolerated.
POLL = RetryPolicy(2.0, 30.0, factor=1.5, jitter=0.2, attempts=10)
#: Result downloads from a host that is not the hub (a CDN).
DOWNLOAD = RetryPolicy(0.5, 10.0, factor=2.0, jitter=0.25, attempts=4, max_retry_after=10.0)

# -- the current deadline -----------------------------------------------------------------

_CURRENT: contextvars.ContextVar[Deadline | None] = contextvars.ContextVar(
    "schemadrive_deadline", default=None
)


@contextlib.contextmanager
def within(deadline: Deadline | None) -> Iterator[None]:
    """Make ``deadline`` the current one while the block runs (None: keep the current)."""
    if deadline is None:
        yield
        return
    current = _CURRENT.get()
    if current is not None and current.at <= deadline.at:
        yield  # an outer, earlier deadline stays in force
        return
    token = _CURRENT.set(deadline)
    try:
        yield
    finally:
        _CURRENT.reset(token)


def current_deadline() -> Deadline | None:
    """The deadline set by the innermost :func:`within` of this thread, if any."""
    return _CURRENT.get()


def remaining() -> float:
    """Seconds left of the current deadline (``inf`` without one)."""
    deadline = _CURRENT.get()
    return math.inf if deadline is None else deadline.remaining()


def bounded_timeout(timeout: float | tuple[float, float]) -> Any:
    """``(connect, read)`` as a urllib3 ``Timeout`` that each try cuts to the current deadline.

    Without a current deadline the tuple itself is returned (requests takes it as it is).
    """
    connect, read = timeout if isinstance(timeout, tuple) else (timeout, timeout)
    deadline = _CURRENT.get()
    if deadline is None or math.isinf(deadline.timeout):
        return (connect, read)
    return _deadline_timeout_class()(connect=connect, read=read, deadline=deadline)


_classes: dict[str, type] = {}


def _deadline_retry_class() -> type:
    """urllib3's Retry, bounded by the current deadline (built lazily: urllib3 is heavy)."""
    if "retry" in _classes:
        return _classes["retry"]
    from urllib3.util.retry import Retry

    class DeadlineRetry(Retry):
        """Sleeps and ``Retry-After`` cut to the deadline; no retry once it has passed."""

        def __init__(self, *args: Any, max_retry_after: float = 20.0, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.max_retry_after = max_retry_after

        def new(self, **kwargs: Any) -> DeadlineRetry:
            made: DeadlineRetry = super().new(**kwargs)
            made.max_retry_after = self.max_retry_after
            return made

        def parse_retry_after(self, retry_after: str) -> float:
            # urllib3 takes whole seconds or an HTTP date and raises InvalidHeader (a request
            # error) on anything else; a fraction ("0.5") is a delay too, and an unreadable
            # header is no reason to fail the request: wait as the backoff would
            try:
                seconds = float(retry_after)
            except ValueError:
                try:
                    return float(super().parse_retry_after(retry_after))
                except Exception:
                    return float(super().get_backoff_time())
            return seconds if seconds >= 0 and seconds == seconds else 0.0

        def get_retry_after(self, response: Any) -> float | None:
            seconds = super().get_retry_after(response)
            if seconds is None:
                return None
            return max(0.0, min(seconds, self.max_retry_after, remaining()))

        def get_backoff_time(self) -> float:
            return max(0.0, min(float(super().get_backoff_time()), remaining()))

        def is_exhausted(self) -> bool:
            deadline = _CURRENT.get()
            if deadline is not None and deadline.expired:
                return True
            return bool(super().is_exhausted())

    _classes["retry"] = DeadlineRetry
    return DeadlineRetry


def _deadline_timeout_class() -> type:
    if "timeout" in _classes:
        return _classes["timeout"]
    from urllib3.util.timeout import Timeout

    class DeadlineTimeout(Timeout):
        """A Timeout whose every try (each ``clone``) ends by the deadline."""

        def __init__(self, *, connect: float, read: float, deadline: Deadline) -> None:
            super().__init__(connect=connect, read=read)
            self._connect_max, self._read_max, self._deadline = connect, read, deadline

        def clone(self) -> Timeout:
            left = max(_MIN_TIMEOUT, self._deadline.remaining())
            return Timeout(
                connect=min(self._connect_max, left), read=min(self._read_max, left), total=left
            )

    _classes["timeout"] = DeadlineTimeout
    return DeadlineTimeout
