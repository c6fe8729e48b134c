"""schemadrive.fuzz: schema preparation (refs, merges), realistic formats, the seeded runner."""

from __future__ import annotations

from typing import Any

import pytest

from schemadrive.exceptions import ConfigurationError
from schemadrive.fuzz import (
    _invalid,
    _schema,
    _valid,
    examples,
    invalid_payloads,
    media_uris,
    payloads,
)
from schemadrive.schema.compile import compile_schema

D2020 = "https://json-schema.org/draft/2020-12/schema"
D07 = "http://json-schema.org/draft-07/schema#"


def inline(schema: dict[str, Any]) -> Any:
    return _schema._inline(compile_schema(schema))


@pytest.mark.parametrize(
    ("kind", "endings"),
    [
        ("image", (".png", ".jpg", ".webp")),
        ("video", (".mp4", ".webm")),
        ("audio", (".mp3", ".wav")),
    ],
)
def test_media_uris_are_urls_or_data_uris_of_their_kind(
    kind: str, endings: tuple[str, ...]
) -> None:
    uri = compile_schema({"type": "string", "format": "uri"})
    values = examples(media_uris(kind), 40, seed=1)
    assert len(values) == 40
    for value in values:
        assert uri.validate(value) == []
        assert value.startswith(f"data:{kind}/") or (
            value.startswith("https://") and value.endswith(endings)
        )
    assert any(v.startswith("data:") for v in values) and any(
        v.startswith("https:") for v in values
    )


def test_property_names_and_render_types_choose_the_media() -> None:
    assert _valid._media_hint("input_audio", {}) == "audio"
    assert _valid._media_hint("last_frame_image", {}) == "image"
    assert _valid._media_hint("reference", {"renderType": "video-url"}) == "video"
    assert _valid._media_hint("webhook", {}) is None


def test_refs_are_inlined_and_2020_12_siblings_kept() -> None:
    schema = {
        "$schema": D2020,
        "$defs": {"Steps": {"type": "integer", "maximum": 50}},
        "properties": {"steps": {"$ref": "#/$defs/Steps", "maximum": 5}},
    }
    steps = inline(schema)["properties"]["steps"]
    assert steps == {"maximum": 5, "allOf": [{"type": "integer", "maximum": 50}]}
    assert all(p.get("steps", 0) <= 5 for p in examples(payloads(schema), 30, seed=0))


def test_draft_07_ignores_the_siblings_of_ref() -> None:
    schema = {
        "$schema": D07,
        "definitions": {"Steps": {"type": "integer", "maximum": 50}},
        "properties": {"steps": {"$ref": "#/definitions/Steps", "maximum": 5}},
    }
    assert inline(schema)["properties"]["steps"] == {"type": "integer", "maximum": 50}


def test_refs_across_embedded_ids_and_openapi_components() -> None:
    embedded = {
        "$schema": D2020,
        "$id": "urn:a",
        "$ref": "urn:b",
        "$defs": {"b": {"$id": "urn:b", "properties": {"x": {"type": "integer"}}}},
    }
    assert inline(embedded)["allOf"][0]["properties"] == {"x": {"type": "integer"}}
    openapi = {
        "$ref": "#/components/schemas/In",
        "components": {"schemas": {"In": {"required": ["p"]}}},
    }
    assert inline(openapi) == {"allOf": [{"required": ["p"]}]}


def test_recursive_refs_are_cut() -> None:
    schema = {
        "$schema": D2020,
        "$defs": {"Node": {"type": "object", "properties": {"child": {"$ref": "#/$defs/Node"}}}},
        "properties": {"tree": {"$ref": "#/$defs/Node"}},
    }
    text = repr(inline(schema))
    assert "False" in text and "$ref" not in text
    # two expansions, then no further level
    assert examples(payloads(schema), 10, seed=0) == [{}, {"tree": {}}, {"tree": {"child": {}}}]


def test_merging_intersects_what_both_allow() -> None:
    merge = _schema._merge
    assert merge({"type": ["integer", "string"]}, {"type": "number"}) == {"type": ["integer"]}
    assert merge({"enum": [1, 2, 3]}, {"enum": [3, 4]}) == {"enum": [3]}
    assert merge({"enum": [1]}, {"enum": [2]}) is None
    assert merge({"minimum": 1, "maximum": 9}, {"minimum": 3, "maximum": 12}) == {
        "minimum": 3,
        "maximum": 9,
    }
    assert merge({"required": ["a"]}, {"required": ["b", "a"]}) == {"required": ["a", "b"]}
    assert merge({"pattern": "^a"}, {"pattern": "b$"}) == {
        "pattern": "^a",
        "__checks__": [{"pattern": "b$"}],
    }


def test_an_unsatisfiable_schema_gives_an_empty_strategy() -> None:
    schema = {"type": "object", "properties": {"a": False}, "required": ["a"]}
    assert payloads(schema).is_empty
    assert invalid_payloads(schema).is_empty
    assert examples(payloads(schema), 5, seed=0) == []


def test_invalid_payloads_can_be_narrowed_to_rules() -> None:
    schema = {
        "type": "object",
        "properties": {"n": {"type": "integer", "minimum": 1, "maximum": 3}},
    }
    found = examples(invalid_payloads(schema, rules=["range"]), 10, seed=0)
    assert found and {rule for _, rule in found} == {"range"}
    assert all(p["n"] < 1 or p["n"] > 3 for p, _ in found)
    with pytest.raises(ConfigurationError, match="unknown rules"):
        invalid_payloads(schema, rules=["typo"])
    assert invalid_payloads(
        {"type": "object", "additionalProperties": True}
    ).is_empty  # nothing to break


def test_near_misses_and_typos_look_like_mistakes() -> None:
    assert {"1080P", "1080px", " 1080p"} <= set(_invalid._near_misses(["1080p"]))
    assert {7, 5, "6"} <= set(_invalid._near_misses([6]))
    assert {"propt", "prompts", "PROMPT"} <= set(_invalid._typos("prompt"))


def test_examples_are_distinct_reproducible_and_bounded() -> None:
    schema = compile_schema(
        {"type": "object", "properties": {"n": {"type": "integer"}, "s": {"type": "string"}}}
    )
    first = examples(payloads(schema), 30, seed=11)
    assert first == examples(payloads(schema), 30, seed=11)
    assert len(first) == 30 and len({repr(sorted(p.items())) for p in first}) == 30
    assert examples(payloads(schema), 0, seed=11) == []
    assert len(examples(payloads(schema), 3)) == 3  # no seed: hypothesis chooses one


def test_examples_stop_at_what_exists() -> None:
    schema = {"type": "object", "properties": {"x": {"enum": [1, 2]}}, "required": ["x"]}
    assert sorted(p["x"] for p in examples(payloads(schema), 10, seed=0)) == [1, 2]
