"""``key=@path`` on the command line: the file's content for a media parameter; ``key=@@text``
for a literal value that starts with ``@`` (docs/files.md). ``run`` uses it, and batch rows
(with ``base`` set to the batch file's directory)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["take_files"]


def take_files(
    assignments: list[tuple[str, str]], *, base: str | Path | None = None
) -> tuple[list[tuple[str, str]], dict[str, Any]]:
    """``(assignments left to type by the schema, {key: Path or [Path, ...]})``.

    ``key=@path`` becomes a Path (relative to ``base`` when given, else to the working
    directory; ``~`` expanded); the same key given several files gets a list, for array
    parameters. ``key=@@text`` stays an assignment of the text ``@text``. A later plain
    ``key=value`` replaces earlier files of that key, as later assignments win.
    """
    remaining: list[tuple[str, str]] = []
    files: dict[str, Any] = {}
    for key, value in assignments:
        if value.startswith("@@"):
            files.pop(key, None)
            remaining.append((key, value[1:]))
        elif value.startswith("@") and len(value) > 1:
            path = Path(value[1:]).expanduser()
            if base is not None and not path.is_absolute():
                path = Path(base) / path
            remaining = [pair for pair in remaining if pair[0] != key]
            if key in files:
                earlier = files[key]
                files[key] = [*(earlier if isinstance(earlier, list) else [earlier]), path]
            else:
                files[key] = path
        else:
            files.pop(key, None)
            remaining.append((key, value))
    return remaining, files
