"""Schemas the property suite runs over: every recorded fixture, and synthetic schemas that each
use one JSON Schema feature real hubs use (docs/hub-schemas.md §7) or that
schemadrive promises to handle (2020-12 keywords, conditionals, the three nullable forms).
"""

from __future__ import annotations

import functools
from typing import Any

from schemadrive import fuzz
from schemadrive.hub.recorded import (
    bundled_dir,
    load_model_objects,
    model_id_of,
    read_json_file,
    schema_of,
)

D2020 = "https://json-schema.org/draft/2020-12/schema"
URI = {"type": "string", "format": "uri"}
PROMPT = {"type": "string", "description": "Text prompt."}


def fixture_schemas() -> dict[str, dict[str, Any]]:
    """Every recorded request schema: current (oxen, gmicloud) and older versions."""
    found: dict[str, dict[str, Any]] = {}
    for provider in ("oxen", "gmicloud"):
        for model_id, model in load_model_objects(provider=provider).items():
            schema = schema_of(model)
            if schema is not None:
                found[f"{provider}:{model_id}"] = schema
        for path in sorted((bundled_dir() / provider / "versions").glob("*.json")):
            model = read_json_file(path)
            schema = schema_of(model)
            if schema is not None:
                found[f"{provider}:{model_id_of(model)}@{path.stem.split('@')[-1]}"] = schema
    return found


def obj(
    properties: dict[str, Any], required: list[str] | None = None, **more: Any
) -> dict[str, Any]:
    """A 2020-12 object schema with these properties (and any other keywords)."""
    schema: dict[str, Any] = {"$schema": D2020, "type": "object", "properties": properties}
    if required:
        schema["required"] = required
    schema.update(more)
    return schema


