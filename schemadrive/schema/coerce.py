"""Typing ``key=value`` text by a parameter's schema type. Pure: no I/O.

The rules ``schemadrive run`` types its ``key=value`` arguments by, shared with batch CSV
input (each cell is typed as ``run`` would type ``column=cell``): null, boolean, integer,
number, a JSON array or object, else a string; one value for an array becomes a one-item
list. The text is typed by the parameter's display type (:class:`~.parameters.Parameter`'s
``type``, e.g. ``"integer"``, ``"array<string (uri)> | null"``).
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..exceptions import ConfigurationError

__all__ = ["ValueTypeError", "coerce", "types_of"]

_INTEGER = re.compile(r"[+-]?\d+")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_EXPECTED = {
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "array": "a JSON array",
    "object": "a JSON object",
    "string": "a string",
}


class ValueTypeError(ConfigurationError):
    """A value whose text cannot be given the parameter's type."""


def types_of(display: str) -> list[str]:
    """``"array<string (uri)> | null"`` -> ``["array", "null"]`` (JSON type names)."""
    names = []
    depth = 0
    current = ""
    for char in display:  # split on " | " outside <...>
        depth += char == "<"
        depth -= char == ">"
        if char == "|" and depth == 0:
            names.append(current)
            current = ""
        else:
            current += char
    names.append(current)
    return [re.split(r"[<\s(]", name.strip(), maxsplit=1)[0] for name in names if name.strip()]


def _item_type(display: str) -> str | None:
    match = re.search(r"array<(.*)>", display)
    return match.group(1) if match else None


def coerce(name: str, raw: str, display: str | None) -> Any:
    """The value of ``name=raw``, typed by the parameter's display type (None: not declared).

    Order of attempts: null, boolean, integer, number, JSON array/object, string. A value
    that fits none of the parameter's types raises ValueTypeError naming the parameter.
    """
    if display is None or display == "any":
        try:  # not declared by the schema: read JSON when it is JSON, else keep the text
            return json.loads(raw)
        except ValueError:
            return raw
    types = types_of(display)
    text = raw.strip()
    if "null" in types and text == "null":
        return None
    if "boolean" in types and text.lower() in ("true", "false"):
        return text.lower() == "true"
    if "integer" in types and _INTEGER.fullmatch(text):
        return int(text)
    if "number" in types and _NUMBER.fullmatch(text):
        number = float(text)
        return int(number) if _INTEGER.fullmatch(text) else number
    for kind, opener, python in (("array", "[", list), ("object", "{", dict)):
        if kind in types and text.startswith(opener):
            try:
                value = json.loads(text)
            except ValueError as exc:
                raise ValueTypeError(
                    f"parameter {name!r}: {raw!r} is not valid JSON ({exc})"
                ) from None
            if isinstance(value, python):
                return value
    if "string" in types:
        return raw
    if types == ["array"] or types == ["array", "null"]:
        item = _item_type(display)
        if item is not None:  # one value for an array: a one-item list
            return [coerce(name, raw, item)]
    expected = " or ".join(_EXPECTED.get(t, t) for t in types if t != "null")
    hint = ""
    if "array" in types or "object" in types:
        hint = " (write arrays and objects as JSON, quoted for the shell)"
    raise ValueTypeError(f"parameter {name!r} expects {expected}, got {raw!r}{hint}")
