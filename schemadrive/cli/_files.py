"""``key=@path`` on the command line: the file's content for a media parameter; ``key=@@text``
for a literal value that starts with ``@`` (docs/files.md). ``run`` uses it; batch rows use
:func:`schemadrive.media.file_reference` with the batch file's directory as ``base``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..media.references import file_reference

__all__ = ["take_files"]


def take_files(
    assignments: list[tuple[str, str]], *, base: str | Path | None = None
) -> tuple[list[tuple[str, str]], dict[str, Any]]:
    """``(assignments left to type by the schema, {key: Path or [Path, ...]})``.

    ``key=@path`` becomes a Path (relative to ``base`` when given, else to the working
    directory); the same key given several files gets a list, for array parameters.
    ``key=@@text`` stays an assignment of the text ``@text``. A later plain ``key=value``
    replaces earlier files of that key, as later assignments win.
    """
    remaining: list[tuple[str, str]] = []
    files: dict[str, Any] = {}
    for key, value in assignments:
        found = file_reference(value, base=base)
        if isinstance(found, str):
            files.pop(key, None)
            remaining.append((key, found))
            continue
        remaining = [pair for pair in remaining if pair[0] != key]
        if key in files:
            earlier = files[key]
            files[key] = [*(earlier if isinstance(earlier, list) else [earlier]), found]
        else:
            files[key] = found
    return remaining, files
