"""Normalising request schemas: OpenAPI 3.0 forms translated to JSON Schema. Pure.

``normalize`` returns a copy with ``nullable: true`` and boolean
``exclusiveMinimum``/``exclusiveMaximum`` translated, in every subschema the schema's draft
defines (:mod:`schemadrive.schema.keywords`: ``dependencies``, ``contentSchema``, ``$defs``,
``components`` ...), so every validator judges the same schema. ``iter_subschemas`` is the
walker's list of dict subschemas, kept here for older callers.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from ..exceptions import SchemaInvalid
from .keywords import children, draft_of, keywords_for
from .walk import Walk

__all__ = ["child_subschemas", "iter_subschemas", "normalize"]


def child_subschemas(schema: dict[str, Any], *, draft: str = "any") -> Iterator[Any]:
    """The direct subschemas of one schema node (booleans included)."""
    for _, sub in children(schema, keywords_for(draft)):
        yield sub


def iter_subschemas(schema: Any, *, draft: str | None = None) -> Iterator[dict[str, Any]]:
    """Every dict subschema (the schema itself included), without entering values."""
    for step in Walk(schema, draft=draft):
        yield step.schema


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
    """A copy of ``schema`` with OpenAPI 3.0 forms translated to JSON Schema.

    Raises SchemaInvalid for a schema too large or too deep to walk (see
    :mod:`schemadrive.schema.walk`) or one that is not JSON (a cycle of objects).
    """
    try:
        result = copy.deepcopy(schema)
    except RecursionError as exc:
        raise SchemaInvalid("the schema nests too deeply to compile") from exc
    draft = draft_of(result)
    # draft-03/04 define the boolean exclusive bounds themselves: keep them there
    boolean_bounds = draft != "draft4" and not (
        isinstance(result, dict)
        and isinstance(result.get("$schema"), str)
        and "draft-03" in result["$schema"]
    )
    walk = Walk(result, draft=draft)
    for step in list(walk):
        _normalize_node(step.schema, boolean_bounds=boolean_bounds)
    if walk.truncated:
        raise SchemaInvalid("the schema is too large or nests too deeply to compile")
    return result
