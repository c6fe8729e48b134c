"""Whatever a cache file holds, a SchemaStore serves the model or fetches it again: only the
model object or a schemadrive error ever comes out (issue 13 item 3). The fetch function is a
plain callable (the store's own seam); the HTTP path is in tests/integration/test_cache_damage.py.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from schemadrive.exceptions import SchemadriveError
from schemadrive.hub.store import Fetched, SchemaStore

MODEL_ID = "m"
FRESH = {"id": MODEL_ID, "json_request_schema": {"type": "object"}, "fresh": True}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
#: entries shaped almost like ours, with any field replaced by anything
entries = st.fixed_dictionaries(
    {},
    optional={
        "model_id": st.sampled_from([MODEL_ID, "other"]) | json_values,
        "base_url": st.sampled_from(["http://hub.test", "http://other.test"]) | json_values,
        "fetched_at": st.sampled_from([0, 1000.0, 10**12, float("nan"), float("inf"), "yesterday"])
        | json_values,
        "etag": json_values,
        "last_modified": json_values,
        "declared_id": json_values,
        "model": st.just({"id": MODEL_ID}) | st.just({"id": "other"}) | json_values,
    },
)
contents = (
    entries.map(lambda e: json.dumps(e).encode())
    | json_values.map(lambda v: json.dumps(v).encode())
    | st.binary(max_size=64)
    | st.integers(1, 50_000).map(lambda n: b"[" * n)
    | st.integers(1, 50_000).map(lambda n: b'{"a":' * n)
)


@given(content=contents)
def test_any_cache_file_gives_the_model_or_a_refetch(content: bytes) -> None:
    fetched: list[str] = []

    def fetch(model_id: str, conditional: dict[str, str]) -> Fetched:
        fetched.append(model_id)
        return Fetched(200, dict(FRESH))

    with tempfile.TemporaryDirectory() as directory:
        store: SchemaStore[dict[str, Any]] = SchemaStore(
            fetch, lambda i, info: info, base_url="http://hub.test", cache_dir=directory,
            clock=lambda: 1000.0,
        )  # fmt: skip
        path = store.cache_file(MODEL_ID)
        assert path is not None
        path.parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_bytes(content)
        try:
            model = store.get(MODEL_ID)
        except SchemadriveError:
            return
        # served from the file only when it really is this model's entry for this hub
        if not model.get("fresh"):
            entry = json.loads(content)
            assert entry["model_id"] == MODEL_ID and entry["base_url"] == "http://hub.test"
            assert model.get("id") in (MODEL_ID, None, entry.get("declared_id"))
            assert fetched == []