SYNTHETIC: dict[str, dict[str, Any]] = {
    # $ref into $defs, with siblings that annotate (default) and constrain (maximum).
    "defs-ref-siblings": obj(
        {
            "prompt": PROMPT,
            "resolution": {
                "$ref": "#/$defs/Resolution",
                "default": "1080p",
                "description": "Size.",
            },
            "steps": {"$ref": "#/$defs/Steps", "maximum": 30, "default": 28},
        },
        ["prompt"],
        **{
            "$defs": {
                "Resolution": {"type": "string", "enum": ["720p", "1080p", "4k"]},
                "Steps": {"type": "integer", "minimum": 1, "maximum": 50},
            }
        },
    ),
    # An OpenAPI document: the input schema is a fragment under components/schemas.
    "openapi-components": {
        "openapi": "3.0.4",
        "$ref": "#/components/schemas/Input",
        "components": {
            "schemas": {
                "Input": {
                    "type": "object",
                    "properties": {
                        "prompt": {"type": "string", "title": "Prompt"},
                        "image": {"$ref": "#/components/schemas/Image"},
                    },
                    "required": ["prompt"],
                },
                "Image": {"type": "string", "format": "uri", "title": "Image"},
            }
        },
    },
    # Optional-and-nullable, three ways (docs/hub-schemas.md §7 row 6).
    "nullable-anyof": obj(
        {
            "prompt": PROMPT,
            "seed": {
                "anyOf": [{"type": "integer", "minimum": 0}, {"type": "null"}],
                "default": None,
            },
        },
        ["prompt"],
    ),
    "nullable-oas": obj(
        {
            "prompt": PROMPT,
            "image": {"type": "string", "format": "uri", "nullable": True, "x-order": 1},
        },
        ["prompt"],
    ),
    "nullable-type-list": obj(
        {"prompt": PROMPT, "strength": {"type": ["number", "null"], "minimum": 0, "maximum": 1}},
        ["prompt"],
    ),
    # Replicate/Cog: allOf-wrapped enum components (string and integer) with siblings.
    "allof-wrapped-enum": obj(
        {
            "prompt": PROMPT,
            "output_format": {
                "allOf": [{"$ref": "#/$defs/output_format"}],
                "default": "webp",
                "x-order": 2,
            },
            "num_outputs": {"allOf": [{"$ref": "#/$defs/num_outputs"}], "default": 1, "x-order": 3},
        },
        ["prompt"],
        **{
            "$defs": {
                "output_format": {
                    "title": "output_format",
                    "enum": ["webp", "jpg", "png"],
                    "type": "string",
                    "description": "An enumeration.",
                },
                "num_outputs": {
                    "title": "num_outputs",
                    "enum": [1, 2, 4],
                    "type": "integer",
                    "description": "An enumeration.",
                },
            }
        },
    ),
    "prefix-items": obj(
        {
            "prompt": PROMPT,
            "size": {
                "type": "array",
                "prefixItems": [
                    {"type": "integer", "minimum": 64, "maximum": 2048},
                    {"type": "integer", "minimum": 64, "maximum": 2048},
                ],
                "items": False,
                "minItems": 2,
            },
        },
        ["prompt"],
    ),
    "dependent-required": obj(
        {"prompt": PROMPT, "input_image": URI, "last_frame_image": URI},
        ["prompt"],
        dependentRequired={"last_frame_image": ["input_image"]},
    ),
    "dependent-schemas": obj(
        {
            "prompt": PROMPT,
            "input_image": URI,
            "image_strength": {"type": "number", "minimum": 0, "maximum": 1},
        },
        ["prompt"],
        dependentSchemas={"input_image": {"required": ["image_strength"]}},
    ),
    "if-then-else": obj(
        {
            "mode": {"type": "string", "enum": ["text", "image"]},
            "prompt": PROMPT,
            "input_image": URI,
        },
        ["mode"],
        **{
            "if": {"properties": {"mode": {"const": "image"}}, "required": ["mode"]},
            "then": {"required": ["input_image"]},
            "else": {"required": ["prompt"]},
        },
    ),
    # The prose rule "prompt required if image absent", as schemadrive's fixtures encode it.
    "anyof-required": obj(
        {"prompt": PROMPT, "image_url": URI, "audio_url": URI},
        ["audio_url"],
        anyOf=[{"required": ["prompt"]}, {"required": ["image_url"]}],
    ),
    "oneof-required": obj(
        {"prompt": PROMPT, "image_url": URI, "image_base64": {"type": "string", "format": "byte"}},
        ["prompt"],
        oneOf=[{"required": ["image_url"]}, {"required": ["image_base64"]}],
    ),
    "not-both": obj(
        {"prompt": PROMPT, "seed": {"type": "integer"}, "random_seed": {"type": "boolean"}},
        ["prompt"],
        **{"not": {"required": ["seed", "random_seed"]}},
    ),
    "const": obj(
        {
            "task": {"const": "image_to_video"},
            "version": {"type": "integer", "const": 2},
            "prompt": PROMPT,
        },
        ["task", "prompt"],
    ),
    "formats": obj(
        {
            "input_image": {"type": "string", "format": "uri", "renderType": "image-url"},
            "input_video": {"type": "string", "format": "uri", "renderType": "video-url"},
            "input_audio": {"type": "string", "format": "uri", "renderType": "audio-url"},
            "webhook": {"type": "string", "format": "uri-reference"},
            "request_id": {"type": "string", "format": "uuid"},
            "not_before": {"type": "string", "format": "date-time"},
            "notify": {"type": "string", "format": "email"},
            "weights": {"type": "string", "format": "binary"},
            "hidden_field": {"type": "string", "format": "hidden"},
            "scale": {"type": "number", "format": "double", "minimum": 0},
            "seed": {"type": "integer", "format": "int32"},
        },
        ["input_image"],
    ),
    "numeric-ranges": obj(
        {
            "width": {"type": "integer", "exclusiveMinimum": 0, "maximum": 14142},
            "guidance": {"type": "number", "minimum": 1.5, "exclusiveMaximum": 20},
            "strength": {"type": "number", "multipleOf": 0.05, "minimum": 0, "maximum": 1},
            "steps": {"type": "integer", "minimum": 1, "maximum": 50, "default": 28},
        },
        ["width"],
    ),
    # OpenAPI 3.0's boolean exclusiveMinimum, translated by normalize().
    "oas-exclusive-boolean": obj(
        {
            "prompt": PROMPT,
            "cfg": {"type": "number", "minimum": 0, "exclusiveMinimum": True, "maximum": 10},
        },
        ["prompt", "cfg"],
    ),
    # fal's ImageSize | Enum union, with a string default.
    "anyof-object-or-enum": obj(
        {
            "prompt": PROMPT,
            "image_size": {
                "anyOf": [
                    {"$ref": "#/$defs/ImageSize"},
                    {"type": "string", "enum": ["square_hd", "landscape_4_3", "portrait_16_9"]},
                ],
                "default": "landscape_4_3",
            },
        },
        ["prompt"],
        **{
            "$defs": {
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
                }
            }
        },
    ),
    "strings": obj(
        {
            "prompt": {"type": "string", "minLength": 1, "maxLength": 5000},
            "lora": {"type": "string", "pattern": "^[a-z0-9-]{3,20}$"},
        },
        ["prompt"],
    ),
    "arrays": obj(
        {
            "prompt": PROMPT,
            "input_images": {
                "type": "array",
                "items": URI,
                "minItems": 1,
                "maxItems": 4,
                "uniqueItems": True,
            },
            "tags": {"type": "array", "items": {"type": "string"}, "contains": {"const": "main"}},
        },
        ["input_images"],
    ),
    "nested-objects": obj(
        {
            "prompt": PROMPT,
            "camera": {
                "type": "object",
                "properties": {
                    "motion": {"enum": ["static", "dolly_in"]},
                    "speed": {"type": "number", "minimum": 0},
                },
                "required": ["motion"],
                "additionalProperties": False,
            },
            "loras": {
                "type": "object",
                "additionalProperties": {"type": "number", "minimum": 0, "maximum": 2},
            },
        },
        ["prompt"],
    ),
    # Like the strict ltx-2-3-pro-audio-to-video fixture: root $ref across an embedded $id.
    "embedded-id": {
        "$schema": D2020,
        "$id": "urn:test:strict",
        "$ref": "urn:test:served",
        "anyOf": [{"required": ["prompt"]}, {"required": ["input_image"]}],
        "$defs": {
            "served": {
                "$id": "urn:test:served",
                "type": "object",
                "properties": {"prompt": PROMPT, "input_image": URI, "fps": {"enum": [24, 25, 50]}},
            }
        },
    },
    # draft-07: `definitions`, and $ref siblings that draft-07 ignores.
    "draft07-definitions": {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "definitions": {"Steps": {"type": "integer", "minimum": 1, "maximum": 50}},
        "properties": {
            "prompt": {"type": "string"},
            "steps": {"$ref": "#/definitions/Steps", "maximum": 5},
        },
        "required": ["prompt"],
    },
    # Annotations and custom keywords that must be ignored (x-*, Oxen's basic/renderType).
    "extensions": obj(
        {
            "prompt": {"type": "string", "x-order": 0, "x-ui-hidden": False},
            "image": {"type": "string", "format": "uri", "renderType": "image-url", "x-order": 1},
        },
        ["prompt"],
        basic=["image"],
        **{"x-fal-order-properties": ["prompt", "image"]},
    ),
    "recursive": obj(
        {"prompt": PROMPT, "layout": {"$ref": "#/$defs/Node"}},
        ["prompt"],
        **{
            "$defs": {
                "Node": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string"},
                        "children": {"type": "array", "items": {"$ref": "#/$defs/Node"}},
                    },
                    "required": ["name"],
                }
            }
        },
    ),
    "boolean-subschemas": obj({"prompt": PROMPT, "anything": True, "metadata": {}}, ["prompt"]),
    "multi-type": obj(
        {"seed": {"type": ["integer", "string"]}, "size": {"enum": [512, "auto", None]}},
        ["seed"],
    ),
    "unevaluated-properties": {
        "$schema": D2020,
        "type": "object",
        "allOf": [
            {"properties": {"prompt": PROMPT}, "required": ["prompt"]},
            {"properties": {"seed": {"type": "integer"}}},
        ],
        "unevaluatedProperties": False,
    },
}


ALL: dict[str, dict[str, Any]] = {**fixture_schemas(), **SYNTHETIC}


@functools.cache
def valid(name: str, fill_defaults: bool = False) -> Any:
    """The (cached) strategy of valid payloads for ``ALL[name]``."""
    return fuzz.payloads(ALL[name], fill_defaults=fill_defaults)


@functools.cache
def invalid(name: str) -> Any:
    """The (cached) strategy of ``(payload, rule)`` for ``ALL[name]``."""
    return fuzz.invalid_payloads(ALL[name])
