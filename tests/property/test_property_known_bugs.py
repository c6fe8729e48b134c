"""Problems the property suite found in the core (payloads.py / problems.py), kept as strict
xfails: each turns into a failure ("XPASS strict") the day the core is fixed, so the marker is
removed then. Reported to the lead with these reproducers.
"""

from __future__ import annotations

import contextlib
import sys
from typing import Any

import pytest
from schemas import ALL, DEFAULT_TRIGGERS, EMBEDDED_RELATIVE_REF

from schemadrive.exceptions import PayloadInvalid, SchemadriveError
from schemadrive.payloads import compile_schema


def nested(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.xfail(
    strict=True,
    raises=RecursionError,
    reason="problems.show() calls json.dumps on the offending value and catches only "
    "TypeError/ValueError: a value nested close to the recursion limit passes jsonschema "
    "(which is caught as SchemaInvalid above it) but raises a bare RecursionError from show()",
)
def test_validate_raises_only_schemadrive_errors_on_deeply_nested_values() -> None:
    compiled = compile_schema(ALL["oxen:ltx-2-3-pro"])
    limit = sys.getrecursionlimit()
    for depth in range(limit - 400, limit + 20, 2):
        with contextlib.suppress(SchemadriveError):
            compiled.validate({"prompt": nested(depth)})


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
