"""Client: the facade tying the transport, the schema store, models and jobs together."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .exceptions import ConfigurationError, OfflineError
from .hub.providers import DEFAULT_PROVIDER, Provider, get_provider
from .hub.store import Fetched, SchemaStore
from .model import Model
from .settings import (
    cache_dir_setting,
    check_base_url,
    env_flag,
    fixture_dirs_setting,
    key_hint,
    resolve_api_key,
    time_settings,
    timeout_setting,
)

if TYPE_CHECKING:
    from decimal import Decimal

    from .batches import BatchReport, Progress
    from .batches.plan import Source
    from .dispatch.dispatcher import Dispatcher
    from .dispatch.job import Job, Via
    from .dispatch.results import Result
    from .hub.listing import Generation
    from .hub.status import JobState, Status
    from .hub.transport import Transport
    from .media.bind import Uploader

__all__ = ["Client"]

#: (connect, read) seconds for ordinary calls
DEFAULT_TIMEOUT: tuple[float, float] = (5.0, 60.0)


class Client:
    """A client for one hub. All times are in seconds.

    The API key comes from ``api_key``, else the provider's environment variable
    (``OXEN_API_KEY``; ``GMI_API_KEY`` for GMI Cloud), else the oxen CLI's
    ``~/.config/oxen/auth_config.toml`` entry for the hub's host. ``SCHEMADRIVE_BASE_URL``,
    ``SCHEMADRIVE_OFFLINE=1`` and ``SCHEMADRIVE_CACHE_DIR`` set the other options when they
    are not given. ``cache_dir=False`` disables the disk cache.

    Times, each the argument, else its ``SCHEMADRIVE_*`` variable, else the default
    (``schemadrive.settings.TIME_SETTINGS``; docs/providers.md "Settings"): ``timeout``
    (``5,60``: connect and read), ``poll_interval`` (2), ``max_poll_interval`` (30),
    ``wait_timeout`` (3600: a wait's deadline when none is given), ``run_timeout`` (960: a
    sync run's read timeout), ``schema_ttl`` (600).

    Files given for media parameters (docs/files.md) are sent as ``data:`` URIs up to
    ``max_inline_bytes`` (default 10 MB) each, or as the URL ``uploader(file, media_type)``
    returns when one is given.

    Use it as a context manager, or call :meth:`close`, to release connections.
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        provider: str | Provider | None = None,
        timeout: float | tuple[float, float] | None = None,
        cache_dir: str | Path | bool | None = None,
        schema_ttl: float | None = None,
        offline: bool | None = None,
        fixtures: str | Path | tuple[str | Path, ...] | None = None,
        poll_interval: float | None = None,
        max_poll_interval: float | None = None,
        wait_timeout: float | None = None,
        run_timeout: float | None = None,
        max_inline_bytes: int | None = None,
        uploader: Uploader | None = None,
    ) -> None:
        self.provider = get_provider(
            provider or os.environ.get("SCHEMADRIVE_PROVIDER") or DEFAULT_PROVIDER
        )
        self.base_url = (
            base_url or os.environ.get("SCHEMADRIVE_BASE_URL") or self.provider.default_base_url
        ).rstrip("/")
        self.offline = bool(offline if offline is not None else env_flag("SCHEMADRIVE_OFFLINE"))
        self.timeout = timeout_setting(timeout, DEFAULT_TIMEOUT)
        check_base_url(self.base_url)
        #: the times of waits and runs, resolved (argument, SCHEMADRIVE_* variable, default)
        self.times = time_settings(
            poll_interval=poll_interval, max_poll_interval=max_poll_interval,
            wait_timeout=wait_timeout, run_timeout=run_timeout, schema_ttl=schema_ttl,
        )  # fmt: skip
        from .media.bind import file_options  # files as inputs: docs/files.md

        self.max_inline_bytes, self.uploader = file_options(max_inline_bytes, uploader)
        self._api_key = resolve_api_key(
            api_key, env_var=self.provider.api_key_env, base_url=self.base_url
        )
        self.cache_dir = cache_dir_setting(cache_dir)
        self._transport: Transport | None = None
        self.store: SchemaStore[Model] = SchemaStore(
            None if self.offline else self._fetch_model,
            self._build_model,
            base_url=self.base_url,
            provider=self.provider.name,
            ttl=self.times["schema_ttl"],
            cache_dir=self.cache_dir,
            offline=self.offline,
            fixture_dirs=fixture_dirs_setting(fixtures),
        )

    # -- plumbing ---------------------------------------------------------------------------
    def __repr__(self) -> str:
        key = "set" if self._api_key else "missing"
        mode = ", offline" if self.offline else ""
        where = f"base_url={self.base_url!r}, provider={self.provider.name!r}"
        return f"Client({where}, api_key={key}{mode})"

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Release pooled connections. The client can be used again afterwards."""
        dispatcher = self.__dict__.get("dispatcher")
        if dispatcher is not None:  # stops the event listener's thread and connection
            dispatcher.close()
        if self._transport is not None:
            self._transport.close()
            self._transport = None

    @property
    def has_api_key(self) -> bool:
        return bool(self._api_key)

    @property
    def transport(self) -> Transport:
        """The HTTP session (built on first use; OfflineError in offline mode)."""
        if self.offline:
            raise OfflineError(
                "offline mode is on: this needs the hub (unset --offline / SCHEMADRIVE_OFFLINE)"
            )
        if self._transport is None:
            from .hub.transport import Transport

            provider = self.provider
            hint = key_hint(
                provider.api_key_env, provider.key_sources, self.base_url, has_key=self.has_api_key
            )
            self._transport = Transport(
                self.base_url, self._api_key, timeout=self.timeout, key_hint=hint
            )
        return self._transport

    # -- models -----------------------------------------------------------------------------
    def _build_model(self, model_id: str, info: dict[str, Any]) -> Model:
        return Model(model_id, info, self.provider)

    def _fetch_model(self, model_id: str, conditional: dict[str, str]) -> Fetched:
        from .hub.models import fetch_model

        return fetch_model(
            self.transport, self.provider, model_id, conditional, known_ids=self.list_models
        )

    def model(self, model_id: str) -> Model:
        """The model ``model_id``: fetched once, then served from the cache.

        Raises ModelNotFound (with close matches when the model list is reachable).
        """
        if not isinstance(model_id, str) or not model_id.strip():
            raise ConfigurationError("a model id must be a non-empty string")
        return self.store.get(model_id)

    def list_models(self) -> list[str]:
        """The ids of every model the hub lists (the recorded fixtures when offline)."""
        if self.offline:
            from .hub.recorded import load_model_objects

            ids: set[str] = set()
            for directory in (*self.store.fixture_dirs, None):
                ids.update(load_model_objects(directory, provider=self.provider.name))
            return sorted(ids)
        from .hub.models import list_model_ids

        return list_model_ids(self.transport, self.provider)

    # -- running models (the logic is in dispatch.py, jobs.py and waiting.py) ----------------
    @cached_property
    def dispatcher(self) -> Dispatcher:
        """Runs, submits and waits; its ``settings``, ``clock`` and ``sleep`` can be replaced."""
        from .dispatch.dispatcher import Dispatcher, DispatchSettings

        times = self.times
        connect = self.timeout[0] if isinstance(self.timeout, tuple) else min(5.0, self.timeout)
        settings = DispatchSettings(
            poll_interval=times["poll_interval"],
            max_poll_interval=max(times["poll_interval"], times["max_poll_interval"]),
            default_timeout=times["wait_timeout"],
            run_timeout=(connect, times["run_timeout"]),
        )
        return Dispatcher(lambda: self.transport, self.provider, self.model, settings=settings)

    def run(
        self, model_id: str, payload: Mapping[str, Any] | None = None, /, **params: Any
    ) -> Result:
        """Run a model synchronously (one long request) and return its Result.

        ``payload`` and ``params`` are merged (``params`` win), defaults are filled and the
        whole is validated before anything is sent: an invalid payload raises PayloadInvalid
        and costs nothing. The request may take as long as the generation (up to 16 min).
        A failure after sending raises SubmitUncertain (never resent: no double charge).

        A hub with no sync endpoint (GMI Cloud: ``provider.run_via_queue``) runs it as
        ``submit(...).wait()``: one queued job, the default deadline (one hour), and a
        Result that carries the job's ``generation_id`` (so does a JobTimeout).
        """
        return self.dispatcher.run(model_id, self._payload(model_id, payload, params))

    def submit(
        self, model_id: str, payload: Mapping[str, Any] | None = None, /, **params: Any
    ) -> Job:
        """Queue one generation and return its Job (validated first, like :meth:`run`)."""
        merged = self._payload(model_id, payload, params)
        return self.dispatcher.submit(model_id, merged, 1, single=True)[0]

    def submit_many(
        self, model_id: str, payload: Mapping[str, Any] | None = None, /, *, count: int
    ) -> list[Job]:
        """Queue ``count`` generations of one payload, in requests of at most the hub's limit
        (4 on Oxen; 1 on GMI Cloud). If a later request fails, the jobs already queued are on
        the exception's ``.jobs``."""
        return self.dispatcher.submit(model_id, self._payload(model_id, payload, {}), count)

    def _payload(self, model_id: str, payload: Any, params: Mapping[str, Any]) -> dict[str, Any]:
        """``payload`` and ``params`` merged; paths, bytes and binary files in it as data: URIs
        or uploaded URLs once the payload is valid (docs/files.md)."""
        from .media.bind import bind_files, has_files

        merged = _merge(payload, params)
        if not has_files(merged):
            return merged
        return bind_files(
            self.model(model_id), merged, uploader=self.uploader,
            max_inline_bytes=self.max_inline_bytes,
        )  # fmt: skip

    def job(self, generation_id: str, *, model: str | None = None) -> Job:
        """A Job for an existing generation id, e.g. to wait again after a restart."""
        return self.dispatcher.attach(generation_id, model=model)

    def jobs(
        self, *, status: str | Status | None = None, model: str | None = None
    ) -> list[JobState]:
        """The hub's job list: active jobs, or those with ``status``; optionally one model's.

        ``status`` is a :class:`Status` or a word: ``queued``, ``running``, ``succeeded``,
        ``failed``, ``cancelled``, or a hub's synonym (``processing``, ``success``...).
        Every page of a paged list is read.
        """
        word = self.provider.query_word(status) if status is not None else None
        return self.dispatcher.list_jobs(status=word, model=model)

    def generations(
        self,
        *,
        status: str | Status | None = None,
        model: str | None = None,
        page_size: int = 100,
    ) -> Iterator[Generation]:
        """The job history, newest first, with each job's ``cost``: an iterator that asks the
        hub for one page (``page_size`` rows) at a time, only as you consume it.

        ``status`` and ``model`` filter as in :meth:`jobs`. On a hub with no history endpoint
        (GMI Cloud) it pages through the job list, finished jobs included, and ``cost`` is
        None.
        """
        from .hub.listing import iter_generations

        word = self.provider.query_word(status) if status is not None else None
        if self.offline:  # fail now, not at the first next()
            self.transport  # noqa: B018 - raises OfflineError
        return iter_generations(
            self.transport, self.provider, status=word, model=model, page_size=page_size
        )

    def as_completed(
        self,
        jobs: Iterable[Job],
        *,
        timeout: float | None = None,
        via: Via = "auto",
        progress: bool = False,
        on_status: Callable[[JobState], None] | None = None,
    ) -> Iterator[Job]:
        """Yield each job as it ends (call ``job.wait()`` or ``job.result()`` for its Result).

        All the jobs share one event stream (polling when the hub has none). ``timeout`` is
        one deadline for all of them (None: one hour); JobTimeout lists the ones still
        running (``.pending``). Options as for ``Job.wait``.
        """
        from .dispatch.waiting import iter_finished

        return iter_finished(
            self.dispatcher, jobs, timeout=timeout, via=via, progress=progress, on_status=on_status
        )

    def wait_all(
        self,
        jobs: Iterable[Job],
        *,
        timeout: float | None = None,
        via: Via = "auto",
        progress: bool = False,
        on_status: Callable[[JobState], None] | None = None,
        return_exceptions: bool = False,
    ) -> list[Any]:
        """Wait for every job; their Results in the order given.

        Every job is waited for before any failure is raised (the first, in order); with
        ``return_exceptions=True`` a failed job's place holds its exception instead.
        """
        from .exceptions import SchemadriveError

        jobs = list(jobs)
        waiting = self.as_completed(
            jobs, timeout=timeout, via=via, progress=progress, on_status=on_status
        )
        for _ in waiting:
            pass
        results: list[Any] = []
        first: SchemadriveError | None = None
        for job in jobs:
            try:
                results.append(job.result())
            except SchemadriveError as exc:
                if not return_exceptions:
                    first = first or exc
                results.append(exc)
        if first is not None:
            raise first
        return results


    def batch(
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
        cancel_on_interrupt: bool = False,
        on_progress: Callable[[Progress], None] | None = None,
    ) -> BatchReport:
        """Run one generation per row into the directory ``out``; return the BatchReport.

        ``rows``: a JSON Lines or CSV file, or an iterable of payload mappings. Every row is
        validated and the whole batch estimated before anything is sent (BatchInvalid,
        OverBudget). A journal in ``out`` makes it resumable: call again with the same
        arguments after a crash or Ctrl-C (BatchInterrupted). See docs/batches.md.
        """
        from .batches import BatchOptions, parse_budget, plan_batch, run_batch

        plan = plan_batch(self, model_id, rows, budget=parse_budget(budget))
        options = BatchOptions(
            concurrency=concurrency, via=via, timeout=timeout, retry_failed=retry_failed,
            resubmit_uncertain=resubmit_uncertain, cancel_on_interrupt=cancel_on_interrupt,
        )  # fmt: skip
        return run_batch(self, plan, out, options=options, on_progress=on_progress)


def _merge(payload: Mapping[str, Any] | None, params: Mapping[str, Any]) -> dict[str, Any]:
    """A new dict: ``payload`` then ``params`` (the caller's mapping is never changed)."""
    if payload is not None and not isinstance(payload, Mapping):
        raise ConfigurationError(f"a payload must be a mapping, not {type(payload).__name__}")
    return {**(payload or {}), **params}
