"""Validation and defaults against the recorded fixtures and hand-written schemas."""

from __future__ import annotations

import copy
import json

import pytest
from data.documented import DEFAULTS, DOCUMENTED

import schemadrive
from schemadrive import PayloadInvalid, SchemaInvalid
from schemadrive.hub.providers import OXEN
from schemadrive.hub.recorded import bundled_dir, schema_of
from schemadrive.schema.compile import compile_schema


def fixture_schema(name: str) -> dict:
    return schema_of(json.loads((bundled_dir() / "oxen" / name).read_text()))


CASES_VALID = [(name, p) for name, c in DOCUMENTED.items() for p in c["valid"]]
CASES_INVALID = [(name, *case) for name, c in DOCUMENTED.items() for case in c["invalid"]]


@pytest.mark.parametrize(("fixture", "payload"), CASES_VALID)
def test_documented_payloads_validate(fixture: str, payload: dict) -> None:
    assert schemadrive.validate(fixture_schema(fixture), payload) == []


@pytest.mark.parametrize(("fixture", "payload", "path", "keyword"), CASES_INVALID)
def test_broken_payloads_fail_at_the_right_path(
    fixture: str, payload: dict, path: str, keyword: str
) -> None:
    # a model's schema, checked as Model.validate checks it (unknown names, formats asserted)
    problems = schemadrive.validate(fixture_schema(fixture), payload, strict=True)
    assert (path, keyword) in [(p.path, p.keyword) for p in problems], problems
    assert all(p.message for p in problems)


@pytest.mark.parametrize(("fixture", "expected"), DEFAULTS.items())
def test_defaults_match_the_fixtures(fixture: str, expected: dict) -> None:
    filled = schemadrive.fill_defaults(fixture_schema(fixture), {})
    assert filled == expected


def test_every_problem_is_reported_at_once() -> None:
    schema = fixture_schema("ltx-2-3-pro.json")
    problems = schemadrive.validate(schema, {"duration": 11, "fps": "25", "aspect_ratio": "4:3"})
    assert {p.path for p in problems} == {"$.prompt", "$.duration", "$.fps", "$.aspect_ratio"}


def test_hints_say_how_to_fix() -> None:
    schema = fixture_schema("ltx-2-3-pro.json")
    payload = {"prompt": "x", "duration": "6", "resolution": "1080", "generat_audio": True}
    by_path = {p.path: p for p in schemadrive.validate(schema, payload, strict=True)}
    assert "without quotes" in by_path["$.duration"].hint
    assert "1080p" in by_path["$.resolution"].hint
    assert "generate_audio" in by_path["$.generat_audio"].hint


def test_null_hint_for_a_seed_documented_as_accepting_none() -> None:
    schema = fixture_schema("ltx-2-3-quality-text-to-video.json")
    problems = schemadrive.validate(schema, {"prompt": "x", "seed": None})
    assert [p.keyword for p in problems] == ["type"]
    assert "leave it out" in problems[0].hint


def test_prepare_fills_then_validates_and_never_mutates() -> None:
    schema = fixture_schema("ltx-2-3-pro.json")
    payload = {"prompt": "a cat", "duration": 8}
    before = copy.deepcopy(payload)
    prepared = schemadrive.prepare(schema, payload)
    assert payload == before
    assert prepared["duration"] == 8 and prepared["fps"] == 25
    with pytest.raises(PayloadInvalid) as caught:
        schemadrive.prepare(schema, {"duration": 99})
    assert {p.path for p in caught.value.problems} == {"$.prompt", "$.duration"}
    assert isinstance(caught.value, ValueError)


def test_unknown_parameters_modes() -> None:
    # as Model.validate checks an Oxen model: strict, with the hub's common parameters known
    compiled = compile_schema(
        fixture_schema("ltx-2-3-pro.json"), common=OXEN.common_parameters, strict=True
    )
    payload = {
        "prompt": "x",
        "camera_motion": "none",
        "num_generations": 2,
        "target_namespace": "me",
    }
    assert [p.keyword for p in compiled.validate(payload)] == ["unknown"]
    warned = compiled.validate(payload, unknown="warn")
    assert [p.severity for p in warned] == ["warning"]
    assert compiled.validate(payload, unknown="allow") == []
    assert compiled.prepare(payload, unknown="warn")["camera_motion"] == "none"


def test_a_bare_schema_follows_the_specification_alone() -> None:
    # no hub's parameters, no unknown-name errors, format an annotation (2020-12)
    schema = fixture_schema("ltx-2-3-pro.json")
    payload = {"prompt": "x", "camera_motion": "none", "target_namespace": "me"}
    assert schemadrive.validate(schema, payload) == []
    strict = schemadrive.validate(schema, payload, strict=True)
    assert sorted(p.path for p in strict) == ["$.camera_motion", "$.target_namespace"]
    url = {"type": "string", "format": "uri"}
    assert schemadrive.validate(url, "not a url") == []
    assert [p.keyword for p in schemadrive.validate(url, "not a url", strict=True)] == ["format"]


# -- features real hub schemas use (docs/hub-schemas.md §7) ---------------------------------

