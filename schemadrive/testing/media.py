"""Small, real result files, the store they are served from, and the CDN that serves them
from a second port.

Images are PNGs written here with zlib (a gradient whose colour depends on a seed, so two
generations give two different files). Videos are one bundled H.264/AAC MP4, 64x36 px, 1 s,
4 KB, made once with::

    ffmpeg -f lavfi -i testsrc=size=64x36:rate=8:duration=1 \\
      -f lavfi -i sine=frequency=440:duration=1:sample_rate=8000 \\
      -c:v libx264 -preset veryslow -crf 40 -pix_fmt yuv420p -c:a aac -b:a 8k -ac 1 \\
      -movflags +faststart -shortest -map_metadata -1 -fflags +bitexact clip.mp4
"""

from __future__ import annotations

import functools
import hashlib
import struct
import threading
import zlib
from dataclasses import dataclass
from pathlib import Path

from .faults import Faults
from .recording import RequestLog
from .routing import Request, Response

__all__ = ["CDN", "FileStore", "StoredFile", "mp4_bytes", "png_bytes"]

CONTENT_TYPES = {"png": "image/png", "mp4": "video/mp4"}


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bytes(width: int = 64, height: int = 36, *, seed: str = "") -> bytes:
    """A valid RGB PNG: a gradient tinted by ``seed``."""
    tint = hashlib.sha256(seed.encode()).digest()[:3]
    rows = []
    for y in range(height):
        row = bytearray([0])  # filter type 0 (none) for every scanline
        for x in range(width):
            row += bytes(
                ((tint[0] + 3 * x) % 256, (tint[1] + 5 * y) % 256, (tint[2] + x + y) % 256)
            )
        rows.append(bytes(row))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + _chunk(b"IEND", b"")
    )


@functools.cache
def mp4_bytes() -> bytes:
    """The bundled MP4 clip."""
    return (Path(__file__).parent / "assets" / "clip.mp4").read_bytes()


@dataclass(frozen=True)
class StoredFile:
    """A file the hub serves: its bytes and ``Content-Type``."""

    data: bytes
    content_type: str


class FileStore:
    """Files by URL path. Thread-safe."""

    def __init__(self) -> None:
        self._files: dict[str, StoredFile] = {}
        self._lock = threading.Lock()

    def put(self, path: str, data: bytes, content_type: str) -> None:
        with self._lock:
            self._files[path] = StoredFile(data, content_type)

    def get(self, path: str) -> StoredFile | None:
        with self._lock:
            return self._files.get(path)

    def put_result(self, path: str, *, seed: str) -> None:
        """Store a result file; its kind comes from the path's extension (png or mp4)."""
        extension = path.rsplit(".", 1)[-1]
        data = mp4_bytes() if extension == "mp4" else png_bytes(seed=seed)
        self.put(path, data, CONTENT_TYPES[extension])


class CDN:
    """A second server for result files, like the presigned storage a hub hands out.

    It needs no key and records every request, including whether an ``Authorization``
    header arrived (``requests[i].has_authorization``): a client must never send the hub's
    key to a host that is not the hub. Started by ``LocalHub(results="cdn"|"redirect")``.
    """

    api_key: str | None = None

    def __init__(self) -> None:
        self.requests = RequestLog()
        self.faults = Faults()
        self.files = FileStore()
        self.url = ""

    def handle(self, request: Request, *, authorized: bool) -> Response:
        if request.method == "PUT" and request.path.startswith("/uploads/"):
            return self._upload(request)
        stored = self.files.get(request.path) if request.method in ("GET", "HEAD") else None
        if stored is None:
            return Response(404, b"Not Found", {"Content-Type": "text/plain"})
        return Response(200, stored.data, {"Content-Type": stored.content_type})

    def _upload(self, request: Request) -> Response:
        """``PUT /uploads/<name>``: store the body, as a presigned object-store URL takes it
        (the uploader of docs/files.md); ``GET`` then serves it with its ``Content-Type``."""
        if not isinstance(request.body, bytes):
            text = b"the body must be the file's bytes"
            return Response(400, text, {"Content-Type": "text/plain"})
        kind = {k.lower(): v for k, v in request.headers.items()}.get("content-type")
        self.files.put(request.path, request.body, kind or "application/octet-stream")
        return Response(201, b"", {"Location": self.url + request.path})
