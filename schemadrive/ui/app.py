"""The playground's HTTP API and page, as a Starlette application (docs/ui.md).

Every route answers from the library: the form from ``Model.parameters``, problems from
``Model.validate`` (their text is what the CLI prints), the cost from ``Model.estimate``, jobs
from ``Client.submit`` and ``Client.job``. Blocking calls run in Starlette's thread pool; job
changes reach the page over server-sent events (``GET /api/events``).
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import logging
import mimetypes
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from ..exceptions import (
    ConfigurationError,
    ModelNotFound,
    PayloadInvalid,
    SchemadriveError,
    SchemaError,
)
from .board import JobBoard, Uploads, output_kind
from .forms import NamedFile, check, estimate_of, form_of, payload_from, problem_json
from .gate import TokenGate

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Iterator

    from ..client import Client

__all__ = ["Playground", "create_app"]

log = logging.getLogger("schemadrive")

STATIC = Path(__file__).parent / "static"
_STATIC_TYPES = {"app.js": "text/javascript; charset=utf-8", "app.css": "text/css; charset=utf-8"}
#: the largest file the page takes when the client has an uploader, in bytes
UPLOAD_LIMIT = 256_000_000
#: seconds between keep-alive comments on an idle event stream (proxies drop silent ones)
KEEPALIVE = 15.0


class Playground:
    """What the routes share: the client (and its key, which never leaves this process), the
    page's jobs, its uploaded files, and the model to open first."""

    def __init__(
        self, client: Client, *, model: str | None = None, wait_timeout: float | None = None
    ) -> None:
        self.client = client
        self.model = model
        self.board = JobBoard(client, wait_timeout=wait_timeout)
        # what the core would send inline, or (with an uploader) what is sensible to hold in
        # memory for one file; a few such files at most are kept at once
        limit = client.max_inline_bytes if client.uploader is None else UPLOAD_LIMIT
        self.uploads = Uploads(limit=limit, total=max(limit * 4, UPLOAD_LIMIT))

    def file(self, upload_id: str) -> NamedFile:
        name, data = self.uploads.get(upload_id)
        return NamedFile(data, name)

    def payload(self, model_id: str, body: Any) -> tuple[Any, dict[str, Any]]:
        values = body.get("values") if isinstance(body, dict) else None
        if not isinstance(values, dict):
            raise ConfigurationError('the request needs {"values": {...}}')
        model = self.client.model(model_id)
        return model, payload_from(model, values, self.file)

    # -- what the routes do (blocking: run in the thread pool) ---------------------------------
    def models(self) -> dict[str, Any]:
        return {"models": self.client.list_models(), "selected": self.model}

    def form(self, model_id: str) -> dict[str, Any]:
        return form_of(self.client.model(model_id))

    def check(self, model_id: str, body: Any) -> dict[str, Any]:
        model, payload = self.payload(model_id, body)
        return check(model, payload)

    def generate(self, model_id: str, body: Any) -> tuple[int, dict[str, Any]]:
        model, payload = self.payload(model_id, body)
        found = check(model, payload)
        if not found["valid"]:  # nothing is sent: the page shows why
            return 422, found
        try:
            job = self.client.submit(model_id, payload)
        except PayloadInvalid as exc:  # e.g. num_generations out of range for the hub
            names = [p.name for p in model.parameters]
            problems = [problem_json(p, names) for p in exc.problems]
            return 422, {"problems": problems, "valid": False,
                         "estimate": estimate_of(model, payload)}  # fmt: skip
        entry = self.board.add(job, kind=output_kind(self.client, model_id))
        return 201, {"job": entry.as_json()}

    def attach(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict) or not isinstance(body.get("id"), str):
            raise ConfigurationError('the request needs {"id": "<generation id>"}')
        model = body.get("model") if isinstance(body.get("model"), str) else None
        return {"job": self.board.attach(body["id"], model=model).as_json()}

    def open_output(self, generation_id: str, index: int) -> tuple[Iterator[bytes], dict[str, str]]:
        """The bytes of one result file and the headers to send them with."""
        entry = self.board.get(generation_id)
        if entry is None or not entry.done or index >= len(entry.urls) + len(entry.inline):
            raise LookupError(f"no output {index} for job {generation_id} on this page")
        if index >= len(entry.urls):
            from ..media.sniff import media_type_of

            data = entry.inline[index - len(entry.urls)]
            kind, _ = media_type_of(data[:64])
            return iter([data]), {"content-type": kind, "content-length": str(len(data))}
        response = self.client.dispatcher.downloader.open(entry.urls[index])
        headers = {"content-type": response.headers.get("Content-Type", "application/octet-stream")}
        if "Content-Length" in response.headers and "Content-Encoding" not in response.headers:
            headers["content-length"] = response.headers["Content-Length"]

        def chunks() -> Iterator[bytes]:
            try:
                yield from response.iter_content(64 * 1024)
            except OSError as exc:  # requests' errors too: the reply ends short, the browser sees
                log.debug("the result of %s was cut short: %s", generation_id, exc)
            finally:
                response.close()

        return chunks(), headers


