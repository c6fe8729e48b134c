"""HTTP to the hub: one ``requests.Session`` with the base URL, auth, timeouts, a User-Agent
and urllib3's ``Retry`` mounted for idempotent methods.

Retries follow :data:`schemadrive.hub.retry.HTTP`: GET, HEAD and DELETE are retried on
connection errors and on 429/502/503/504 with exponential backoff, honouring ``Retry-After``.
POST is never retried here once it may have reached the hub (urllib3 retries only connection
errors raised before a request is sent): a submit creates paid work and the hub has no
idempotency key. ``dispatch.submission`` decides the rest.

Deadlines: ``send(..., deadline=d)`` bounds the request, its retries, their sleeps and every
connect and read by what is left of ``d`` (:func:`schemadrive.hub.retry.within`).

The API key is sent only to the hub's own scheme, host and port, never across a redirect to
another host, and never appears in a repr, a log line or an exception: a hub that echoes it in
a reply gets it replaced by ``***`` in every text kept from that reply.

Logging: the ``schemadrive`` logger gets one DEBUG line per request: method, URL (without
query string or credentials), status and time taken. Never the key, never a body.
"""

from __future__ import annotations

import dataclasses
import logging
import platform
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from ..exceptions import (
    AuthenticationError,
    ConfigurationError,
    HubError,
    NetworkError,
    RateLimited,
)
from .replies import excerpt, hub_message, loads, parse_json, parse_retry_after, redactor
from .retry import HTTP, RetryPolicy, bounded_timeout, within

if TYPE_CHECKING:
    import requests

    from .retry import Deadline

__all__ = [
    "DEFAULT_TIMEOUT",
    "Transport",
    "excerpt",
    "hub_message",
    "parse_retry_after",
    "safe_url",
]

log = logging.getLogger("schemadrive")

#: (connect, read) seconds for ordinary calls.
DEFAULT_TIMEOUT: tuple[float, float] = (5.0, 60.0)
#: The longest a single retry sleeps for a ``Retry-After`` header, in seconds.
MAX_RETRY_AFTER = HTTP.max_retry_after
#: Reply texts longer than this are not kept whole on an error (a huge body stays a summary).
MAX_KEPT_TEXT = 64_000


def _port(parts: Any) -> int | None:
    try:
        return parts.port  # type: ignore[no-any-return]
    except ValueError:  # a malformed port (e.g. in a URL the hub sent back)
        return None


def _origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port); a malformed URL matches no origin (its host is unusable)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ("", "", None)
    port = _port(parts) or {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), port


class _HubAuth:
    """Adds the Bearer header only to requests for the hub's own origin."""

    def __init__(self, api_key: str | None, base_url: str) -> None:
        self._key = api_key
        self._origin = _origin(base_url)

    def __call__(self, request: Any) -> Any:
        if self._key and _origin(request.url) == self._origin:
            request.headers["Authorization"] = f"Bearer {self._key}"
        return request

    def __repr__(self) -> str:
        return "<HubAuth key=***>" if self._key else "<HubAuth key=None>"


