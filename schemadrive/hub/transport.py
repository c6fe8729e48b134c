"""HTTP to the hub: one ``requests.Session`` with the base URL, auth, timeouts, a User-Agent
and urllib3's ``Retry`` mounted for idempotent methods.

Retries: GET, HEAD and DELETE are retried on connection errors and on 429/502/503/504 with
exponential backoff, honouring ``Retry-After``. POST is never retried here once it may have
reached the hub (urllib3 retries only connection errors raised before a request is sent):
a submit creates paid work and the hub has no idempotency key. ``jobs`` decides the rest.

The API key is sent only to the hub's own scheme, host and port, never across a redirect to
another host, and never appears in a repr, a log line or an exception.
"""

from __future__ import annotations

import logging
import platform
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

if TYPE_CHECKING:
    import requests

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
RETRY_STATUSES = (429, 502, 503, 504)
#: The longest a single retry sleeps for a ``Retry-After`` header, in seconds.
MAX_RETRY_AFTER = 20.0


def excerpt(text: str, limit: int = 160) -> str:
    """One line, at most ``limit`` characters, of a reply body (HTML tags dropped)."""
    import re

    flat = re.sub(r"<[^>]+>", " ", text)
    flat = " ".join(flat.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def hub_message(body: Any) -> str | None:
    """The message in either of the hub's error envelopes (docs/hub-contract.md §7)."""
    if not isinstance(body, dict):
        return None
    error = body.get("error")
    if isinstance(error, dict):
        for key in ("message", "detail", "title"):
            if isinstance(error.get(key), str) and error[key]:
                detail = error.get("detail")
                if key == "title" and isinstance(detail, str) and detail:
                    return f"{error[key]}: {detail}"
                return str(error[key])
        if isinstance(error.get("type"), str):
            return str(error["type"])
    if isinstance(error, str):
        return error
    for key in ("message", "status_description", "status_message", "detail"):
        if isinstance(body.get(key), str) and body[key]:
            return str(body[key])
    return None


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header: delta-seconds or an HTTP-date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    import datetime

    now = datetime.datetime.now(tz=when.tzinfo or datetime.timezone.utc)
    return max(0.0, (when - now).total_seconds())


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


def _capped_retry_class() -> type:
    from urllib3.util.retry import Retry

    class CappedRetry(Retry):
        """urllib3's Retry, with ``Retry-After`` capped so one GET cannot sleep past a deadline.

        A hub asking for more than ``MAX_RETRY_AFTER`` seconds gets that many; when retries run
        out the caller sees RateLimited (with the hub's own ``retry_after``) and decides.
        """

        def get_retry_after(self, response: Any) -> float | None:
            seconds = super().get_retry_after(response)
            return None if seconds is None else min(seconds, MAX_RETRY_AFTER)

    return CappedRetry


class Transport:
    """The session every hub call goes through. All times are in seconds."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None,
        *,
        timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
        retries: int = 5,
        backoff_factor: float = 0.5,
        backoff_max: float = 30.0,
        user_agent: str | None = None,
        key_hint: str = "set a valid key in OXEN_API_KEY or the oxen CLI's config",
    ) -> None:
        import requests
        from requests.adapters import HTTPAdapter

        _CappedRetry = _capped_retry_class()

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
        retry = _CappedRetry(
            total=retries,
            connect=min(retries, 2),
            read=retries,
            status=retries,
            # "other" errors (e.g. a TLS failure after the body went out) may have reached the
            # hub, and urllib3 retries them for any method: never, or a POST could pay twice
            other=0,
            backoff_factor=backoff_factor,
            backoff_max=backoff_max,
            backoff_jitter=0.25,
            status_forcelist=RETRY_STATUSES,
            allowed_methods=frozenset({"GET", "HEAD", "DELETE", "OPTIONS"}),
            respect_retry_after_header=True,
            raise_on_status=False,
        )
        adapter = HTTPAdapter(max_retries=retry, pool_connections=16, pool_maxsize=64)
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
    ) -> requests.Response:
        """Send one request; network failures become NetworkError. Status is not checked."""
        import requests

        url = self.url(path)
        try:
            prepared = self.session.prepare_request(
                requests.Request(method, url, json=json, params=params, headers=dict(headers or {}))
            )
            if "%2e" in url.lower():
                # requests un-escapes %2E, which would let a ".." model id become a parent
                # directory on the wire: put our own encoding of the path back.
                ours, sent = urlsplit(url), urlsplit(prepared.url or "")
                prepared.url = sent._replace(path=ours.path).geturl()
            settings = self.session.merge_environment_settings(prepared.url, {}, stream, None, None)
            response = self.session.send(
                prepared,
                timeout=timeout or self.timeout,
                allow_redirects=allow_redirects,
                **settings,
            )
        except requests.exceptions.InvalidJSONError as exc:  # nothing left the machine
            raise ConfigurationError(
                f"{method} {safe_url(url)}: the body is not valid JSON (NaN or Infinity?); "
                "nothing was sent"
            ) from exc
        except requests.exceptions.RequestException as exc:
            raise NetworkError(f"{method} {safe_url(url)} failed: {_reason(exc)}") from exc
        log.debug("%s %s -> %s", method, safe_url(url), response.status_code)
        return response

    def check(self, response: requests.Response) -> requests.Response:
        """Raise the matching HubError for an error status; return the response otherwise."""
        status = response.status_code
        if status < 400:
            return response
        body: Any = None
        text = ""
        try:
            text = response.text
            body = response.json()
        except ValueError:
            body = None
        message = hub_message(body) or (excerpt(text) if text else response.reason or "")
        where = f"{response.request.method} {safe_url(response.url)}"
        if status in (401, 403):
            raise AuthenticationError(
                f"the hub rejected the API key ({status} {message}); {self.key_hint}",
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
        """The JSON body of a successful reply; an HTML or non-JSON reply is a HubError."""
        self.check(response)
        try:
            return response.json()
        except ValueError:
            kind = response.headers.get("Content-Type", "no content type")
            where = safe_url(response.url)
            raise HubError(
                f"expected JSON from {where}, got {kind}: {excerpt(response.text)}",
                status=response.status_code,
                excerpt=excerpt(response.text),
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
