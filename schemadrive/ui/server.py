"""The playground served by uvicorn in a background thread, on a socket bound here.

Binding the socket ourselves turns "port in use" into a ConfigurationError (uvicorn would
log it and exit the process) and tells the real port when 0 was asked for.
"""

from __future__ import annotations

import ipaddress
import secrets
import socket
import threading
import time
from typing import TYPE_CHECKING, Any

from ..exceptions import ConfigurationError

if TYPE_CHECKING:
    from ..client import Client
    from .app import Playground

__all__ = ["PlaygroundServer", "is_loopback"]

#: seconds to wait for the server thread to start serving, and for it to stop
START_TIMEOUT = 10.0
STOP_TIMEOUT = 5.0


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and ``localhost``: reachable from this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class PlaygroundServer:
    """``schemadrive ui``'s server: the page and its API for ``client`` on ``host:port``.

    ``port`` 0 picks a free port. ``token`` (default: a new random one) must be in every
    request: :attr:`url` carries it. ``model`` is the model the page opens with.
    ``wait_timeout``: how long each job is watched, in seconds (None: the client's default).
    The API key stays in ``client``, in this process. Use it as a context manager, or call
    :meth:`start` and :meth:`stop`; all times are in seconds.
    """

    def __init__(
        self,
        client: Client,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        model: str | None = None,
        token: str | None = None,
        wait_timeout: float | None = None,
    ) -> None:
        from .app import Playground, create_app

        self.host = host
        self.requested_port = port
        self.token = token or secrets.token_urlsafe(24)
        self.playground: Playground = Playground(client, model=model, wait_timeout=wait_timeout)
        self.app = create_app(self.playground, token=self.token)
        self.port: int | None = None
        self._server: Any = None
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:  # the token is a secret of this run: never shown
        return f"PlaygroundServer(host={self.host!r}, port={self.port!r})"

    @property
    def base_url(self) -> str:
        if self.port is None:
            raise RuntimeError("the server is not started")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def url(self) -> str:
        """The page's address, with the token: what to open in a browser."""
        return f"{self.base_url}/?token={self.token}"

    def start(self) -> PlaygroundServer:
        """Bind and serve in a background thread; return self. ConfigurationError when the
        address cannot be bound (the port is taken, the host is not this machine's)."""
        import uvicorn

        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, self.requested_port))
            sock.listen(128)
        except OSError as exc:
            sock.close()
            where = f"{self.host}:{self.requested_port}"
            raise ConfigurationError(f"cannot listen on {where}: {exc.strerror or exc}") from exc
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app, log_config=None, log_level="warning", access_log=False, lifespan="off",
            timeout_graceful_shutdown=2, ws="none",
        )  # fmt: skip
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, name="schemadrive-ui",
            daemon=True,
        )  # fmt: skip
        self._thread.start()
        # uvicorn sets .started and has no callback for it: look every 10 ms, bounded
        deadline = time.monotonic() + START_TIMEOUT
        idle = threading.Event()
        while not self._server.started and self._thread.is_alive():
            if time.monotonic() > deadline or idle.wait(0.01):
                break
        if not self._server.started:
            sock.close()
            raise ConfigurationError(f"the page's server did not start on {self.base_url}")
        return self

    def stop(self) -> None:
        """End the event streams, stop serving, and wait (bounded) for the thread."""
        self.playground.board.close()
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(STOP_TIMEOUT)
            self._thread = None

    def __enter__(self) -> PlaygroundServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
