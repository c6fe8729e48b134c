"""Running models: sync runs, submits, job look-ups, and the shared event listener.

:class:`Dispatcher` is what :class:`~schemadrive.client.Client`'s ``run``/``submit``/``job``
methods use; it asks the :class:`~schemadrive.hub.providers.Provider` for every hub-specific path,
body and field name. Its ``settings``, ``clock``, ``sleep`` and ``random`` can be replaced
(tests drive waits with a manual clock and never sleep for real). All times are in seconds.
"""

from __future__ import annotations

import dataclasses
import logging
import random as _random
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlencode

from ..exceptions import ConfigurationError, HubError, PayloadInvalid, SchemadriveError
from ..hub.retry import PAID_POST, POLL, Backoff, Deadline
from ..hub.status import JobState, Submitted, status_from_word
from .config import DispatchSettings
from .job import Job, Via
from .lookup import JobLookup, Outcome
from .results import Result
from .stream import EventStream
from .submission import generations_problem, post_paid
from .waiting import iter_finished

if TYPE_CHECKING:
    import requests

    from ..hub.providers import Provider
    from ..hub.transport import Transport
    from ..model import Model
    from .downloads import Downloader
    from .listener import EventListener
    from .progress import ProgressLine

__all__ = ["DispatchSettings", "Dispatcher"]

log = logging.getLogger("schemadrive")

T = TypeVar("T")


