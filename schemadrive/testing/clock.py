"""The clocks LocalHub's jobs run on: the wall clock, or a manual clock the test advances.

All times are Unix seconds (floats). A job's timeline is computed from ``now()``; with the
:class:`ManualClock` nothing happens until the test calls ``advance``, so a test decides
exactly when a job starts and finishes and never races the server.
"""

from __future__ import annotations

import threading
import time

from ..exceptions import ConfigurationError

__all__ = ["Clock", "ManualClock", "RealClock", "make_clock"]

#: Where a manual clock starts: the ``enqueued_at`` of the hub's own documented example.
MANUAL_EPOCH = 1_775_091_431.0


class Clock:
    """What the job engine asks of a clock."""

    #: True when time moves only through :meth:`advance` (no background thread is needed).
    manual: bool = False

    def now(self) -> float:
        """The current time in Unix seconds."""
        raise NotImplementedError

    def advance(self, seconds: float) -> float:
        """Move a manual clock forward; return the new time."""
        raise ConfigurationError(
            f"{type(self).__name__} cannot be advanced; start the hub with clock='manual'"
        )


class RealClock(Clock):
    """The wall clock (``time.time``): jobs progress by themselves."""

    def now(self) -> float:
        return time.time()


class ManualClock(Clock):
    """A clock that moves only when :meth:`advance` is called. Thread-safe.

    ``start`` is the initial time in Unix seconds (default: a fixed date, so timestamps in
    replies are the same on every run).
    """

    manual = True

    def __init__(self, start: float = MANUAL_EPOCH) -> None:
        self._now = float(start)
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> float:
        if seconds < 0:
            raise ConfigurationError(f"a clock cannot go back ({seconds} s)")
        with self._lock:
            self._now += seconds
            return self._now


def make_clock(clock: str | Clock | None) -> Clock:
    """``None``/``"real"`` -> RealClock, ``"manual"`` -> ManualClock, a Clock as is."""
    if isinstance(clock, Clock):
        return clock
    if clock in (None, "real"):
        return RealClock()
    if clock == "manual":
        return ManualClock()
    raise ConfigurationError(f"clock must be 'real', 'manual' or a Clock, not {clock!r}")
