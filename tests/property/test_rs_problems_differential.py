"""Problems built from jsonschema-rs errors (schemadrive/schema/rserrors.py) are jsonschema's
problems: the same path, keyword, message, hint and severity, in the same order, for every
payload; and defaults filled with jsonschema-rs's help (conditional schemas) are the slow
path's. Over the bundled fixtures, the hand-written schemas, the conditional benchmark schema
and hypothesis-drawn schemas (if/then/else, dependentSchemas, oneOf/anyOf with defaults, not,
enum, const, ranges, lengths, arrays, additionalProperties) with drawn payloads.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from unit.test_fast_path import FIXTURES, HAND, random_payloads

from schemadrive.exceptions import PayloadInvalid, SchemadriveError
from schemadrive.hub.providers import HUB_COMMON_PARAMETERS
from schemadrive.schema import rserrors
from schemadrive.schema.compile import CompiledSchema

pytest.importorskip("jsonschema_rs")

CONDITIONAL = json.loads(
    (Path(__file__).parents[1] / "benchmarks" / "conditional_schema.json").read_text()
)
SCHEMAS = {**FIXTURES, **HAND, "conditional": CONDITIONAL}
NAMES = ["a", "b", "c", "mode", "tier", "n"]


def full(compiled: CompiledSchema, payload: Any, unknown: Any) -> Any:
    """Everything a user sees of validate, fill_defaults and prepare."""
    try:
        problems = [
            (p.path, p.keyword, p.message, p.hint, p.severity)
            for p in compiled.validate(payload, unknown=unknown)
        ]
    except SchemadriveError as exc:
        problems = [("raises", type(exc).__name__)]  # type: ignore[list-item]
    try:
        filled = ("ok", compiled.fill_defaults(payload))
    except SchemadriveError as exc:
        filled = ("raises", type(exc).__name__)
    try:
        prepared: Any = ("ok", compiled.prepare(payload, unknown=unknown))
    except PayloadInvalid as exc:
        prepared = ("invalid", [(p.path, p.keyword, p.message, p.hint) for p in exc.problems])
    except SchemadriveError as exc:
        prepared = ("raises", type(exc).__name__)
    return problems, filled, prepared


@functools.cache
def compiled_pair(name: str, strict: bool) -> tuple[CompiledSchema, CompiledSchema]:
    options: dict[str, Any] = {"strict": strict, "common": HUB_COMMON_PARAMETERS}
    return (
        CompiledSchema(SCHEMAS[name], fast=True, **options),
        CompiledSchema(SCHEMAS[name], fast=False, **options),
    )


def test_the_builder_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """Invalid payloads of plain keywords are explained from jsonschema-rs's errors."""
    fast, _ = compiled_pair("conditional", True)
    used: list[bool] = []
    original = rserrors.rs_errors
    monkeypatch.setattr(
        rserrors, "rs_errors", lambda *a: used.append((r := original(*a)) is not None) or r
    )
    problems = fast.validate({"prompt": 5, "num_frames": 999, "resoluton": "square"})
    assert [(p.path, p.keyword) for p in problems] == [
        ("$.num_frames", "maximum"),
        ("$.prompt", "type"),
        ("$.resoluton", "unknown"),
    ]
    assert used == [True]


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_fixtures_and_hand_written_schemas(name: str) -> None:
    import random

    schema = SCHEMAS[name]
    payloads = random_payloads(schema, random.Random(14), 60)
    for strict in (False, True):
        fast, slow = compiled_pair(name, strict)
        for index, payload in enumerate(payloads):
            unknown = ("error", "warn", "allow")[index % 3]
            expected = full(slow, payload, unknown)
            assert full(fast, payload, unknown) == expected, payload
            # again: now the fast path's problems come from what it built the first time
            assert full(fast, payload, unknown) == expected, payload


# -- hypothesis-drawn schemas --------------------------------------------------------------
SCALARS = st.none() | st.booleans() | st.integers(-5, 5) | st.sampled_from([0.5, 2.5, "x", "ab"])


