"""Async handles on the sync core's objects: :class:`AsyncJob` (a :class:`~schemadrive.Job`)
and :class:`AsyncResult` (a :class:`~schemadrive.Result`).

They hold the sync object (``.sync``) and change only what does I/O into a coroutine; what a
Job or Result knows (its id, state, urls) is read directly. All times are in seconds.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..exceptions import JobTimeout

if TYPE_CHECKING:
    from ..dispatch.job import Job, Via
    from ..dispatch.lookup import Outcome
    from ..dispatch.results import Result
    from ..hub.status import JobState
    from .client import AsyncClient

__all__ = ["AsyncJob", "AsyncResult", "mark_cancelled"]


def mark_cancelled(exc: BaseException, ids: Sequence[str]) -> None:
    """Put the ids of the jobs a cancelled wait left running on its CancelledError: as
    ``generation_id`` (the first) and ``pending`` (all), and as a note (Python 3.11+)."""
    exc.generation_id = ids[0]  # type: ignore[attr-defined]
    exc.pending = list(ids)  # type: ignore[attr-defined]
    shown = ", ".join(ids[:20]) + (", ..." if len(ids) > 20 else "")
    note = (
        f"the wait was cancelled; the job(s) keep running on the hub: {shown} (resume with "
        "client.job(generation_id).wait(), or cancel them with await job.cancel())"
    )
    add_note = getattr(exc, "add_note", None)
    if add_note is not None:
        add_note(note)


class AsyncResult:
    """The outputs of one finished generation; :meth:`download` is a coroutine.

    ``urls``, ``data``, ``model``, ``raw`` and ``generation_id`` are the
    :class:`~schemadrive.Result`'s (``.sync``).
    """

    def __init__(self, result: Result, client: AsyncClient) -> None:
        self.sync = result
        self._client = client

    @property
    def urls(self) -> list[str]:
        return self.sync.urls

    @property
    def data(self) -> list[bytes]:
        return self.sync.data

    @property
    def model(self) -> str | None:
        return self.sync.model

    @property
    def raw(self) -> Mapping[str, Any]:
        return self.sync.raw

    @property
    def generation_id(self) -> str | None:
        return self.sync.generation_id

    def __len__(self) -> int:
        return len(self.sync)

    def __repr__(self) -> str:
        return f"Async{self.sync!r}"

    async def download(self, path_or_dir: str | os.PathLike[str]) -> list[Path]:
        """Save every output (in the client's pool); the files written, in output order.

        Same rules as :meth:`schemadrive.Result.download`. Cancelling the await leaves no
        partial file behind, but a file being written is finished in its thread.
        """
        return await self._client._bridge.call(self.sync.download, path_or_dir, long=True)


class AsyncJob:
    """One queued generation, awaited. ``id`` is the hub's generation id.

    ``state``, ``outcome``, ``done`` and ``model`` are the sync :class:`~schemadrive.Job`'s
    (``.sync``); ``status()``, ``wait()`` and ``cancel()`` are coroutines.
    """

    def __init__(self, job: Job, client: AsyncClient) -> None:
        self.sync = job
        self._client = client

    @property
    def id(self) -> str:
        return self.sync.id

    @property
    def generation_id(self) -> str:
        return self.sync.id

    @property
    def model(self) -> str | None:
        return self.sync.model

    @property
    def state(self) -> JobState | None:
        return self.sync.state

    @property
    def outcome(self) -> Outcome | None:
        return self.sync.outcome

    @property
    def done(self) -> bool:
        return self.sync.done

    def __repr__(self) -> str:
        return f"Async{self.sync!r}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AsyncJob) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    def result(self) -> AsyncResult:
        """The Result of a job that has ended (raise its error); no I/O."""
        return AsyncResult(self.sync.result(), self._client)

    async def status(self) -> JobState:
        """The job's state now (one request, in the pool)."""
        return await self._client._bridge.call(self.sync.status)

    async def wait(
        self, timeout: float | None = None, *, via: Via = "auto", cancel_on_timeout: bool = False
    ) -> AsyncResult:
        """Wait for the job to end and return its Result; no thread waits meanwhile.

        As :meth:`schemadrive.Job.wait`: ``timeout`` (None: the client's default, one hour;
        ``math.inf``: none), ``via`` (``"auto"``, ``"events"``, ``"poll"``), and the same
        errors (JobFailed, JobCancelled, JobTimeout with ``.generation_id``, JobNotFound,
        StreamError...).

        Cancelling the task that awaits it stops the waiting, not the generation: the job
        keeps running on the hub, and the CancelledError carries ``.generation_id`` (and a
        note saying so). ``await job.cancel()`` cancels it on the hub.
        """
        if not self.sync.done:
            try:
                async for _ in self._client._finished([self.sync], timeout=timeout, via=via):
                    pass
            except asyncio.CancelledError as exc:
                mark_cancelled(exc, [self.id])
                raise
            except JobTimeout as exc:
                if not cancel_on_timeout:
                    raise
                error = await self._client._bridge.call(self.sync._cancel_after_timeout, exc)
                if not self.sync.done or error.cancelled:
                    raise error from exc
                # it ended just as the deadline passed: its result (or error) stands
        return self.result()

    async def cancel(self) -> JobState | None:
        """Cancel the job on the hub; its state afterwards. Every wait for it ends
        (JobCancelled). A job that already ended is left as it is."""
        state = await self._client._bridge.call(self.sync.cancel)
        if state is not None:
            self._client._watcher.deliver(self.id, state)
        return state
