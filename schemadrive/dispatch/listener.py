"""The one shared event-stream listener: a background thread holding one ``GET /api/events``
connection for every job a client waits on.

The hub's stream has no replay (docs/hub-contract.md §4): an event reaches only the
connections open when it fires. So:

* **subscribe before enqueueing**: a submit first makes sure the listener is connected
  (:meth:`EventListener.ensure_connected`) and remembers the connection's *epoch*; when the
  job ids come back they are watched with that epoch. If the stream reconnected in between,
  the ids are reported as not covered and the waiter polls them once.
* **every completion is remembered**, watched or not (a bounded map), so an event that beats
  the submit's reply to the caller is not lost.
* **on a dropped stream**: reconnect with capped exponential backoff and jitter, then
  *reconcile*: poll the jobs still open, since events sent during the gap are gone.
* cancelled jobs get no event: waiters poll slowly to notice them (see :mod:`jobs`).
* after ``max_failures`` failed connection attempts in a row, or at once on 401/403/404 (no
  stream for this key or hub), the listener stops and sets :attr:`failure`; ``via="auto"``
  waiters then poll, ``via="events"`` waiters raise StreamError.

Only ``media_generation_completed`` events (the provider's completion event) are read; keep-
alives and unrelated event types are skipped.

**Callbacks** (for waiters that must not block a thread per job, such as ``AsyncClient``):

* :meth:`EventListener.add_done_callback` ``(generation_id, fn)``: ``fn(outcome)`` is called
  once, when the job's :data:`Outcome` is known: at once (in the calling thread) if it is
  already remembered, else from the thread that learns it: the listener's own thread for an
  event or a reconcile, or the thread that called :meth:`EventListener.record` (a poll, a
  cancel). The id is watched (reconciled after a reconnect) from then on.
* :meth:`EventListener.remove_done_callback` ``(generation_id, fn)``: forget ``fn`` (a waiter
  that gave up); True if it was still registered.
* :meth:`EventListener.add_stop_callback` ``(fn)``: ``fn(failure)`` is called once when the
  listener ends: ``failure`` is the StreamError when it gave up (poll instead), None when it
  was stopped (the client closed). At once if it has already ended.

Callbacks run outside the listener's lock, must be quick and must not block (hand the value
over, e.g. with ``loop.call_soon_threadsafe``); an exception they raise is logged and ignored.
"""

from __future__ import annotations

import collections
import dataclasses
import json
import logging
import threading
import time
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ..exceptions import SchemadriveError, StreamError
from ..hub.retry import RECONNECT
from ..hub.status import JobState
from .callbacks import ListenerCallbacks, run_callback
from .lookup import Outcome
from .sse import EventDecoder
from .stream import abort, chunks

if TYPE_CHECKING:
    import requests

__all__ = ["COMPLETION_EVENT", "EventListener", "Outcome"]

log = logging.getLogger("schemadrive")

COMPLETION_EVENT = "media_generation_completed"


#: Replies to the stream request that mean "no stream for you": give up at once.
_FATAL_STATUSES = (400, 401, 403, 404, 405, 410, 501)


