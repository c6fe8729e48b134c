"""One file given for a parameter: a path, bytes, or a binary file object, read once for its
head and size, and opened again when it is encoded or uploaded. Pure (local files only)."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from .detect import is_file_value
from .errors import FileInputError
from .sniff import HEAD_BYTES, media_type_of

__all__ = ["FileSource", "is_file_value"]


def _where(parameter: str, index: int | None) -> str:
    return parameter if index is None else f"{parameter}[{index}]"


@dataclass
class FileSource:
    """A file for ``parameter`` (item ``index`` of an array parameter)."""

    parameter: str
    index: int | None
    value: Any = field(repr=False)
    path: str | None
    size: int
    media_type: str
    sniffed: bool
    _start: int = field(default=0, repr=False)

    @property
    def where(self) -> str:
        return _where(self.parameter, self.index)

    @property
    def label(self) -> str:
        """How messages name the file: its path, or what it is."""
        if self.path is not None:
            return self.path
        return "the bytes given" if self.value is not None else "the file given"

    @classmethod
    def read(
        cls, parameter: str, index: int | None, value: Any, *, limit: int | None = None
    ) -> FileSource:
        """Look at ``value``: its size and media type. FileInputError when it cannot be read.

        A stream that cannot seek (a pipe) is read whole, once, but no further than ``limit``
        and one byte: enough to know it is too large to send inline."""
        where = _where(parameter, index)
        if isinstance(value, os.PathLike):
            path = os.fsdecode(os.fspath(value))
            try:
                with open(path, "rb") as handle:
                    size = os.fstat(handle.fileno()).st_size
                    head = handle.read(HEAD_BYTES)
            except OSError as exc:
                reason = exc.strerror or type(exc).__name__
                raise FileInputError(
                    f"{where}: cannot read {path}: {reason}; nothing was sent",
                    parameter=parameter,
                    path=path,
                ) from exc
            media_type, sniffed = media_type_of(head, path)
            return cls(parameter, index, value, path, size, media_type, sniffed)
        if isinstance(value, (bytes, bytearray, memoryview)):
            data = memoryview(value).cast("B")
            media_type, sniffed = media_type_of(bytes(data[:HEAD_BYTES]))
            return cls(parameter, index, value, None, data.nbytes, media_type, sniffed)
        return cls._from_file(parameter, index, value, limit)

    @classmethod
    def _from_file(
        cls, parameter: str, index: int | None, file: Any, limit: int | None
    ) -> FileSource:
        where = _where(parameter, index)
        name = getattr(file, "name", None)
        path = os.fsdecode(name) if isinstance(name, (str, bytes)) else None
        try:
            if not (callable(getattr(file, "seekable", None)) and file.seekable()):
                # a pipe or socket: read it whole, once (it cannot be read again)
                data = file.read() if limit is None else file.read(limit + 1)
                return cls.read(parameter, index, _binary(data, where, parameter, path))
            start = file.tell()
            head = _binary(file.read(HEAD_BYTES), where, parameter, path)
            size = file.seek(0, io.SEEK_END) - start
            file.seek(start)
        except OSError as exc:
            raise FileInputError(
                f"{where}: cannot read {path or 'the file given'}: {exc}; nothing was sent",
                parameter=parameter,
                path=path,
            ) from exc
        media_type, sniffed = media_type_of(head, path)
        return cls(parameter, index, file, path, size, media_type, sniffed, _start=start)

    @contextmanager
    def open(self) -> Iterator[tuple[BinaryIO, int]]:
        """The file, positioned at its start, and its size now (it may have changed)."""
        handle, size, owned = self._open()
        try:
            yield handle, size
        finally:
            if owned:
                handle.close()

    def _open(self) -> tuple[BinaryIO, int, bool]:
        try:
            if isinstance(self.value, os.PathLike):
                handle = open(os.fspath(self.value), "rb")  # noqa: SIM115 - closed by open()
                return handle, os.fstat(handle.fileno()).st_size, True
            if isinstance(self.value, (bytes, bytearray, memoryview)):
                # BytesIO over bytes shares the buffer: no copy of the file is made
                data = self.value if isinstance(self.value, bytes) else bytes(self.value)
                return io.BytesIO(data), len(data), True
            self.value.seek(self._start)
            return self.value, self.size, False
        except OSError as exc:
            raise FileInputError(
                f"{self.where}: cannot read {self.label}: {exc}; nothing was sent",
                parameter=self.parameter,
                path=self.path,
            ) from exc


def _binary(data: Any, where: str, parameter: str, path: str | None) -> bytes:
    if isinstance(data, str):
        raise FileInputError(
            f"{where}: {path or 'the file given'} is open in text mode; open it with 'rb'",
            parameter=parameter,
            path=path,
        )
    if not isinstance(data, (bytes, bytearray)):
        raise FileInputError(
            f"{where}: reading the file given gave {type(data).__name__}, not bytes",
            parameter=parameter,
            path=path,
        )
    return bytes(data)
