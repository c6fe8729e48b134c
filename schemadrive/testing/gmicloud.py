"""The GMI Cloud flavour: its request queue (docs/hub-schemas.md §5) over the shared engine.

GMI serves a model's ``parameters`` list, not a JSON Schema; LocalHub validates payloads with
the fixture's ``json_request_schema`` (schemadrive's translation) and serves the object without
it. Status words: ``queued`` for the first half of a job's queue time, then ``dispatched``,
``processing``, ``success``, ``failed``, ``cancelled``. There is no event stream.

Choices where GMI documents nothing (docs/testing-with-localhub.md lists them): errors are
``{"error": "<message>"}``; cancel is ``POST .../requests/<id>/cancel``; the list answers
``{"requests": [...], "total": n}`` newest first; a failed record carries ``"error"``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..hub.recorded import model_id_of
from ..schema.problems import Problem
from .core import HubCore
from .jobs import Job
from .routing import Request, Response, Route, json_response

__all__ = ["GmiCloudFlavour"]

PREFIX = "/api/v1/ie/requestqueue/apikey"
_WORDS = {
    "processing": "processing",
    "succeeded": "success",
    "failed": "failed",
    "cancelled": "cancelled",
}
_SUBMIT_KEYS = ("request_id", "model", "status", "created_at", "updated_at", "queued_at")
_HIDDEN = ("json_request_schema", "x-schemadrive")


def error(status: int, text: str) -> Response:
    return json_response({"error": text}, status)


class GmiCloudFlavour:
    """Routes and wire format of ``console.gmicloud.ai``'s request queue."""

    common_parameters: frozenset[str] = frozenset()

    def __init__(self, core: HubCore) -> None:
        self.core = core

    def routes(self) -> list[Route]:
        return [
            Route("POST", f"{PREFIX}/requests", self.submit),
            Route("GET", f"{PREFIX}/requests", self.list_requests),
            Route("GET", f"{PREFIX}/requests/{{request_id}}", self.get_request),
            Route("POST", f"{PREFIX}/requests/{{request_id}}/cancel", self.cancel),
            Route("GET", f"{PREFIX}/models", self.list_models),
            Route("GET", f"{PREFIX}/models/{{model_id}}", self.get_model),
        ]

    # -- the flavour's side of the engine -------------------------------------------------
    def unauthenticated(self) -> Response:
        return error(401, "unauthorized: a valid API key is required")

    def not_found(self) -> Response:
        return error(404, "not found")

    def method_not_allowed(self, allowed: list[str]) -> Response:
        response = error(405, "method not allowed")
        response.headers["Allow"] = ", ".join(allowed)
        return response

    def media_type(self, model: Mapping[str, Any]) -> str | None:
        modalities = model.get("modalities")
        outputs = modalities.get("output") or [] if isinstance(modalities, Mapping) else []
        return next((kind for kind in ("video", "image") if kind in outputs), None)

    def result_paths(self, job: Job) -> tuple[str, str | None]:
        stem = f"/storage/requestqueue/{job.id}"
        if job.media_type == "video":
            return f"{stem}/sample_0.mp4", f"{stem}/thumbnail.png"
        return f"{stem}/0.png", None

    def validation_message(self, problems: list[Problem]) -> str:
        return "invalid payload: " + "; ".join(str(p) for p in problems)

    def started(self, job: Job) -> None:
        pass  # no event stream

    def finished(self, job: Job) -> None:
        pass

    # -- wire format ----------------------------------------------------------------------
    def status_word(self, job: Job) -> str:
        if job.status == "queued":
            dispatched = self.core.clock.now() >= job.enqueued_at + job.seconds / 4
            return "dispatched" if dispatched else "queued"
        return _WORDS[job.status]

    def outcome(self, job: Job) -> dict[str, Any] | None:
        if job.status != "succeeded":
            return None
        if job.media_type == "video":
            return {"video_url": job.result_url, "thumbnail_image_url": job.thumbnail_url}
        return {"media_urls": [{"id": "0", "url": job.result_url}]}

    def record(self, job: Job) -> dict[str, Any]:
        record: dict[str, Any] = {
            "request_id": job.id,
            "org_id": job.namespace,
            "model": job.model,
            "status": self.status_word(job),
            "is_public": False,
            "payload": job.params,
            "outcome": self.outcome(job),
            "created_at": int(job.enqueued_at),
            "updated_at": int(job.updated_at),
            "queued_at": int(job.enqueued_at),
        }
        if job.status == "failed":
            record["error"] = job.error_message
        return record

    # -- handlers -------------------------------------------------------------------------
    def submit(self, request: Request) -> Response:
        body = request.json_object()
        if body is None or not isinstance(body.get("model"), str) or not body["model"]:
            return error(400, "the body must be a JSON object with 'model' and 'payload'")
        payload = body.get("payload", {})
        if not isinstance(payload, dict):
            return error(400, "payload must be a JSON object")
        model = self.core.model(body["model"])
        if model is None:
            return error(404, f"model not found: {body['model']}")
        if self.media_type(model) is None:
            return error(400, f"model {body['model']} does not produce images or video")
        job = self.core.submit(model, payload)
        record = self.record(job)
        # The submit reply is about the hand-over: a job that already ran says "dispatched".
        if record["status"] != "queued":
            record["status"] = "dispatched"
        return json_response({key: record[key] for key in _SUBMIT_KEYS})

    def list_requests(self, request: Request) -> Response:
        jobs = self.core.engine.all()[::-1]
        model_id = request.query.get("model_id")
        if model_id is not None:
            jobs = [job for job in jobs if job.model == model_id]
        records = [self.record(job) for job in jobs]
        if "status" in request.query:
            records = [r for r in records if r["status"] == request.query["status"]]
        try:
            page_size = int(request.query.get("page_size", 20))
            start = (max(int(request.query.get("page", 1)), 1) - 1) * max(page_size, 0)
        except ValueError:
            return error(400, "page and page_size must be integers")
        shown = records[start : start + max(page_size, 0)]  # pages: our choice, GMI documents none
        return json_response({"requests": shown, "total": len(records)})

    def get_request(self, request: Request) -> Response:
        job = self.core.engine.get(request.params["request_id"])
        if job is None:
            return error(404, f"request not found: {request.params['request_id']}")
        return json_response(self.record(job))

    def cancel(self, request: Request) -> Response:
        job = self.core.engine.cancel(request.params["request_id"])
        if job is None:
            return error(404, f"request not found: {request.params['request_id']}")
        return json_response({"request_id": job.id, "status": self.status_word(job)})

    def list_models(self, request: Request) -> Response:
        ids = [model_id_of(model) for model in self.core.models()]
        return json_response({"model_ids": ids})

    def get_model(self, request: Request) -> Response:
        model_id = request.params["model_id"]
        model = self.core.model(model_id)
        if model is None:
            return error(404, f"model not found: {model_id}")
        return json_response({k: v for k, v in model.items() if k not in _HIDDEN})
