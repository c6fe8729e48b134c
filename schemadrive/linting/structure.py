"""The structural checks behind :mod:`schemadrive.linting`: bounds no value meets, references
that cannot be followed, conditionals and compositions that do not do what they seem to, and
the style rules that are off by default. Same contract as :mod:`schemadrive.linting.rules`.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from ..schema.document import Node, SchemaDocument, same_value
from ..schema.problems import show
from ..schema.refs import REF_KEYWORDS
from .rules import Hit, LintContext, _where

__all__: list[str] = []


def _finite(value: Any) -> bool:
    return isinstance(value, int) or isinstance(value, float) and math.isfinite(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _integer_only(types: frozenset[str] | None) -> bool:
    return types is not None and "integer" in types and "number" not in types


Bound = tuple[Any, bool]  # (value, exclusive)


def _outside(value: float, lo: Bound | None, hi: Bound | None) -> bool:
    below = lo is not None and (value < lo[0] or value == lo[0] and lo[1])
    above = hi is not None and (value > hi[0] or value == hi[0] and hi[1])
    return below or above


# -- SD014 ---------------------------------------------------------------------------------
def _bound_problems(
    bounds: dict[str, Any], types: frozenset[str] | None, enum: list[Any] | None
) -> list[str]:
    out = []
    low = [
        (bounds[k], k == "exclusiveMinimum") for k in ("minimum", "exclusiveMinimum") if k in bounds
    ]
    high = [
        (bounds[k], k == "exclusiveMaximum") for k in ("maximum", "exclusiveMaximum") if k in bounds
    ]
    lo = max(low, key=lambda b: (b[0], b[1])) if low else None
    hi = min(high, key=lambda b: (b[0], not b[1])) if high else None
    if lo and hi and (lo[0] > hi[0] or lo[0] == hi[0] and (lo[1] or hi[1])):
        out.append(f"the lower bound {show(lo[0])} is not below the upper bound {show(hi[0])}")
    elif lo and hi and _integer_only(types) and _finite(lo[0]) and _finite(hi[0]):
        first = math.floor(lo[0]) + 1 if lo[1] else math.ceil(lo[0])
        if first > hi[0] or first == hi[0] and hi[1]:
            out.append(f"no integer lies between {show(lo[0])} and {show(hi[0])}")
    for a, b in (
        ("minLength", "maxLength"),
        ("minItems", "maxItems"),
        ("minProperties", "maxProperties"),
        ("minContains", "maxContains"),
    ):
        if a in bounds and b in bounds and bounds[a] > bounds[b]:
            out.append(f"{a} {show(bounds[a])} is above {b} {show(bounds[b])}")
    if enum and not out and (lo or hi):
        outside = [v for v in enum if _is_number(v) and _outside(v, lo, hi)]
        if outside:
            out.append(
                "enum values "
                + ", ".join(show(v, 20) for v in outside[:8])
                + " lie outside the bounds"
            )
    return out


def unsatisfiable_bounds(ctx: LintContext) -> Iterator[Hit]:
    for node in ctx.doc.nodes:
        view = ctx.view(node)
        problems = _bound_problems(_own_bounds(node.schema), view.types, view.enum)
        merged = len(ctx.doc.parts(node)) > 1
        if (
            not problems
            and merged
            and not any(
                _bound_problems(_own_bounds(p.schema), ctx.view(p).types, None)
                for p in ctx.doc.parts(node)[1:]
            )
        ):
            problems = [
                p + " (after merging $ref/allOf)"
                for p in _bound_problems(view.bounds, view.types, view.enum)
            ]
        for problem in problems:
            yield (
                node.pointer,
                f"no value can satisfy this schema: {problem}",
                "fix the bounds (or the enum) so some value fits",
            )


def _own_bounds(schema: dict[str, Any]) -> dict[str, Any]:
    bounds: dict[str, Any] = {}
    SchemaDocument._merge_bounds(bounds, schema)
    return bounds


# -- SD017, SD018, SD019, SD022 ----------------------------------------------------------------
def conditional_misuse(ctx: LintContext) -> Iterator[Hit]:
    for node in ctx.doc.nodes:
        keys = node.schema
        for branch in ("then", "else"):
            if branch in keys and "if" not in keys:
                yield (
                    _where(node, branch),
                    f"{branch!r} without 'if' is ignored",
                    f"add the 'if' condition, or move the {branch!r} keywords up",
                )
        if "if" in keys and "then" not in keys and "else" not in keys:
            yield (
                _where(node, "if"),
                "'if' without 'then' or 'else' has no effect",
                "add 'then' (or 'else'), or remove 'if'",
            )


def _in_place(doc: SchemaDocument, node: Node) -> list[Node]:
    out: list[Node] = []
    ref = node.schema.get("$ref")
    if isinstance(ref, str):
        target = doc.resolve(ref, node.base)[1]
        if target is not None:
            out.append(target)
    for key in ("allOf", "anyOf", "oneOf"):
        if isinstance(node.schema.get(key), list):
            out += [
                c
                for i in range(len(node.schema[key]))
                if (c := doc.child(node, key, i)) is not None
            ]
    for key in ("not", "if", "then", "else"):
        if isinstance(node.schema.get(key), dict):
            out += [c for c in [doc.child(node, key)] if c is not None]
    return out


def bad_ref(ctx: LintContext) -> Iterator[Hit]:
    doc = ctx.doc
    for node, keyword in ((n, k) for n in doc.nodes for k in REF_KEYWORDS):
        ref = node.schema.get(keyword)
        if not isinstance(ref, str):
            continue
        status, target = doc.resolve(ref, node.base)
        if status == "remote":
            yield (
                _where(node, keyword),
                f"{keyword} {ref!r} points outside this schema; it is never fetched, so the "
                "client cannot use this schema",
                "copy the target under $defs and point to it (#/$defs/...)",
            )
        elif status == "missing":
            yield (
                _where(node, keyword),
                f"{keyword} {ref!r} points to nothing in this schema",
                "fix the pointer, or add the missing definition under $defs",
            )
        elif target is not None and keyword == "$ref":
            seen, queue, found = {id(target.schema)}, [target], False
            while queue and len(seen) < 2000 and not found:
                for nxt in _in_place(doc, queue.pop()):
                    found = found or nxt.schema is node.schema
                    if id(nxt.schema) not in seen:
                        seen.add(id(nxt.schema))
                        queue.append(nxt)
            if found:
                yield (
                    _where(node, "$ref"),
                    f"$ref {ref!r} leads back to this schema without descending into a value: "
                    "validation never ends",
                    "break the cycle",
                )


def array_without_items(ctx: LintContext) -> Iterator[Hit]:
    for node in ctx.doc.nodes:
        view = ctx.view(node)
        if "type" not in node.schema or "array" not in (view.types or ()):
            continue
        if view.items is None and not {"prefixItems", "contains"} & view.keys:
            yield (
                node.pointer,
                "an array without items: any element is accepted",
                'describe the elements with "items"',
            )


_ANNOTATIONS = {
    "$ref",
    "$id",
    "$comment",
    "$schema",
    "description",
    "title",
    "examples",
    "example",
    "deprecated",
    "readOnly",
    "writeOnly",
}


def ref_siblings(ctx: LintContext) -> Iterator[Hit]:
    root = ctx.schema if isinstance(ctx.schema, dict) else {}
    dialect = (
        str(root.get("$schema", ""))
        + " "
        + str(root.get("openapi", ""))
        + str(root.get("swagger", ""))
    )
    if not any(tag in dialect for tag in ("draft-04", "draft-06", "draft-07", " 3.0", " 2.")):
        return
    for node in ctx.doc.nodes:
        if isinstance(node.schema.get("$ref"), str):
            ignored = sorted(
                str(k)
                for k in node.schema
                if str(k) not in _ANNOTATIONS and not str(k).startswith("x-")
            )
            if ignored:
                yield (
                    node.pointer,
                    f"keywords next to $ref are ignored in this dialect: {', '.join(ignored)}",
                    'wrap the reference ("allOf": [{"$ref": ...}]) and keep the keywords beside '
                    "allOf",
                )


def defaults_ambiguous(ctx: LintContext) -> Iterator[Hit]:
    for node in ctx.doc.nodes:
        for key in ("anyOf", "oneOf"):
            branches = node.schema.get(key)
            if not isinstance(branches, list):
                continue
            found: dict[str, list[Any]] = {}
            for index in range(len(branches)):
                branch = ctx.doc.child(node, key, index)
                if branch is None:
                    continue
                view = ctx.view(branch)
                if view.has_default:
                    found.setdefault("", []).append(view.default)
                for name, prop in view.properties.items():
                    if ctx.view(prop).has_default:
                        found.setdefault(name, []).append(ctx.view(prop).default)
            for name, values in found.items():
                if len(values) > 1 and any(not same_value(values[0], v) for v in values[1:]):
                    what = f"{name!r}" if name else "this value"
                    yield (
                        _where(node, key),
                        f"several {key} branches give {what} different defaults; which one is "
                        "filled is undefined",
                        "keep the default in one place, outside the branches",
                    )


def enum_single_value(ctx: LintContext) -> Iterator[Hit]:
    for node in ctx.doc.nodes:
        enum = node.schema.get("enum")
        if isinstance(enum, list) and len(enum) == 1:
            yield (
                _where(node, "enum"),
                "a single-value enum is a constant",
                f'write "const": {show(enum[0])}',
            )


_OBJECT_PLACES = ("", "properties", "items", "$defs", "definitions", "components")


def additional_properties_unset(ctx: LintContext) -> Iterator[Hit]:
    for node in ctx.doc.nodes:
        # reported where the properties are declared, not at each reference or branch
        if node.keyword not in _OBJECT_PLACES or "properties" not in node.schema:
            continue
        view = ctx.view(node)
        if view.additional is None and "unevaluatedProperties" not in view.keys:
            yield (
                node.pointer,
                "names the schema does not declare are accepted silently (a typo in a key passes)",
                'add "additionalProperties": false if the hub rejects unknown keys',
            )
