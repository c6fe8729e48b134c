"""Any model object a hub may send becomes a Model or a schemadrive error, never a TypeError
(issue 13 item 6: ``capabilities.input: [{"type": "text"}]`` was "unhashable dict"), for both
providers' ways of reading it (a JSON Schema, or GMI Cloud's parameter list)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemadrive.exceptions import SchemadriveError
from schemadrive.hub.providers import PROVIDERS, Provider
from schemadrive.model import Model

values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=10,
)
#: a GMI parameter entry with any field of any type, and the words the translator looks for
parameters = st.fixed_dictionaries(
    {},
    optional={
        "name": values | st.sampled_from(["prompt", "image", "x"]),
        "type": values | st.sampled_from(["enum", "int", "float", "image", "array", "string[]"]),
        "required": values,
        "default": values,
        "options": values,
        "description": values | st.just("Required if prompt is not provided"),
        "items": values,
        "max_items": values,
        "minimum": values,
    },
)
capabilities = st.dictionaries(
    st.sampled_from(["input", "output"]),
    values | st.lists(st.sampled_from(["text", "image", "video", "audio"]) | values, max_size=3),
)
model_objects = (
    st.dictionaries(
        st.sampled_from(
            ["id", "model", "capabilities", "endpoint", "json_request_schema", "parameters"]
        ),
        values,
        max_size=5,
    )
    | st.fixed_dictionaries({"parameters": st.lists(parameters | values, max_size=4)})
    | st.fixed_dictionaries({"capabilities": capabilities})
)


@pytest.mark.parametrize("provider", list(PROVIDERS.values()), ids=list(PROVIDERS))
@given(info=model_objects)
def test_a_model_object_of_any_shape_is_a_model_or_a_typed_error(
    provider: Provider, info: dict[str, Any]
) -> None:
    try:
        model = Model("m", info, provider)
        assert model.endpoint is None or model.endpoint.startswith("/api/")
        if model.has_schema:
            model.validate({"prompt": "x"})
            model.fill_defaults({})
            assert isinstance(model.parameters, list)
    except SchemadriveError:
        pass
