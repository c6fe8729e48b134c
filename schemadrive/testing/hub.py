"""``LocalHub``: a real HTTP server on 127.0.0.1 that speaks a hub's contract, for tests.

::

    with LocalHub(clock="manual", job_seconds=10) as hub:
        reply = requests.post(f"{hub.url}/api/ai/queue", json={...},
                              headers={"Authorization": f"Bearer {hub.api_key}"})
        hub.advance(10)              # the job is now succeeded, its event sent
        hub.requests[-1].authorized  # True

It is the other side of the wire: it shares the recorded fixtures and the payload validator
with the client, and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from ..exceptions import ConfigurationError
from ..hub.recorded import load_model_objects, model_id_of
from .clock import Clock, make_clock
from .core import Flavour, HubCore
from .events import Event
from .faults import Faults, Legacy
from .gmicloud import GmiCloudFlavour
from .inputs import ReceivedFile
from .jobs import Job
from .media import CDN
from .oxen import OxenFlavour
from .recording import RequestLog
from .server import HTTPService

__all__ = ["FLAVOURS", "LocalHub"]

#: Provider name -> what builds the flavour that speaks its contract.
FLAVOURS: dict[str, Callable[[HubCore], Flavour]] = {
    "oxen": OxenFlavour,
    "gmicloud": GmiCloudFlavour,
}

Fixtures = str | Path | Mapping[str, Mapping[str, Any]] | Iterable[Mapping[str, Any]] | None


def _load(fixtures: Fixtures, provider: str) -> list[Mapping[str, Any]]:
    if fixtures is None or isinstance(fixtures, (str, Path)):
        return list(load_model_objects(fixtures, provider=provider).values())
    if isinstance(fixtures, Mapping):
        return list(fixtures.values())
    return list(fixtures)


class LocalHub:
    """A hub on 127.0.0.1, started by ``with`` (or :meth:`start`) and stopped on exit.

    ``fixtures``: a directory of recorded model objects (default: the ones bundled with
    schemadrive), a mapping of id -> model object, or an iterable of model objects.
    ``api_key``: the Bearer key every request must carry (not a secret).
    ``job_seconds``: how long a job takes from enqueue to its end (queued for the first half,
    processing for the second), on ``clock``: ``"real"`` (the default: jobs progress by
    themselves) or ``"manual"`` (they progress only through :meth:`advance`), or a
    :class:`~schemadrive.testing.clock.Clock`. ``provider``: ``"oxen"`` or ``"gmicloud"``.
    ``keepalive_seconds``: the idle time after which an event stream sends ``: keep-alive``.
    ``results``: where result files live: ``"hub"`` (on the hub, behind the key), ``"cdn"``
    (on a second server, no key, presigned-looking URLs) or ``"redirect"`` (hub URLs that
    answer 302 to the CDN). ``legacy``: the old forms of the contract to speak
    (:class:`Legacy`, also settable later through :attr:`legacy`). ``unrelated_events``: send
    ``deployment_status_changed`` events when jobs start, as the real stream mixes them in.
    All times are in seconds.
    """

    def __init__(
        self,
        fixtures: Fixtures = None,
        *,
        api_key: str = "test-key",
        job_seconds: float = 2.0,
        provider: str = "oxen",
        keepalive_seconds: float = 15.0,
        clock: str | Clock | None = None,
        port: int = 0,
        results: str = "hub",
        legacy: Legacy | None = None,
        unrelated_events: bool = True,
        namespace: str = "test-user",
    ) -> None:
        if provider not in FLAVOURS:
            known = ", ".join(sorted(FLAVOURS))
            raise ConfigurationError(f"unknown provider {provider!r}; known: {known}")
        if job_seconds < 0 or keepalive_seconds <= 0:
            raise ConfigurationError("job_seconds must be >= 0 and keepalive_seconds > 0")
        self.provider = provider
        self._core = HubCore(
            _load(fixtures, provider),
            api_key=api_key,
            clock=make_clock(clock),
            job_seconds=job_seconds,
            keepalive_seconds=keepalive_seconds,
            legacy=legacy or Legacy(),
            results=results,
            namespace=namespace,
            unrelated_events=unrelated_events,
        )
        self._core.use(FLAVOURS[provider](self._core))
        self._service = HTTPService(self._core, port=port)
        self.cdn: CDN | None = CDN() if results != "hub" else None
        self._cdn_service = HTTPService(self.cdn) if self.cdn is not None else None
        if self.cdn is not None:
            self._core.cdn_files = self.cdn.files

    # -- lifecycle ------------------------------------------------------------------------
    def start(self) -> LocalHub:
        """Start serving (and the CDN, and the job thread on the wall clock); return self."""
        self._service.start()
        self._core.base_url = self._service.url
        if self._cdn_service is not None and self.cdn is not None:
            self._cdn_service.start()
            self.cdn.url = self._core.cdn_url = self._cdn_service.url
        self._core.engine.start()
        return self

    def stop(self) -> None:
        """End every stream, release every waiting request, and stop serving."""
        self._core.broker.close()
        self._core.engine.stop()
        self._service.stop()
        if self._cdn_service is not None:
            self._cdn_service.stop()

    def __enter__(self) -> LocalHub:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # -- what a test reads ----------------------------------------------------------------
    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``: put it where the hub's ``https://hub.oxen.ai`` goes."""
        return self._service.url

    @property
    def port(self) -> int:
        return self._service.port

    @property
    def api_key(self) -> str:
        return self._core.api_key or ""

    @property
    def requests(self) -> RequestLog:
        """Every request received, in order of arrival."""
        return self._core.requests

    @property
    def received_files(self) -> list[ReceivedFile]:
        """Every file decoded from a ``data:`` URI a job was sent, in order (testing/inputs.py)."""
        return self._core.received.all()

    @property
    def faults(self) -> Faults:
        """The scripted faults (see :class:`~schemadrive.testing.faults.Faults`)."""
        return self._core.faults

    @property
    def legacy(self) -> Legacy:
        """The legacy switches; flip them at any time."""
        return self._core.legacy

    @property
    def clock(self) -> Clock:
        return self._core.clock

    @property
    def jobs(self) -> dict[str, Job]:
        """Snapshots of every job (sync ones included) by id, in submission order."""
        return {job.id: job for job in self._core.engine.all()}

    def job(self, job_id: str) -> Job:
        """A snapshot of one job; KeyError if unknown."""
        found = self._core.engine.get(job_id)
        if found is None:
            raise KeyError(job_id)
        return found

    @property
    def models(self) -> dict[str, dict[str, Any]]:
        """Copies of the model objects served, by id (as stored, before serving rules)."""
        return {model_id_of(m) or "": m for m in self._core.models()}

    @property
    def events(self) -> list[Event]:
        """Every event published so far (whether or not a stream was open)."""
        return self._core.broker.published()

    @property
    def open_streams(self) -> int:
        """How many event streams are connected now."""
        return self._core.broker.count

    # -- what a test changes --------------------------------------------------------------
    def add_model(self, model: Mapping[str, Any]) -> str:
        """Serve one more model object (any id: dots, capitals, ``/``, spaces); return its id."""
        return self._core.add_model(model)

    def remove_model(self, model_id: str) -> None:
        self._core.remove_model(model_id)

    def advance(self, seconds: float) -> None:
        """Move the manual clock forward; every transition (and event) due happens before
        this returns. ConfigurationError on the wall clock."""
        self._core.engine.advance(seconds)

    def finish_all(self) -> None:
        """Move the manual clock until every job in flight has ended."""
        self._core.engine.finish_all()

    def fail_next(self, message: str, *, count: int = 1) -> None:
        """The next ``count`` jobs (any endpoint) end ``failed`` with ``message``."""
        self._core.engine.fail_next(message, count)

    def fail_job(self, job_id: str, message: str) -> None:
        """This job ends ``failed`` with ``message`` when it would have succeeded."""
        self._core.engine.fail(job_id, message)

    def publish_event(self, name: str, data: dict[str, Any]) -> int:
        """Send any event to the open streams; return how many received it."""
        return self._core.broker.publish(name, data)

    # -- waiting (every wait has a deadline; TimeoutError after it) -----------------------
    def wait_for_streams(self, count: int = 1, *, timeout: float = 10.0) -> None:
        """Block until ``count`` event streams are open."""
        if not self._core.broker.wait_for_streams(count, timeout):
            raise TimeoutError(
                f"{self.open_streams} of {count} event streams open after {timeout} s"
            )

    def wait_for_streams_closed(self, remaining: int = 0, *, timeout: float = 10.0) -> None:
        """Block until at most ``remaining`` event streams are open (their clients left)."""
        if not self._core.broker.wait_for_closed(remaining, timeout):
            raise TimeoutError(f"{self.open_streams} event streams still open after {timeout} s")

    def wait_for_jobs(self, count: int = 1, *, timeout: float = 10.0) -> list[Job]:
        """Block until ``count`` jobs exist; return snapshots of all of them."""
        if not self._core.engine.wait_for(lambda jobs: len(jobs) >= count, timeout):
            raise TimeoutError(f"fewer than {count} jobs after {timeout} s")
        return list(self.jobs.values())

    def wait_for_job(self, job_id: str, *, timeout: float = 10.0) -> Job:
        """Block until the job has ended (wall clock, or another thread advancing)."""
        done = self._core.engine.wait_finished(job_id, timeout)
        if done is None:
            raise TimeoutError(f"job {job_id} had not ended after {timeout} s")
        return done

    def __repr__(self) -> str:
        where = self._core.base_url or "not started"
        return f"<LocalHub {self.provider} {where}>"
