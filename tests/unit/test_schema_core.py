"""The schema core's promises (issues 12 and 13): bare schemas mean what JSON Schema says,
model payloads stay strict, and no schema can crash, freeze or panic a caller."""

from __future__ import annotations

import pickle
import re
import sys
from typing import Any

import pytest

import schemadrive
from schemadrive import SchemaInvalid
from schemadrive.hub.providers import GMICLOUD, OXEN
from schemadrive.model import Model
from schemadrive.schema.compile import compile_schema
from schemadrive.schema.defaults import plan_size
from schemadrive.schema.problems import json_path
from schemadrive.schema.walk import subschemas

DRAFT7 = "http://json-schema.org/draft-07/schema#"
CATASTROPHIC = {"type": "object", "properties": {"code": {"type": "string", "pattern": "^(a+)+$"}}}
SLOW_INPUT = "a" * 29 + "!"


# -- provider-neutral core ---------------------------------------------------------------------
def test_a_bare_schema_accepts_no_hub_parameter_a_model_does_not_declare() -> None:
    schema = {"type": "object", "properties": {"prompt": {"type": "string"}}}
    payload = {"prompt": "x", "model": "m", "response_format": "url"}
    assert schemadrive.validate(schema, payload) == []  # the spec: extra names are allowed
    strict = schemadrive.validate(schema, payload, strict=True)
    assert sorted(p.path for p in strict) == ["$.model", "$.response_format"]
    oxen = Model("m", {"json_request_schema": schema}, OXEN)
    assert oxen.validate(payload) == []  # the hub's common parameters come from its provider
    assert [p.path for p in oxen.validate({**payload, "promt": "y"})] == ["$.promt"]
    gmi = Model("g", {"json_request_schema": schema}, GMICLOUD)
    assert sorted(p.path for p in gmi.validate(payload)) == ["$.model", "$.response_format"]


def test_model_payloads_keep_formats_asserted_where_2020_12_makes_them_annotations() -> None:
    schema = {"type": "object", "properties": {"image": {"type": "string", "format": "uri"}}}
    assert schemadrive.validate(schema, {"image": "not a url"}) == []
    model = Model("m", {"json_request_schema": schema}, OXEN)
    assert [p.keyword for p in model.validate({"image": "not a url"})] == ["format"]


# -- bare-schema semantics (the suite covers the rest) ------------------------------------------
@pytest.mark.parametrize("keyword", ["anyOf", "oneOf"])
def test_compositions_of_false_schemas_report_a_problem(keyword: str) -> None:
    problems = schemadrive.validate({keyword: [False, False]}, 1)
    assert problems and all(p.severity == "error" for p in problems)


def test_unicode_property_patterns_are_accepted() -> None:
    schema = {"type": "string", "pattern": "^\\p{Letter}+$"}
    assert schemadrive.validate(schema, "héllo") == []
    assert [p.keyword for p in schemadrive.validate(schema, "12")] == ["pattern"]


def test_dynamic_refs_resolve() -> None:
    schema = {
        "$dynamicAnchor": "node",
        "type": "object",
        "properties": {"child": {"$dynamicRef": "#node"}, "n": {"type": "integer"}},
    }
    assert schemadrive.validate(schema, {"child": {"child": {"n": 1}}}) == []
    assert [p.path for p in schemadrive.validate(schema, {"child": {"n": "x"}})] == ["$.child.n"]


@pytest.mark.parametrize(
    "schema",
    [
        {"$schema": DRAFT7, "$ref": DRAFT7},  # froze the old compiler for minutes
        {
            "$schema": DRAFT7,
            "type": "object",
            "properties": {"inner": {"$ref": DRAFT7}, "n": {"type": "integer", "default": 3}},
        },
    ],
)
def test_a_schema_referring_to_the_metaschema_compiles_with_bounded_work(
    schema: dict[str, Any],
) -> None:
    # bounded work, counted not timed: at most one default plan per distinct subschema
    compiled = compile_schema(schema)
    metaschema_nodes = len(subschemas(compiled.refs.lookup(DRAFT7).contents))
    assert plan_size(compiled.plan) <= len(subschemas(schema)) + metaschema_nodes
    if "properties" in schema:
        # the draft-07 metaschema itself declares "default": true
        assert compiled.fill_defaults({}) == {"inner": True, "n": 3}
        assert [p.path for p in compiled.validate({"inner": {"type": 5}})] == ["$.inner.type"]
    else:
        assert compiled.validate({"type": "string"}) == []
        assert compiled.validate({"type": 5})