class EventListener(ListenerCallbacks):
    """Holds the event stream on a daemon thread. Thread-safe. All times are in seconds.

    ``open_stream()`` returns the streamed 200 response of the events endpoint (or raises
    HubError/NetworkError); ``parse`` turns an event's JSON into a JobState; ``reconcile``
    polls a collection of generation ids and yields ``(id, Outcome)`` for each it learns
    something about, as it comes (each is recorded at once; non-terminal states are ignored).
    """

    def __init__(
        self,
        open_stream: Callable[[], requests.Response],
        parse: Callable[[Mapping[str, Any]], JobState],
        reconcile: Callable[[Collection[str]], Iterable[tuple[str, Outcome | JobState]]],
        *,
        event_names: Iterable[str] = (COMPLETION_EVENT,),
        reconnect_initial: float = 0.5,
        reconnect_max: float = 30.0,
        max_failures: int = 8,
        idle_timeout: float = 300.0,
        remember: int = 10_000,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self._open_stream = open_stream
        self._parse = parse
        self._reconcile = reconcile
        self.event_names = frozenset(event_names)
        self.reconnect_initial = reconnect_initial
        self.reconnect_max = reconnect_max
        self.max_failures = max_failures
        self.idle_timeout = idle_timeout
        self._clock = clock or time.monotonic
        self._remember = remember
        self._cond = threading.Condition()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._response: requests.Response | None = None
        self._stopping = False
        self._open: set[str] = set()
        self._done: collections.OrderedDict[str, Outcome] = collections.OrderedDict()
        self._waiters = 0
        self._callbacks: dict[str, list[Callable[[Outcome], None]]] = {}
        self._stop_callbacks: list[Callable[[StreamError | None], None]] = []
        self._ended = False  # the stop callbacks have run (or are running)
        self.connected = False
        #: successful connections so far (a new epoch after every reconnect)
        self.epoch = 0
        #: connections opened, for diagnostics
        self.connections = 0
        #: failed connection attempts since the last success
        self.failures = 0
        #: set when the listener gave up (waiters then poll, or raise this), and when
        self.failure: StreamError | None = None
        self.failed_at: float | None = None
        #: wall-clock time (time.time()) since when the stream has been wanted but not open
        #: (None while connected, or before the first attempt failed)
        self.down_since: float | None = None

    def __repr__(self) -> str:
        state = "failed" if self.failure else "connected" if self.connected else "idle"
        return f"<EventListener {state} epoch={self.epoch} open={len(self._open)}>"

    # -- lifecycle --------------------------------------------------------------------------
    def start(self) -> None:
        """Start the thread (again, after an idle stop); a failed listener stays failed."""
        with self._cond:
            if self.failure is not None or self._stopping:
                return
            if self._thread is not None and self._thread.is_alive():
                return
            self._wake.clear()
            self._thread = threading.Thread(
                target=self._run, name="schemadrive-events", daemon=True
            )
            self._thread.start()

    def ensure_connected(self, timeout: float) -> int | None:
        """Start if needed and wait until the stream is open; its epoch, or None (not open)."""
        self.start()
        with self._cond:
            self._cond.wait_for(
                lambda: self.connected or self.failure is not None or self._stopping, timeout
            )
            return self.epoch if self.connected else None

    def stop(self) -> None:
        """Close the stream and end the thread (the listener cannot be restarted)."""
        with self._cond:
            self._stopping = True
            response = self._response
            self._cond.notify_all()
        self._wake.set()
        self._run_stop_callbacks()
        if response is not None:
            abort(response)
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)

    @property
    def stopped(self) -> bool:
        """True once :meth:`stop` was called."""
        return self._stopping

    # -- jobs -------------------------------------------------------------------------------
    def watch(self, ids: Iterable[str], *, since_epoch: int | None) -> set[str]:
        """Watch ``ids``; return those NOT covered by the stream (poll each of them once).

        Covered means: the stream was open at ``since_epoch`` (taken before the submit) and
        has not reconnected since, so any completion either arrived already or will arrive.
        """
        ids = set(ids)
        with self._cond:
            fresh = ids - self._done.keys()
            self._open |= fresh
            if since_epoch is not None and self.connected and self.epoch == since_epoch:
                return set()
            return fresh

    def record(self, outcomes: Mapping[str, Outcome | JobState]) -> None:
        """Learn outcomes from elsewhere (a poll, a cancel); non-terminal states are ignored.

        Done callbacks of the jobs that ended run in the calling thread, after the lock.
        """
        due: list[tuple[Callable[[Outcome], None], Outcome]] = []
        with self._cond:
            changed = False
            for generation_id, outcome in outcomes.items():
                if isinstance(outcome, JobState) and not outcome.terminal:
                    continue
                self._remember_locked(generation_id, outcome)
                due.extend((fn, outcome) for fn in self._callbacks.pop(generation_id, ()))
                changed = True
            if changed:
                self._cond.notify_all()
        for fn, outcome in due:
            run_callback(fn, outcome)

    def take(self, ids: Collection[str], timeout: float) -> dict[str, Outcome]:
        """The outcomes known for any of ``ids``; waits up to ``timeout`` for the first one.

        Returns early (possibly empty) when the listener fails or stops.
        """
        with self._cond:
            self._waiters += 1
            try:
                self._cond.wait_for(
                    lambda: (
                        self.failure is not None
                        or self._stopping
                        or any(i in self._done for i in ids)
                    ),
                    timeout,
                )
                return {i: self._done[i] for i in ids if i in self._done}
            finally:
                self._waiters -= 1

    def _remember_locked(self, generation_id: str, outcome: Outcome) -> None:
        self._done[generation_id] = outcome
        self._done.move_to_end(generation_id)
        while len(self._done) > self._remember:
            self._done.popitem(last=False)
        self._open.discard(generation_id)

    # -- the thread -------------------------------------------------------------------------
    def _run(self) -> None:
        policy = dataclasses.replace(
            RECONNECT, initial=self.reconnect_initial, maximum=self.reconnect_max
        )
        backoff = policy.backoff()
        failures = 0
        first = True
        while not self._stopping:
            retry_after: float | None = None
            try:
                response = self._open_stream()
            except Exception as exc:  # HubError, NetworkError; anything else counts as a failure
                status = getattr(exc, "status", None)
                failures += 1
                self.failures = failures
                if status in _FATAL_STATUSES or failures >= self.max_failures:
                    self._fail(exc, failures)
                    return
                retry_after = getattr(exc, "retry_after", None)
                if self.down_since is None:
                    self.down_since = time.time()
                log.debug("event stream: connection failed (%s); retrying", exc)
                self._wake.wait(backoff.next(retry_after))
                continue
            with self._cond:
                if self._stopping:
                    abort(response)
                    return
                self._response = response
                self.connected = True
                self.down_since = None
                self.epoch += 1
                self.connections += 1
                epoch = self.epoch
                self._cond.notify_all()
            failures = self.failures = 0
            backoff.reset()
            log.debug("event stream: connected (epoch %d)", epoch)
            if not first:
                self._reconcile_open()
            first = False
            reason = self._read(response)
            with self._cond:
                self.connected = False
                self._response = None
                if reason != "idle" and not self._stopping:
                    self.down_since = time.time()
                self._cond.notify_all()
            abort(response)
            if self._stopping or reason == "idle":
                return
            log.debug("event stream: %s; reconnecting", reason)
            self._wake.wait(backoff.next())

    def _fail(self, exc: Exception, attempts: int) -> None:
        error = StreamError(
            f"the event stream is unavailable after {attempts} attempt(s): {exc}; "
            "waiting jobs fall back to polling (via='auto')"
        )
        error.__cause__ = exc
        log.debug("event stream: giving up: %s", exc)
        with self._cond:
            self.failure = error
            self.failed_at = self._clock()
            self._cond.notify_all()
        self._run_stop_callbacks()

    def _idle(self) -> bool:
        with self._cond:
            return not self._open and self._waiters == 0

    def _read(self, response: requests.Response) -> str:
        """Read events until the stream ends; why it ended."""
        decoder = EventDecoder()
        idle_since: float | None = None
        try:
            for chunk in chunks(response):
                if self._stopping:
                    return "stopped"
                for event in decoder.feed(chunk):
                    self._handle(event.event, event.data)
                if self._idle():
                    now = self._clock()
                    idle_since = idle_since if idle_since is not None else now
                    if now - idle_since >= self.idle_timeout:
                        return "idle"
                else:
                    idle_since = None
            return "the hub closed the stream"
        except Exception as exc:  # requests', urllib3's and socket errors alike
            return f"the stream broke ({type(exc).__name__})"

    def _handle(self, name: str, data: str) -> None:
        if name not in self.event_names:
            log.debug("event stream: skipped a %r event", name)
            return
        try:
            payload = json.loads(data)
        except ValueError:
            log.warning("event stream: a %s event whose data is not JSON was skipped", name)
            return
        if not isinstance(payload, dict):
            return
        try:
            state = self._parse(payload)
        except (SchemadriveError, ValueError, TypeError) as exc:
            log.warning("event stream: could not read a %s event: %s", name, exc)
            return
        if not state.generation_id:
            return
        if state.terminal:
            self.record({state.generation_id: state})
        else:
            # a completion event with a status word we do not know: ask the queue
            self._reconcile_ids([state.generation_id])

    def _reconcile_open(self) -> None:
        with self._cond:
            ids = list(self._open)
        if ids:
            log.debug("event stream: reconciling %d open job(s) after a reconnect", len(ids))
            self._reconcile_ids(ids)

    def _reconcile_ids(self, ids: Collection[str]) -> None:
        try:
            for generation_id, outcome in self._reconcile(ids):  # in parallel, as each comes
                self.record({generation_id: outcome})
        except SchemadriveError as exc:
            # the waiters' own slow polls will catch up; the stream itself is fine
            log.warning(
                "event stream: polling %d job(s) after a reconnect failed: %s", len(ids), exc
            )
            return
