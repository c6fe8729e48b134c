"""Result files to disk: streamed in constant memory, complete or not at all.

* The body is read in chunks into a temporary file in the destination directory and renamed
  into place only when it is complete, so an interrupted or short download leaves nothing
  behind, and a reader never sees a half-written file.
* ``Content-Length`` is checked: fewer (or more) bytes than announced is a DownloadError.
* Redirects are followed here, one hop at a time, so that each hop decides afresh whether it
  may carry the API key: only a URL on the hub's own scheme, host and port gets it (the
  transport's auth does that check); any other host, such as a CDN or a presigned storage
  URL, is fetched with a session that has no key at all (not even one from ``~/.netrc``).
"""

from __future__ import annotations

import logging
import mimetypes
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from .._files import write_atomically
from ..exceptions import DownloadError, HubError, NetworkError
from ..hub.retry import DOWNLOAD
from ..hub.transport import safe_url

if TYPE_CHECKING:
    import requests

    from ..hub.transport import Transport
    from .progress import BytesCallback

__all__ = ["Downloader", "save_file"]

log = logging.getLogger("schemadrive")

CHUNK_SIZE = 1 << 16
MAX_REDIRECTS = 5
_REDIRECTS = (301, 302, 303, 307, 308)


class _NoAuth:
    """An auth that adds nothing; set on a session, it also stops requests reading ~/.netrc."""

    def __call__(self, request: Any) -> Any:
        return request


def save_file(
    directory: Path,
    name: str,
    chunks: Iterable[bytes],
    *,
    unique: bool = False,
    expected: int | None = None,
) -> Path:
    """Write ``chunks`` to ``directory/name`` with the one atomic-write helper
    (:func:`schemadrive._files.write_atomically`); every failure is a DownloadError.

    ``unique``: never replace an existing file (``name-1.ext``, ``name-2.ext``… instead).
    ``expected``: the byte count the file must have. On any failure nothing is left.
    """

    def check(size: int) -> None:
        if expected is not None and size != expected:
            raise DownloadError(
                f"{name}: got {size} bytes, but Content-Length said {expected}; nothing was saved"
            )

    try:
        return write_atomically(directory / name, chunks, unique=unique, check=check)
    except OSError as exc:
        raise DownloadError(f"cannot save {name} in {directory}: {exc.strerror or exc}") from exc
    except ValueError as exc:  # a name the file system cannot hold (an embedded NUL byte)
        raise DownloadError(f"cannot save {name!r} in {directory}: {exc}") from None


class Downloader:
    """Fetches result URLs. ``transport`` is the hub's (None: no URL is the hub's).

    All times are in seconds; ``timeout`` is (connect, read between two chunks).
    """

    def __init__(
        self,
        transport: Transport | None,
        *,
        timeout: tuple[float, float] = (5.0, 120.0),
        chunk_size: int = CHUNK_SIZE,
        max_redirects: int = MAX_REDIRECTS,
    ) -> None:
        self.transport = transport
        self.timeout = timeout
        self.chunk_size = chunk_size
        self.max_redirects = max_redirects
        self._plain: requests.Session | None = None

    @classmethod
    def plain(cls) -> Downloader:
        """A downloader that never sends a key (for results made without a client)."""
        return cls(None)

    def __repr__(self) -> str:
        hub = self.transport.base_url if self.transport is not None else None
        return f"Downloader(hub={hub!r})"

    def _session(self) -> requests.Session:
        if self._plain is None:
            import requests
            from requests.adapters import HTTPAdapter

            session = requests.Session()
            session.auth = _NoAuth()
            adapter = HTTPAdapter(max_retries=DOWNLOAD.urllib3_retry())
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            self._plain = session
        return self._plain

    def _get(self, url: str) -> requests.Response:
        import requests

        headers = {"Accept": "*/*", "Accept-Encoding": "identity"}
        if self.transport is not None and self.transport.is_hub_url(url):
            try:
                return self.transport.send(
                    "GET", url, headers=headers, timeout=self.timeout, stream=True,
                    allow_redirects=False,
                )  # fmt: skip
            except (NetworkError, HubError) as exc:
                raise DownloadError(
                    f"download of {safe_url(url)} failed: {exc}", url=safe_url(url)
                ) from exc
        try:
            response = self._session().get(
                url, headers=headers, timeout=self.timeout, stream=True, allow_redirects=False
            )
        except requests.exceptions.RequestException as exc:
            raise DownloadError(
                f"download of {safe_url(url)} failed: {type(exc).__name__}", url=safe_url(url)
            ) from exc
        log.debug("GET %s -> %s", safe_url(url), response.status_code)
        return response

    def open(self, url: str) -> requests.Response:
        """The streamed response for ``url`` after redirects (a 2xx, else DownloadError)."""
        current = url
        for _ in range(self.max_redirects + 1):
            response = self._get(current)
            if response.status_code in _REDIRECTS and response.headers.get("Location"):
                response.close()
                current = urljoin(current, response.headers["Location"])
                continue
            if response.status_code >= 400 or response.status_code in _REDIRECTS:
                status = response.status_code
                response.close()
                raise DownloadError(
                    f"download of {safe_url(current)} failed: HTTP {status}", url=safe_url(current)
                )
            return response
        raise DownloadError(f"too many redirects from {safe_url(url)}", url=safe_url(url))

    def fetch(
        self, url: str, directory: Path, name: str, *, unique: bool = False,
        on_bytes: BytesCallback | None = None,
    ) -> Path:  # fmt: skip
        """Download ``url`` to ``directory/name`` (an extension is added from the type).

        ``on_bytes(done, total)`` is called as chunks arrive (``total``: Content-Length, or
        None); what it raises aborts the download.
        """
        response = self.open(url)
        try:
            if not os.path.splitext(name)[1]:
                kind = response.headers.get("Content-Type", "").split(";")[0].strip()
                name += (mimetypes.guess_extension(kind) if kind else None) or ".bin"
            expected = _content_length(response)
            chunks = self._chunks(response, url)
            if on_bytes is not None:
                chunks = _counted(chunks, on_bytes, expected)
            return save_file(directory, name, chunks, unique=unique, expected=expected)
        finally:
            response.close()

    def _chunks(self, response: requests.Response, url: str) -> Iterator[bytes]:
        # Identity was asked for; a server that compresses anyway gets decoded (and then
        # Content-Length, which counts the compressed bytes, is not compared).
        decode = response.headers.get("Content-Encoding", "identity") != "identity"
        try:
            while True:
                chunk = response.raw.read(self.chunk_size, decode_content=decode)
                if not chunk:
                    return
                yield chunk
        except Exception as exc:  # urllib3's, requests' and socket errors alike
            raise DownloadError(
                f"download of {safe_url(url)} was interrupted ({type(exc).__name__}); "
                "nothing was saved",
                url=safe_url(url),
            ) from exc


def _counted(
    chunks: Iterator[bytes], on_bytes: BytesCallback, total: int | None
) -> Iterator[bytes]:
    done = 0
    on_bytes(0, total)
    for chunk in chunks:
        done += len(chunk)
        on_bytes(done, total)
        yield chunk


def _content_length(response: requests.Response) -> int | None:
    value = response.headers.get("Content-Length")
    if value is None or response.headers.get("Content-Encoding", "identity") != "identity":
        return None
    try:
        return int(value)
    except ValueError:
        return None
