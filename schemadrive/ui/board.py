"""The jobs started (or re-attached) from the page, watched in the server process, and the
files the page uploaded for them. No HTTP of its own: the client waits, the app serves.

Each job is waited for by ``Job.wait`` in a thread of its own, which uses the client's one
shared event stream (and polls only where the hub has none, or a job is not covered yet);
every new status is published to the page's subscribers as it arrives. Result URLs stay
here: the page gets paths on this server, which fetches the files with the client's
downloader, so a key or a presigned URL never reaches the browser.
"""

from __future__ import annotations

import contextlib
import itertools
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..exceptions import ConfigurationError, SchemadriveError

if TYPE_CHECKING:
    from ..client import Client
    from ..dispatch.job import Job
    from ..hub.status import JobState

__all__ = ["JobBoard", "Uploads", "PageJob"]

#: what the page is told about a result file, by extension, when the model does not say
_KINDS = {".mp4": "video", ".webm": "video", ".mov": "video", ".png": "image", ".jpg": "image",
          ".jpeg": "image", ".webp": "image", ".gif": "image"}  # fmt: skip

Subscriber = Callable[[dict[str, Any] | None], None]


@dataclass
class PageJob:
    """One job of the page: its id, model, last status word, error, and result URLs."""

    id: str
    model: str | None
    job: Job = field(repr=False)
    status: str = "queued"
    error: str | None = None
    done: bool = False
    urls: list[str] = field(default_factory=list, repr=False)
    inline: list[bytes] = field(default_factory=list, repr=False)
    kind: str | None = None  # "video", "image", or None (a link only)
    started: float = field(default_factory=time.time)
    order: int = 0
    finished: threading.Event = field(default_factory=threading.Event, repr=False)

    def as_json(self) -> dict[str, Any]:
        count = len(self.urls) + len(self.inline)
        return {
            "id": self.id,
            "model": self.model,
            "status": self.status,
            "error": self.error,
            "done": self.done,
            "started": self.started,
            "outputs": [
                {"index": n, "kind": self.kind or _kind_of_url(self.urls, n)} for n in range(count)
            ],  # fmt: skip
        }


def _kind_of_url(urls: list[str], index: int) -> str | None:
    if index >= len(urls):
        return None
    path = urls[index].split("?", 1)[0].lower()
    return next((kind for ext, kind in _KINDS.items() if path.endswith(ext)), None)


