"""Whether a payload holds files: the check every validation makes first, so it is cheap (a
fraction of a microsecond for a payload of strings and numbers) and imports nothing heavy."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["LONG_DATA_URI", "files_in", "has_files", "is_file_value"]

#: A ``data:`` URI string longer than this is validated through a short stand-in.
LONG_DATA_URI = 4096


def is_file_value(value: Any) -> bool:
    """True for what is sent as a file: a path (``os.PathLike``), ``bytes``/``bytearray``/
    ``memoryview``, or an object with ``read`` (a binary file). A ``str`` never is."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return False
    return isinstance(value, (os.PathLike, bytes, bytearray, memoryview)) or callable(
        getattr(value, "read", None)
    )


def _has(value: Any) -> bool:
    kind = type(value)
    if kind is str:
        return len(value) > LONG_DATA_URI and value.startswith("data:")
    if kind is int or kind is float or kind is bool or value is None or kind is dict:
        return False  # files are taken at the top level and in arrays, not inside objects
    if kind is list:
        return any(_has(item) for item in value if type(item) is not list)
    return is_file_value(value) or (isinstance(value, str) and _has(str(value)))


def has_files(payload: Any) -> bool:
    """Whether ``payload`` holds a file, or a long ``data:`` URI, at its top level or in an
    array parameter (the only places files are taken)."""
    if type(payload) is not dict and not isinstance(payload, Mapping):
        return False
    for value in payload.values():
        kind = type(value)
        if kind is str:  # the common case first, without a call
            if len(value) > LONG_DATA_URI and value.startswith("data:"):
                return True
        elif kind is not int and kind is not float and kind is not bool and _has(value):
            return True
    return False


def files_in(payload: Any, names: Iterable[str]) -> bool:
    """:func:`has_files` looking only at the parameters ``names`` (those that take files): the
    check every validation makes, a few dictionary look-ups. A file given anywhere else is left
    to the schema, which expects a string there."""
    if type(payload) is not dict and not isinstance(payload, Mapping):
        return False
    for name in names:
        value = payload.get(name)
        if value is not None and _has(value):
            return True
    return False
