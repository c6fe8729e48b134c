"""The subschema-bearing keywords of each JSON Schema draft: the one table every walker reads.

A keyword holds subschemas in one of four shapes: one subschema (``not``), a list of them
(``allOf``), a map of name to subschema (``properties``), or a map whose values are a
subschema *or* a list of property names (draft 4-7 ``dependencies``). Draft 4 to 2019-09 also
let ``items`` be a list (tuple validation). OpenAPI's ``components/schemas`` holds subschemas
in every dialect, since request schemas from a hub often carry their definitions there.

:func:`children` is the only code in schemadrive that decides which values of a schema node are
schemas; :mod:`schemadrive.schema.walk` visits them, and normalize, compile, lint, fuzz and
parameters all walk through it, so they all see the same subschemas.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

__all__ = ["DRAFT_URIS", "Keywords", "children", "draft_of", "keywords_for"]

#: Canonical ``$schema`` URI of each supported draft.
DRAFT_URIS = {
    "draft4": "http://json-schema.org/draft-04/schema#",
    "draft6": "http://json-schema.org/draft-06/schema#",
    "draft7": "http://json-schema.org/draft-07/schema#",
    "draft2019-09": "https://json-schema.org/draft/2019-09/schema",
    "draft2020-12": "https://json-schema.org/draft/2020-12/schema",
}


@dataclass(frozen=True)
class Keywords:
    """The subschema keywords of one draft, by the shape of their value."""

    one: tuple[str, ...]
    many: tuple[str, ...]
    named: tuple[str, ...]
    #: ``items`` (and ``additionalItems``' sibling) may be a list of subschemas
    tuple_items: bool
    #: ``dependencies`` values are a subschema or a list of names
    dependencies: bool


# fmt: off
_DRAFT4 = Keywords(
    one=("additionalItems", "additionalProperties", "items", "not"),
    many=("allOf", "anyOf", "oneOf"),
    named=("definitions", "properties", "patternProperties"),
    tuple_items=True, dependencies=True,
)
_DRAFT6 = Keywords(
    one=(*_DRAFT4.one, "contains", "propertyNames"),
    many=_DRAFT4.many, named=_DRAFT4.named, tuple_items=True, dependencies=True,
)
_DRAFT7 = Keywords(
    one=(*_DRAFT6.one, "if", "then", "else"),
    many=_DRAFT4.many, named=_DRAFT4.named, tuple_items=True, dependencies=True,
)
_DRAFT201909 = Keywords(
    one=(*_DRAFT7.one, "unevaluatedItems", "unevaluatedProperties", "contentSchema"),
    many=_DRAFT4.many,
    named=(*_DRAFT4.named, "$defs", "dependentSchemas"),
    tuple_items=True, dependencies=False,
)
_DRAFT202012 = Keywords(
    one=(*_DRAFT201909.one,),
    many=(*_DRAFT4.many, "prefixItems"),
    named=_DRAFT201909.named, tuple_items=False, dependencies=False,
)
#: An unknown dialect: every keyword any draft gives subschemas (the widest reading).
_ANY = Keywords(
    one=tuple(dict.fromkeys((*_DRAFT202012.one, *_DRAFT4.one))),
    many=_DRAFT202012.many, named=_DRAFT202012.named, tuple_items=True, dependencies=True,
)
# fmt: on
_TABLE = {
    "draft4": _DRAFT4,
    "draft6": _DRAFT6,
    "draft7": _DRAFT7,
    "draft2019-09": _DRAFT201909,
    "draft2020-12": _DRAFT202012,
    "any": _ANY,
}


def draft_of(schema: Any) -> str:
    """The draft a root schema declares in ``$schema`` (2020-12 when absent, "any" when odd)."""
    declared = schema.get("$schema") if isinstance(schema, dict) else None
    if declared is None:
        return "draft2020-12"
    if not isinstance(declared, str):
        return "any"
    uri = declared.rstrip("#")
    for name, known in DRAFT_URIS.items():
        if uri == known.rstrip("#") or uri.replace("https://", "http://") == known.rstrip("#"):
            return name
    return "any"


def keywords_for(draft: str) -> Keywords:
    """The table of ``draft`` (a key of :data:`DRAFT_URIS`, or "any")."""
    return _TABLE.get(draft, _ANY)


def children(node: dict[str, Any], table: Keywords) -> Iterator[tuple[tuple[str, ...], Any]]:
    """The direct subschemas of one node: ``(path below node, subschema)``.

    Booleans are yielded too (they are schemas since draft 6); callers that only want
    objects skip them. Values of the wrong shape are not schemas and are skipped.
    """
    for key in table.named:
        value = node.get(key)
        if isinstance(value, dict):
            for name, sub in value.items():
                yield (key, str(name)), sub
    if table.dependencies:
        value = node.get("dependencies")
        if isinstance(value, dict):
            for name, sub in value.items():
                if not isinstance(sub, list):  # a list names required properties
                    yield ("dependencies", str(name)), sub
    for key in table.many:
        value = node.get(key)
        if isinstance(value, list):
            for index, sub in enumerate(value):
                yield (key, str(index)), sub
    for key in table.one:
        value = node.get(key)
        if isinstance(value, list) and key == "items" and table.tuple_items:
            for index, sub in enumerate(value):
                yield (key, str(index)), sub
        elif isinstance(value, (dict, bool)):
            yield (key,), value
    components = node.get("components")
    if isinstance(components, dict) and isinstance(components.get("schemas"), dict):
        for name, sub in components["schemas"].items():
            yield ("components", "schemas", str(name)), sub
