"""Problems the property suite found in the core (payloads.py / problems.py), kept as strict
xfails: each turns into a failure ("XPASS strict") the day the core is fixed, so the marker is
removed then. Reported to the lead with these reproducers.
"""

from __future__ import annotations

from typing import Any

import pytest
from schemas import ALL, D2020, PROMPT, URI, obj

from schemadrive.exceptions import PayloadInvalid, SchemadriveError
from schemadrive.payloads import compile_schema

#: Schemas that show a known problem in the core (the xfail tests below).
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


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="an int over 4300 digits makes jsonschema's repr() raise ValueError inside "
    "iter_errors; validate() turns it into SchemaInvalid('the schema could not be applied'), "
    "so prepare() blames the schema (CLI exit 2) instead of raising PayloadInvalid",
)
def test_prepare_reports_a_huge_integer_as_a_payload_problem() -> None:
    compiled = compile_schema(ALL["oxen:ltx-2-3-pro"])
    with pytest.raises(SchemadriveError) as caught:
        compiled.prepare({"prompt": "a cat", "duration": 10**5000})
    assert isinstance(caught.value, PayloadInvalid), repr(caught.value)


@pytest.mark.xfail(
    strict=True,
    raises=SchemadriveError,
    reason="CompiledSchema._check_refs (and _resolve) look every $ref up from the root's base "
    "URI, so '#/$defs/fps' inside an embedded $id resource is 'no such target' and a valid "
    "2020-12 schema is rejected as SchemaInvalid",
)
def test_a_local_ref_inside_an_embedded_id_resource_resolves() -> None:
    compiled = compile_schema(EMBEDDED_RELATIVE_REF)
    assert compiled.validate({"prompt": "a cat", "fps": 25}) == []
    assert [p.keyword for p in compiled.validate({"prompt": "a cat", "fps": 23})] == ["enum"]


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="fill_defaults checks a default only against its own subschema: a filled default "
    "that triggers dependentRequired / if-then makes a valid payload invalid (STYLE.md §13)",
)
@pytest.mark.parametrize("name", sorted(DEFAULT_TRIGGERS))
def test_fill_defaults_never_makes_a_valid_payload_invalid_when_defaults_trigger_conditions(
    name: str,
) -> None:
    compiled = compile_schema(DEFAULT_TRIGGERS[name])
    assert compiled.validate({}) == []
    assert compiled.validate(compiled.fill_defaults({})) == [], compiled.fill_defaults({})
