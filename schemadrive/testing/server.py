"""The HTTP layer: a threaded ``http.server`` on 127.0.0.1 that records every request, applies
scripted faults, hands the request to an application and writes its reply.

Replies are HTTP/1.1 with ``Content-Length`` (connections are kept alive); event streams use
chunked encoding. A *reset* closes the socket with ``SO_LINGER`` 0, so the client sees a
connection reset, not a clean end of stream.
"""

from __future__ import annotations

import contextlib
import json
import select
import socket
import struct
import sys
import threading
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import parse_qsl

from .faults import Fault, Faults
from .recording import RecordedRequest, RequestLog
from .routing import Request, Response, json_response

__all__ = ["Application", "HTTPService"]


class Application(Protocol):
    """What the HTTP layer serves: the hub, or its CDN."""

    api_key: str | None
    requests: RequestLog
    faults: Faults

    def handle(self, request: Request, *, authorized: bool) -> Response:
        """The reply to one request (faults have been applied already)."""


def _parse_body(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], app: Application) -> None:
        self.app = app
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.connections_lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError, OSError)):
            super().handle_error(request, client_address)

    def close_connections(self) -> None:
        with self.connections_lock:
            connections = list(self.connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def version_string(self) -> str:
        return "LocalHub"

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes; without TCP_NODELAY, Nagle's algorithm
        # and delayed ACKs add ~40 ms to every request on a kept-alive connection.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib's name
        pass  # the request log is the record; stderr stays quiet

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_GET

    # -- reading --------------------------------------------------------------------------
    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            parts: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline()
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        return self.rfile.read(length) if length > 0 else b""

    def _peer_open(self) -> bool:
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            return not readable or self.connection.recv(1, socket.MSG_PEEK) != b""
        except OSError:
            return False

    # -- serving --------------------------------------------------------------------------
    def _serve(self) -> None:
        app = self.server.app
        path, _, query_string = self.path.partition("?")
        raw = self._read_body()
        authorization = self.headers.get("Authorization")
        authorized = app.api_key is not None and authorization == f"Bearer {app.api_key}"
        headers = {k: v for k, v in self.headers.items() if k.lower() != "authorization"}
        query = dict(parse_qsl(query_string, keep_blank_values=True))
        body = _parse_body(raw)
        fault = app.faults.take(self.command, path)
        app.requests.append(
            RecordedRequest(
                method=self.command,
                path=path,
                query=query,
                headers=headers,
                body=body,
                authorized=authorized,
                has_authorization=authorization is not None,
                fault=fault.name if fault else None,
                raw_body=raw,
            )
        )
        if fault is not None:
            fault.pause()
            if fault.reset == "before":
                return self._reset()
            if fault.status is not None:
                return self._write(self._fault_reply(fault))
        request = Request(self.command, path, query, headers, body, peer_open=self._peer_open)
        try:
            response = app.handle(request, authorized=authorized)
        except Exception:  # a bug in the hub must not look like a network fault
            traceback.print_exc()
            response = json_response({"error": {"type": "unknown_error"}}, 500)
        if fault is not None and fault.reset == "after":
            if response.on_close:
                response.on_close()
            return self._reset()
        self._write(response, cut_after=fault.cut_after_events if fault else None)

    def _fault_reply(self, fault: Fault) -> Response:
        headers = {**fault.headers, "Content-Type": fault.reply_type()}
        return Response(fault.status or 500, fault.reply_body(), headers)

    def _write(self, response: Response, *, cut_after: int | None = None) -> None:
        try:
            self.send_response(response.status)
            for name, value in response.headers.items():
                self.send_header(name, value)
            if response.stream is None:
                self.send_header("Content-Length", str(len(response.body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(response.body)
                return
            self.send_header("Transfer-Encoding", "chunked")
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
            self.close_connection = True
            sent = 0
            if cut_after is not None and cut_after <= 0:
                return self._reset()
            for chunk, is_event in response.stream:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += is_event
                if cut_after is not None and sent >= cut_after:
                    return self._reset()
            self.wfile.write(b"0\r\n\r\n")
        except OSError:  # the client went away
            self.close_connection = True
        finally:
            if response.on_close:
                response.on_close()

    def _reset(self) -> None:
        """Close the connection with a TCP reset and no reply."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()


class HTTPService:
    """An application served on 127.0.0.1 by a background thread."""

    def __init__(self, app: Application, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self.host = host
        self.requested_port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the server is not running; call start() first")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``, without a trailing slash."""
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        if self._server is not None:
            return
        self._server = _Server((self.host, self.requested_port), self.app)
        self._wake_read, self._wake_write = socket.socketpair()
        self._thread = threading.Thread(
            target=self._accept, args=(self._server,), name=f"localhub-{self.port}", daemon=True
        )
        self._thread.start()

    def _accept(self, server: _Server) -> None:
        # Like serve_forever, but stop() wakes it at once instead of waiting for a poll.
        wake = self._wake_read.fileno()
        while True:
            ready, _, _ = select.select([server.fileno(), wake], [], [])
            if wake in ready:
                return
            server.handle_request()

    def stop(self) -> None:
        """Stop accepting, close every open connection, and wait for the accept thread."""
        server, self._server = self._server, None
        if server is None:
            return
        self._wake_write.send(b"x")
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        server.close_connections()
        server.server_close()
        self._wake_read.close()
        self._wake_write.close()
