"""lint, diff and recheck never crash: on arbitrary JSON and on arbitrary schema-shaped
objects they return findings or changes, or raise a typed schemadrive error. Findings point
at real places in the schema, and a schema compared with itself has no changes."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from schemadrive.exceptions import SchemadriveError
from schemadrive.linting import RULES, SEVERITIES, Finding, lint
from schemadrive.linting.drift import Change, diff, recheck

NAMES = st.sampled_from(["prompt", "seed", "input_image", "a", "b", "mode", "x/y", "~0"])
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8)
)
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=25,
)
PROSE = st.sampled_from([
    "Required if image is not provided.", "If not provided, prompt is required.",
    "If None, a random seed is chosen.", "Either a or b must be provided.",
    "Required when mode is set.", "Use 'none' for nothing.", "Defaults to null.", "Plain text.",
])  # fmt: skip
REFS = st.sampled_from([
    "#", "#/$defs/a", "#/$defs/missing", "#/properties/a", "#/properties/a/items", "#anchor",
    "https://example.com/s.json", "urn:x", "urn:x#/$defs/a", "other.json", "#/%24defs/a", "#/",
])  # fmt: skip
TYPES = st.sampled_from(
    ["string", "integer", "number", "boolean", "object", "array", "null", "strin"]
)
NUMBERS = st.integers(-5, 5) | st.floats(-5, 5) | st.sampled_from([float("inf"), True, "3"])


def keyword_values(schemas: Any) -> Any:
    """A dict of JSON Schema keywords with plausible (and sometimes wrong) values."""
    return st.fixed_dictionaries({}, optional={
        "type": TYPES | st.lists(TYPES, max_size=3),
        "properties": st.dictionaries(NAMES, schemas, max_size=3),
        "required": st.lists(NAMES, max_size=3) | SCALARS,
        "items": schemas | st.lists(schemas, max_size=2),
        "allOf": st.lists(schemas, max_size=2),
        "anyOf": st.lists(schemas, max_size=2),
        "oneOf": st.lists(schemas, max_size=2),
        "not": schemas,
        "if": schemas, "then": schemas, "else": schemas,
        "$ref": REFS | SCALARS,
        "$id": st.sampled_from(["urn:x", "https://example.com/r.json", "rel/path", "#f"]) | SCALARS,
        "$anchor": st.just("anchor"),
        "$defs": st.dictionaries(st.sampled_from(["a", "b"]), schemas, max_size=2),
        "$schema": st.sampled_from([
            "https://json-schema.org/draft/2020-12/schema", "http://json-schema.org/draft-07/schema#",
            "http://json-schema.org/draft-04/schema#", "https://example.com/unknown",
        ]) | SCALARS,
        "components": st.fixed_dictionaries(
            {"schemas": st.dictionaries(NAMES, schemas, max_size=2)}
        ),
        "enum": st.lists(SCALARS, max_size=4) | SCALARS,
        "const": SCALARS,
        "default": JSON,
        "examples": st.lists(SCALARS, max_size=2) | SCALARS,
        "example": SCALARS,
        "minimum": NUMBERS, "maximum": NUMBERS,
        "exclusiveMinimum": NUMBERS, "exclusiveMaximum": NUMBERS, "multipleOf": NUMBERS,
        "minLength": NUMBERS, "maxLength": NUMBERS, "minItems": NUMBERS, "maxItems": NUMBERS,
        "format": st.sampled_from(["uri", "url", "date", "int64", "hidden"]) | SCALARS,
        "pattern": st.sampled_from(["^a$", "(", "(?P<x>a)", "\\Z", "[a-"]) | SCALARS,
        "patternProperties": st.dictionaries(st.sampled_from(["^x", "("]), schemas, max_size=2),
        "additionalProperties": schemas,
        "dependentRequired": st.dictionaries(NAMES, st.lists(NAMES, max_size=2), max_size=2),
        "dependencies": st.dictionaries(NAMES, st.lists(NAMES, max_size=2) | schemas, max_size=2),
        "description": PROSE | SCALARS,
        "nullable": st.booleans(),
        "renderType": st.sampled_from(["image-url", "audio-url", "text"]),
        "minimun": NUMBERS, "x-order": st.integers(0, 3), "basic": st.lists(NAMES, max_size=2),
    })  # fmt: skip


SCHEMAS = st.recursive(st.booleans() | st.just({}), keyword_values, max_leaves=12)


def check_findings(schema: Any) -> list[Finding]:
    try:
        findings = lint(schema, enable=["all"])
    except SchemadriveError as exc:
        # a typed error, not a bug in a rule converted into one
        assert exc.__cause__ is None or isinstance(exc.__cause__, RecursionError), repr(
            exc.__cause__
        )
        return []
    for finding in findings:
        assert isinstance(finding, Finding)
        assert finding.code in RULES and finding.name == RULES[finding.code].name
        assert finding.severity in SEVERITIES
        assert finding.path == "" or finding.path.startswith("/")
        assert isinstance(finding.message, str) and finding.message
    return findings


def resolves(schema: Any, pointer: str) -> bool:
    value = schema
    for token in pointer.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(value, dict) and token in value:
            value = value[token]
        elif isinstance(value, list) and token.isdigit() and int(token) < len(value):
            value = value[int(token)]
        else:
            return False
    return True


@given(JSON)
def test_lint_on_arbitrary_json(value: Any) -> None:
    check_findings(value)


@given(SCHEMAS)
def test_lint_on_schema_shaped_objects(schema: Any) -> None:
    before = copy.deepcopy(schema)
    for finding in check_findings(schema):
        if finding.code != "SD001":  # metaschema paths are into the normalized schema
            assert resolves(schema, finding.path), finding
    assert repr(schema) == repr(before)  # lint never changes its input


def check_changes(old: Any, new: Any) -> list[Change]:
    try:
        changes = diff(old, new, descriptions=True)
    except SchemadriveError as exc:
        assert exc.__cause__ is None or isinstance(exc.__cause__, RecursionError), repr(
            exc.__cause__
        )
        return []
    for change in changes:
        assert isinstance(change, Change) and change.path.startswith("$")
        assert isinstance(change.breaking, bool) and change.kind and change.message
    return changes


@given(JSON, JSON)
def test_diff_on_arbitrary_json(old: Any, new: Any) -> None:
    check_changes(old, new)


@given(SCHEMAS, SCHEMAS)
def test_diff_on_schema_shaped_objects(old: Any, new: Any) -> None:
    check_changes(old, new)


@given(SCHEMAS)
def test_a_schema_has_no_changes_against_itself(schema: Any) -> None:
    if isinstance(schema, dict):
        assert check_changes(schema, copy.deepcopy(schema)) == []


@given(SCHEMAS, st.lists(JSON, max_size=3))
def test_recheck_returns_failures_or_a_typed_error(schema: Any, payloads: list[Any]) -> None:
    try:
        failures = recheck(payloads, schema, old=schema)
    except SchemadriveError:
        return
    assert all(0 <= f.index < len(payloads) and f.problems for f in failures)
    assert all(f.failed_before for f in failures)
