"""Schema preparation for fuzzing, without hypothesis: local ``$ref`` inlined, ``allOf``
merged, ``anyOf``/``oneOf``/``if``/``not`` turned into choices a generator can draw from.

Pure: takes a compiled schema, returns plain schema dicts. Used by :mod:`schemadrive.fuzz`.
"""

from __future__ import annotations

import json
from typing import Any

from ..exceptions import SchemaInvalid
from ..schema.compile import CompiledSchema
from ..schema.keywords import draft_of, keywords_for
from ..schema.refs import REF_KEYWORDS

Schema = Any  # a dict or a boolean
# fmt: off
#: Where definitions live: inlined at their references, so dropped from the output.
_DEFINITIONS = ("$defs", "definitions", "components")
_CHOICES = ("allOf", "anyOf", "oneOf", "not", "if", "then", "else", "dependentSchemas",
            "dependencies")
_LOWER = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties", "minContains")
_UPPER = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties", "maxContains")
_LISTED = ("required", "__absent__", "__exclude__", "__checks__")
_SUBSCHEMA = ("items", "contains", "propertyNames", "additionalItems")
_ANNOTATIONS = ("title", "description", "default", "examples", "deprecated", "readOnly",
                "writeOnly", "$comment", "$schema", "$id", "$anchor")
_INFER = {  # the types a keyword implies when "type" is absent
    "object": ("properties", "required", "additionalProperties", "patternProperties",
               "dependentRequired", "minProperties", "maxProperties", "propertyNames"),
    "array": ("items", "prefixItems", "minItems", "maxItems", "uniqueItems", "contains"),
    "string": ("minLength", "maxLength", "pattern", "format"),
    "number": ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"),
}
# fmt: on
_ORDER = ("string", "integer", "number", "boolean", "array", "object", "null")


# -- schema preparation: refs inlined, allOf merged, choices listed --------------------------
def _inline(compiled: CompiledSchema, max_repeats: int = 2) -> Schema:
    """The normalized schema with every local ``$ref`` replaced by its target (cycles cut).

    Subschemas are those of the schema's draft (schemadrive.schema.keywords) and references
    resolve through the compiled schema's one resolver (schemadrive.schema.refs).
    """
    root = compiled.normalized
    if not isinstance(root, dict):
        return root
    refs = compiled.refs
    table = keywords_for(draft_of(root))
    siblings_apply = "draft-0" not in compiled.dialect  # draft-04..07 ignore $ref's siblings
    named = (*(k for k in table.named if k not in _DEFINITIONS), "dependencies")

    def walk(node: Any, resolver: Any, seen: tuple[int, ...]) -> Any:
        if not isinstance(node, dict):
            return node
        resolver = refs.enter(resolver, node)
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in named and isinstance(value, dict):
                if key == "dependencies" and not table.dependencies:
                    out[key] = value
                    continue
                out[key] = {
                    name: sub if isinstance(sub, list) else walk(sub, resolver, seen)
                    for name, sub in value.items()
                }
            elif (
                key in table.many
                and isinstance(value, list)
                or key in table.one
                and isinstance(value, list)
                and key == "items"
            ):
                out[key] = [walk(sub, resolver, seen) for sub in value]
            elif key in table.one:
                out[key] = walk(value, resolver, seen)
            elif key not in _DEFINITIONS and key not in REF_KEYWORDS:
                out[key] = value
        ref = next((node[k] for k in REF_KEYWORDS if isinstance(node.get(k), str)), None)
        if ref is None:
            return out
        resolved = refs.lookup(ref, resolver)
        if resolved is None:
            raise SchemaInvalid(f"$ref {ref!r} cannot be resolved")
        marker = id(resolved.contents)
        target = False  # a recursive schema is cut after max_repeats expansions
        if seen.count(marker) < max_repeats:
            target = walk(resolved.contents, resolved.resolver, (*seen, marker))
        if not siblings_apply:
            return target
        return {**out, "allOf": [target, *out.get("allOf", [])]}

    return walk(root, refs.resolver, ())