OPENAPI_STYLE = {
    "type": "object",
    "properties": {
        "image_size": {
            "anyOf": [
                {"$ref": "#/components/schemas/ImageSize"},
                {"type": "string", "enum": ["square", "landscape"]},
            ],
            "default": "square",
        },
        "mode": {"allOf": [{"$ref": "#/components/schemas/mode"}], "default": "fast", "x-order": 1},
        "resolution": {
            "$ref": "#/components/schemas/Resolution",
            "description": "sibling of $ref",
            "default": "1080p",
        },
        "seed": {"type": "integer", "nullable": True},
        "strength": {"anyOf": [{"type": "number"}, {"type": "null"}], "default": None},
        "tags": {"type": ["array", "null"], "items": {"type": "string"}},
        "level": {"type": "number", "minimum": 0, "exclusiveMinimum": True},
    },
    "required": ["image_size"],
    "basic": ["mode"],
    "components": {
        "schemas": {
            "ImageSize": {
                "type": "object",
                "properties": {
                    "width": {
                        "type": "integer",
                        "exclusiveMinimum": 0,
                        "maximum": 14142,
                        "default": 512,
                    },
                    "height": {
                        "type": "integer",
                        "exclusiveMinimum": 0,
                        "maximum": 14142,
                        "default": 512,
                    },
                },
            },
            "mode": {
                "title": "mode",
                "enum": ["fast", "quality"],
                "description": "An enumeration.",
                "type": "string",
            },
            "Resolution": {"type": "string", "enum": ["720p", "1080p"]},
        }
    },
}


def test_openapi_components_refs_siblings_and_nullable_forms() -> None:
    compiled = compile_schema(OPENAPI_STYLE)
    nulls = {"seed": None, "strength": None, "tags": None}
    assert compiled.validate({"image_size": {"width": 1280, "height": 720}, **nulls}) == []
    assert (
        compiled.validate({"image_size": "landscape", "mode": "quality", "resolution": "720p"})
        == []
    )
    wrong = {"image_size": {"width": 0}, "mode": "slow", "resolution": "4k", "level": 0}
    paths = {(p.path, p.keyword) for p in compiled.validate(wrong)}
    assert ("$.image_size.width", "exclusiveMinimum") in paths
    assert ("$.mode", "enum") in paths
    assert ("$.resolution", "enum") in paths
    assert ("$.level", "exclusiveMinimum") in paths


def test_defaults_through_refs_allof_and_anyof_branches() -> None:
    compiled = compile_schema(OPENAPI_STYLE)
    assert compiled.fill_defaults({"image_size": {}}) == {
        "image_size": {"width": 512, "height": 512},
        "mode": "fast",
        "resolution": "1080p",
        "strength": None,
    }
    # the string branch has no defaults to fill; the object branch is not taken
    assert compiled.fill_defaults({"image_size": "square"})["image_size"] == "square"


def test_fill_defaults_is_idempotent_and_only_fills_absent_keys() -> None:
    compiled = compile_schema(OPENAPI_STYLE)
    once = compiled.fill_defaults({"image_size": {"width": 9}, "mode": "quality"})
    assert compiled.fill_defaults(once) == once
    assert once["mode"] == "quality" and once["image_size"] == {"width": 9, "height": 512}


def test_a_default_invalid_against_its_own_schema_is_not_filled() -> None:
    schema = {
        "type": "object",
        "properties": {
            "seed": {"type": "integer", "default": None},
            "n": {"type": "integer", "default": 2},
        },
    }
    assert schemadrive.fill_defaults(schema, {}) == {"n": 2}


def test_mutable_defaults_are_copied_each_time() -> None:
    schema = {"type": "object", "properties": {"tags": {"type": "array", "default": ["a"]}}}
    first = schemadrive.fill_defaults(schema, {})
    first["tags"].append("b")
    assert schemadrive.fill_defaults(schema, {}) == {"tags": ["a"]}


def test_dialect_from_dollar_schema() -> None:
    draft7 = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": {"d": {"$ref": "#/definitions/d", "minimum": 5}},
        "definitions": {"d": {"type": "integer"}},
    }
    # draft-07 ignores siblings of $ref; 2020-12 applies them
    assert schemadrive.validate(draft7, {"d": 1}) == []
    draft2020 = {
        **draft7,
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$defs": draft7["definitions"],
    }
    assert [p.keyword for p in schemadrive.validate(draft2020, {"d": 1})] == ["minimum"]


def test_remote_refs_are_never_fetched() -> None:
    schema = {"type": "object", "properties": {"a": {"$ref": "https://example.com/schema.json"}}}
    with pytest.raises(SchemaInvalid) as caught:
        schemadrive.validate(schema, {"a": 1})
    assert "never fetched" in caught.value.errors[0]


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "nonsense"},
        {"properties": {"a": {"minimum": "1"}}},
        ["not", "a", "schema"],
        {"pattern": "("},
    ],
)
def test_a_schema_that_fails_its_metaschema_is_schema_invalid(schema: object) -> None:
    with pytest.raises(SchemaInvalid):
        schemadrive.validate(schema, {})  # type: ignore[arg-type]


def test_problems_on_arbitrary_json_are_problems_not_crashes() -> None:
    schema = fixture_schema("ltx-2-3-pro.json")
    for payload in (None, [], "text", 3.5, {"prompt": {"nested": [1, {"x": None}]}}):
        assert schemadrive.validate(schema, payload)


def test_keys_needing_quotes_get_bracket_paths() -> None:
    schema = {"type": "object", "properties": {"a b": {"type": "integer"}}}
    assert [p.path for p in schemadrive.validate(schema, {"a b": "x"})] == ['$["a b"]']
