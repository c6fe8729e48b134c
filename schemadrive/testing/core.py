"""The hub's state and the parts every flavour shares: models, the API key, jobs and their
result files, the event broker, and dispatch through the flavour's route table.

A flavour (``oxen.py``, ``gmicloud.py``) supplies a route table, its error envelopes, its
wire names and what happens at each job transition; this module never asks which one it is.
"""

from __future__ import annotations

import copy
import secrets
import threading
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, Protocol

from ..exceptions import ConfigurationError, SchemadriveError
from ..hub.recorded import model_id_of, schema_of
from ..pricing import parse_amount
from ..schema.compile import fill_defaults, validate
from ..schema.problems import Problem
from .clock import Clock
from .events import EventBroker
from .faults import Faults, Legacy
from .inputs import ReceivedFiles
from .jobs import Job, JobEngine
from .media import FileStore, StoredFile
from .recording import RequestLog
from .routing import Request, Response, Route, Router

__all__ = ["RESULT_MODES", "Flavour", "HubCore"]

#: Where result files live: on the hub, on a second server (the CDN), or on the CDN behind a
#: redirect from the hub.
RESULT_MODES = ("hub", "cdn", "redirect")


class Flavour(Protocol):
    """One hub's wire format over the shared engine."""

    #: request keys that are the hub's own, not the model's (not checked against the schema)
    common_parameters: frozenset[str]

    def routes(self) -> list[Route]: ...
    def unauthenticated(self) -> Response: ...
    def not_found(self) -> Response: ...
    def method_not_allowed(self, allowed: list[str]) -> Response: ...
    def media_type(self, model: Mapping[str, Any]) -> str | None: ...
    def result_paths(self, job: Job) -> tuple[str, str | None]: ...
    def validation_message(self, problems: list[Problem]) -> str: ...
    def started(self, job: Job) -> None: ...
    def finished(self, job: Job) -> None: ...


