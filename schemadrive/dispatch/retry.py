"""How long to wait between tries, and until when. Pure: the clock and the random source are
passed in, so schedules are tested without sleeping. All times are in seconds.
"""

from __future__ import annotations

import math
import random as _random
import time
from collections.abc import Callable

from ..exceptions import ConfigurationError

__all__ = ["Backoff", "Deadline"]


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
