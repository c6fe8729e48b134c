"""Normalize, lint, compile, fuzz and parameters over one corpus: they see the same subschemas
(the draft's keyword table, schemadrive/schema/keywords.py) and agree about each schema.

Before the schema core, each had its own keyword list: ``nullable`` under ``dependencies`` was
never normalized, a dangling ``$ref`` under ``dependencies`` compiled while lint reported it,
``contentSchema`` was seen by lint only, and a ``$ref`` to a ``$dynamicAnchor`` was a false SD018.
"""

from __future__ import annotations

from typing import Any

import pytest

import schemadrive
from schemadrive import SchemaInvalid
from schemadrive.fuzz._schema import _inline
from schemadrive.schema.compile import compile_schema
from schemadrive.schema.document import SchemaDocument
from schemadrive.schema.normalize import normalize
from schemadrive.schema.parameters import parameters_of
from schemadrive.schema.walk import Walk

DRAFT7 = "http://json-schema.org/draft-07/schema#"
NULLABLE = {"type": "string", "nullable": True}


def _everywhere_2020() -> dict[str, Any]:
    """``nullable`` in every position a 2020-12 subschema can be."""
    n = dict
    return {
        "type": "object",
        "properties": {"p": n(NULLABLE), "arr": {"type": "array", "items": n(NULLABLE),
                                               "prefixItems": [n(NULLABLE)],
                                               "contains": n(NULLABLE)}},
        "patternProperties": {"^x-": n(NULLABLE)},
        "additionalProperties": n(NULLABLE),
        "propertyNames": {"type": "string", "nullable": True},
        "unevaluatedProperties": n(NULLABLE),
        "dependentSchemas": {"p": {"properties": {"q": n(NULLABLE)}}},
        "allOf": [{"properties": {"a": n(NULLABLE)}}],
        "anyOf": [{"properties": {"b": n(NULLABLE)}}, True],
        "oneOf": [{"properties": {"c": n(NULLABLE)}}],
        "not": {"properties": {"d": {"type": "integer", "nullable": True, "const": 5}},
                "required": ["d"]},
        "if": {"properties": {"e": n(NULLABLE)}},
        "then": {"properties": {"f": n(NULLABLE)}},
        "else": {"properties": {"g": n(NULLABLE)}},
        "$defs": {"h": n(NULLABLE)},
        "contentSchema": n(NULLABLE),
        "components": {"schemas": {"i": n(NULLABLE)}},
    }  # fmt: skip


def _everywhere_draft7() -> dict[str, Any]:
    """``nullable`` where draft-07 has subschemas the 2020-12 table lacks."""
    return {
        "$schema": DRAFT7,
        "type": "object",
        "properties": {"t": {"type": "array", "items": [dict(NULLABLE)],
                             "additionalItems": dict(NULLABLE)},
                       "a": {"type": "integer"}},
        "dependencies": {"a": {"properties": {"b": dict(NULLABLE)}}, "c": ["a"]},
        "definitions": {"d": dict(NULLABLE)},
    }  # fmt: skip


DYNAMIC = {
    "$dynamicAnchor": "node",
    "type": "object",
    "properties": {"child": {"$dynamicRef": "#node"}, "same": {"$ref": "#node"}},
}
CORPUS = {
    "nullable-2020-12": _everywhere_2020(),
    "nullable-draft-07": _everywhere_draft7(),
    "dynamic-ref": DYNAMIC,
}
DANGLING = {
    "dependencies": {
        "$schema": DRAFT7,
        "properties": {"a": {"type": "string"}},
        "dependencies": {"a": {"$ref": "#/definitions/missing"}},
    },
    "dependentSchemas": {"dependentSchemas": {"a": {"$ref": "#/$defs/missing"}}},
    "contentSchema": {"contentSchema": {"$ref": "#/$defs/missing"}},
    "dynamic-ref": {"properties": {"a": {"$dynamicRef": "#/$defs/missing"}}},
}


def _pointers_with_nullable(schema: Any) -> set[str]:
    return {step.pointer for step in Walk(schema) if "nullable" in step.schema}


def _at(schema: Any, pointer: str) -> Any:
    for token in pointer.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        schema = schema[int(token)] if isinstance(schema, list) else schema[token]
    return schema


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_every_consumer_sees_the_same_subschemas(name: str) -> None:
    schema = CORPUS[name]
    walked = {step.pointer for step in Walk(schema)}
    # lint's document indexes exactly the walked subschemas
    assert {node.pointer for node in SchemaDocument(schema).nodes} == walked
    # normalize translated nullable at every one of them (the compiler judges this copy)
    marked = _pointers_with_nullable(schema)
    normalized = normalize(schema)
    for pointer in marked:
        node = _at(normalized, pointer)
        assert "nullable" not in node and ("null" in node.get("type", []) or "anyOf" in node)
    compiled = compile_schema(schema)
    assert compiled.normalized == normalized
    assert {step.pointer for step in Walk(compiled.normalized)} >= walked
    # fuzz inlines the compiled (normalized) schema: no nullable and no reference is left
    inlined = _inline(compiled)
    assert not _pointers_with_nullable(inlined)
    assert not [s for s in Walk(inlined) if {"$ref", "$dynamicRef"} & set(s.schema)]
    # lint finds no unresolvable reference where the compiler resolved them all
    assert "SD018" not in {f.code for f in schemadrive.lint(schema)}


def test_nullable_is_normalized_in_every_position_the_validator_applies() -> None:
    everywhere = compile_schema(_everywhere_2020())
    assert everywhere.validate({"p": None, "zzz": None}) == []
    draft7 = compile_schema(_everywhere_draft7())
    assert draft7.validate({"a": 1, "b": None, "t": [None, None]}) == []
    assert [p.path for p in draft7.validate({"a": 1, "b": 3})] == ["$.b"]
    shown = {p.name: p for p in parameters_of(everywhere)}
    assert shown["p"].nullable and shown["p"].type == "string | null"


@pytest.mark.parametrize("name", sorted(DANGLING))
def test_a_dangling_reference_is_refused_by_all_alike(name: str) -> None:
    schema = DANGLING[name]
    assert "SD018" in {f.code for f in schemadrive.lint(schema)}
    with pytest.raises(SchemaInvalid):
        compile_schema(schema)
    with pytest.raises(SchemaInvalid):
        schemadrive.fill_defaults(schema, {})
    from schemadrive import fuzz

    with pytest.raises(SchemaInvalid):
        fuzz.payloads(schema)


def test_a_reference_to_a_dynamic_anchor_is_no_lint_finding() -> None:
    assert schemadrive.lint(DYNAMIC) == []
    assert schemadrive.validate(DYNAMIC, {"same": {"child": {}}}) == []