# -- nothing a schema holds crashes, freezes or panics a caller ----------------------------------
def _catastrophic_re(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("a pattern was matched with Python's backtracking re")


@pytest.mark.parametrize("fast", [True, False])
def test_patterns_never_run_in_a_backtracking_engine(
    fast: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    import jsonschema._keywords
    import jsonschema._utils

    stub = type("NoRe", (), {"search": staticmethod(_catastrophic_re)})
    monkeypatch.setattr(jsonschema._keywords, "re", stub)
    monkeypatch.setattr(jsonschema._utils, "re", stub)
    model = Model("m", {"json_request_schema": CATASTROPHIC}, OXEN)
    compiled = compile_schema(CATASTROPHIC, strict=True, fast=fast)
    for check in (model.validate, compiled.validate, compiled.explain):
        assert [p.keyword for p in check({"code": SLOW_INPUT})] == ["pattern"]
    assert not compiled.is_valid({"code": SLOW_INPUT})
    names = {"type": "object", "patternProperties": {"^(a+)+$": {"type": "integer"}}}
    assert schemadrive.validate(names, {SLOW_INPUT: "x"}) == []
    assert schemadrive.validate(names, {"aaa": "x"})


def test_without_jsonschema_rs_a_catastrophic_pattern_is_never_run_on_long_strings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from schemadrive.schema import patterns

    monkeypatch.setattr(patterns, "_rs", lambda: None)
    patterns._matcher.cache_clear()
    try:
        assert patterns.engine() == "re"
        assert patterns.search("^a+$", "a" * 100) and patterns.search("^(a+)+$", "aaa")
        with pytest.raises(ValueError, match="exponential"):
            patterns.search("^(a+)+$", SLOW_INPUT)
        problems = compile_schema(CATASTROPHIC, fast=False).validate({"code": SLOW_INPUT})
        assert [p.keyword for p in problems] == ["value"]
        assert "jsonschema-rs" in problems[0].message
    finally:
        patterns._matcher.cache_clear()


def test_lint_warns_about_catastrophic_patterns() -> None:
    findings = schemadrive.lint(CATASTROPHIC)
    assert [(f.code, f.path) for f in findings] == [("SD027", "/properties/code/pattern")]


def _at_depth(depth: int, call: Any) -> Any:
    return call() if depth == 0 else _at_depth(depth - 1, call)


@pytest.mark.parametrize("depth", range(0, 900, 60))
def test_an_endless_self_reference_is_schema_invalid_at_any_stack_depth(depth: int) -> None:
    def check() -> Any:
        return schemadrive.validate({"not": {"$ref": "#"}}, {})

    assert depth < sys.getrecursionlimit()
    with pytest.raises(SchemaInvalid, match="loop"):
        _at_depth(depth, check)


@pytest.mark.parametrize("call", ["validate", "fill_defaults", "prepare"])
def test_a_dynamic_ref_to_nowhere_is_schema_invalid(call: str) -> None:
    schema = {"$dynamicRef": "#/nowhere", "properties": {"a": {"default": 1}}}
    with pytest.raises(SchemaInvalid) as caught:
        getattr(schemadrive, call)(schema, {})
    assert "#/nowhere" in " ".join(caught.value.errors)
    assert [f.code for f in schemadrive.lint(schema)] == ["SD018"]


def test_a_property_name_that_is_not_a_string_is_a_typed_error() -> None:
    with pytest.raises(SchemaInvalid):
        schemadrive.validate({"properties": {1.5: 5}}, {})
    assert json_path(["a", 1.5, 0]) == '$.a["1.5"][0]'


def test_fuzzing_a_component_that_is_not_a_schema_is_a_typed_error() -> None:
    from schemadrive import fuzz

    schema = {
        "anyOf": [{"$ref": "#/components/schemas/A"}],
        "components": {"schemas": {"A": {"properties": {"enum": "x"}}}},
    }
    with pytest.raises(SchemaInvalid) as caught:
        fuzz.payloads(schema)
    assert any("components" in error for error in caught.value.errors)


# -- pickling (Spark/Dask workers) --------------------------------------------------------------
def test_a_compiled_schema_pickles_with_its_options() -> None:
    schema = {
        "type": "object",
        "properties": {"prompt": {"type": "string"}, "n": {"type": "integer", "default": 2}},
    }
    compiled = compile_schema(schema, strict=True, common=frozenset({"model"}))
    copy = pickle.loads(pickle.dumps(compiled))
    assert copy.schema == schema and copy.strict and copy.common == frozenset({"model"})
    assert copy.prepare({"prompt": "x", "model": "m"}) == {"prompt": "x", "model": "m", "n": 2}
    assert [p.path for p in copy.validate({"promt": "x"})] == ["$.promt"]
    assert re.search("did you mean 'prompt'", copy.validate({"promt": "x"})[0].hint or "")


def test_a_nan_value_is_one_problem_not_two() -> None:
    """NaN fails `type: integer` in jsonschema and is not JSON at all: the user hears it once."""
    problems = schemadrive.validate(
        {"properties": {"seed": {"type": "integer", "minimum": 0}}}, {"seed": float("nan")}
    )
    assert [(p.path, p.message) for p in problems] == [("$.seed", "nan is not a JSON number")]
