"""Requests, responses and route tables: the plain values the HTTP layer and the flavours share.

A route pattern is a path whose ``{name}`` segments capture exactly one raw path segment,
percent-decoded afterwards: ``/api/ai/models/{model_id}`` matches ``/api/ai/models/a%2Fb``
with ``model_id == "a/b"`` but not ``/api/ai/models/a/b``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

__all__ = ["Request", "Response", "Route", "Router", "json_response"]


@dataclass
class Request:
    """One request as a handler sees it.

    ``path`` is the raw path (still percent-encoded, no query); ``query`` maps each query
    parameter to its last value; ``body`` is the parsed JSON body, else the raw bytes, else
    None; ``params`` are the route's decoded captures, filled by the router.
    """

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    #: False once the client has closed its connection (streams poll it while idle)
    peer_open: Callable[[], bool] = field(default=lambda: True, repr=False)
    params: dict[str, str] = field(default_factory=dict)

    def json_object(self) -> dict[str, Any] | None:
        """The body if it is a JSON object, else None."""
        return self.body if isinstance(self.body, dict) else None


@dataclass
class Response:
    """A reply: a status, headers and either a body or a stream of ``(chunk, is_event)``."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    stream: Iterator[tuple[bytes, bool]] | None = None
    #: called when the stream ends, however it ends
    on_close: Callable[[], None] | None = None


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A JSON reply with ``Content-Type: application/json``."""
    return Response(
        status=status,
        body=json.dumps(data).encode(),
        headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})},
    )


Handler = Callable[[Request], Response]


@dataclass(frozen=True)
class Route:
    """``method`` + ``pattern`` -> ``handler``."""

    method: str
    pattern: str
    handler: Handler

    def match(self, path: str) -> dict[str, str] | None:
        """The decoded captures if ``path`` matches, else None."""
        want = self.pattern.strip("/").split("/")
        got = path.strip("/").split("/")
        if len(want) != len(got):
            return None
        params: dict[str, str] = {}
        for pattern_part, part in zip(want, got, strict=True):
            if pattern_part.startswith("{") and pattern_part.endswith("}"):
                if not part:
                    return None
                params[pattern_part[1:-1]] = unquote(part)
            elif pattern_part != part:
                return None
        return params


class Router:
    """A route table. The first route whose pattern and method match wins."""

    def __init__(self, routes: Sequence[Route]) -> None:
        self.routes = list(routes)

    def resolve(self, method: str, path: str) -> tuple[Route, dict[str, str]] | list[str] | None:
        """The route and its captures; else the methods allowed on the path; else None."""
        allowed: list[str] = []
        method = "GET" if method == "HEAD" else method
        for route in self.routes:
            params = route.match(path)
            if params is None:
                continue
            if route.method == method:
                return route, params
            allowed.append(route.method)
        return allowed or None
