"""Waiting for jobs on an asyncio loop, with no thread per waiting job: the async twin of
:func:`schemadrive.dispatch.waiting.iter_finished`, over a
:class:`~schemadrive.aio.watcher.Watcher`.

The sync core does the work; the watcher only routes what it learns:

* **events**: the client's one event stream; jobs the stream may have missed
  (``job.needs_check``) are checked once, together, when it is open; a slow check of the open
  jobs notices cancellations (they get no event).
* **polling** (no stream, ``via="poll"``, or the stream gave up under ``via="auto"``): rounds
  of :meth:`~schemadrive.dispatch.lookup.JobLookup.iter_reconcile` in the pool, with the
  dispatcher's backoff between them on the loop's timers (``AsyncClient.sleep``).

The deadline is measured on the dispatcher's clock, as in the sync wait. All times are in
seconds.
"""

from __future__ import annotations

import math
from collections.abc import AsyncGenerator, Iterable
from typing import TYPE_CHECKING, Any

from ..dispatch.polling import deadline_for
from ..dispatch.waiting import _timeout_error
from ..exceptions import ConfigurationError, StreamError
from .watcher import Call, Watcher

if TYPE_CHECKING:
    import asyncio

    from ..dispatch.job import Job, Via
    from ..hub.retry import Deadline

__all__ = ["iter_finished"]


async def iter_finished(
    watcher: Watcher, jobs: Iterable[Job], *, timeout: float | None, via: Via
) -> AsyncGenerator[Job, None]:
    """Yield each of ``jobs`` once, as it ends (the async twin of the sync wait's contract)."""
    if via not in ("auto", "events", "poll"):
        raise ConfigurationError(f"via must be 'auto', 'events' or 'poll', not {via!r}")
    dispatcher = watcher.dispatcher
    deadline = deadline_for(timeout, dispatcher.settings, dispatcher.clock)
    pending: dict[str, Job] = {}
    for job in jobs:
        pending.setdefault(job.id, job)
    for job in [job for job in pending.values() if job.done]:
        del pending[job.id]
        yield job
    if not pending:
        return
    if watcher.closed:
        raise StreamError("the AsyncClient is closed")
    call = Call(pending, deadline)
    poller: asyncio.Task[None] | None = None
    try:
        mode: str = via
        if mode == "auto":
            mode = "events" if dispatcher.provider.has_events else "poll"
        if mode == "events":
            mode = await _listen(watcher, call, deadline, strict=via == "events")
        if mode == "poll":
            poller = watcher.poll(call, deadline)
        while pending:
            if deadline.expired:
                raise _timeout_error(pending, deadline)
            item = await _next(call, deadline)
            if item is None or item[0] == "tick":
                continue
            if item[0] == "error":
                raise item[1]
            if item[0] == "ended":
                failure = item[1]
                if failure is not None and call.mode == "poll":
                    continue  # the stream's end, reported late: polling already took over
                if failure is None or via == "events":
                    reason = failure or "the client was closed"
                    raise StreamError(
                        f"the event stream ended ({reason}); {len(pending)} job(s) still "
                        "running: " + ", ".join(list(pending)[:20])
                    ) from failure
                watcher.forget(call)  # via="auto": polling takes over
                poller = poller or watcher.poll(call, deadline)
                continue
            _, generation_id, outcome = item
            found = pending.get(generation_id)
            if found is None:
                continue
            found.needs_check = False
            found.settle(outcome)
            if found.done:
                del pending[generation_id]
                yield found
    finally:
        if poller is not None:
            poller.cancel()
        watcher.forget(call)


async def _listen(watcher: Watcher, call: Call, deadline: Deadline, *, strict: bool) -> str:
    """Wait on the stream: "events", or "poll" when there is none to wait on (``strict``:
    StreamError instead)."""
    listener = watcher.listener()
    if listener is not None:
        watcher.watch_events(call, listener)
        unchecked = [job.id for job in call.pending.values() if job.needs_check]
        if not unchecked:
            return "events"
        # jobs the stream may have missed are checked once it is open (no replay)
        settings = watcher.dispatcher.settings
        opened = await watcher.connected(listener, min(settings.listen_timeout,
                                                       deadline.remaining()))  # fmt: skip
        if listener.failure is None and (opened or strict):
            watcher.check(unchecked, deadline)
            return "events"
        watcher.forget(call)
    if strict:
        failure = getattr(watcher.dispatcher.listener(), "failure", None)
        raise StreamError(f"no event stream to wait on: {failure or 'this hub has none'}")
    return "poll"


async def _next(call: Call, deadline: Deadline) -> tuple[Any, ...] | None:
    """The next inbox item, or None when the deadline's time (real time) has passed."""
    remaining = deadline.remaining()
    return await call.inbox.get(None if math.isinf(remaining) else remaining)
