"""Problems: what is wrong with a payload, where, and how to fix it.

:class:`Problem` values (a JSON path, the keyword that failed, a sentence and a hint) and the
small helpers every layer shows values with. :mod:`.explain` builds them from jsonschema's
errors. Pure: no I/O.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

__all__ = [
    "Problem",
    "json_path",
    "json_type",
    "suggest",
]

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
#: json.dumps(value, ensure_ascii=False, default=repr), without building an encoder per call
_ENCODE = json.JSONEncoder(ensure_ascii=False, default=repr).encode
#: values shown as JSON as they are (a str only when it is not a data: URI: see show)
_SCALARS = frozenset({str, int, float, bool, type(None)})


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a payload.

    ``path`` is a JSON path into the payload (``$`` is the payload itself, ``$.duration`` a
    parameter, ``$.input_image[0]`` an array element); ``keyword`` is the schema keyword that
    failed (``type``, ``enum``, ``required``, ``maximum``, ``format``, ...), or ``unknown`` for
    a parameter the schema does not declare; ``message`` is a sentence; ``hint`` says how to fix
    it when we can tell. ``severity`` is ``error`` or ``warning`` (warnings never block a run).
    """

    path: str
    keyword: str
    message: str
    hint: str | None = None
    severity: str = "error"
    schema_path: str = field(default="", compare=False)

    def __str__(self) -> str:
        text = f"{self.path}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (used by ``--format json``)."""
        return {
            "path": self.path,
            "keyword": self.keyword,
            "message": self.message,
            "hint": self.hint,
            "severity": self.severity,
        }


def json_path(parts: Iterable[Any]) -> str:
    """``["a", 0, "b c"]`` -> ``$.a[0]['b c']`` (keys that are not strings are shown as text:
    a Python dict can have them, JSON cannot)."""
    out = "$"
    for part in parts:
        if isinstance(part, bool) or not isinstance(part, (int, str)):
            part = str(part)
        if isinstance(part, int):
            out += f"[{part}]"
        elif _IDENTIFIER.match(part):
            out += f".{part}"
        else:
            out += "[" + json.dumps(part) + "]"
    return out


def show(value: Any, limit: int = 60) -> str:
    """A short JSON rendering of a value for messages."""
    try:
        if type(value) in _SCALARS and not (type(value) is str and value.startswith("data:")):
            text = _ENCODE(value)  # what display_payload would leave unchanged
        else:
            from ..media.display import display_payload  # a file or data: URI as type and size

            text = _ENCODE(display_payload(value))
    except (TypeError, ValueError, RecursionError):
        # too deep to render, or an int beyond Python's str() digit limit
        kind = type(value).__name__
        text = f"<{kind} too large to show>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def suggest(word: str, candidates: Iterable[Any], *, cutoff: float = 0.6) -> str | None:
    """The candidate closest to ``word``, if any is close enough."""
    strings = tuple(c for c in candidates if isinstance(c, str))
    if type(word) is not str or len(word) > 256:  # never keep a long text in the cache
        return _closest.__wrapped__(word, strings, cutoff)
    return _closest(word, strings, cutoff)


@lru_cache(maxsize=4096)
def _closest(word: str, strings: tuple[str, ...], cutoff: float) -> str | None:
    """:func:`suggest`, computed once per name and candidates (difflib takes ~20 us)."""
    found = difflib.get_close_matches(word, strings, n=1, cutoff=cutoff)
    if found:
        return found[0]
    lowered = {c.lower(): c for c in strings}
    return lowered.get(word.lower())


_TYPE_NAMES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "object": "an object",
    "array": "an array",
    "null": "null",
}


def json_type(value: Any) -> str:
    """The JSON type of a Python value (``1.0`` is an integer, as in JSON Schema).

    A value JSON cannot hold gets its Python type name.
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__
