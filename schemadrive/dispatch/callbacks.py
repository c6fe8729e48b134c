"""The listener's callbacks: outcomes handed to a function, for waiters that must not block a
thread each (``AsyncClient``). Mixed into :class:`~schemadrive.dispatch.listener.EventListener`;
see its module docstring for the threading rules.
"""

from __future__ import annotations

import collections
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..exceptions import StreamError
    from .lookup import Outcome

__all__ = ["ListenerCallbacks", "run_callback"]

log = logging.getLogger("schemadrive")


def run_callback(fn: Callable[[Any], None], value: Any) -> None:
    """Run a callback; its errors are the caller's bug, logged, never the listener's end."""
    try:
        fn(value)
    except Exception:
        log.exception("an event-listener callback raised; ignored")


class ListenerCallbacks:
    """Done and stop callbacks; the listener provides the state they read."""

    _cond: threading.Condition
    _done: collections.OrderedDict[str, Outcome]
    _open: set[str]
    _callbacks: dict[str, list[Callable[[Outcome], None]]]
    _stop_callbacks: list[Callable[[StreamError | None], None]]
    _ended: bool
    failure: StreamError | None

    def add_done_callback(self, generation_id: str, fn: Callable[[Outcome], None]) -> None:
        """Call ``fn(outcome)`` once when ``generation_id``'s outcome is known.

        At once, in the calling thread, when it is already remembered; otherwise from the
        thread that learns it (the listener's thread, or one calling :meth:`record`). The id
        is watched from now on. ``fn`` must be quick and must not block; what it raises is
        logged and ignored. Does not start the listener (see :meth:`start`).
        """
        with self._cond:
            outcome = self._done.get(generation_id)
            if outcome is None:
                self._callbacks.setdefault(generation_id, []).append(fn)
                self._open.add(generation_id)
                return
        run_callback(fn, outcome)

    def remove_done_callback(self, generation_id: str, fn: Callable[[Outcome], None]) -> bool:
        """Forget ``fn`` for ``generation_id``; True if it was registered and not yet called."""
        with self._cond:
            registered = self._callbacks.get(generation_id, [])
            if fn not in registered:
                return False
            registered.remove(fn)
            if not registered:
                del self._callbacks[generation_id]
            return True

    def add_stop_callback(self, fn: Callable[[StreamError | None], None]) -> None:
        """Call ``fn(failure)`` once when the listener ends: the StreamError when it gave up
        (waiters should poll), None when it was stopped. At once if it already ended."""
        with self._cond:
            if not self._ended:
                self._stop_callbacks.append(fn)
                return
            failure = self.failure
        run_callback(fn, failure)

    def remove_stop_callback(self, fn: Callable[[StreamError | None], None]) -> bool:
        """Forget a stop callback; True if it was registered and not yet called."""
        with self._cond:
            if fn in self._stop_callbacks:
                self._stop_callbacks.remove(fn)
                return True
            return False

    def _run_stop_callbacks(self) -> None:
        with self._cond:
            if self._ended:
                return
            self._ended = True
            callbacks, self._stop_callbacks = self._stop_callbacks, []
            failure = self.failure
        for fn in callbacks:
            run_callback(fn, failure)
