"""``validate`` and ``prepare`` on arbitrary JSON: problems or PayloadInvalid, never a crash.

Payloads are any JSON value, and objects whose names are the schema's own (so values reach the
deeper keywords) mixed with odd ones.
"""

from __future__ import annotations

import contextlib
import sys
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from schemas import ALL

from schemadrive.exceptions import PayloadInvalid, SchemadriveError
from schemadrive.schema.compile import Problem, compile_schema

NAMES = sorted(ALL)
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def near_payloads(schema: Any) -> st.SearchStrategy[dict[str, Any]]:
    """Objects with the schema's property names (and a few others), holding any JSON."""
    declared = sorted(compile_schema(schema).known or ()) or ["prompt"]
    names = st.sampled_from([*declared, "model", "", "Prompt", "x-order"]) | st.text(max_size=8)
    return st.dictionaries(names, json_values, max_size=6)


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=max(5, settings.default.max_examples // 2))
@given(data=st.data())
def test_validate_and_prepare_raise_nothing_but_payload_invalid(name: str, data: Any) -> None:
    compiled = compile_schema(ALL[name])
    payload = data.draw(json_values | near_payloads(ALL[name]))
    problems = compiled.validate(payload, unknown="error")
    assert all(isinstance(p, Problem) and p.path.startswith("$") and p.message for p in problems)
    try:
        prepared = compiled.prepare(payload)
    except PayloadInvalid as exc:
        assert exc.problems
        assert problems or not isinstance(payload, dict)  # prepare rejects what validate does
    else:
        assert isinstance(prepared, dict)
        assert compiled.validate(prepared, unknown="error") == []


def nested(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


def test_validate_raises_only_schemadrive_errors_on_deeply_nested_values() -> None:
    """Near the recursion limit jsonschema still works but json.dumps in a message did not."""
    compiled = compile_schema(ALL["oxen:ltx-2-3-pro"])
    limit = sys.getrecursionlimit()
    for depth in range(limit - 400, limit + 20, 2):
        with contextlib.suppress(SchemadriveError):
            compiled.validate({"prompt": nested(depth)})
