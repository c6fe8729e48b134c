"""The fast path (jsonschema-rs) and the slow path (jsonschema) give the same verdict, and the
same problems, on hypothesis-drawn payloads: valid ones (schemadrive.fuzz), invalid ones
(one mutation away), and arbitrary JSON objects with the schema's names, common and unknown
names, boundary numbers and Python values that are not plain JSON.

Schemas: every bundled fixture and the hand-written ones of tests/unit/test_fast_path.py.
Run longer with ``pytest --hypothesis-profile=long --timeout=0`` and this file's path.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from unit.test_fast_path import (
    EXOTIC,
    FIXTURES,
    HAND,
    STRINGS,
    outcome,
    schema_names,
    schema_numbers,
)

from schemadrive.hub.providers import HUB_COMMON_PARAMETERS
from schemadrive.schema.compile import CompiledSchema

pytest.importorskip("jsonschema_rs")

SCHEMAS = {**FIXTURES, **HAND}
UNKNOWN = st.sampled_from(["error", "warn", "allow"])


@functools.cache
def pair(name: str) -> tuple[CompiledSchema, CompiledSchema]:
    return CompiledSchema(SCHEMAS[name], fast=True), CompiledSchema(SCHEMAS[name], fast=False)


@functools.cache
def valid_payloads(name: str) -> st.SearchStrategy[Any]:
    from schemadrive import fuzz

    return fuzz.payloads(SCHEMAS[name])


@functools.cache
def scalars(name: str) -> st.SearchStrategy[Any]:
    return (
        st.none()
        | st.booleans()
        | st.integers(-(2**70), 2**70)
        | st.floats(allow_nan=True, allow_infinity=True)
        | st.text(max_size=8)
        | st.sampled_from(schema_numbers(SCHEMAS[name]) + STRINGS)
        # indices, not the values: NaN and mutable elements would make the draws look flaky
        | st.integers(0, len(EXOTIC) - 1).map(lambda i: copy.deepcopy(EXOTIC[i]))
    )


@functools.cache
def json_values(name: str) -> st.SearchStrategy[Any]:
    keys = st.sampled_from(schema_names(SCHEMAS[name]) or ["a"]) | st.text(max_size=4)
    return st.recursive(
        scalars(name),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
        max_leaves=12,
    )


@functools.cache
def names(name: str) -> st.SearchStrategy[str]:
    declared = schema_names(SCHEMAS[name]) or ["a"]
    return (
        st.sampled_from(declared)
        | st.sampled_from(sorted(HUB_COMMON_PARAMETERS))
        | st.sampled_from([n + "s" for n in declared] + ["promt", "extra"])
        | st.text(max_size=6)
    )


@st.composite
def cases(draw: st.DrawFn) -> tuple[str, Any, str]:
    name = draw(st.sampled_from(sorted(SCHEMAS)))
    how = draw(st.sampled_from(["valid", "mutated", "arbitrary"]))
    if how == "arbitrary":
        payload: Any = draw(st.dictionaries(names(name), json_values(name), max_size=8))
    else:
        payload = dict(draw(valid_payloads(name)))
        for _ in range(draw(st.integers(0 if how == "valid" else 1, 3))):
            if payload and draw(st.booleans()):
                del payload[draw(st.sampled_from(sorted(payload)))]
            else:
                payload[draw(names(name))] = draw(json_values(name))
    return name, payload, draw(UNKNOWN)


@given(cases())
def test_fast_and_slow_paths_agree(case: tuple[str, Any, str]) -> None:
    name, payload, unknown = case
    fast, slow = pair(name)
    assert outcome(fast, payload, unknown) == outcome(slow, payload, unknown)


@given(st.sampled_from(sorted(SCHEMAS)).flatmap(lambda n: st.tuples(st.just(n), json_values(n))))
def test_any_json_value_as_the_payload(case: tuple[str, Any]) -> None:
    name, payload = case
    fast, slow = pair(name)
    assert outcome(fast, payload, "error") == outcome(slow, payload, "error")