class Dispatcher(JobLookup):
    """Runs, submits and looks up jobs for one client; owns the shared event listener.

    Implements :class:`~schemadrive.dispatch.job.JobBackend` for its jobs.
    """

    def __init__(
        self,
        transport: Callable[[], Transport],
        provider: Provider,
        model: Callable[[str], Model],
        *,
        settings: DispatchSettings | None = None,
    ) -> None:
        self._transport = transport
        self.provider = provider
        self._model = model
        self.settings = settings or DispatchSettings()
        #: the clock deadlines and polling intervals are measured on
        self.clock: Callable[[], float] = time.monotonic
        #: how polling waits (waiting on the event stream uses real time, up to the deadline)
        self.sleep: Callable[[float], None] = time.sleep
        self.random: Callable[[], float] = _random.random
        self._listener: EventListener | None = None
        self._downloader: Downloader | None = None
        self._stream = EventStream()
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<Dispatcher provider={self.provider.name!r} listener={self._listener!r}>"

    @property
    def transport(self) -> Transport:
        return self._transport()

    @property
    def downloader(self) -> Downloader:
        from .downloads import Downloader

        transport = self.transport
        if self._downloader is None or self._downloader.transport is not transport:
            self._downloader = Downloader(transport)
        return self._downloader

    def backoff(self, interval: float | None = None, max_interval: float | None = None) -> Backoff:
        """A polling schedule with this dispatcher's settings and random source."""
        first = self.settings.poll_interval if interval is None else interval
        cap = self.settings.max_poll_interval if max_interval is None else max_interval
        policy = dataclasses.replace(POLL, initial=first, maximum=max(first, cap))
        return policy.backoff(random=self.random)

    def close(self) -> None:
        """Stop the event listener (a new one starts on the next wait)."""
        with self._lock:
            listener, self._listener = self._listener, None
        if listener is not None:
            listener.stop()
        self._stream.close()

    # -- the event stream -------------------------------------------------------------------
    def listener(self) -> EventListener | None:
        """The shared listener (None when the provider has no event stream)."""
        if not self.provider.has_events:
            return None
        with self._lock:
            old = self._listener
            failed_at = old.failed_at if old is not None else None
            if (
                failed_at is not None
                and time.monotonic() - failed_at >= self.settings.stream_retry_after
            ):
                old.stop()  # type: ignore[union-attr]  # it gave up a while ago: try again
                self._listener = None
            if self._listener is None:
                from .listener import EventListener

                s = self.settings
                assert self.provider.completion_event is not None  # has_events says so
                self._listener = EventListener(
                    self._open_events,
                    self.provider.state,
                    self._reconcile_for_listener,
                    event_names=(self.provider.completion_event,),
                    reconnect_initial=s.reconnect_initial,
                    reconnect_max=s.reconnect_max,
                    max_failures=s.stream_failures,
                    idle_timeout=s.idle_timeout,
                )
            return self._listener

    def _reconcile_for_listener(self, ids: Collection[str]) -> Iterator[tuple[str, Outcome]]:
        # after a reconnect: in parallel, each result published as it comes, bounded
        return self.iter_reconcile(ids, deadline=Deadline(self.settings.reconcile_interval))

    def _open_events(self) -> requests.Response:
        assert self.provider.events_path is not None
        return self._stream.open(
            self.transport, self.provider.events_path, self.settings.events_read_timeout
        )

    def _listen_before_submit(self) -> tuple[EventListener | None, int | None]:
        """Start the stream in the background (never waiting for it); the listener and, when
        the stream is open now, its epoch (the new jobs are then covered by it).

        A submit never waits for the stream and never fails because of it: jobs it did not
        cover are checked once by their first wait. ``settings.listen = False`` (``run
        --no-wait``, ``--via poll``) leaves the stream alone: no events request at all.
        """
        listener = self.listener() if self.settings.listen else None
        if listener is None or listener.failure is not None:
            return None, None
        listener.start()
        return listener, (listener.epoch if listener.connected else None)

    def _record(self, outcomes: dict[str, Outcome]) -> None:
        listener = self._listener
        if listener is not None:
            listener.record(outcomes)

    # -- creating work ----------------------------------------------------------------------
    def _check_hint(self, model_id: str) -> str:
        url = self.transport.url(self.provider.list_path)
        query = urlencode(self.provider.list_query(None, model_id))
        return f"`schemadrive jobs --model {model_id}` or GET {url}?{query}"

    def _post(
        self,
        path: str,
        body: dict[str, Any],
        *,
        model_id: str,
        parse: Callable[[Any], T],
        timeout: tuple[float, float],
        check: str,
    ) -> T:
        s = self.settings
        return post_paid(
            self.transport,
            path,
            body,
            model_id=model_id,
            parse=parse,
            check=check,
            timeout=timeout,
            attempts=s.submit_attempts,
            max_retry_after=s.max_retry_after,
            sleep=self.sleep,
            backoff=PAID_POST.backoff(random=self.random),
        )

    def run(self, model_id: str, payload: Mapping[str, Any] | None) -> Result:
        """Validate, fill defaults, POST to the model's sync endpoint, return its Result
        (``provider.run_via_queue``: submit one job and wait for it, default deadline)."""
        if self.provider.run_via_queue:
            return self.submit(model_id, payload, 1, single=True)[0].wait()
        model = self._model(model_id)
        # sent as given: the sync endpoint returns that many outputs in the one Result
        prepared = self._prepare(model, dict(payload or {}), keep_generations=True)[0]
        make_body, parse_sync = self.provider.sync_body, self.provider.parse_sync
        if model.endpoint is None or make_body is None or parse_sync is None:
            raise ConfigurationError(
                f"{model_id} has no synchronous endpoint on this hub; use submit()"
            )
        downloader = self.downloader
        check = self._check_hint(model_id).replace("--model", "--status succeeded --model")
        return self._post(
            model.endpoint,
            make_body(model_id, prepared),
            model_id=model_id,
            parse=lambda reply: Result.from_outputs(
                parse_sync(reply), model=model_id, downloader=downloader
            ),
            timeout=self.settings.run_timeout,
            check=check,
        )

    def _prepare(
        self, model: Model, payload: dict[str, Any], *, keep_generations: bool = False
    ) -> tuple[dict[str, Any], int | None]:
        """The prepared payload and its ``num_generations`` (taken out of it unless kept);
        a value out of the hub's range is one more problem of the PayloadInvalid."""
        given = "num_generations" in payload
        wanted = payload.pop("num_generations") if given and not keep_generations else None
        if given and keep_generations:
            wanted = payload["num_generations"]
        problem = generations_problem(wanted, self.provider.max_per_submit) if given else None
        try:
            prepared = model.prepare(payload)
        except PayloadInvalid as exc:
            if problem is None:
                raise
            raise PayloadInvalid([*exc.problems, problem], model_id=model.id) from None
        if problem is not None:
            raise PayloadInvalid([problem], model_id=model.id)
        return prepared, wanted

    def submit(
        self, model_id: str, payload: Mapping[str, Any] | None, count: int = 1, *,
        single: bool = False,
    ) -> list[Job]:  # fmt: skip
        """Validate once, then enqueue ``count`` jobs in requests of at most max_per_submit.

        ``num_generations`` in the payload is the number of jobs (as ``count`` is; giving
        both with different values is a ConfigurationError); ``single``: the caller takes one
        job, so more than one is a ConfigurationError before anything is sent. If a later
        request fails, the jobs already created are on the exception as ``.jobs``.
        """
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise ConfigurationError(f"count must be a positive integer, not {count!r}")
        model = self._model(model_id)
        prepared, wanted = self._prepare(model, dict(payload or {}))
        if wanted is not None and wanted != 1:
            if count not in (1, wanted):
                raise ConfigurationError(
                    f"count={count} and num_generations={wanted} disagree: give one of them"
                )
            count = wanted
        if single and count > 1:
            raise ConfigurationError(
                f"num_generations={count} makes {count} jobs: use "
                f"submit_many({model_id!r}, payload, count={count}); nothing was sent"
            )
        listener, epoch = self._listen_before_submit()
        check = self._check_hint(model_id)
        jobs: list[Job] = []
        for size in chunk_sizes(count, self.provider.max_per_submit):
            body = self.provider.submit_body(model_id, prepared, size)
            try:
                created = self._post(
                    self.provider.submit_path,
                    body,
                    model_id=model_id,
                    parse=self._parse_submit,
                    timeout=self.settings.submit_timeout,
                    check=check,
                )
            except SchemadriveError as exc:
                if jobs:
                    exc.jobs = list(jobs)  # type: ignore[attr-defined]
                    ids = ", ".join(job.id for job in jobs)
                    log.warning(
                        "%d job(s) of %s were created before the error: %s",
                        len(jobs),
                        model_id,
                        ids,
                    )
                raise
            if len(created) != size:
                log.warning(
                    "asked the hub for %d job(s) of %s, it created %d", size, model_id, len(created)
                )
            new = [
                Job(self, item.generation_id, model=model_id, known=True,
                    state=self._initial_state(item.generation_id, item.raw_status, model_id))
                for item in created
            ]  # fmt: skip
            if listener is not None:
                unchecked = listener.watch([job.id for job in new], since_epoch=epoch)
                for job in new:
                    job.needs_check = job.id in unchecked
            jobs.extend(new)
        return jobs

    def _parse_submit(self, reply: Any) -> list[Submitted]:
        created = self.provider.parse_submit(reply)
        if not created:  # a 2xx that names no job: one may exist all the same
            raise HubError("the reply lists no created job")
        return created

    def _initial_state(self, generation_id: str, word: str, model_id: str) -> JobState:
        status = status_from_word(word, self.provider.status_words)
        return JobState(generation_id, status, raw_status=word, model=model_id)

    def attach(self, generation_id: str, *, model: str | None = None) -> Job:
        """A handle on an existing job (no request is made until it is used)."""
        if not isinstance(generation_id, str) or not generation_id.strip():
            raise ConfigurationError("a generation id must be a non-empty string")
        return Job(self, generation_id.strip(), model=model)

    def on_done(self, generation_id: str, fn: Callable[[Outcome], None]) -> EventListener | None:
        """Call ``fn(outcome)`` once when the job's outcome is known, from whichever thread
        learns it (see :meth:`EventListener.add_done_callback`); the listener is started
        without waiting for it to connect. None (and no call) when there is no usable stream:
        the hub has none, or it gave up; poll instead."""
        listener = self.listener()
        if listener is None or listener.failure is not None:
            return None
        listener.add_done_callback(generation_id, fn)
        listener.start()
        return listener

    def watch(
        self, jobs: Iterable[Job], *, timeout: float, strict: bool = False
    ) -> EventListener | None:
        """Make sure the listener runs (waiting up to ``timeout`` for it to connect) and
        watches ``jobs``; None when there is no stream to wait on: none on this hub, it gave
        up, or (unless ``strict``) it did not open in time (the wait then polls)."""
        listener = self.listener()
        if listener is None or listener.failure is not None:
            return None
        connected = listener.ensure_connected(min(self.settings.listen_timeout, timeout))
        if listener.failure is not None or (connected is None and not strict):
            return None
        listener.watch([job.id for job in jobs if not job.done], since_epoch=None)
        return listener

    def iter_finished(
        self, jobs: Iterable[Job], *, timeout: float | None = None, via: Via = "auto",
        progress: bool | ProgressLine = False,
        on_status: Callable[[JobState], None] | None = None,
    ) -> Iterator[Job]:  # fmt: skip
        """Yield each of ``jobs`` as it ends (see :mod:`~schemadrive.dispatch.waiting`)."""
        return iter_finished(
            self, jobs, timeout=timeout, via=via, progress=progress, on_status=on_status
        )


def chunk_sizes(count: int, limit: int) -> list[int]:
    """``count`` split into requests of at most ``limit``: (10, 4) -> [4, 4, 2]."""
    limit = max(1, limit)
    return [limit] * (count // limit) + ([count % limit] if count % limit else [])
