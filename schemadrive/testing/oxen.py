"""The Oxen.ai flavour: docs/hub-contract.md's paths, shapes, error envelopes and events.

Where the contract is silent, the choices are listed in docs/testing-with-localhub.md
("Where the contract is silent"). Both error envelopes of §7 are used: the typed envelope
(``{"error": {"type", "title", "detail"}, "status": "error", "status_message"}``) for
authentication, unknown paths and jobs, invalid parameters and failed sync generations; the
message envelope (``{"error": {"message"}}``) for the documented messages ("Model not found:
<name>", "num_generations must be ...", ":unsupported_media_type", "Prompt cannot be empty").
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import math
from collections.abc import Callable, Mapping
from decimal import Decimal
from email.utils import formatdate
from typing import Any
from urllib.parse import quote

from ..hub.providers import HUB_COMMON_PARAMETERS
from ..schema.problems import Problem
from .core import HubCore
from .events import iter_stream
from .jobs import ACTIVE, Job
from .routing import Request, Response, Route, json_response

__all__ = ["OxenFlavour"]

STATUSES = ("queued", "processing", "succeeded", "failed", "cancelled")
MAX_GENERATIONS = 4
_TITLES = {
    "unauthenticated": "Unauthenticated: a valid API key is required",
    "resource_not_found": "The requested resource could not be found",
    "invalid_params": "Invalid parameters supplied, please check your request and try again.",
    "method_not_allowed": "Method not allowed",
    "unknown_error": "An unknown error occurred",
}


def envelope(status: int, kind: str, detail: str | None = None) -> Response:
    """The typed error envelope of docs/hub-contract.md §7."""
    error: dict[str, Any] = {"type": kind, "title": _TITLES[kind]}
    if detail is not None:
        error["detail"] = detail
    return json_response({"error": error, "status": "error", "status_message": kind}, status)


def message(status: int, text: str) -> Response:
    """The message error envelope of docs/hub-contract.md §7."""
    return json_response({"error": {"message": text}}, status)


def _timestamp(value: float | None) -> int | None:
    return None if value is None else int(value)


class OxenFlavour:
    """Routes and wire format of ``hub.oxen.ai``."""

    common_parameters = HUB_COMMON_PARAMETERS

    def __init__(self, core: HubCore) -> None:
        self.core = core

    def routes(self) -> list[Route]:
        generate = self.generate
        return [
            Route("GET", "/api/ai/models", self.list_models),
            Route("GET", "/api/ai/models/search", self.search_models),
            Route("GET", "/api/ai/models/{model_id}", self.get_model),
            Route("POST", "/api/ai/videos/generate", functools.partial(generate, "video", False)),
            Route("POST", "/api/ai/images/generate", functools.partial(generate, "image", True)),
            Route("POST", "/api/ai/images/edit", functools.partial(generate, "image", False)),
            Route("POST", "/api/ai/queue", self.enqueue),
            Route("GET", "/api/ai/queue", self.list_queue),
            Route("GET", "/api/ai/queue/{generation_id}", self.get_job),
            Route("DELETE", "/api/ai/queue/{generation_id}", self.cancel_job),
            Route("GET", "/api/ai/generations", self.list_generations),
            Route("GET", "/api/ai/generations/{generation_id}", self.get_generation),
            Route("GET", "/api/events", self.events),
        ]

    # -- the flavour's side of the engine -------------------------------------------------
    def unauthenticated(self) -> Response:
        return envelope(401, "unauthenticated")

    def not_found(self) -> Response:
        return envelope(404, "resource_not_found")

    def method_not_allowed(self, allowed: list[str]) -> Response:
        response = envelope(405, "method_not_allowed")
        response.headers["Allow"] = ", ".join(allowed)
        return response

    def media_type(self, model: Mapping[str, Any]) -> str | None:
        capabilities = model.get("capabilities")
        outputs = capabilities.get("output") or [] if isinstance(capabilities, Mapping) else []
        return next((kind for kind in ("video", "image") if kind in outputs), None)

    def result_paths(self, job: Job) -> tuple[str, str | None]:
        repo = job.params.get("target_repo") or "generations"
        folder = job.params.get("target_directory") or job.model
        namespace = job.params.get("target_namespace") or job.namespace
        base = "/".join(quote(str(part), safe="") for part in ("api", "repos", namespace, repo))
        stem = f"/{base}/file/main/{quote(str(folder), safe='')}/{job.id}"
        if job.media_type == "video":
            return f"{stem}.mp4", f"{stem}_thumbnail.png"
        return f"{stem}.png", None

    def validation_message(self, problems: list[Problem]) -> str:
        return "Getting model response error: 422 - " + "; ".join(str(p) for p in problems)

    def started(self, job: Job) -> None:
        if self.core.unrelated_events:
            data = {"model": job.model, "deployment_status": "active"}
            self.core.broker.publish("deployment_status_changed", data)

    def finished(self, job: Job) -> None:
        data: dict[str, Any] = {
            "generation_id": job.id,
            "status": job.status,
            "media_type": job.media_type,
        }
        if job.status == "succeeded":
            data.update(model=job.model, url=job.result_url)
        else:
            data["error"] = job.error_message
        self.core.broker.publish("media_generation_completed", data)

    # -- models ---------------------------------------------------------------------------
    def served(self, model: dict[str, Any]) -> dict[str, Any]:
        """A model object as the hub serves it: no recording metadata; legacy key names."""
        rename = self.core.legacy.request_schema_key
        return {
            ("request_schema" if rename and key == "json_request_schema" else key): value
            for key, value in model.items()
            if key != "x-schemadrive"
        }

    def list_models(self, request: Request) -> Response:
        developer = request.query.get("developer_name")
        data = [
            self.served(model)
            for model in self.core.models()
            if developer is None or (model.get("developer") or {}).get("name") == developer
        ]
        return json_response({"object": "list", "data": data})

    def search_models(self, request: Request) -> Response:
        text = request.query.get("search", "").strip().lower()
        if not text:
            return envelope(400, "invalid_params", "search is required")
        data = [
            self.served(model)
            for model in self.core.models()
            if text in str(model.get("id", "")).lower()
            or text in str(model.get("display_name") or "").lower()
        ]
        return json_response({"object": "list", "data": data})

    def get_model(self, request: Request) -> Response:
        model_id = request.params["model_id"]
        model = self.core.model(model_id)
        if model is None:
            return message(404, f"Model not found: {model_id}")
        served = self.served(model)
        body = json.dumps(served, sort_keys=True).encode()
        etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
        created = served.get("created")
        modified = formatdate(created if isinstance(created, (int, float)) else 0, usegmt=True)
        validators = {"ETag": etag, "Last-Modified": modified, "Cache-Control": "no-cache"}
        sent = {k.lower(): v for k, v in request.headers.items()}
        if sent.get("if-none-match") == etag:
            return Response(status=304, headers=validators)
        return json_response(served, headers=validators)

    # -- generating -----------------------------------------------------------------------
    def _model_for(self, request: Request) -> dict[str, Any] | Response:
        body = request.json_object()
        if body is None:
            return envelope(400, "invalid_params", "the body must be a JSON object")
        model_id = body.get("model")
        if not isinstance(model_id, str) or not model_id:
            return message(400, "You must specify a model to call")
        model = self.core.model(model_id)
        if model is None:
            return message(404, f"Model not found: {model_id}")
        return model

    def generate(self, media_type: str, needs_prompt: bool, request: Request) -> Response:
        """The sync endpoints: run the job and answer when it has ended."""
        model = self._model_for(request)
        if isinstance(model, Response):
            return model
        body: dict[str, Any] = request.body
        if self.media_type(model) != media_type:
            return message(400, ":unsupported_media_type")
        prompt = body.get("prompt")
        if needs_prompt and not (isinstance(prompt, str) and prompt.strip()):
            return message(400, "Prompt cannot be empty")
        params = {k: v for k, v in body.items() if k != "model"}
        job = self.core.submit(model, params, sync=True)
        done = self.core.engine.wait_finished(job.id)
        if done is None:
            return envelope(503, "unknown_error", "the hub is shutting down")
        if done.status == "failed":
            return envelope(400, "invalid_params", done.error_message)
        if done.status == "cancelled":
            return message(400, "Generation cancelled")
        item: dict[str, str] = {"url": done.result_url or ""}
        stored = self.core.result_file(done)
        if body.get("response_format") == "b64_json" and stored is not None:
            item = {"b64_json": base64.b64encode(stored.data).decode()}
        key = "videos" if media_type == "video" else "images"
        created = _timestamp(done.completed_at)
        return json_response({"model": done.model, "created": created, key: [item]})

    def enqueue(self, request: Request) -> Response:
        model = self._model_for(request)
        if isinstance(model, Response):
            return model
        body: dict[str, Any] = request.body
        count = body.get("num_generations", 1)
        if (
            isinstance(count, bool)
            or not isinstance(count, int)
            or not 1 <= count <= MAX_GENERATIONS
        ):
            return message(
                400, f"num_generations must be an integer between 1 and {MAX_GENERATIONS}"
            )
        if self.media_type(model) is None:
            return message(400, ":unsupported_media_type")
        params = {k: v for k, v in body.items() if k not in ("model", "num_generations")}
        status = "processing" if self.core.legacy.enqueue_status_processing else "queued"
        jobs = [self.core.submit(model, params) for _ in range(count)]
        return json_response(
            {"generations": [{"generation_id": job.id, "status": status} for job in jobs]}
        )

    # -- reading jobs ---------------------------------------------------------------------
    def row(self, job: Job) -> dict[str, Any]:
        """A queue row (docs/hub-contract.md §3.2): fixed fields, then the request's parameters."""
        params = job.params
        row: dict[str, Any] = {
            "generation_id": job.id,
            ("model" if self.core.legacy.model_key else "model_name"): job.model,
            "prompt": params.get("prompt"),
            "media_type": job.media_type,
            "status": job.status,
            "result_url": job.result_url,
            "error_message": job.error_message,
            "enqueued_at": _timestamp(job.enqueued_at),
            "started_at": _timestamp(job.started_at),
            "completed_at": _timestamp(job.completed_at),
            "target_namespace": params.get("target_namespace") or job.namespace,
            "target_repo": params.get("target_repo"),
            "target_directory": params.get("target_directory"),
        }
        for key, value in params.items():
            row.setdefault(key, value)
        return row

    def history_row(self, job: Job) -> dict[str, Any]:
        """A history row (docs/hub-contract.md §3.4): a queue row with cost and user."""
        return {
            **self.row(job),
            "cost": job.cost if job.status == "succeeded" else None,
            "user_id": f"user-{job.namespace}",
            "username": job.namespace,
            "user_image": None,
        }

    def _filtered(self, request: Request, jobs: list[Job]) -> list[Job] | Response:
        query = request.query
        status = query.get("status")
        if status is not None and status not in STATUSES:
            return envelope(400, "invalid_params", f"status must be one of {', '.join(STATUSES)}")
        checks: dict[str, Callable[[Job], Any]] = {
            "model": lambda job: job.model,
            "status": lambda job: job.status,
            "media_type": lambda job: job.media_type,
            "namespace": lambda job: job.params.get("target_namespace") or job.namespace,
            "repo": lambda job: job.params.get("target_repo"),
            "folder": lambda job: job.params.get("target_directory"),
        }
        for name, field in checks.items():
            if name in query:
                jobs = [job for job in jobs if field(job) == query[name]]
        return jobs

    def _job(self, request: Request) -> Job | None:
        job = self.core.engine.get(request.params["generation_id"])
        if job is not None and job.terminal and self.core.legacy.finished_jobs_404:
            return None
        return job

    def list_queue(self, request: Request) -> Response:
        jobs = self.core.engine.all()
        if "status" not in request.query:
            jobs = [job for job in jobs if job.status in ACTIVE]
        found = self._filtered(request, jobs)
        if isinstance(found, Response):
            return found
        return json_response({"count": len(found), "generations": [self.row(j) for j in found]})

    def get_job(self, request: Request) -> Response:
        job = self._job(request)
        return self.not_found() if job is None else json_response(self.row(job))

    def cancel_job(self, request: Request) -> Response:
        job = self._job(request)
        if job is None:
            return self.not_found()
        self.core.engine.cancel(job.id)
        return json_response({"status": "success", "generation_id": job.id})

    def list_generations(self, request: Request) -> Response:
        try:
            page = int(request.query.get("page", 1))
            page_size = int(request.query.get("page_size", 50))
        except ValueError:
            return envelope(400, "invalid_params", "page and page_size must be integers")
        if page < 1 or not 1 <= page_size <= 1000:
            return envelope(400, "invalid_params", "page must be >= 1, page_size 1 to 1000")
        found = self._filtered(request, self.core.engine.all()[::-1])  # newest first
        if isinstance(found, Response):
            return found
        rows = [self.history_row(job) for job in found]
        costs = [row["cost"] for row in rows if row["cost"] is not None]
        total_cost = str(sum((Decimal(c) for c in costs), Decimal(0))) if costs else None
        shown = rows[(page - 1) * page_size : page * page_size]
        return json_response(
            {
                "count": len(shown),
                "generations": shown,
                "page_number": page,
                "page_size": page_size,
                "total_pages": math.ceil(len(rows) / page_size),
                "total_entries": len(rows),
                "total_cost": total_cost,
            }
        )

    def get_generation(self, request: Request) -> Response:
        job = self.core.engine.get(request.params["generation_id"])
        if job is None:
            return self.not_found()
        return json_response(
            {
                "status": "success",
                "status_message": "resource_found",
                "generation": self.history_row(job),
            }
        )

    # -- events ---------------------------------------------------------------------------
    def events(self, request: Request) -> Response:
        """The event stream. The subscription exists before the headers leave, so a client
        whose request has returned is sure to receive every later event."""
        broker = self.core.broker
        subscription = broker.subscribe()
        stream = iter_stream(
            subscription,
            keepalive_seconds=self.core.keepalive_seconds,
            peer_open=request.peer_open,
        )
        return Response(
            200,
            headers={"Content-Type": "text/event-stream", "X-Accel-Buffering": "no"},
            stream=stream,
            on_close=lambda: broker.unsubscribe(subscription),
        )