class HubCore:
    """Everything a LocalHub knows, and the :class:`~.server.Application` it serves."""

    def __init__(
        self,
        models: Iterable[Mapping[str, Any]],
        *,
        api_key: str,
        clock: Clock,
        job_seconds: float,
        keepalive_seconds: float,
        legacy: Legacy,
        results: str,
        namespace: str,
        unrelated_events: bool,
    ) -> None:
        if results not in RESULT_MODES:
            raise ConfigurationError(f"results must be one of {RESULT_MODES}, not {results!r}")
        self.api_key: str | None = api_key
        self.clock = clock
        self.job_seconds = float(job_seconds)
        self.keepalive_seconds = float(keepalive_seconds)
        self.legacy = legacy
        self.results = results
        self.namespace = namespace
        self.unrelated_events = unrelated_events
        self.requests = RequestLog()
        self.faults = Faults()
        self.broker = EventBroker()
        self.files = FileStore()
        self.redirects: dict[str, str] = {}
        self.received = ReceivedFiles()  # files decoded from data: URIs (testing/inputs.py)
        self.engine = JobEngine(clock, self, namespace=namespace)
        self.base_url = ""
        self.cdn_url = ""
        self.cdn_files: FileStore | None = None
        self._models: dict[str, dict[str, Any]] = {}
        self._models_lock = threading.Lock()
        for model in models:
            self.add_model(model)
        self.flavour: Flavour | None = None
        self._router = Router([])

    def use(self, flavour: Flavour) -> None:
        self.flavour = flavour
        self._router = Router(flavour.routes())

    # -- models ---------------------------------------------------------------------------
    def add_model(self, model: Mapping[str, Any]) -> str:
        """Serve a model object (a deep copy); return its id."""
        model_id = model_id_of(dict(model))
        if model_id is None:
            raise ConfigurationError("a model object needs an 'id' (or 'model', or 'name')")
        with self._models_lock:
            self._models[model_id] = copy.deepcopy(dict(model))
        return model_id

    def remove_model(self, model_id: str) -> None:
        with self._models_lock:
            self._models.pop(model_id, None)

    def model(self, model_id: str) -> dict[str, Any] | None:
        """A copy of the stored model object, or None."""
        with self._models_lock:
            found = self._models.get(model_id)
            return copy.deepcopy(found) if found is not None else None

    def models(self) -> list[dict[str, Any]]:
        with self._models_lock:
            return [copy.deepcopy(m) for m in self._models.values()]

    # -- jobs -----------------------------------------------------------------------------
    def submit(
        self, model: Mapping[str, Any], params: dict[str, Any], *, sync: bool = False
    ) -> Job:
        """Enqueue a job for a stored model object with the request's parameters."""
        assert self.flavour is not None
        model_id = model_id_of(dict(model)) or ""
        return self.engine.submit(
            model=model_id,
            media_type=self.flavour.media_type(model) or "",
            params=params,
            seconds=self.job_seconds,
            sync=sync,
            cost=estimate_cost(model, params),
        )

    def check(self, job: Job) -> str | None:
        """JobHooks: the schema check made when the job starts."""
        assert self.flavour is not None
        model = self.model(job.model)
        schema = schema_of(model) if model else None
        if schema is None:
            return None
        own = {k: v for k, v in job.params.items() if k not in self.flavour.common_parameters}
        own, problems = self.received.receive(job.id, model or {}, schema, own)  # data: URIs
        try:
            problems += [p for p in validate(schema, own, unknown="allow") if p.severity == "error"]
        except SchemadriveError as exc:
            problems = [Problem("$", "schema", f"the model's schema cannot be applied: {exc}")]
        return self.flavour.validation_message(problems) if problems else None

    def started(self, job: Job) -> None:
        assert self.flavour is not None
        self.flavour.started(job)

    def succeeded(self, job: Job) -> None:
        """JobHooks: write the result files and give the job their URLs."""
        assert self.flavour is not None
        result, thumbnail = self.flavour.result_paths(job)
        job.result_url = self._publish_file(result, job.id)
        if thumbnail is not None:
            job.thumbnail_url = self._publish_file(thumbnail, job.id + "/thumbnail")

    def finished(self, job: Job) -> None:
        assert self.flavour is not None
        self.flavour.finished(job)

    def _publish_file(self, path: str, seed: str) -> str:
        if self.results == "hub" or self.cdn_files is None:
            self.files.put_result(path, seed=seed)
            return self.base_url + path
        self.cdn_files.put_result(path, seed=seed)
        signed = f"{self.cdn_url}{path}?X-Amz-Expires=3600&X-Amz-Signature={secrets.token_hex(16)}"
        if self.results == "cdn":
            return signed
        self.redirects[path] = signed
        return self.base_url + path

    def result_file(self, job: Job) -> StoredFile | None:
        """The bytes behind a job's ``result_url``, wherever they are stored."""
        assert self.flavour is not None
        path = self.flavour.result_paths(job)[0]
        return self.files.get(path) or (self.cdn_files.get(path) if self.cdn_files else None)

    # -- serving --------------------------------------------------------------------------
    def handle(self, request: Request, *, authorized: bool) -> Response:
        """Application: check the key, then the route table, then the stored files."""
        assert self.flavour is not None
        if not authorized:
            return self.flavour.unauthenticated()
        resolved = self._router.resolve(request.method, request.path)
        if isinstance(resolved, tuple):
            route, request.params = resolved
            return route.handler(request)
        if resolved:
            return self.flavour.method_not_allowed(resolved)
        if request.method in ("GET", "HEAD"):
            if request.path in self.redirects:
                return Response(302, headers={"Location": self.redirects[request.path]})
            stored = self.files.get(request.path)
            if stored is not None:
                return Response(200, stored.data, {"Content-Type": stored.content_type})
        return self.flavour.not_found()


def _number(value: Any) -> Decimal | None:
    number = parse_amount(value)
    return number if number else None  # a zero rate or quantity prices nothing: no estimate


def estimate_cost(model: Mapping[str, Any], params: Mapping[str, Any]) -> str | None:
    """What a generation costs by the model's ``pricing`` (docs/hub-contract.md §6.5), as a
    decimal string.

    Video seconds come from ``duration``, else ``num_frames / frames_per_second`` (defaults
    filled from the schema), else 5. None when the model has no usable pricing.
    """
    pricing = model.get("pricing")
    if not isinstance(pricing, Mapping):
        return None
    schema = schema_of(dict(model))
    try:
        filled = fill_defaults(schema, dict(params)) if schema is not None else dict(params)
    except SchemadriveError:
        filled = dict(params)
    method = pricing.get("method")
    if method == "per_image":
        rate = _number(pricing.get("cost_per_image"))
        return str(rate) if rate is not None else None
    if method != "per_video_output_second":
        return None
    rate = _number(pricing.get("cost_per_second"))
    with_audio = _number(pricing.get("cost_per_second_with_audio"))
    if filled.get("generate_audio") is True and with_audio is not None:
        rate = with_audio
    if rate is None:
        return None
    seconds = _number(filled.get("duration"))
    frames, fps = _number(filled.get("num_frames")), _number(filled.get("frames_per_second"))
    if seconds is None and frames is not None and fps is not None:
        seconds = frames / fps
    return str((rate * (seconds or Decimal(5))).quantize(Decimal("0.0001")))
