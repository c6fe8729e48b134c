"""``@path`` in text (a ``key=value`` on the command line, a CSV cell, a form field): the file at
``path``; ``@@text`` is the literal ``@text`` (docs/files.md "From the command line"). Pure."""

from __future__ import annotations

from pathlib import Path

__all__ = ["file_reference"]


def file_reference(text: str, *, base: str | Path | None = None) -> Path | str:
    """``"@song.mp3"`` -> ``Path("song.mp3")`` (relative to ``base`` when given, ``~``
    expanded); ``"@@home"`` -> ``"@home"``; any other text (``"@"`` alone included) is returned
    as it is. Nothing is read here: a missing file is reported when the payload is bound."""
    if text.startswith("@@"):
        return text[1:]
    if not text.startswith("@") or len(text) == 1:
        return text
    path = Path(text[1:]).expanduser()
    if base is not None and not path.is_absolute():
        path = Path(base) / path
    return path
