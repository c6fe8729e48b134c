"""Regressions: edge cases the property suite found in the core, each fixed and kept here.

A $ref inside an embedded $id resource; defaults that switch a conditional on; an integer
beyond Python's digit limit reported as a payload problem, not a schema one.
"""

from __future__ import annotations

from typing import Any

import pytest
from schemas import ALL, D2020, PROMPT, URI, obj

from schemadrive.exceptions import PayloadInvalid, SchemadriveError
from schemadrive.schema.compile import compile_schema

#: Schemas that once showed a problem in the core.
EMBEDDED_RELATIVE_REF: dict[str, Any] = {
    # A `$ref` inside an embedded `$id` resource resolves against that resource (2020-12 §8.2).
    "$schema": D2020,
    "$id": "urn:test:strict",
    "$ref": "urn:test:served",
    "$defs": {
        "served": {
            "$id": "urn:test:served",
            "type": "object",
            "properties": {"prompt": PROMPT, "fps": {"$ref": "#/$defs/fps"}},
            "$defs": {"fps": {"type": "integer", "enum": [24, 25, 50]}},
        }
    },
}
DEFAULT_TRIGGERS: dict[str, dict[str, Any]] = {
    # A default that, once filled, switches on a conditional the payload does not meet.
    "dependentRequired": obj(
        {
            "prompt": PROMPT,
            "generate_audio": {"type": "boolean", "default": True},
            "audio_prompt": PROMPT,
        },
        dependentRequired={"generate_audio": ["audio_prompt"]},
    ),
    "if-then": obj(
        {
            "task": {"enum": ["text_to_video", "image_to_video"], "default": "image_to_video"},
            "input_image": URI,
        },
        **{
            "if": {"properties": {"task": {"const": "image_to_video"}}, "required": ["task"]},
            "then": {"required": ["input_image"]},
        },
    ),
}


def test_prepare_reports_a_huge_integer_as_a_payload_problem() -> None:
    compiled = compile_schema(ALL["oxen:ltx-2-3-pro"])
    with pytest.raises(SchemadriveError) as caught:
        compiled.prepare({"prompt": "a cat", "duration": 10**5000})
    assert isinstance(caught.value, PayloadInvalid), repr(caught.value)


def test_a_local_ref_inside_an_embedded_id_resource_resolves() -> None:
    compiled = compile_schema(EMBEDDED_RELATIVE_REF)
    assert compiled.validate({"prompt": "a cat", "fps": 25}) == []
    assert [p.keyword for p in compiled.validate({"prompt": "a cat", "fps": 23})] == ["enum"]


@pytest.mark.parametrize("name", sorted(DEFAULT_TRIGGERS))
def test_fill_defaults_never_makes_a_valid_payload_invalid_when_defaults_trigger_conditions(
    name: str,
) -> None:
    compiled = compile_schema(DEFAULT_TRIGGERS[name])
    assert compiled.validate({}) == []
    assert compiled.validate(compiled.fill_defaults({})) == [], compiled.fill_defaults({})