class JobBoard:
    """The page's jobs. Thread-safe; subscribers are called from any thread, must not block.

    ``wait_timeout``: how long each job is watched, in seconds (None: the client's default,
    one hour); a job still running then stays on the hub and can be re-attached by id.
    """

    def __init__(self, client: Client, *, wait_timeout: float | None = None) -> None:
        self.client = client
        self.wait_timeout = wait_timeout
        self._jobs: dict[str, PageJob] = {}
        self._subscribers: list[Subscriber] = []
        self._lock = threading.Lock()
        self._order = itertools.count()
        self._closed = False

    # -- jobs -------------------------------------------------------------------------------
    def add(self, job: Job, *, kind: str | None = None) -> PageJob:
        """Watch ``job`` (already submitted) and publish its changes; the entry."""
        with self._lock:
            entry = self._jobs.get(job.id)
            if entry is not None and not entry.done:
                return entry
            entry = PageJob(job.id, job.model, job, kind=kind, order=next(self._order))
            if job.state is not None:
                entry.status = job.state.status_word
            self._jobs[job.id] = entry
        self._publish(entry)
        for target, name in ((self._watch, "wait"), (self._watch_start, "start")):
            threading.Thread(
                target=target, args=(entry,), name=f"schemadrive-ui-{name}-{job.id}", daemon=True
            ).start()
        return entry

    def attach(self, generation_id: str, *, model: str | None = None) -> PageJob:
        """Watch a job started elsewhere (or by an earlier run of the page), by its id."""
        generation_id = generation_id.strip()
        if not generation_id:
            raise ConfigurationError("give the id of a job to re-attach")
        kind = None
        if model:
            kind = output_kind(self.client, model)
        return self.add(self.client.job(generation_id, model=model or None), kind=kind)

    def get(self, generation_id: str) -> PageJob | None:
        with self._lock:
            return self._jobs.get(generation_id)

    def snapshot(self) -> list[dict[str, Any]]:
        """Every job, the newest first."""
        with self._lock:
            entries = sorted(self._jobs.values(), key=lambda e: e.order, reverse=True)
            return [e.as_json() for e in entries]

    def _watch(self, entry: PageJob) -> None:
        from ..exceptions import JobCancelled, JobFailed, JobTimeout

        def on_status(state: JobState) -> None:
            entry.status = state.status_word
            if entry.model is None and state.model:
                entry.model = state.model
            self._publish(entry)

        try:
            result = entry.job.wait(self.wait_timeout, on_status=on_status)
        except JobFailed as exc:
            entry.status, entry.error = "failed", str(exc)
        except JobCancelled:
            entry.status = "cancelled"
        except JobTimeout as exc:
            entry.error = f"{exc} (it may still be running on the hub: re-attach it by its id)"
        except SchemadriveError as exc:  # the hub or network gave up: said, never raised
            entry.error = f"{exc} (re-attach it by its id to watch it again)"
        else:
            entry.status = "succeeded"
            entry.urls, entry.inline = list(result.urls), list(result.data)
            if entry.kind is None and result.model:
                entry.kind = output_kind(self.client, result.model)
        entry.done = True
        entry.finished.set()
        self._publish(entry)

    def _watch_start(self, entry: PageJob) -> None:
        """Poll a queued job's status (the client's backoff) until it starts or ends: the
        hub's event stream tells only how a job ends (docs/hub-contract.md §4), and people
        watching a page want to see it start. Errors here are left to the wait."""
        backoff = self.client.dispatcher.backoff()
        stop = entry.finished
        while not stop.wait(backoff.next()):
            try:
                state = self.client.dispatcher.fetch_state(entry.id)
            except SchemadriveError:
                continue
            if stop.is_set() or state.terminal:
                return  # the wait reports the end, with the result
            if state.status_word != entry.status and state.status_word != "queued":
                entry.status = state.status_word
                self._publish(entry)
                return

    # -- subscribers ------------------------------------------------------------------------
    def subscribe(self, fn: Subscriber) -> None:
        """Call ``fn(job_json)`` on each change, and ``fn(None)`` when the board closes."""
        with self._lock:
            closed = self._closed
            if not closed:
                self._subscribers.append(fn)
        if closed:
            fn(None)

    def unsubscribe(self, fn: Subscriber) -> None:
        with self._lock, contextlib.suppress(ValueError):
            self._subscribers.remove(fn)

    def _publish(self, entry: PageJob) -> None:
        with self._lock:
            event = entry.as_json()
            targets = list(self._subscribers)
        for fn in targets:
            fn(event)

    def close(self) -> None:
        """End every subscription (the server is stopping)."""
        with self._lock:
            self._closed = True
            targets, self._subscribers = self._subscribers, []
        for fn in targets:
            fn(None)


def output_kind(client: Client, model_id: str) -> str | None:
    """``"video"`` or ``"image"`` from the model's ``capabilities.output``, else None."""
    try:
        outputs = (client.model(model_id).info.get("capabilities") or {}).get("output") or []
    except SchemadriveError:
        return None
    return next((kind for kind in ("video", "image") if kind in outputs), None)


class Uploads:
    """Files the page uploaded, by id, held in memory until the server stops.

    ``limit`` is the largest file in bytes; ``total`` the most kept at once (the oldest go
    first). A file is uploaded once and referred to by id in every check and submit.
    """

    def __init__(self, *, limit: int, total: int) -> None:
        self.limit = limit
        self.total = total
        self._files: dict[str, tuple[str, bytes]] = {}
        self._lock = threading.Lock()

    def refusal(self, name: str, size: int) -> str | None:
        """Why a file of ``size`` bytes is not taken, or None when it is."""
        from ..media.display import human_size

        if size <= self.limit:
            return None
        return (
            f"{name} is {human_size(size)}; the page takes files up to "
            f"{human_size(self.limit)} (Client(max_inline_bytes=...) or an uploader: "
            "docs/files.md)"
        )

    def put(self, name: str, data: bytes) -> str:
        """Keep ``data`` under a new id; ConfigurationError when it is over ``limit``."""
        refused = self.refusal(name, len(data))
        if refused is not None:
            raise ConfigurationError(refused)
        upload_id = secrets.token_urlsafe(12)
        with self._lock:
            self._files[upload_id] = (name, data)
            while sum(len(d) for _, d in self._files.values()) > self.total:
                del self._files[next(iter(self._files))]
        return upload_id

    def get(self, upload_id: str) -> tuple[str, bytes]:
        with self._lock:
            found = self._files.get(upload_id)
        if found is None:
            raise ConfigurationError("that file is no longer on the server: choose it again")
        return found