class Transport:
    """The session every hub call goes through. All times are in seconds."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None,
        *,
        timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
        retry: RetryPolicy = HTTP,
        retries: int | None = None,
        backoff_factor: float | None = None,
        backoff_max: float | None = None,
        user_agent: str | None = None,
        key_hint: str = "set a valid key in OXEN_API_KEY or the oxen CLI's config",
    ) -> None:
        """``retry``: the GET policy; ``retries`` / ``backoff_factor`` / ``backoff_max``
        override its attempts (retries after the first send), initial and longest delay."""
        import requests
        from requests.adapters import HTTPAdapter

        changes: dict[str, Any] = {}
        if retries is not None:
            changes["attempts"] = retries + 1
        if backoff_factor is not None:
            changes["initial"] = backoff_factor
        if backoff_max is not None:
            changes["maximum"] = backoff_max
        self.retry = dataclasses.replace(retry, **changes)
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigurationError(f"base URL must be http(s)://host[:port], not {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout if isinstance(timeout, tuple) else (min(5.0, timeout), timeout)
        self.has_key = bool(api_key)
        self.key_hint = key_hint
        self.session = requests.Session()
        self.session.auth = _HubAuth(api_key, self.base_url)
        self.session.headers["User-Agent"] = user_agent or _user_agent()
        self.session.headers["Accept"] = "application/json"
        adapter = HTTPAdapter(
            max_retries=self.retry.urllib3_retry(), pool_connections=16, pool_maxsize=64
        )
        self._redact = redactor(api_key)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def __repr__(self) -> str:
        return f"Transport(base_url={self.base_url!r}, api_key={'***' if self.has_key else None})"

    def url(self, path: str) -> str:
        """An absolute URL for a hub path (absolute URLs are returned unchanged)."""
        if path.startswith(("http://", "https://")):
            return path
        return urljoin(self.base_url + "/", path.lstrip("/"))

    def is_hub_url(self, url: str) -> bool:
        return _origin(url) == _origin(self.base_url)

    def send(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | tuple[float, float] | None = None,
        stream: bool = False,
        allow_redirects: bool = True,
        deadline: Deadline | None = None,
    ) -> requests.Response:
        """Send one request; network failures become NetworkError. Status is not checked.

        ``deadline``: the request, its retries and their waits end by it (NetworkError
        "timed out" or the last reply otherwise). A reply that cannot even be parsed as HTTP
        (a redirect to a malformed URL) is a HubError.
        """
        import requests

        url = self.url(path)
        started = time.monotonic()
        try:
            prepared = self.session.prepare_request(
                requests.Request(method, url, json=json, params=params, headers=dict(headers or {}))
            )
            if "%2e" in url.lower():
                # requests un-escapes %2E, which would let a ".." model id become a parent
                # directory on the wire: put our own encoding of the path back.
                ours, sent = urlsplit(url), urlsplit(prepared.url or "")
                prepared.url = sent._replace(path=ours.path).geturl()
            settings = self.session.merge_environment_settings(
                prepared.url or url, {}, stream, None, None
            )
            with within(deadline):
                response = self.session.send(
                    prepared,
                    timeout=bounded_timeout(timeout or self.timeout),
                    allow_redirects=allow_redirects,
                    **settings,
                )
        except requests.exceptions.InvalidJSONError as exc:  # nothing left the machine
            raise ConfigurationError(
                f"{method} {safe_url(url)}: the body is not valid JSON (NaN or Infinity?); "
                "nothing was sent"
            ) from exc
        except requests.exceptions.RequestException as exc:
            log.debug("%s %s failed after %.3f s: %s", method, safe_url(url),
                      time.monotonic() - started, _reason(exc))  # fmt: skip
            raise NetworkError(f"{method} {safe_url(url)} failed: {_reason(exc)}") from exc
        except (ValueError, UnicodeError) as exc:  # e.g. a redirect to "http://[::1"
            raise HubError(
                f"{method} {safe_url(url)}: the hub's reply could not be read "
                f"({type(exc).__name__}: {self._redact(excerpt(str(exc), 120))})",
            ) from None
        log.debug("%s %s -> %s in %.3f s", method, safe_url(url), response.status_code,
                  time.monotonic() - started)  # fmt: skip
        return response

    def text(self, response: requests.Response) -> str:
        """The reply's text, the API key replaced by ``***`` (and cut to MAX_KEPT_TEXT)."""
        try:
            text = str(response.text)
        except Exception:  # a body that cannot be read or decoded: nothing to keep
            return ""
        redacted: str = self._redact(text[:MAX_KEPT_TEXT])
        return redacted

    def check(self, response: requests.Response) -> requests.Response:
        """Raise the matching HubError for an error status; return the response otherwise."""
        status = response.status_code
        if status < 400:
            return response
        text = self.text(response)
        body = parse_json(text)
        message = hub_message(body) or (excerpt(text) if text else response.reason or "")
        where = f"{response.request.method} {safe_url(response.url)}"
        if status in (401, 403):
            said = "no API key was found" if not self.has_key else "the hub rejected the API key"
            raise AuthenticationError(
                f"{said} ({status} {message}); {self.key_hint}",
                status=status,
                excerpt=excerpt(text),
                url=safe_url(response.url),
                body=body,
            )
        if status == 429:
            raise RateLimited(
                f"rate limited by the hub: {message}",
                retry_after=parse_retry_after(response.headers.get("Retry-After")),
                excerpt=excerpt(text),
                url=safe_url(response.url),
                body=body,
            )
        raise HubError(
            f"{where} -> {status}: {message}",
            status=status,
            excerpt=excerpt(text),
            url=safe_url(response.url),
            body=body,
        )

    def json(self, response: requests.Response) -> Any:
        """The JSON body of a successful reply; an HTML, non-JSON or too deeply nested reply
        is a HubError."""
        self.check(response)
        try:
            return loads(response.content)
        except ValueError as exc:
            kind = response.headers.get("Content-Type", "no content type")
            where = safe_url(response.url)
            text = self.text(response)
            raise HubError(
                f"expected JSON from {where}, got {kind} ({exc}): {excerpt(text)}",
                status=response.status_code,
                excerpt=excerpt(text),
                url=safe_url(response.url),
            ) from None

    def request_json(self, method: str, path: str, **kwargs: Any) -> Any:
        return self.json(self.send(method, path, **kwargs))

    def close(self) -> None:
        self.session.close()


def safe_url(url: str) -> str:
    """A URL without userinfo or query string (presigned URLs carry credentials there)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<a malformed URL>"
    host = parts.hostname or ""
    port = _port(parts)
    if port:
        host += f":{port}"
    return f"{parts.scheme}://{host}{parts.path}"


def _reason(exc: BaseException) -> str:
    import requests

    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return "connection timed out"
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return "no reply before the read timeout"
    if isinstance(exc, requests.exceptions.ConnectionError):
        text = str(exc)
        if "Connection refused" in text or "NewConnectionError" in text:
            return "connection refused"
        if "Name or service not known" in text or "nodename nor servname" in text:
            return "host name could not be resolved"
        if "RemoteDisconnected" in text or "Connection aborted" in text or "reset" in text.lower():
            return "the connection was closed before a reply"
        return "connection error"
    return type(exc).__name__


def _user_agent() -> str:
    try:
        from importlib.metadata import version

        mine = version("schemadrive")
    except Exception:
        mine = "0"
    return f"schemadrive/{mine} python/{platform.python_version()}"
