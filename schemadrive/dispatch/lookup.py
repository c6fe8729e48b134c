"""Reading jobs from the hub: one status, many at once (in parallel, each as it comes), the job
list, and cancelling. :class:`JobLookup` is the part of the dispatcher that only reads (and
cancels); every request is bounded by the caller's deadline when one is given. All times are
in seconds.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import logging
from collections.abc import Callable, Collection, Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Union

from ..exceptions import HubError, JobNotFound, SchemadriveError
from ..hub.retry import Deadline
from ..hub.status import JobState, Status

if TYPE_CHECKING:
    from ..hub.providers import Provider
    from ..hub.transport import Transport
    from .config import DispatchSettings

__all__ = ["JobLookup", "Outcome"]

log = logging.getLogger("schemadrive")

#: What is known about a finished job: its terminal state, or JobNotFound (gone, legacy 404).
Outcome = Union[JobState, JobNotFound]  # noqa: UP007 - a runtime alias, and py3.10 is supported


class JobLookup:
    """Status requests, listing and cancelling for one client (the base of the dispatcher)."""

    provider: Provider
    settings: DispatchSettings
    _transport: Callable[[], Transport]

    @property
    def transport(self) -> Transport:
        return self._transport()

    def _record(self, outcomes: dict[str, Outcome]) -> None:
        """Tell waiters elsewhere (the dispatcher passes it to its listener)."""

    def _status_path(self, generation_id: str) -> str:
        return self.provider.path(self.provider.status_path, generation_id=generation_id)

    def fetch_state(self, generation_id: str, *, deadline: Deadline | None = None) -> JobState:
        """One status request. JobNotFound on 404; RateLimited, HubError, NetworkError."""
        transport = self.transport
        path = self._status_path(generation_id)
        response = transport.send("GET", path, deadline=deadline)
        if response.status_code == 404:
            response.close()
            raise JobNotFound(generation_id, url=transport.url(path))
        reply = transport.json(response)
        if not isinstance(reply, dict):
            raise HubError(f"the status of {generation_id} is not a JSON object", body=reply)
        state = self.provider.state(reply)
        if not state.generation_id:  # some replies omit the id they were asked about
            state = replace(state, generation_id=generation_id)
        return state

    def _outcome(self, generation_id: str, deadline: Deadline | None) -> Outcome:
        try:
            return self.fetch_state(generation_id, deadline=deadline)
        except JobNotFound as exc:
            return exc

    def iter_reconcile(
        self, ids: Collection[str], *, deadline: Deadline | None = None
    ) -> Iterator[tuple[str, Outcome]]:
        """``(id, state or JobNotFound)`` for each of ``ids``, each as soon as it is known.

        One list request first (when there are several ids): an id it shows as active is
        still running; every other id gets its own status request (the truth), up to
        ``settings.reconcile_workers`` at once. A failed status request does not hold the
        others back: it is raised after them. Stops at ``deadline``.
        """
        wanted = list(dict.fromkeys(ids))
        active: set[str] = set()
        if len(wanted) > 1:
            try:
                for state in self.list_jobs(deadline=deadline):
                    if state.generation_id in wanted and not state.terminal:
                        active.add(state.generation_id)
                        yield state.generation_id, state
            except SchemadriveError as exc:  # the per-id requests below are the truth anyway
                log.debug("listing jobs failed (%s); polling each one", exc)
        rest = [generation_id for generation_id in wanted if generation_id not in active]
        if len(rest) <= 1 or self.settings.reconcile_workers <= 1:
            for generation_id in rest:
                yield generation_id, self._outcome(generation_id, deadline)
            return
        yield from self._in_parallel(rest, deadline)

    def _in_parallel(
        self, ids: list[str], deadline: Deadline | None
    ) -> Iterator[tuple[str, Outcome]]:
        workers = min(self.settings.reconcile_workers, len(ids))
        pool = concurrent.futures.ThreadPoolExecutor(workers, thread_name_prefix="schemadrive-poll")
        failure: SchemadriveError | None = None
        try:
            futures = {pool.submit(self._outcome, i, deadline): i for i in ids}
            left = None if deadline is None else deadline.remaining()
            with contextlib.suppress(concurrent.futures.TimeoutError):  # the deadline passed
                for future in concurrent.futures.as_completed(futures, timeout=left):
                    try:
                        yield futures[future], future.result()
                    except SchemadriveError as exc:
                        failure = failure or exc
        finally:
            # requests in flight end by the deadline on their own; nothing waits for them
            pool.shutdown(wait=False, cancel_futures=True)
        if failure is not None:
            raise failure

    def reconcile(
        self, ids: Collection[str], *, deadline: Deadline | None = None
    ) -> dict[str, Outcome]:
        """The current state of each of ``ids`` (see :meth:`iter_reconcile`), all at once."""
        return dict(self.iter_reconcile(ids, deadline=deadline))

    def list_jobs(
        self,
        *,
        status: str | Status | None = None,
        model: str | None = None,
        deadline: Deadline | None = None,
    ) -> list[JobState]:
        """The hub's job list: the active jobs, or those with ``status``."""
        from ..hub.listing import iter_job_rows  # every page of a paged list
        from ..hub.retry import within

        word = self.provider.query_word(status) if status is not None else None
        with within(deadline):
            rows = iter_job_rows(self.transport, self.provider, status=word, model=model)
            states = [self.provider.state(row) for row in rows]
        if word is None and self.provider.list_includes_finished:
            states = [state for state in states if not state.terminal]
        return states

    def cancel(self, generation_id: str) -> JobState | None:
        """Ask the hub to cancel; the job's state afterwards (None if it no longer answers)."""
        transport = self.transport
        path = self.provider.path(self.provider.cancel_path, generation_id=generation_id)
        response = transport.send(self.provider.cancel_method, path)
        if response.status_code == 404:
            response.close()
            known: JobState | None = None
            if not self.provider.cancel_documented:  # a 404 may only mean "no such endpoint"
                with contextlib.suppress(JobNotFound):
                    known = self.fetch_state(generation_id)
            url = transport.url(path)
            raise self.provider.cancel_not_found(generation_id, url=url, state=known)
        transport.check(response)
        response.close()
        try:
            state: JobState | None = self.fetch_state(generation_id)
        except JobNotFound:  # the legacy form forgets a job once it ends
            if not self.provider.legacy_404_when_finished:
                raise
            state = JobState(generation_id, Status.CANCELLED, raw_status="cancelled")
        if state is not None:
            self._record({generation_id: state})  # waiters elsewhere end now: no event comes
        return state
