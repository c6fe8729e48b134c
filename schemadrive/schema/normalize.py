"""Walking and normalising request schemas. Pure.

``iter_subschemas`` visits every subschema without entering values (``enum``, ``default``...);
``normalize`` returns a copy with OpenAPI 3.0 forms (``nullable: true``, boolean
``exclusiveMinimum``/``exclusiveMaximum``) translated to JSON Schema, so every validator judges
the same schema.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from .problems import json_path

__all__ = ["child_subschemas", "iter_subschemas", "metaschema_errors", "no_remote", "normalize"]

_SCHEMA_MAP_KEYWORDS = (
    "properties", "patternProperties", "$defs", "definitions", "dependentSchemas",
)  # fmt: skip
_SCHEMA_LIST_KEYWORDS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SCHEMA_ONE_KEYWORDS = (
    "items", "additionalProperties", "not", "if", "then", "else", "contains",
    "propertyNames", "unevaluatedProperties", "unevaluatedItems", "additionalItems",
)  # fmt: skip


def child_subschemas(schema: dict[str, Any]) -> Iterator[Any]:
    """The direct subschemas of one schema node."""
    for key in _SCHEMA_MAP_KEYWORDS:
        value = schema.get(key)
        if isinstance(value, dict):
            yield from value.values()
    for key in _SCHEMA_LIST_KEYWORDS:
        value = schema.get(key)
        if isinstance(value, list):
            yield from value
    for key in _SCHEMA_ONE_KEYWORDS:
        value = schema.get(key)
        if isinstance(value, dict):
            yield value
        elif isinstance(value, list):  # draft-04 tuple items
            yield from value
    components = schema.get("components")
    if isinstance(components, dict) and isinstance(components.get("schemas"), dict):
        yield from components["schemas"].values()


def iter_subschemas(schema: Any) -> Iterator[dict[str, Any]]:
    """Every dict subschema (the schema itself included), without entering values."""
    if not isinstance(schema, dict):
        return
    yield schema
    for key in _SCHEMA_MAP_KEYWORDS:
        value = schema.get(key)
        if isinstance(value, dict):
            for sub in value.values():
                yield from iter_subschemas(sub)
    for key in _SCHEMA_LIST_KEYWORDS:
        value = schema.get(key)
        if isinstance(value, list):
            for sub in value:
                yield from iter_subschemas(sub)
    for key in _SCHEMA_ONE_KEYWORDS:
        value = schema.get(key)
        if isinstance(value, dict):
            yield from iter_subschemas(value)
        elif isinstance(value, list):  # draft-04 tuple items
            for sub in value:
                yield from iter_subschemas(sub)
    components = schema.get("components")
    if isinstance(components, dict) and isinstance(components.get("schemas"), dict):
        for sub in components["schemas"].values():
            yield from iter_subschemas(sub)


def _normalize_node(node: dict[str, Any], *, boolean_bounds: bool) -> None:
    for bound, exclusive in (("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum")):
        flag = node.get(exclusive)
        if boolean_bounds and isinstance(flag, bool):  # the OpenAPI 3.0 boolean form
            del node[exclusive]
            if flag and bound in node:
                node[exclusive] = node.pop(bound)
    if node.get("nullable") is True:
        del node["nullable"]
        kind = node.get("type")
        if isinstance(kind, str):
            node["type"] = [kind, "null"]
        elif isinstance(kind, list) and "null" not in kind:
            node["type"] = [*kind, "null"]
        elif kind is None:
            rest = {k: v for k, v in node.items() if k not in ("description", "title", "default")}
            for key in rest:
                del node[key]
            node["anyOf"] = [{"type": "null"}, rest]
        if isinstance(node.get("enum"), list) and None not in node["enum"]:
            node["enum"] = [*node["enum"], None]


def normalize(schema: Any) -> Any:
    """A copy of ``schema`` with OpenAPI 3.0 forms translated to JSON Schema."""
    result = copy.deepcopy(schema)
    dialect = result.get("$schema") if isinstance(result, dict) else None
    # draft-03/04 define the boolean exclusive bounds themselves: keep them there
    boolean_bounds = not (
        isinstance(dialect, str) and ("draft-04" in dialect or "draft-03" in dialect)
    )
    for node in list(iter_subschemas(result)):
        _normalize_node(node, boolean_bounds=boolean_bounds)
    return result


def no_remote(uri: str) -> Any:
    from referencing.exceptions import NoSuchResource

    raise NoSuchResource(ref=uri)  # type: ignore[call-arg]


def metaschema_errors(cls: Any, schema: Any) -> list[str]:
    errors = []
    for error in cls(cls.META_SCHEMA, format_checker=cls.FORMAT_CHECKER).iter_errors(schema):
        where = json_path(error.absolute_path)
        errors.append(f"{where}: {error.message[:200]}")
    return errors
