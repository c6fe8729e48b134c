"""The bridge between the synchronous core and an asyncio loop.

Blocking calls (HTTP) run in one bounded :class:`~concurrent.futures.ThreadPoolExecutor` per
client; values found in other threads (the event listener's, the pool's) are handed to the
loop with ``loop.call_soon_threadsafe``. Nothing here knows about jobs. All times are in
seconds.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import logging
import threading
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["Bridge", "DEFAULT_WORKERS"]

log = logging.getLogger("schemadrive")

T = TypeVar("T")

#: blocking calls run at once per client (submits, status checks, downloads); more wait their
#: turn on the loop, costing no thread
DEFAULT_WORKERS = 8

#: the pool's threads are named after this (the benchmark and the tests count them)
THREAD_PREFIX = "schemadrive-async"


class Bridge:
    """One loop and two bounded pools: one for short calls (submits, status checks, model
    fetches) and one for calls that last as long as a generation or a transfer (sync runs,
    downloads, batches), so that a few of those never hold up the rest. Each is built on first
    use. Created inside a running loop (``AsyncClient.__aenter__``)."""

    def __init__(self, *, max_workers: int = DEFAULT_WORKERS) -> None:
        try:
            self.loop = asyncio.get_running_loop()
        except RuntimeError:
            raise RuntimeError(
                "AsyncClient needs a running asyncio event loop (asyncio.run, or anyio on its "
                "asyncio backend); trio is not supported (docs/async.md)"
            ) from None
        self.max_workers = max_workers
        self._pools: dict[bool, concurrent.futures.ThreadPoolExecutor] = {}
        self._lock = threading.Lock()
        self.closed = False

    def pool(self, *, long: bool = False) -> concurrent.futures.ThreadPoolExecutor:
        with self._lock:
            if self.closed:
                raise RuntimeError("the AsyncClient is closed")
            if long not in self._pools:  # on first use: a client that only validates has none
                prefix = THREAD_PREFIX + ("-long" if long else "")
                self._pools[long] = concurrent.futures.ThreadPoolExecutor(
                    self.max_workers, thread_name_prefix=prefix
                )
            return self._pools[long]

    def to_loop(self, fn: Callable[..., Any], *args: Any) -> None:
        """Run ``fn(*args)`` on the loop, soon; from any thread. Dropped once the loop closed
        (a late callback from the listener after the client's loop ended)."""
        try:
            self.loop.call_soon_threadsafe(fn, *args)
        except RuntimeError:  # the loop is closed
            log.debug("a value reached a closed event loop and was dropped")

    async def call(self, fn: Callable[..., T], *args: Any, long: bool = False, **kwargs: Any) -> T:
        """``fn(*args, **kwargs)`` in a pool (``long``: the one for long calls); cancelling the
        await does not stop the call."""
        call = functools.partial(fn, *args, **kwargs)
        return await self.loop.run_in_executor(self.pool(long=long), call)

    async def call_paid(
        self,
        fn: Callable[..., T],
        *args: Any,
        on_abandoned: Callable[[T], None],
        long: bool = False,
        **kwargs: Any,
    ) -> T:
        """Like :meth:`call`, for a call that may create paid work (a submit): when the
        awaiting task is cancelled the call goes on to its end in its thread (a POST is never
        cut off half-sent) and ``on_abandoned(value)`` is called with what it returned, so
        that nothing it created goes unreported."""
        call = functools.partial(fn, *args, **kwargs)
        future = self.loop.run_in_executor(self.pool(long=long), call)
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:

            def report(done: asyncio.Future[T]) -> None:
                if not done.cancelled() and done.exception() is None:
                    on_abandoned(done.result())

            future.add_done_callback(report)
            raise

    async def close(self) -> None:
        """Stop the pool's threads: queued calls are dropped, running ones end (bounded by
        their own timeouts) before this returns. The loop is not blocked meanwhile."""
        with self._lock:
            self.closed = True
            pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            await run_in_thread(functools.partial(pool.shutdown, wait=True, cancel_futures=True))


async def run_in_thread(fn: Callable[[], T]) -> T:
    """``fn()`` in a new thread that ends with it (for joins at close, when the pool itself is
    what is being shut down; the loop's default executor would keep its threads)."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(value: Any, error: BaseException | None) -> None:
        if future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(value)

    def target() -> None:
        try:
            value = fn()
        except BaseException as exc:  # handed to the awaiting task
            loop.call_soon_threadsafe(settle, None, exc)
        else:
            loop.call_soon_threadsafe(settle, value, None)

    thread = threading.Thread(target=target, name="schemadrive-async-close", daemon=True)
    thread.start()
    value = await future
    thread.join()  # it has handed its value over: only its return is left (microseconds)
    return value
