"""The client's verdict agrees with the hub's: payloads drawn from each recorded schema are
sent to LocalHub *without* client-side checking, and the job fails on the hub exactly when
schemadrive would have refused to send the payload.

LocalHub checks late, at run time, like the real hub (docs/hub-contract.md §3.1). It forwards
names it does not know, so the comparison uses ``unknown="allow"``; rejecting unknown names is a
check schemadrive adds on top (docs/models-and-validation.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from schemadrive.fuzz import invalid_payloads, payloads
from schemadrive.hub.recorded import load_model_objects, schema_of
from schemadrive.schema.compile import compile_schema
from schemadrive.testing import LocalHub

MODELS = {
    model_id: schema
    for model_id, info in load_model_objects().items()
    if (schema := schema_of(info)) is not None
}


@pytest.fixture(scope="module")
def hub() -> Iterator[LocalHub]:
    with LocalHub(clock="manual", job_seconds=1) as running:
        yield running


def hub_verdict(hub: LocalHub, model_id: str, payload: dict[str, Any]) -> bool:
    """Enqueue ``payload`` as is, run it to the end; True when the hub's job succeeded."""
    reply = requests.post(
        f"{hub.url}/api/ai/queue",
        json={**payload, "model": model_id},
        headers={"Authorization": f"Bearer {hub.api_key}"},
        timeout=10,
    )
    assert reply.status_code == 200, reply.text
    generation_id = reply.json()["generations"][0]["generation_id"]
    hub.advance(2)
    job = hub.wait_for_job(generation_id)
    assert job.status in ("succeeded", "failed"), job.status
    return job.status == "succeeded"


@pytest.mark.parametrize("model_id", sorted(MODELS))
@settings(max_examples=max(5, settings.default.max_examples // 4))
@given(data=st.data())
def test_client_and_hub_agree(hub: LocalHub, model_id: str, data: st.DataObject) -> None:
    schema = MODELS[model_id]
    compiled = compile_schema(schema)
    if data.draw(st.booleans(), label="invalid"):
        payload, _rule = data.draw(invalid_payloads(schema), label="payload")
    else:
        payload = data.draw(payloads(schema), label="payload")
    payload = {k: v for k, v in payload.items() if k != "model"}
    client_accepts = compiled.is_valid(payload, unknown="allow")
    assert hub_verdict(hub, model_id, payload) == client_accepts
