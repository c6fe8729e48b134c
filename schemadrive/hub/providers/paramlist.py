"""A hub's parameter list turned into a JSON Schema (draft 2020-12). Pure: no HTTP.

GMI Cloud's model information (``GET .../apikey/models/<id>``) describes a model's payload as
a list, not as a JSON Schema (docs/hub-schemas.md §5, §7 row 15)::

    {"name": "resolution", "display_name": "Resolution", "description": "...",
     "type": "enum", "required": false, "options": ["1920x1080"], "default": "1920x1080"}

:func:`schema_from_parameters` translates it, so validation, defaults, lint, fuzz and
``describe`` work on it unchanged. The rules:

=====================================  ==========================================================
``type``                               JSON Schema
=====================================  ==========================================================
``audio``, ``image``, ``video``,       ``{"type": "string", "format": "uri"}`` (a URL to the
``file``, ``uri``, ``url``             media; ``max_items`` on such a scalar cannot be a
                                       constraint, so it is added to the description)
``enum``                               ``options`` as ``enum``, typed by the options (all
                                       strings: ``string``; all integers: ``integer``; ...)
``float``, ``number``, ``double``      ``number``
``int``, ``integer``                   ``integer``
``bool``, ``boolean``                  ``boolean``
``string``, ``str``, ``text``          ``string``
``array``, ``list``, ``<type>[]``      ``array`` whose ``items`` come from ``items`` /
                                       ``item_type`` (or the ``[]`` prefix);
                                       ``max_items``/``min_items`` become ``maxItems``/``minItems``
``object``, ``dict``, ``json``         ``object``
anything else                          no type constraint (the hub knows; schemadrive must not
                                       reject what the hub accepts)
=====================================  ==========================================================

``required: true`` puts the name in ``required``; ``default`` is kept when it fits the type
(a string ``"5"`` for a number becomes ``5``; ``"-"`` and defaults that fit nothing are
dropped, so filling defaults never makes a payload invalid); ``description``,
``minimum``/``maximum`` (or ``min``/``max``) and ``min_length``/``max_length`` are copied.

**Conditional requirements** appear only in prose. When a parameter's description says
*"Required if X is not provided"* (also *when ... is not given/set/specified/supplied*, or
*"Required unless X is provided"*), X is another parameter, and the parameter is not required
anyway, the schema gets ``anyOf: [{"required": [this]}, {"required": [X]}]``: one of the two
must be present. Several such rules are combined with ``allOf``; a rule stated on both sides
counts once. Prose that does not match is left as a description: a heuristic may miss a
rule, but it never invents one about a parameter that does not exist.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["conditional_requirements", "parameter_schema", "schema_from_parameters"]

DIALECT = "https://json-schema.org/draft/2020-12/schema"

_MEDIA = frozenset({"audio", "image", "video", "file", "uri", "url"})
_SIMPLE = {
    "float": "number",
    "number": "number",
    "double": "number",
    "int": "integer",
    "integer": "integer",
    "bool": "boolean",
    "boolean": "boolean",
    "string": "string",
    "str": "string",
    "text": "string",
    "object": "object",
    "dict": "object",
    "json": "object",
}
_ARRAY = frozenset({"array", "list"})
_NAME = r"[`'\"]?(?P<other>[A-Za-z_][\w.-]*?)[`'\"]?"
_GIVEN = r"(?:provided|given|set|specified|supplied|present)"
_RULES = (
    re.compile(rf"required\s+(?:if|when)\s+(?:the\s+)?{_NAME}\s+(?:is|are)\s+not\s+{_GIVEN}", re.I),
    re.compile(rf"required\s+unless\s+(?:the\s+)?{_NAME}\s+(?:is|are)\s+{_GIVEN}", re.I),
)


def _json_type(value: Any) -> str | None:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return None


def _options(raw: Any) -> list[Any]:
    """Enum values from ``options``: plain values, or ``{"value": ...}`` mappings."""
    if not isinstance(raw, list):
        return []
    values = [item.get("value") if isinstance(item, Mapping) else item for item in raw]
    return [v for v in values if _json_type(v) is not None]


def _enum_schema(options: list[Any]) -> dict[str, Any]:
    types = {_json_type(v) for v in options}
    if types == {"integer", "number"}:
        types = {"number"}
    schema: dict[str, Any] = {"type": types.pop()} if len(types) == 1 else {}
    schema["enum"] = options
    return schema


def _type_schema(kind: str, parameter: Mapping[str, Any]) -> dict[str, Any]:
    """The type part of one parameter's schema (or of an array's items)."""
    kind = kind.strip().lower()
    if kind.endswith("[]"):
        return {"type": "array", "items": _type_schema(kind[:-2], {})}
    if kind in _MEDIA:
        return {"type": "string", "format": "uri"}
    if kind == "enum":
        return _enum_schema(_options(parameter.get("options")))
    if kind in _ARRAY:
        items = parameter.get("items", parameter.get("item_type"))
        schema: dict[str, Any] = {"type": "array"}
        if isinstance(items, str):
            schema["items"] = _type_schema(items, {})
        elif isinstance(items, Mapping) and isinstance(items.get("type"), str):
            schema["items"] = _type_schema(items["type"], items)
        return schema
    if kind in _SIMPLE:
        return {"type": _SIMPLE[kind]}
    return {}


def _number(value: Any) -> int | float | None:
    """A finite number from a number or a numeric string; None for anything else."""
    number: int | float
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number = value
    elif isinstance(value, str):
        try:
            number = float(value) if re.search(r"[.eE]", value) else int(value)
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def _fits_type(value: Any, kind: Any) -> bool:
    if kind is None:
        return True
    if kind == "object":
        return isinstance(value, dict)
    if kind == "array":
        return isinstance(value, list)
    if kind == "number":
        return _json_type(value) in ("integer", "number")
    return _json_type(value) == str(kind)


def _fitting_default(value: Any, schema: Mapping[str, Any]) -> tuple[bool, Any]:
    """``(True, value)`` when ``value`` fits ``schema``'s type and enum (strings converted)."""
    if value is None or value in ("", "-"):
        return False, None
    kind = schema.get("type")
    if kind in ("number", "integer"):
        number = _number(value)
        if number is None or (kind == "integer" and number != int(number)):
            return False, None
        value = int(number) if kind == "integer" else number
    elif kind == "boolean" and isinstance(value, str) and value.lower() in ("true", "false"):
        value = value.lower() == "true"
    if not _fits_type(value, kind) or ("enum" in schema and value not in schema["enum"]):
        return False, None
    return True, value


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def parameter_schema(parameter: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON Schema of one entry of a parameter list (its name and ``required`` aside)."""
    kind = parameter.get("type")
    schema = _type_schema(kind, parameter) if isinstance(kind, str) else {}
    description = parameter.get("description")
    notes = [description.strip()] if isinstance(description, str) and description.strip() else []
    max_items, min_items = _count(parameter.get("max_items")), _count(parameter.get("min_items"))
    kind_of_value = schema.get("type")
    if kind_of_value == "array":
        if max_items is not None:
            schema["maxItems"] = max_items
        if min_items is not None:
            schema["minItems"] = min_items
    elif max_items is not None and isinstance(kind, str):
        noun = kind.strip().lower() + ("" if max_items == 1 else "s")
        notes.append(f"Max {max_items} {noun}.")  # on a scalar it holds trivially: say it
    if kind_of_value in ("number", "integer"):
        for keyword, keys in (("minimum", ("minimum", "min")), ("maximum", ("maximum", "max"))):
            bound = next((b for k in keys if (b := _number(parameter.get(k))) is not None), None)
            if bound is not None:
                schema[keyword] = bound
    if kind_of_value == "string":
        for keyword, key in (("minLength", "min_length"), ("maxLength", "max_length")):
            length = _count(parameter.get(key))
            if length is not None:
                schema[keyword] = length
    if "default" in parameter:
        fits, value = _fitting_default(parameter["default"], schema)
        if fits:
            schema["default"] = value
    if notes:
        schema["description"] = " ".join(notes)
    return schema


def conditional_requirements(
    name: str, description: Any, names: Iterable[str]
) -> list[tuple[str, str]]:
    """``(name, other)`` for each "required if <other> is not provided" in ``description``
    where ``other`` is one of ``names`` (and not ``name`` itself)."""
    if not isinstance(description, str):
        return []
    known = set(names)
    found: list[tuple[str, str]] = []
    for rule in _RULES:
        for match in rule.finditer(description):
            other = match.group("other").rstrip(".")
            if other in known and other != name and (name, other) not in found:
                found.append((name, other))
    return found


def schema_from_parameters(
    parameters: Iterable[Any], *, title: str | None = None
) -> dict[str, Any]:
    """A draft 2020-12 object schema for a payload described by ``parameters``.

    Entries that are not mappings with a string ``name`` are skipped; a repeated name keeps
    its last entry. The module docstring lists the rules.
    """
    entries: dict[str, Mapping[str, Any]] = {}
    for entry in parameters:
        if isinstance(entry, Mapping) and isinstance(entry.get("name"), str) and entry["name"]:
            entries[entry["name"]] = entry
    schema: dict[str, Any] = {"$schema": DIALECT}
    if title:
        schema["title"] = title
    schema["type"] = "object"
    schema["properties"] = {name: parameter_schema(entry) for name, entry in entries.items()}
    required = [name for name, entry in entries.items() if entry.get("required") is True]
    schema["required"] = required
    pairs: list[frozenset[str]] = []
    rules: list[dict[str, Any]] = []
    for name, entry in entries.items():
        if name in required:
            continue
        for this, other in conditional_requirements(name, entry.get("description"), entries):
            if other in required or frozenset((this, other)) in pairs:
                continue  # already satisfied by `required`, or stated on the other side too
            pairs.append(frozenset((this, other)))
            rules.append({"anyOf": [{"required": [this]}, {"required": [other]}]})
    if len(rules) == 1:
        schema.update(rules[0])
    elif rules:
        schema["allOf"] = rules
    return schema