def _same(a: Any, b: Any) -> bool:
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def _merge(a: dict[str, Any] | None, b: dict[str, Any] | None) -> dict[str, Any] | None:
    """One plain schema accepting (about) what both accept; None if nothing can. Exactness is
    not needed: what the merge cannot express goes to ``__checks__`` and is filtered."""
    if a is None or b is None:
        return None
    out = dict(a)
    for key, value in b.items():
        mine: Any = out.get(key)
        if key not in out or _same(mine, value) or key in _ANNOTATIONS or key.startswith("x-"):
            out.setdefault(key, value)
        elif key in _LOWER or key in _UPPER:
            out[key] = max(mine, value) if key in _LOWER else min(mine, value)
        elif key == "type":
            ours, theirs = _expand_types(mine), _expand_types(value)
            out[key] = [t for t in _ORDER if t in ours and t in theirs]
            if not out[key]:
                return None
        elif key == "enum":
            out[key] = [v for v in mine if any(_same(v, w) for w in value)]
            if not out[key]:
                return None
        elif key in _LISTED:
            out[key] = [*mine, *(v for v in value if v not in mine)]
        elif key in ("properties", "patternProperties", "dependentRequired"):
            joined = dict(mine)
            for name, sub in value.items():
                both = name in joined and key == "dependentRequired"
                joined[name] = (
                    [*joined[name], *sub]
                    if both
                    else {"allOf": [joined[name], sub]}
                    if name in joined
                    else sub
                )
            out[key] = joined
        elif key in _SUBSCHEMA and isinstance(mine, dict) and isinstance(value, dict):
            out[key] = {"allOf": [mine, value]}
        elif key == "uniqueItems":
            out[key] = bool(mine or value)
        else:  # different patterns, formats, multipleOf, additionalProperties, tuples...
            check = {key: value}
            if key in ("additionalProperties", "unevaluatedProperties"):  # relative to b's names
                check.update({k: b[k] for k in ("properties", "patternProperties") if k in b})
            out["__checks__"] = [*out.get("__checks__", []), check]
    return out


def _expand_types(types: Any) -> set[str]:
    names = {types} if isinstance(types, str) else set(types)
    return names | {"integer"} if "number" in names else names


def _split(node: Schema) -> tuple[dict[str, Any] | None, list[tuple[Any, ...]]]:
    """(plain, choices): the node's assertions with its ``allOf`` merged in, and the choices
    (anyOf, oneOf, if, not) still to make. ``plain`` is None when nothing is accepted."""
    if node is True or node is False:
        return ({} if node else None), []
    plain: dict[str, Any] | None = {k: v for k, v in node.items() if k not in _CHOICES}
    choices: list[tuple[Any, ...]] = []
    if plain is not None and "const" in plain:
        plain = _merge({k: v for k, v in plain.items() if k != "const"}, {"enum": [plain["const"]]})
    for key in ("anyOf", "oneOf"):
        if isinstance(node.get(key), list):
            choices.append((key, node[key]))
    if "not" in node:
        choices.append(("not", node["not"]))
    if "if" in node:
        choices.append(("if", node["if"], node.get("then", True), node.get("else", True)))
    for key in ("dependentSchemas", "dependencies"):
        for name, sub in (node.get(key) or {}).items():
            if isinstance(sub, list):
                plain = _merge(plain, {"dependentRequired": {name: sub}})
            else:
                choices.append(("if", {"required": [name]}, sub, True))
    for part in node.get("allOf") or []:
        part_plain, part_choices = _split(part)
        plain = _merge(plain, part_plain)
        choices += part_choices
    return (plain, choices) if plain is not None else (None, [])


def _negate(schema: Schema) -> dict[str, Any]:
    """A hint for drawing values that fail ``schema`` (common shapes only; {} otherwise)."""
    if not isinstance(schema, dict):
        return {}
    keys = set(schema) - set(_ANNOTATIONS)
    if keys <= {"enum", "const"} and keys:
        return {"__exclude__": schema.get("enum", [schema.get("const")])}
    required = schema.get("required", [])
    if keys == {"required"} and len(required) == 1:
        return {"__absent__": list(required)}
    properties = schema.get("properties")
    if keys <= {"properties", "required"} and isinstance(properties, dict) and len(properties) == 1:
        ((name, sub),) = properties.items()
        if set(required) <= {name}:
            hint: dict[str, Any] = {"properties": {name: {"not": sub}}}
            return hint if name in required else {**hint, "required": [name]}
    return {}
