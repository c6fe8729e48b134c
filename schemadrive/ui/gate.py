"""The page's door: every request carries the per-run token, or is refused with 403.

An ASGI middleware (no framework needed): the token is read from the ``X-Schemadrive-Token``
header (the page's fetches) or the ``token`` query parameter (the page itself, its script, its
event stream, its <video> sources and download links, which cannot set headers). Every reply
also gets headers that keep the page to its own origin and out of caches.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qs

__all__ = ["HEADER", "SECURITY_HEADERS", "TokenGate"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

HEADER = "x-schemadrive-token"

#: the page loads nothing from elsewhere, sends no Referer (its URL holds the token), and is
#: never cached (its replies hold job ids and results)
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; "
        b"frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    ),
    (b"referrer-policy", b"no-referrer"),
    (b"x-content-type-options", b"nosniff"),
    (b"cache-control", b"no-store"),
)

REFUSED = (
    b"403 Forbidden: this page needs its token. Open the URL that `schemadrive ui` printed "
    b"(it ends in ?token=...).\n"
)


def token_of(scope: Scope) -> str | None:
    """The token a request carries: its header, else its ``token`` query parameter."""
    for name, value in scope.get("headers") or ():
        if name == HEADER.encode():
            return bytes(value).decode("latin-1")
    query = parse_qs(bytes(scope.get("query_string") or b"").decode("latin-1"))
    values = query.get("token")
    return values[0] if values else None


class TokenGate:
    """Lets through only HTTP requests that carry ``token``; adds SECURITY_HEADERS."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        if not token:
            raise ValueError("the token must not be empty")
        self.app = app
        self._token = token.encode()

    def allows(self, scope: Scope) -> bool:
        given = token_of(scope)
        # compare_digest: how long a wrong token takes says nothing about the right one
        return given is not None and hmac.compare_digest(given.encode(), self._token)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *SECURITY_HEADERS]
            await send(message)

        if not self.allows(scope):
            await send_with_headers(
                {
                    "type": "http.response.start",
                    "status": 403,
                    "headers": [
                        (b"content-type", b"text/plain; charset=utf-8"),
                        (b"content-length", str(len(REFUSED)).encode()),
                    ],
                }  # fmt: skip
            )
            await send({"type": "http.response.body", "body": REFUSED})
            return
        await self.app(scope, receive, send_with_headers)
