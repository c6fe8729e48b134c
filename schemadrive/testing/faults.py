"""Scripted faults, and the legacy forms of the hub's contract as switches.

A fault matches requests by method and path (shell-style patterns: ``*`` matches any
characters, ``/`` included; the path is the raw path, without the query) and is used up after
``times`` matching requests (``times=None``: forever). The first matching fault wins; a request
gets at most one. What a fault does, in order: wait (``delay`` seconds, or until released when
``hold``), then either reset the connection before the hub acts (``reset="before"``), answer
with ``status`` instead of the hub, or let the hub act and then reset the connection without a
reply (``reset="after"``), or cut an event stream after ``cut_after_events`` events.
Faults apply before the API key is checked, like a proxy in front of the hub.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Literal

__all__ = ["Fault", "Faults", "Legacy"]

Reset = Literal["before", "after"]

#: How long a held reply waits for ``release()`` at most, in seconds.
HOLD_LIMIT = 60.0


def html_error_page(status: int) -> bytes:
    """The kind of page a proxy in front of an API answers 5xx with."""
    title = f"{status} {HTTPStatus(status).phrase}"
    return (
        f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n"
        f"<center><h1>{title}</h1></center>\r\n<hr><center>nginx</center>\r\n"
        "</body>\r\n</html>\r\n"
    ).encode()


def json_error_body(status: int) -> bytes:
    kind = "rate_limited" if status == 429 else "unknown_error"
    title = "Too many requests" if status == 429 else HTTPStatus(status).phrase
    return json.dumps(
        {"error": {"type": kind, "title": title}, "status": "error", "status_message": kind}
    ).encode()


@dataclass(eq=False)
class Fault:
    """One scripted fault (build it with :meth:`Faults.add` or a shortcut).

    ``times`` is how many more requests it applies to (None: no limit); ``hits`` counts the
    requests it has been applied to.
    """

    method: str = "*"
    path: str = "*"
    times: int | None = 1
    status: int | None = None
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    hold: bool = False
    reset: Reset | None = None
    cut_after_events: int | None = None
    hits: int = 0
    _released: threading.Event = field(default_factory=threading.Event, repr=False)
    _hit: threading.Condition = field(default_factory=threading.Condition, repr=False)

    @property
    def name(self) -> str:
        """A short description, recorded with each request the fault applied to."""
        parts = [f"{self.method} {self.path}"]
        for key in ("status", "reset", "cut_after_events"):
            if getattr(self, key) is not None:
                parts.append(f"{key}={getattr(self, key)}")
        if self.delay:
            parts.append(f"delay={self.delay}")
        if self.hold:
            parts.append("hold")
        return " ".join(parts)

    def matches(self, method: str, path: str) -> bool:
        return fnmatch.fnmatchcase(method.upper(), self.method.upper()) and fnmatch.fnmatchcase(
            path, self.path
        )

    def release(self) -> None:
        """Let every request held by this fault (now and later) go on."""
        self._released.set()

    def wait_hit(self, count: int = 1, timeout: float = 10.0) -> bool:
        """Block until the fault has been applied ``count`` times; False after ``timeout``."""
        with self._hit:
            return self._hit.wait_for(lambda: self.hits >= count, timeout)

    def reply_body(self) -> bytes:
        if self.body is not None:
            return self.body
        assert self.status is not None
        return html_error_page(self.status) if self.status >= 500 else json_error_body(self.status)

    def reply_type(self) -> str:
        if "Content-Type" in self.headers:
            return self.headers["Content-Type"]
        if self.body is None and self.status is not None and self.status >= 500:
            return "text/html"
        return "application/json"

    def pause(self) -> None:
        """Wait as the fault says (called on the request's thread)."""
        if self.hold:
            self._released.wait(HOLD_LIMIT)
        elif self.delay:
            self._released.wait(self.delay)  # release() also ends a delay early

    def _record_hit(self) -> None:
        with self._hit:
            self.hits += 1
            self._hit.notify_all()


def _body_bytes(body: object) -> bytes | None:
    """A fault's body as the bytes to send: bytes as is, str as UTF-8, dict/list as JSON."""
    if body is None or isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode()
    if isinstance(body, (dict, list)):
        try:
            return json.dumps(body, allow_nan=False).encode()
        except (TypeError, ValueError) as exc:
            raise TypeError(f"a fault's body dict must be JSON-serialisable: {exc}") from None
    raise TypeError(
        f"a fault's body must be bytes, str, a dict or a list, not {type(body).__name__}"
    )


class Faults:
    """The faults a LocalHub applies, in the order they were added. Thread-safe."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(
        self,
        *,
        method: str = "*",
        path: str = "*",
        status: int | None = None,
        body: bytes | str | dict[str, Any] | list[Any] | None = None,
        headers: dict[str, str] | None = None,
        retry_after: float | str | None = None,
        delay: float = 0.0,
        hold: bool = False,
        reset: Reset | None = None,
        cut_after_events: int | None = None,
        times: int | None = 1,
    ) -> Fault:
        """Add a fault; see the module docstring for what each option does.

        With ``status`` and no ``body``: 5xx answer an HTML page, others a JSON error
        envelope; ``retry_after`` (seconds, or an HTTP date) becomes a ``Retry-After`` header.
        ``body`` is sent as given (a ``str`` as UTF-8); a dict or list is sent as JSON. Anything
        else raises TypeError here, in the caller's thread, not when a request meets it.
        """
        if reset not in (None, "before", "after"):
            raise ValueError(f"reset must be 'before' or 'after', not {reset!r}")
        all_headers = dict(headers or {})
        if retry_after is not None:
            all_headers["Retry-After"] = (
                retry_after if isinstance(retry_after, str) else f"{retry_after:g}"
            )
        fault = Fault(
            method=method,
            path=path,
            times=times,
            status=status,
            body=_body_bytes(body),
            headers=all_headers,
            delay=delay,
            hold=hold,
            reset=reset,
            cut_after_events=cut_after_events,
        )
        with self._lock:
            self._faults.append(fault)
        return fault

    # -- shortcuts ------------------------------------------------------------------------
    def rate_limit(
        self,
        *,
        method: str = "*",
        path: str = "*",
        retry_after: float | str = 1,
        times: int | None = 1,
    ) -> Fault:
        """429 with ``Retry-After`` and a JSON error envelope."""
        return self.add(method=method, path=path, status=429, retry_after=retry_after, times=times)

    def server_error(
        self, status: int = 503, *, method: str = "*", path: str = "*", times: int | None = 1
    ) -> Fault:
        """A 5xx answered with an HTML page, as a proxy would."""
        return self.add(method=method, path=path, status=status, times=times)

    def slow(
        self, seconds: float, *, method: str = "*", path: str = "*", times: int | None = 1
    ) -> Fault:
        """The hub waits ``seconds`` (real time) before handling the request."""
        return self.add(method=method, path=path, delay=seconds, times=times)

    def hold(self, *, method: str = "*", path: str = "*", times: int | None = 1) -> Fault:
        """The hub handles the request only after ``fault.release()`` (at most 60 s later)."""
        return self.add(method=method, path=path, hold=True, times=times)

    def reset_before(
        self, *, method: str = "POST", path: str = "*", times: int | None = 1
    ) -> Fault:
        """The connection is reset after the request arrives, before the hub acts on it."""
        return self.add(method=method, path=path, reset="before", times=times)

    def reset_after(self, *, method: str = "POST", path: str = "*", times: int | None = 1) -> Fault:
        """The hub acts (a job is created), then the connection is reset: the reply is lost."""
        return self.add(method=method, path=path, reset="after", times=times)

    def cut_stream(self, after_events: int, *, path: str = "*", times: int | None = 1) -> Fault:
        """An event stream is cut (reset) after ``after_events`` events (comments not counted)."""
        return self.add(method="GET", path=path, cut_after_events=after_events, times=times)

    # -- use ------------------------------------------------------------------------------
    def take(self, method: str, path: str) -> Fault | None:
        """The fault for this request, used up by one (None: no fault applies)."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, path):
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times <= 0:
                            self._faults.remove(fault)
                    fault._record_hit()
                    return fault
        return None

    def clear(self) -> None:
        """Remove every fault not yet used up (held requests stay held until released)."""
        with self._lock:
            self._faults.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._faults)

    def __iter__(self) -> Iterator[Fault]:
        with self._lock:
            return iter(list(self._faults))


@dataclass
class Legacy:
    """Forms the hub used before 2026-05-11 (docs/hub-contract.md §10), switched on one by one.

    The switches may be flipped while the hub runs.
    """

    #: ``GET/DELETE /api/ai/queue/<id>`` answer 404 once the job has ended
    finished_jobs_404: bool = False
    #: queue rows carry ``model`` instead of ``model_name``
    model_key: bool = False
    #: model objects carry ``request_schema`` instead of ``json_request_schema``
    request_schema_key: bool = False
    #: ``POST /api/ai/queue`` answers ``"status": "processing"`` instead of ``"queued"``
    enqueue_status_processing: bool = False

    @classmethod
    def everything(cls) -> Legacy:
        """Every legacy form at once."""
        return cls(**{f.name: True for f in dataclasses.fields(cls)})
