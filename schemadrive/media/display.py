"""Blob-safe display: a payload as problems, exceptions, reprs, logs and ``--dry-run`` show it.

A ``data:`` URI is shown as ``data:audio/mpeg;base64,… (1.2 MB)``, ``bytes`` as
``<1.2 MB of bytes>``, a file object by its name: never the whole content. Pure.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

__all__ = ["display_payload", "display_value", "human_size"]

#: ``data:`` URIs up to this long are shown whole (a tiny inline icon reads fine).
SHOWN_WHOLE = 80


def human_size(size: int) -> str:
    """``1234567`` -> ``1.2 MB`` (decimal units, as file managers show them)."""
    if size < 1000:
        return f"{size} B"
    amount = float(size)
    for unit in ("kB", "MB", "GB"):
        amount /= 1000
        if amount < 999.95:
            return f"{amount:.1f} {unit}"
    return f"{amount / 1000:.1f} TB"


def _decoded_size(text: str, start: int) -> int:
    body = len(text) - start
    padding = text.endswith("==") + text.endswith("=")
    return max(0, body * 3 // 4 - padding)


def display_value(value: Any) -> Any:
    """``value`` made safe to show: a string for a blob, the value itself otherwise.

    ``data:`` URIs (longer than a few dozen characters), ``bytes``/``bytearray``, paths and
    binary file objects become short strings; anything else is returned unchanged.
    """
    if isinstance(value, str):
        if not value.startswith("data:") or len(value) <= SHOWN_WHOLE:
            return value
        comma = value.find(",", 0, 512)
        if comma < 0:
            return f"{value[:40]}… ({human_size(len(value))})"
        header = value[: comma + 1]
        if header.endswith(";base64,"):
            return f"{header}… ({human_size(_decoded_size(value, comma + 1))})"
        return f"{header}… ({human_size(len(value) - comma - 1)})"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return f"<{human_size(len(value))} of bytes>"
    if isinstance(value, PurePath):
        return f"@{value}"
    if hasattr(value, "read") and callable(value.read):
        name = getattr(value, "name", None)
        shown = os.fsdecode(name) if isinstance(name, (str, bytes)) else type(value).__name__
        return f"<file {shown}>"
    return value


def display_payload(payload: Any) -> Any:
    """A copy of ``payload`` (dicts and lists, at any depth) with every blob made safe to show
    by :func:`display_value`."""
    if isinstance(payload, Mapping):
        return {key: display_payload(item) for key, item in payload.items()}
    if isinstance(payload, (list, tuple)):
        return [display_payload(item) for item in payload]
    return display_value(payload)
