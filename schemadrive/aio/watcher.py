"""Routing what the sync core learns about jobs to the asyncio waits of one AsyncClient.

:class:`Watcher` holds one done callback per job on the client's shared
:class:`~schemadrive.dispatch.listener.EventListener` (the thread that learns an outcome hands it
to the loop with ``loop.call_soon_threadsafe``), checks together the jobs the stream may have
missed, checks the open jobs every ``settings.reconcile_interval`` (a cancelled job gets no
event), and runs the polling rounds of waits that poll, in the pool, sleeping on the loop's
timers. Each wait is a :class:`Call` with an :class:`Inbox`. All times are in seconds.
"""

from __future__ import annotations

import asyncio
import collections
import functools
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any

from ..dispatch.polling import is_transient
from ..exceptions import NetworkError, RateLimited, SchemadriveError

if TYPE_CHECKING:
    from ..dispatch.dispatcher import Dispatcher
    from ..dispatch.job import Job
    from ..dispatch.listener import EventListener
    from ..dispatch.lookup import Outcome
    from ..exceptions import StreamError
    from ..hub.retry import Deadline
    from ._bridge import Bridge

__all__ = ["Call", "Inbox", "Watcher"]

log = logging.getLogger("schemadrive")

Sleep = Callable[[float], Awaitable[None]]


class Inbox:
    """What reaches one wait, in order. Not an ``asyncio.Queue`` read under ``wait_for``:
    before Python 3.12, ``wait_for`` can swallow the cancellation of the awaiting task when
    an item arrives at the same moment, and a cancelled wait must end."""

    def __init__(self) -> None:
        self._items: collections.deque[tuple[Any, ...]] = collections.deque()
        self._waker: asyncio.Future[None] | None = None

    def put_nowait(self, item: tuple[Any, ...]) -> None:
        self._items.append(item)
        if self._waker is not None and not self._waker.done():
            self._waker.set_result(None)

    async def get(self, timeout: float | None) -> tuple[Any, ...] | None:
        """The next item; None when ``timeout`` seconds (real time) pass first."""
        if not self._items:
            loop = asyncio.get_running_loop()
            waker = self._waker = loop.create_future()
            timer = None if timeout is None else loop.call_later(timeout, _wake, waker)
            try:
                await waker  # a cancelled task raises here, always
            finally:
                self._waker = None
                if timer is not None:
                    timer.cancel()
        return self._items.popleft() if self._items else None


def _wake(waker: asyncio.Future[None]) -> None:
    if not waker.done():
        waker.set_result(None)


class Call:
    """One wait (``job.wait``, ``as_completed``, ``wait_all``): its open jobs and its inbox.

    Inbox items: ``("outcome", id, outcome)``, ``("error", exc)``, ``("tick",)`` (a polling
    round ended: look at the deadline), ``("ended", failure)`` (the stream ended).
    """

    def __init__(self, pending: dict[str, Job], deadline: Deadline) -> None:
        self.pending = pending
        self.deadline = deadline
        #: "events" while the listener feeds it, "poll" once its own polling does
        self.mode = "events"
        self.inbox = Inbox()


