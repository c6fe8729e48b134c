"""AsyncClient: :class:`~schemadrive.Client` for asyncio, on the same code path.

An AsyncClient wraps a Client (``.sync``). Validation runs in the calling task, before
anything leaves the loop; blocking HTTP runs in one bounded thread pool per client; waits are
fed by the client's one event listener (or by polling on the loop's timers) and cost no thread
each (:mod:`schemadrive.aio.waiting`). See docs/async.md. All times are in seconds.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ..client import Client, _merge
from ..exceptions import PayloadInvalid, SchemadriveError
from ._bridge import DEFAULT_WORKERS, Bridge, run_in_thread
from .job import AsyncJob, AsyncResult, mark_cancelled
from .waiting import iter_finished
from .watcher import Watcher

if TYPE_CHECKING:
    from decimal import Decimal

    from ..batches import BatchReport, Progress
    from ..batches.plan import Source
    from ..dispatch.dispatcher import Dispatcher
    from ..dispatch.job import Job, Via
    from ..hub.status import JobState, Status
    from ..model import Model

__all__ = ["AsyncClient"]

log = logging.getLogger("schemadrive")


class AsyncClient:
    """A client for one hub, for ``async`` code. All times are in seconds.

    Takes the same arguments and settings as :class:`~schemadrive.Client` (``api_key``,
    ``base_url``, ``provider``, ``timeout``, ``poll_interval``... and the ``SCHEMADRIVE_*``
    variables), plus ``max_workers``: short blocking requests run at once (8), and as many
    long ones (sync runs, downloads, batches) in a pool of their own; the others wait their
    turn on the loop. Use it as ``async with AsyncClient(...) as client``, or call
    :meth:`aclose`: that stops its threads and closes its connections.

    The client belongs to the event loop it is first used on. ``sleep`` (an async function
    of seconds) is how polling waits between rounds; tests replace it.
    """

    def __init__(
        self, api_key: str | None = None, *, max_workers: int = DEFAULT_WORKERS, **options: Any
    ) -> None:
        #: the synchronous Client doing the work (its settings, store and dispatcher)
        self.sync = Client(api_key, **options)
        self.max_workers = max_workers
        self.sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
        self._bridge_: Bridge | None = None
        self._watcher_: Watcher | None = None
        self._closed = False

    def __repr__(self) -> str:
        return f"Async{self.sync!r}"

    # -- plumbing ---------------------------------------------------------------------------
    @property
    def _bridge(self) -> Bridge:
        if self._closed:
            raise RuntimeError("the AsyncClient is closed")
        if self._bridge_ is None:
            self._bridge_ = Bridge(max_workers=self.max_workers)
        elif self._bridge_.loop is not asyncio.get_running_loop():
            raise RuntimeError("an AsyncClient is used on the event loop it was first used on")
        return self._bridge_

    @property
    def _watcher(self) -> Watcher:
        if self._watcher_ is None:
            self._watcher_ = Watcher(self._bridge, self.sync.dispatcher, lambda: self.sleep)
        return self._watcher_

    @property
    def dispatcher(self) -> Dispatcher:
        """The sync client's dispatcher (``settings``, ``clock``)."""
        return self.sync.dispatcher

    async def __aenter__(self) -> AsyncClient:
        self._bridge  # noqa: B018 - binds the client to this loop now
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """End the waits in progress (StreamError), stop the event listener and the pool's
        threads and close the connections; returns when they are gone. Calls already in a
        thread end first (bounded by their own timeouts)."""
        if self._closed:
            return
        self._closed = True
        if self._watcher_ is not None:
            await self._watcher_.close()
        await run_in_thread(self.sync.close)  # joins the listener's thread
        if self._bridge_ is not None:
            await self._bridge_.close()

    # -- models -----------------------------------------------------------------------------
    async def model(self, model_id: str) -> Model:
        """The model ``model_id``: from memory at once, else fetched (or read from the disk
        cache) in the pool; ModelNotFound as for :meth:`schemadrive.Client.model`."""
        cached = self.sync.store.peek(model_id) if isinstance(model_id, str) else None
        if cached is not None:
            return cached
        return await self._bridge.call(self.sync.model, model_id)

    async def list_models(self) -> list[str]:
        """The ids of every model the hub lists."""
        return await self._bridge.call(self.sync.list_models)

    async def _validated(
        self, model_id: str, payload: Mapping[str, Any] | None, params: Mapping[str, Any]
    ) -> dict[str, Any]:
        """The merged payload, validated here, in the calling task (PayloadInvalid and
        SchemaUnavailable before anything is sent or leaves the loop, but the fetch of a
        schema not yet cached)."""
        from ..media.detect import has_files

        merged = _merge(payload, params)
        model = await self.model(model_id)
        if has_files(merged):  # checked without reading the files; encoded in the pool
            problems = model.validate(merged)
            if problems:
                raise PayloadInvalid(problems, model_id=model_id)
        else:
            model.prepare(merged)
        return merged

    # -- running models ---------------------------------------------------------------------
    async def run(
        self, model_id: str, payload: Mapping[str, Any] | None = None, /, **params: Any
    ) -> AsyncResult:
        """Run a model and return its Result, as :meth:`schemadrive.Client.run`: one long
        request in the pool (a hub with no sync endpoint: a submit, then an awaited wait)."""
        merged = await self._validated(model_id, payload, params)
        if self.sync.provider.run_via_queue:
            (job,) = await self._submit(model_id, merged, 1)
            return await job.wait()
        result = await self._bridge.call_paid(
            self.sync.run, model_id, merged, on_abandoned=_report_abandoned_run, long=True
        )
        return AsyncResult(result, self)

    async def submit(
        self, model_id: str, payload: Mapping[str, Any] | None = None, /, **params: Any
    ) -> AsyncJob:
        """Queue one generation and return its AsyncJob (validated first, like :meth:`run`).

        Cancelling the await does not cut the request short: if the hub created the job,
        its id is logged (logger ``schemadrive``, warning)."""
        merged = await self._validated(model_id, payload, params)
        return (await self._submit(model_id, merged, 1))[0]

    async def submit_many(
        self, model_id: str, payload: Mapping[str, Any] | None = None, /, *, count: int
    ) -> list[AsyncJob]:
        """Queue ``count`` generations of one payload (see :meth:`schemadrive.Client.submit_many`;
        jobs queued before a failure are on the exception's ``.jobs``, as sync Jobs)."""
        merged = await self._validated(model_id, payload, {})
        return await self._submit(model_id, merged, count)

    async def _submit(self, model_id: str, merged: dict[str, Any], count: int) -> list[AsyncJob]:
        sync = self.sync

        def submit() -> list[Job]:
            if count == 1:
                return [sync.submit(model_id, merged)]
            return sync.submit_many(model_id, merged, count=count)

        jobs = await self._bridge.call_paid(submit, on_abandoned=_report_abandoned_jobs)
        return [AsyncJob(job, self) for job in jobs]

    async def job(self, generation_id: str, *, model: str | None = None) -> AsyncJob:
        """An AsyncJob for an existing generation id (no request is made)."""
        return AsyncJob(self.sync.job(generation_id, model=model), self)

    async def jobs(
        self, *, status: str | Status | None = None, model: str | None = None
    ) -> list[JobState]:
        """The hub's job list, as :meth:`schemadrive.Client.jobs`."""
        return await self._bridge.call(self.sync.jobs, status=status, model=model)

    # -- waiting ----------------------------------------------------------------------------
    def _finished(
        self, jobs: Iterable[Job], *, timeout: float | None, via: Via
    ) -> AsyncGenerator[Job, None]:
        return iter_finished(self._watcher, jobs, timeout=timeout, via=via)

    async def as_completed(
        self, jobs: Iterable[AsyncJob | Job], *, timeout: float | None = None, via: Via = "auto"
    ) -> AsyncIterator[AsyncJob]:
        """Yield each job as it ends (``job.result()`` gives its Result or raises).

        One deadline for all (None: one hour); JobTimeout lists the jobs still running
        (``.pending``), and so does the CancelledError of a cancelled iteration. Leave the
        loop early with ``contextlib.aclosing(client.as_completed(...))`` to stop waiting
        at once.
        """
        wrapped = {
            job.id: job if isinstance(job, AsyncJob) else AsyncJob(job, self) for job in jobs
        }  # sync Jobs (client.sync's) are accepted too
        waiting = self._finished([job.sync for job in wrapped.values()], timeout=timeout, via=via)
        done: set[str] = set()
        try:
            async for job in waiting:
                done.add(job.id)
                yield wrapped[job.id]
        except asyncio.CancelledError as exc:
            mark_cancelled(exc, [i for i in wrapped if i not in done])
            raise
        finally:
            await waiting.aclose()

    async def wait_all(
        self,
        jobs: Iterable[AsyncJob | Job],
        *,
        timeout: float | None = None,
        via: Via = "auto",
        return_exceptions: bool = False,
    ) -> list[Any]:
        """Wait for every job; their Results in the order given (see
        :meth:`schemadrive.Client.wait_all`: the first failure, in order, is raised after
        every job was waited for, or is in its place with ``return_exceptions=True``)."""
        waited = [job if isinstance(job, AsyncJob) else AsyncJob(job, self) for job in jobs]
        async for _ in self.as_completed(waited, timeout=timeout, via=via):
            pass
        results: list[Any] = []
        first: SchemadriveError | None = None
        for job in waited:
            try:
                results.append(job.result())
            except SchemadriveError as exc:
                if not return_exceptions:
                    first = first or exc
                results.append(exc)
        if first is not None:
            raise first
        return results

    async def batch(
        self,
        model_id: str,
        rows: Source,
        *,
        out: str | os.PathLike[str],
        concurrency: int = 4,
        budget: Decimal | int | str | None = None,
        via: Via = "auto",
        timeout: float | None = None,
        retry_failed: bool = False,
        resubmit_uncertain: bool = False,
        on_progress: Callable[[Progress], None] | None = None,
    ) -> BatchReport:
        """:meth:`schemadrive.Client.batch` in one of the pool's threads (its own workers do
        the rows). Cancelling the await does not stop the batch: it runs to its end, and its
        journal in ``out`` makes a later call resume it. ``on_progress`` is called from the
        batch's threads."""
        return await self._bridge.call(
            self.sync.batch, model_id, rows, long=True, out=out, concurrency=concurrency,
            budget=budget, via=via, timeout=timeout, retry_failed=retry_failed,
            resubmit_uncertain=resubmit_uncertain, on_progress=on_progress,
        )  # fmt: skip


def _report_abandoned_jobs(jobs: list[Job]) -> None:
    ids = ", ".join(job.id for job in jobs)
    log.warning("a cancelled submit reached the hub: it created job(s) %s (still running)", ids)


def _report_abandoned_run(result: Any) -> None:
    log.warning("a cancelled run reached the hub and finished: %r", result)
