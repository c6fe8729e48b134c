"""Opening the hub's event stream (``GET /api/events``) on a session of its own.

The stream holds its connection for as long as the client waits, so it gets its own
connection pool; and it is sent without urllib3 retries, because reconnecting (with backoff,
and a reconcile afterwards) is the listener's job. The API key goes with it through the
transport's auth, which adds it for the hub's own origin only; redirects are not followed.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ..exceptions import HubError, NetworkError

if TYPE_CHECKING:
    import requests

    from ..hub.transport import Transport

__all__ = ["EventStream", "abort", "chunks"]


class EventStream:
    """Opens the event stream; :meth:`close` releases its connections. Thread-safe."""

    def __init__(self) -> None:
        self._session: tuple[Transport, requests.Session] | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<EventStream {'open' if self._session else 'closed'}>"

    def _session_for(self, transport: Transport) -> requests.Session:
        with self._lock:
            if self._session is None or self._session[0] is not transport:
                import requests
                from requests.adapters import HTTPAdapter

                session = requests.Session()
                session.auth = transport.session.auth  # the key, for the hub's origin only
                session.headers.update(transport.session.headers)
                adapter = HTTPAdapter(max_retries=0, pool_connections=1, pool_maxsize=2)
                session.mount("http://", adapter)
                session.mount("https://", adapter)
                self._session = (transport, session)
            return self._session[1]

    def open(self, transport: Transport, path: str, read_timeout: float) -> requests.Response:
        """The streamed 200 response of ``path``; HubError or NetworkError otherwise.

        ``read_timeout`` (seconds) is the longest silence tolerated: the hub sends a
        keep-alive comment every 15 s, so a longer silence means a dead connection.
        """
        import requests

        url = transport.url(path)
        try:
            response = self._session_for(transport).get(
                url,
                headers={"Accept": "text/event-stream", "Cache-Control": "no-cache"},
                timeout=(transport.timeout[0], read_timeout),
                stream=True,
                allow_redirects=False,
            )
        except requests.exceptions.RequestException as exc:
            raise NetworkError(f"GET {url} failed: {type(exc).__name__}") from exc
        if response.status_code >= 300:
            try:
                transport.check(response)
            finally:
                response.close()
            raise HubError(f"GET {url} -> {response.status_code}", status=response.status_code)
        kind = response.headers.get("Content-Type", "")
        if not kind.startswith("text/event-stream"):
            response.close()
            raise HubError(f"GET {url} answered {kind or 'no content type'}", status=404)
        return response

    def close(self) -> None:
        with self._lock:
            session, self._session = self._session, None
        if session is not None:
            session[1].close()


def chunks(response: requests.Response) -> Iterator[bytes]:
    """The body as it arrives: chunk by chunk, or whatever bytes are there (never waiting
    for a full buffer, which on a stream without chunked encoding would never come)."""
    raw = response.raw
    if getattr(raw, "chunked", False) or not hasattr(raw, "read1"):
        yield from response.iter_content(chunk_size=None if raw.chunked else 1)
        return
    while True:
        data = raw.read1(1 << 16)
        if not data:
            return
        yield data


def abort(response: requests.Response) -> None:
    """Unblock a thread reading ``response``: shut its socket down, then close it."""
    raw = getattr(response, "raw", None)
    shutdown = getattr(raw, "shutdown", None)  # urllib3 >= 2.3 does it properly
    if callable(shutdown):
        with contextlib.suppress(Exception):
            shutdown()
    for path in (("_connection", "sock"), ("_fp", "fp", "raw", "_sock")):
        target: Any = raw
        for name in path:
            target = getattr(target, name, None)
        if isinstance(target, socket.socket):
            with contextlib.suppress(OSError):
                target.shutdown(socket.SHUT_RDWR)
            break
    with contextlib.suppress(Exception):  # closing a half-dead connection may raise anything
        response.close()