class Watcher:
    """Routes outcomes to the waits of one AsyncClient; lives on its loop."""

    def __init__(self, bridge: Bridge, dispatcher: Dispatcher, sleep: Callable[[], Sleep]) -> None:
        self.bridge = bridge
        self.dispatcher = dispatcher
        self._sleep = sleep
        self._calls: dict[str, set[Call]] = {}
        self._event_calls: set[Call] = set()
        self._listener: EventListener | None = None
        self._callbacks: dict[str, Callable[[Outcome], None]] = {}
        self._connecting: tuple[EventListener, asyncio.Future[int | None]] | None = None
        self._check_ids: set[str] = set()
        self._check_by: Deadline | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._check_task: asyncio.Task[None] | None = None
        self._slow_task: asyncio.Task[None] | None = None
        self.closed = False

    # -- routing ----------------------------------------------------------------------------
    def deliver(self, generation_id: str, outcome: Outcome | Any) -> None:
        """On the loop: pass what is known of a job to every wait for it."""
        for call in self._calls.get(generation_id, ()):
            call.inbox.put_nowait(("outcome", generation_id, outcome))

    def _done_in_any_thread(self, generation_id: str, outcome: Outcome) -> None:
        self.bridge.to_loop(self._done, generation_id, outcome)

    def _done(self, generation_id: str, outcome: Outcome) -> None:
        self._callbacks.pop(generation_id, None)  # the listener calls a callback once
        self.deliver(generation_id, outcome)

    def _stopped(self, listener: EventListener, failure: StreamError | None) -> None:
        if listener is not self._listener:
            return
        self._listener, self._callbacks = None, {}
        for call in list(self._event_calls):
            call.inbox.put_nowait(("ended", failure))

    def _spawn(self, work: Awaitable[None]) -> asyncio.Task[None]:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    # -- the event stream -------------------------------------------------------------------
    def listener(self) -> EventListener | None:
        """The dispatcher's listener when it can be waited on (no I/O; not started)."""
        listener = self.dispatcher.listener()
        if listener is None or listener.failure is not None or listener.stopped:
            return None
        if listener is not self._listener:
            self._listener, self._callbacks = listener, {}
            stopped = functools.partial(self.bridge.to_loop, self._stopped, listener)
            listener.add_stop_callback(stopped)
        return listener

    async def connected(self, listener: EventListener, timeout: float) -> bool:
        """Wait (in the pool, one blocked thread for all the waits) until the stream is open."""
        if listener.connected:
            return True
        if (
            self._connecting is None
            or self._connecting[0] is not listener
            or self._connecting[1].done()
        ):
            future = asyncio.ensure_future(self.bridge.call(listener.ensure_connected, timeout))
            self._connecting = (listener, future)
        epoch = await asyncio.shield(self._connecting[1])
        return epoch is not None

    def watch_events(self, call: Call, listener: EventListener) -> None:
        """Register ``call``'s jobs with the listener (no thread, no request) and start it."""
        self._add(call)
        self._event_calls.add(call)
        for generation_id in call.pending:
            if generation_id not in self._callbacks:
                fn = functools.partial(self._done_in_any_thread, generation_id)
                self._callbacks[generation_id] = fn
                listener.add_done_callback(generation_id, fn)  # may run fn at once
        listener.start()
        if self._slow_task is None or self._slow_task.done():
            self._slow_task = self._spawn(self._reconcile_slowly())

    def _add(self, call: Call) -> None:
        for generation_id in call.pending:
            self._calls.setdefault(generation_id, set()).add(call)

    def forget(self, call: Call) -> None:
        """``call`` ended: stop routing to it, and drop listener callbacks no one needs."""
        self._event_calls.discard(call)
        for generation_id in call.pending:
            calls = self._calls.get(generation_id)
            if calls is None:
                continue
            calls.discard(call)
            if calls:
                continue
            del self._calls[generation_id]
            fn = self._callbacks.pop(generation_id, None)
            if fn is not None and self._listener is not None:
                self._listener.remove_done_callback(generation_id, fn)

    # -- checks beside the stream -------------------------------------------------------------
    def check(self, ids: Iterable[str], deadline: Deadline) -> None:
        """Ask about ``ids`` once, soon: ids asked for in the same loop turn share a round
        (its requests end by the latest of their waits' deadlines)."""
        self._check_ids.update(ids)
        if self._check_by is None or deadline.remaining() > self._check_by.remaining():
            self._check_by = deadline
        if self._check_task is None or self._check_task.done():
            self._check_task = self._spawn(self._check_soon())

    async def _check_soon(self) -> None:
        await asyncio.sleep(0)  # let the other waits started in this turn add their ids
        settings = self.dispatcher.settings
        while self._check_ids and self._check_by is not None:
            ids = [i for i in self._check_ids if i in self._calls]
            bound, self._check_ids, self._check_by = self._check_by, set(), None
            if ids and not await self._round(ids, bound) and not bound.expired:
                self._check_ids.update(ids)  # a passing fault: the stream is still watched
                self._check_by = bound
                await asyncio.sleep(min(settings.max_poll_interval, settings.reconcile_interval))

    async def _reconcile_slowly(self) -> None:
        from ..hub.retry import Deadline

        interval = self.dispatcher.settings.reconcile_interval
        while self._event_calls:
            await asyncio.sleep(interval)  # real time, as the sync wait's stream reads
            ids = sorted({i for call in self._event_calls for i in call.pending})
            latest = max((call.deadline.remaining() for call in self._event_calls), default=0.0)
            if ids:
                await self._round(ids, Deadline(min(interval, latest)))

    async def _round(self, ids: list[str], bound: Deadline) -> bool:
        """One round over ``ids`` (in the pool); False after a transient failure. A lasting
        failure (a 401, say) ends the waits for those ids."""
        try:
            await self.bridge.call(self._reconcile, ids, bound)
        except SchemadriveError as exc:
            if is_transient(exc):
                log.debug("checking %d job(s) failed (%s); the stream is still watched",
                          len(ids), exc)  # fmt: skip
                return False
            for call in {call for i in ids for call in self._calls.get(i, ())}:
                call.inbox.put_nowait(("error", exc))
        return True

    def _reconcile(self, ids: list[str], deadline: Deadline) -> None:
        """In the pool: each outcome to the loop as it comes, and to the listener (whose
        memory other waits, sync ones too, read)."""
        listener = self._listener
        for generation_id, outcome in self.dispatcher.iter_reconcile(ids, deadline=deadline):
            self.bridge.to_loop(self.deliver, generation_id, outcome)
            if listener is not None:
                listener.record({generation_id: outcome})

    # -- polling ----------------------------------------------------------------------------
    def poll(self, call: Call, deadline: Deadline) -> asyncio.Task[None]:
        """Poll ``call``'s jobs until it ends (the task is cancelled then)."""
        call.mode = "poll"
        self._add(call)
        return self._spawn(self._poll(call, deadline))

    async def _poll(self, call: Call, deadline: Deadline) -> None:
        try:
            await self._poll_rounds(call, deadline)
        except Exception as exc:  # a bug here must end the wait, not leave it to its deadline
            call.inbox.put_nowait(("error", exc))

    async def _poll_rounds(self, call: Call, deadline: Deadline) -> None:
        # the rules of schemadrive.dispatch.polling.poll, with the sleeps on the loop
        settings = self.dispatcher.settings
        backoff = self.dispatcher.backoff()
        failures, answered, started = 0, False, deadline.elapsed()
        while call.pending:
            retry_after: float | None = None
            patience = settings.unreachable_timeout - (deadline.elapsed() - started)
            bound = deadline if answered else deadline.sooner(max(0.0, patience))
            try:
                await self.bridge.call(self._reconcile, list(call.pending), bound)
            except SchemadriveError as exc:
                if not is_transient(exc):
                    call.inbox.put_nowait(("error", exc))
                    return
                failures += 1
                answered = answered or not isinstance(exc, NetworkError)
                if not answered and deadline.elapsed() - started >= settings.unreachable_timeout:
                    error = NetworkError(
                        f"{exc}; the hub has not answered for {settings.unreachable_timeout:g} "
                        "s, giving up (the job, if it exists, is not affected)"
                    )
                    error.__cause__ = exc
                    call.inbox.put_nowait(("error", error))
                    return
                if failures > settings.poll_failures:
                    call.inbox.put_nowait(("error", exc))
                    return
                retry_after = exc.retry_after if isinstance(exc, RateLimited) else None
            else:
                failures, answered = 0, True
            call.inbox.put_nowait(("tick",))
            if deadline.expired:
                return
            patience = settings.unreachable_timeout - (deadline.elapsed() - started)
            bound = deadline if answered else deadline.sooner(max(0.0, patience))
            await self._sleep()(bound.clamp(backoff.next(retry_after)))

    # -- closing ----------------------------------------------------------------------------
    async def close(self) -> None:
        """End every wait (StreamError: the client was closed) and every task."""
        self.closed = True
        for calls in list(self._calls.values()):
            for call in calls:
                call.inbox.put_nowait(("ended", None))
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
