"""``key=value`` on the command line, typed by the model's schema (``run``, describe's
``Try:`` line): ``num_frames=121`` is an integer, ``generate_audio=false`` a boolean, arrays and
objects are JSON, one value for an array is a one-item list, anything else a string."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from ._validate_options import UsageError

if TYPE_CHECKING:
    from ..schema.parameters import Parameter

__all__ = ["ValueTypeError", "build_payload", "coerce", "split_assignments", "types_of"]

_INTEGER = re.compile(r"[+-]?\d+")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


class ValueTypeError(ValueError):
    """A ``key=value`` whose value cannot be given the parameter's type (exit 2)."""


def split_assignments(items: list[str]) -> list[tuple[str, str]]:
    """``["a=1", "b=x=y"]`` -> ``[("a", "1"), ("b", "x=y")]``; UsageError without ``=``."""
    pairs = []
    for item in items:
        key, equals, value = item.partition("=")
        if not equals or not key:
            raise UsageError(f"schemadrive run: expected key=value, got {item!r}")
        pairs.append((key, value))
    return pairs


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


_EXPECTED = {
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "array": "a JSON array",
    "object": "a JSON object",
    "string": "a string",
}


def build_payload(
    parameters: list[Parameter],
    assignments: list[tuple[str, str]],
    base: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A new payload: ``base`` with each assignment typed by its parameter."""
    declared = {p.name: p.type for p in parameters}
    payload = dict(base or {})
    for key, raw in assignments:
        payload[key] = coerce(key, raw, declared.get(key))
    return payload