def _status_for(exc: BaseException) -> int:
    if isinstance(exc, SchemaError):
        return 422  # e.g. a chat model: no request schema to draw a form from
    if isinstance(exc, (ModelNotFound, LookupError)):
        return 404
    if isinstance(exc, (ConfigurationError, ValueError)):
        return 400
    return 502  # the hub, the network, offline mode


async def _answer(work: Callable[[], Any]) -> Response:
    """Run ``work`` in the thread pool; its JSON, or ``{"error": the one line the CLI would
    print}`` with a status: an error is shown on the page, never a traceback."""
    try:
        result = await run_in_threadpool(work)
    except (SchemadriveError, LookupError, ValueError, OSError) as exc:
        return JSONResponse({"error": str(exc).strip() or type(exc).__name__},
                            status_code=_status_for(exc))  # fmt: skip
    if isinstance(result, tuple):
        status, body = result
        return JSONResponse(body, status_code=status)
    return JSONResponse(result)


async def _body(request: Request) -> Any:
    try:
        return json.loads(await request.body())
    except ValueError:
        return None


def create_app(playground: Playground, *, token: str) -> TokenGate:
    """The ASGI application: the routes below ``TokenGate(token)``."""
    board = playground.board

    async def index(request: Request) -> Response:
        page = (STATIC / "index.html").read_text(encoding="utf-8")
        return Response(page.replace("{{token}}", html.escape(token)), media_type="text/html")

    async def static(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in _STATIC_TYPES:
            return Response("not found", status_code=404)
        return Response((STATIC / name).read_bytes(), media_type=_STATIC_TYPES[name])

    async def models(request: Request) -> Response:
        return await _answer(playground.models)

    async def form(request: Request) -> Response:
        return await _answer(lambda: playground.form(request.path_params["model"]))

    async def check_values(request: Request) -> Response:
        body = await _body(request)
        return await _answer(lambda: playground.check(request.path_params["model"], body))

    async def generate(request: Request) -> Response:
        body = await _body(request)
        return await _answer(lambda: playground.generate(request.path_params["model"], body))

    async def upload(request: Request) -> Response:
        name = request.query_params.get("name") or "file"
        declared = request.headers.get("content-length", "")
        if declared.isdigit():  # refused before it is read
            too_large = playground.uploads.refusal(name, int(declared))
            if too_large is not None:
                return JSONResponse({"error": too_large}, status_code=413)
        data = await request.body()
        return await _answer(lambda: {"id": playground.uploads.put(name, data)})

    async def jobs(request: Request) -> Response:
        return JSONResponse({"jobs": board.snapshot()})

    async def attach(request: Request) -> Response:
        body = await _body(request)
        return await _answer(lambda: playground.attach(body))

    async def output(request: Request) -> Response:
        generation_id, index = request.path_params["id"], request.path_params["index"]
        try:
            chunks, headers = await run_in_threadpool(playground.open_output, generation_id, index)
        except (SchemadriveError, LookupError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=_status_for(exc))
        if request.query_params.get("download"):
            extension = mimetypes.guess_extension(headers["content-type"].split(";")[0]) or ""
            headers["content-disposition"] = (
                f'attachment; filename="{generation_id}-{index}{extension}"'
            )
        return StreamingResponse(chunks, headers=headers)

    async def events(request: Request) -> Response:
        return StreamingResponse(
            _event_stream(board), media_type="text/event-stream",
            headers={"cache-control": "no-store", "x-accel-buffering": "no"},
        )  # fmt: skip

    routes = [
        Route("/", index),
        Route("/static/{name}", static),
        Route("/api/models", models),
        Route("/api/models/{model:path}/form", form),
        Route("/api/models/{model:path}/check", check_values, methods=["POST"]),
        Route("/api/models/{model:path}/jobs", generate, methods=["POST"]),
        Route("/api/uploads", upload, methods=["POST"]),
        Route("/api/jobs", jobs),
        Route("/api/jobs/attach", attach, methods=["POST"]),
        Route("/api/jobs/{id}/outputs/{index:int}", output),
        Route("/api/events", events),
    ]
    return TokenGate(Starlette(routes=routes), token)


async def _event_stream(board: JobBoard) -> AsyncIterator[str]:
    """Server-sent events: every job now, then each change as it happens (``event: job``),
    a comment every KEEPALIVE seconds when idle; ends when the board closes."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()

    def push(event: dict[str, Any] | None) -> None:  # any thread
        with contextlib.suppress(RuntimeError):  # the loop has closed: the server is gone
            loop.call_soon_threadsafe(queue.put_nowait, event)

    board.subscribe(push)  # before the snapshot: no change falls between the two
    try:
        yield "retry: 2000\n\n"
        for job in reversed(board.snapshot()):
            yield _event(job)
        while True:
            try:
                event = await asyncio.wait_for(queue.get(), KEEPALIVE)
            except asyncio.TimeoutError:
                yield ": keep-alive\n\n"
                continue
            if event is None:
                return
            yield _event(event)
    finally:
        board.unsubscribe(push)


def _event(job: dict[str, Any]) -> str:
    return f"event: job\ndata: {json.dumps(job)}\n\n"