@st.composite
def leaf(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["integer", "number", "string", "boolean", "array", None]))
    out: dict[str, Any] = {} if kind is None else {"type": kind}
    if kind in ("integer", "number"):
        if draw(st.booleans()):
            out["minimum"] = draw(st.integers(-3, 0))
        if draw(st.booleans()):
            out["maximum"] = draw(st.integers(1, 4))
        if draw(st.booleans()):
            out["exclusiveMaximum"] = draw(st.integers(2, 5))
    elif kind == "string":
        if draw(st.booleans()):
            out["enum"] = draw(st.lists(st.sampled_from(["x", "ab", "abc", "q"]), min_size=1))
        if draw(st.booleans()):
            out["maxLength"] = draw(st.integers(0, 2))
        if draw(st.booleans()):
            out["pattern"] = "^a"
    elif kind == "array":
        out["items"] = {"type": draw(st.sampled_from(["integer", "string"]))}
        if draw(st.booleans()):
            out["maxItems"] = 2
        if draw(st.booleans()):
            out["uniqueItems"] = True
    elif draw(st.booleans()):
        out["const"] = draw(SCALARS)
    if draw(st.booleans()):
        out["default"] = draw(SCALARS | st.lists(st.integers(0, 3), max_size=2))
    return out


@st.composite
def object_schema(draw: st.DrawFn, depth: int = 0) -> dict[str, Any]:
    names = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=4, unique=True))
    properties: dict[str, Any] = {}
    for name in names:
        if depth < 1 and draw(st.integers(0, 4)) == 0:
            properties[name] = draw(object_schema(depth + 1))
        else:
            properties[name] = draw(leaf())
    out: dict[str, Any] = {"type": "object", "properties": properties}
    if draw(st.booleans()):
        out["required"] = draw(st.lists(st.sampled_from(names), max_size=2, unique=True))
    if draw(st.integers(0, 3)) == 0:
        out["additionalProperties"] = False
    if depth < 1 and draw(st.booleans()):
        keyword = draw(st.sampled_from(["oneOf", "anyOf"]))
        out[keyword] = [
            {"properties": {draw(st.sampled_from(names)): draw(leaf())}, "required": [n]}
            for n in draw(st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True))
        ]
    if depth < 1 and draw(st.booleans()):
        name = draw(st.sampled_from(names))
        out["if"] = {"properties": {name: {"const": draw(SCALARS)}}, "required": [name]}
        out["then"] = {"properties": {draw(st.sampled_from(names)): draw(leaf())}}
        if draw(st.booleans()):
            out["else"] = {"required": [draw(st.sampled_from(names))]}
    if depth < 1 and draw(st.booleans()):
        out["dependentSchemas"] = {
            draw(st.sampled_from(names)): {
                "properties": {draw(st.sampled_from(names)): draw(leaf())}
            }
        }
    if draw(st.integers(0, 4)) == 0:
        out["not"] = {"required": [draw(st.sampled_from(names))]}
    return out


VALUES = st.recursive(
    SCALARS | st.text(alphabet="abq", max_size=3),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(NAMES), inner),
    max_leaves=6,
)


@given(object_schema(), st.lists(st.dictionaries(st.sampled_from(NAMES + ["zz"]), VALUES)))
def test_drawn_schemas_and_payloads(schema: dict[str, Any], payloads: list[Any]) -> None:
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
    try:
        slow = CompiledSchema(schema, fast=False, strict=True)
    except SchemadriveError:
        return  # e.g. an invalid default is fine, a schema failing its metaschema is not ours
    fast = CompiledSchema(schema, fast=True, strict=True)
    for payload in payloads:
        for unknown in ("error", "allow"):
            assert full(fast, payload, unknown) == full(slow, payload, unknown), payload


def test_problems_built_once_never_show_another_payloads_value() -> None:
    """Problems are kept by the place and value of each error: a second payload failing at
    the same places with other values gets its own values in its messages (one value in
    a failed oneOf of types; a whole object refused by a ``not`` inside a ``oneOf``)."""
    schema = {
        "properties": {"x": {"oneOf": [{"type": "string"}, {"type": "integer"}]}},
        "oneOf": [{"not": {"required": ["a"]}}, {"required": ["b"], "properties": {"b": {}}}],
    }
    compiled = CompiledSchema(schema, fast=True)
    messages = []
    for payload in ({"x": 1.5}, {"x": 2.5}, {"a": 1}, {"a": 2}, {"a": 2}):
        messages.append([p.message for p in compiled.validate(payload)])
    assert messages == [
        ["expected a string or an integer, got number 1.5"],
        ["expected a string or an integer, got number 2.5"],
        ['{"a": 1} is not allowed here'],
        ['{"a": 2} is not allowed here'],
        ['{"a": 2} is not allowed here'],
    ]
