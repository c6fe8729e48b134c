"""What a finished generation produced: :class:`Result`, from a sync reply or a job's status.

A sync reply is read by the provider (:func:`schemadrive.hub.outputs.parse_sync_reply` for
every documented and legacy form); a Result adds what the dispatch layer knows: where to
download from (``urls``), outputs that came inline (``data``), and how to save them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from ..exceptions import DownloadError
from ..hub.outputs import SyncOutputs, parse_sync_reply

if TYPE_CHECKING:
    from ..hub.status import JobState
    from .downloads import Downloader
    from .progress import BytesCallback

__all__ = ["Result", "sniff_extension"]

_MAGIC: tuple[tuple[bytes, int, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, ".png"),
    (b"\xff\xd8\xff", 0, ".jpg"),
    (b"GIF8", 0, ".gif"),
    (b"WEBP", 8, ".webp"),
    (b"ftyp", 4, ".mp4"),
    (b"ID3", 0, ".mp3"),
    (b"OggS", 0, ".ogg"),
    (b"WAVE", 8, ".wav"),
    (b"\x1aE\xdf\xa3", 0, ".webm"),
)


def sniff_extension(data: bytes, default: str = ".bin") -> str:
    """A file extension from the first bytes of a media file."""
    for magic, offset, extension in _MAGIC:
        if data[offset : offset + len(magic)] == magic:
            return extension
    return default


class Result:
    """The outputs of one finished generation.

    ``urls`` are the result URLs (often presigned and expiring: download soon); ``data``
    holds outputs that came inline (``b64_json``), already decoded; ``model`` the model that
    ran; ``raw`` the hub's reply (a sync reply, a status row or an event);
    ``generation_id`` the queued job's id (None for a sync run).
    """

    def __init__(
        self,
        *,
        urls: Sequence[str] = (),
        data: Sequence[bytes] = (),
        model: str | None = None,
        raw: Mapping[str, Any] | None = None,
        generation_id: str | None = None,
        downloader: Downloader | None = None,
    ) -> None:
        self.urls = list(urls)
        self.data = list(data)
        self.model = model
        self.raw: Mapping[str, Any] = raw if raw is not None else {}
        self.generation_id = generation_id
        self._downloader = downloader

    @classmethod
    def from_reply(
        cls, reply: Any, *, model: str | None = None, downloader: Downloader | None = None
    ) -> Result:
        """A Result from a sync endpoint's reply (any documented or legacy form)."""
        return cls.from_outputs(parse_sync_reply(reply), model=model, downloader=downloader)

    @classmethod
    def from_outputs(
        cls, outputs: SyncOutputs, *, model: str | None = None,
        downloader: Downloader | None = None,
    ) -> Result:  # fmt: skip
        """A Result from a provider's parsed sync reply (``model``: when it names none)."""
        return cls(
            urls=outputs.urls, data=outputs.data, model=outputs.model or model,
            raw=outputs.raw, downloader=downloader,
        )  # fmt: skip

    @classmethod
    def from_state(cls, state: JobState, *, downloader: Downloader | None = None) -> Result:
        """A Result from a succeeded job's normalised status (a queue row or an event)."""
        return cls(
            urls=state.urls,
            model=state.model,
            raw=state.raw,
            generation_id=state.generation_id or None,
            downloader=downloader,
        )

    def __repr__(self) -> str:
        # URLs are presigned (credentials in the query string): show how many, not what.
        parts = [f"model={self.model!r}"]
        if self.generation_id:
            parts.append(f"generation_id={self.generation_id!r}")
        parts.append(f"urls={len(self.urls)}")
        if self.data:
            parts.append(f"inline={len(self.data)}")
        return f"Result({', '.join(parts)})"

    def __len__(self) -> int:
        return len(self.urls) + len(self.data)

    # -- files ------------------------------------------------------------------------------
    def download(
        self, path_or_dir: str | os.PathLike[str], *, on_bytes: BytesCallback | None = None
    ) -> list[Path]:
        """Save every output; return the files written, in output order.

        ``path_or_dir`` is a directory when it exists as one, ends with a separator or has
        no suffix (it is created); files in it are named after the generation id (or the
        URL's file name for sync runs) and never overwrite an existing file. Otherwise it is
        a file path (outputs after the first get ``-1``, ``-2``… before the suffix).

        Each file is streamed to a temporary file next to its destination and renamed only
        when complete and as long as ``Content-Length`` said, so a failed download leaves
        nothing behind (DownloadError). The API key is sent only to the hub's own origin.
        ``on_bytes(done, total)`` reports each file's bytes as they arrive (``total``: its
        Content-Length, or None), e.g. ``ProgressLine.transfer``.
        """
        target = Path(path_or_dir).expanduser()
        text = os.fspath(path_or_dir)
        as_dir = target.is_dir() or text.endswith((os.sep, "/")) or not target.suffix
        directory = target if as_dir else target.parent
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DownloadError(f"cannot create {directory}: {exc.strerror or exc}") from exc
        count = len(self)
        written: list[Path] = []
        index = 0
        for url in self.urls:
            name = self._name(index, count, url=url, as_dir=as_dir, target=target)
            written.append(self._fetch(url, directory, name, unique=as_dir, on_bytes=on_bytes))
            index += 1
        for blob in self.data:
            name = self._name(index, count, blob=blob, as_dir=as_dir, target=target)
            written.append(self._save(blob, directory, name, unique=as_dir))
            index += 1
        return written

    def _name(
        self,
        index: int,
        count: int,
        *,
        url: str | None = None,
        blob: bytes | None = None,
        as_dir: bool,
        target: Path,
    ) -> str:
        """A file name; the extension may be empty (the downloader adds one from the type)."""
        url_name = PurePosixPath(unquote(urlsplit(url).path)).name if url else ""
        suffix = PurePosixPath(url_name).suffix if url_name else ""
        if not (suffix[1:].isascii() and suffix[1:].isalnum() and len(suffix) <= 12):
            suffix = ""  # "%00", spaces, separators: the downloader names it from the type
        if blob is not None:
            suffix = sniff_extension(blob)
        if not as_dir:
            stem = target.stem
            return (f"{stem}-{index}" if index else stem) + (target.suffix or suffix)
        if self.generation_id:
            stem = self.generation_id
        elif url_name and PurePosixPath(url_name).stem:
            stem = PurePosixPath(url_name).stem
        else:
            stem = "result"
        stem = _safe_stem(stem)
        if count > 1:
            stem = f"{stem}-{index}"
        return stem + suffix

    def _fetch(
        self, url: str, directory: Path, name: str, *, unique: bool,
        on_bytes: BytesCallback | None,
    ) -> Path:  # fmt: skip
        if self._downloader is None:
            from .downloads import Downloader

            self._downloader = Downloader.plain()
        return self._downloader.fetch(url, directory, name, unique=unique, on_bytes=on_bytes)

    def _save(self, blob: bytes, directory: Path, name: str, *, unique: bool) -> Path:
        from .downloads import save_file

        return save_file(directory, name, [blob], unique=unique)


def _safe_stem(stem: str) -> str:
    """A file name stem without path separators or leading dots."""
    cleaned = "".join(c if c.isalnum() or c in "-_.@+" else "_" for c in stem).lstrip(".")
    return cleaned[:120] or "result"
