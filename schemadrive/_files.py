"""Writing a file so that readers see the old content or the new, never half of it.

One helper for every layer that saves files (the schema cache, fixtures, downloads). The
data goes to a temporary file in the destination's directory, then a rename puts it in place
(atomic on POSIX and Windows for a file on the same volume). Temporary files are named
``.<name>.<random>.part``: hidden, and never ending in the destination's suffix, so code that
lists finished files (``*.json``) never sees, reads or deletes another process's write in
progress.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

__all__ = ["PART_SUFFIX", "write_atomically"]

PART_SUFFIX = ".part"


def write_atomically(
    path: str | Path,
    data: bytes | str | Iterable[bytes],
    *,
    unique: bool = False,
    check: Callable[[int], None] | None = None,
) -> Path:
    """Write ``data`` to ``path`` through a temporary file and a rename; return the path written.

    ``data`` is bytes, text (written as UTF-8) or an iterable of byte chunks. ``unique``:
    never replace an existing file; ``name-1.ext``, ``name-2.ext``... are used instead.
    ``check(size)`` runs after the last byte and before the rename; whatever it raises
    aborts the write. On any failure the temporary file is removed, nothing is left at the
    destination and the exception (``OSError`` for the file system) propagates.
    """
    path = Path(path)
    directory = path.parent
    handle, temporary = tempfile.mkstemp(
        dir=directory, prefix=f".{path.name}.", suffix=PART_SUFFIX
    )
    try:
        size = 0
        with os.fdopen(handle, "wb") as stream:
            for chunk in _chunks(data):
                stream.write(chunk)
                size += len(chunk)
        if check is not None:
            check(size)
        if not unique:
            os.replace(temporary, path)
            return path
        final, counter = path, 0
        while True:  # link, not replace: a file that appears meanwhile is never overwritten
            try:
                os.link(temporary, final)
                break
            except FileExistsError:
                counter += 1
                final = directory / f"{path.stem}-{counter}{path.suffix}"
        os.unlink(temporary)
        return final
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _chunks(data: bytes | str | Iterable[bytes]) -> Iterable[bytes]:
    if isinstance(data, str):
        return (data.encode("utf-8"),)
    if isinstance(data, (bytes, bytearray, memoryview)):
        return (bytes(data),)
    return data
