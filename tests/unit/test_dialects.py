"""Compiling without jsonschema (schemadrive/schema/dialects.py) answers only where jsonschema
would answer the same: the draft of each ``$schema`` it knows is jsonschema's, and a schema it
calls certainly valid passes the metaschema check as schemadrive runs it with jsonschema (over
every schema of the JSON Schema Test Suite, each also broken in several ways, and the bundled
fixtures). Where it is not certain, jsonschema decides, with the same errors as before.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from unit.test_fast_path import FIXTURES, HAND
from unit.test_json_schema_suite import DRAFTS, SUITE, _with_dialect

from schemadrive import SchemaInvalid
from schemadrive.schema.compile import CompiledSchema
from schemadrive.schema.dialects import DIALECTS, _plain_uri, certainly_valid, dialect_name
from schemadrive.schema.normalize import normalize
from schemadrive.schema.validators import dialect_class, metaschema_errors

pytest.importorskip("jsonschema_rs")


@pytest.mark.parametrize("uri", sorted(DIALECTS))
def test_each_known_uri_names_jsonschemas_own_class(uri: str) -> None:
    schema = {"$schema": uri}
    name, meta = dialect_name(schema)  # type: ignore[misc]
    cls = dialect_class(schema)
    assert (name, meta) == (cls.__name__, cls.META_SCHEMA["$schema"])


def test_no_schema_is_2020_12_and_an_odd_one_is_left_to_jsonschema() -> None:
    assert dialect_name({"type": "string"}) == ("Draft202012Validator", DIALECTS[
        "https://json-schema.org/draft/2020-12/schema"][1])  # fmt: skip
    assert dialect_name({"$schema": "https://example.com/my-meta"}) is None
    assert dialect_name({"$schema": 7}) is None


URI_CHARACTERS = st.sampled_from(list("ab09:/#?@!$&()*+,;=%._~-[] '\""))
URI_REFERENCE = jsonschema.Draft202012Validator.FORMAT_CHECKER


@settings(max_examples=3000, deadline=None)
@given(st.text(URI_CHARACTERS, max_size=14))
def test_a_plain_uri_is_a_uri_reference_to_jsonschema(text: str) -> None:
    if _plain_uri(text):
        assert URI_REFERENCE.conforms(text, "uri-reference"), text


@pytest.mark.parametrize(
    "text", ["#/$defs/a", "urn:x:y-1:2026", "https://example.com/s.json#/a", "other.json"]
)
def test_the_usual_references_are_plain(text: str) -> None:
    assert _plain_uri(text)


#: Wrong values put in place of a keyword's value, to make schemas the metaschema refuses.
WRONG = ["x", -1, 1.5, {}, [], [1, 1], None, "a b", "([", {"a": 1}, True]


def _broken(schema: Any) -> list[Any]:
    """``schema`` with each keyword of its root and first level replaced by each wrong value."""
    out = []
    if not isinstance(schema, dict):
        return out
    for key in list(schema)[:6]:
        for wrong in WRONG:
            broken = copy.deepcopy(schema)
            broken[key] = wrong
            out.append(broken)
    for key, value in list(schema.items())[:3]:
        if isinstance(value, dict):
            for inner in list(value)[:3]:
                for wrong in WRONG[:6]:
                    broken = copy.deepcopy(schema)
                    broken[key][inner] = wrong
                    out.append(broken)
    return out


def _suite_schemas() -> list[Any]:
    found = []
    for draft in DRAFTS:
        for path in sorted((SUITE / "tests" / draft).glob("*.json")):
            for case in json.loads(path.read_text("utf-8")):
                found.append(_with_dialect(case["schema"], draft))
    return found


def test_certainly_valid_schemas_pass_the_metaschema() -> None:
    schemas = _suite_schemas() + list(FIXTURES.values()) + list(HAND.values())
    checked = certain = refused = 0
    for original in schemas:
        for schema in [original, *_broken(original)]:
            try:
                normalized = normalize(schema)
            except SchemaInvalid:
                continue
            if not isinstance(normalized, dict):
                continue
            checked += 1
            if certainly_valid(normalized):
                certain += 1
                errors = metaschema_errors(dialect_class(normalized), normalized)
                assert errors == [], (schema, errors)
            else:
                refused += 1
    assert certain > 4_000 and refused > 4_000, (checked, certain, refused)


def test_an_uncertain_schema_gets_jsonschemas_errors() -> None:
    """Not certain (a pattern no engine accepts, an $id with a space, a wrong type): the
    metaschema errors are jsonschema's, as before."""
    for schema, where in [
        ({"type": "object", "properties": {"a": {"pattern": "(["}}}, "$.properties.a.pattern"),
        ({"$id": "a b", "type": "object"}, '$["$id"]'),
        ({"type": "strin"}, "$.type"),
    ]:
        assert not certainly_valid(schema)
        with pytest.raises(SchemaInvalid) as caught:
            CompiledSchema(schema)
        assert any(str(e).startswith(where) for e in caught.value.errors), caught.value.errors
