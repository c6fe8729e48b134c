"""Issue 15 item 14: ``hub.faults.add(body=...)`` takes a dict (sent as JSON) and refuses a body
it cannot send in the caller's thread, never as a TypeError in the server's."""

from __future__ import annotations

import pytest
import requests

from schemadrive.testing import LocalHub

PATIENCE = 10.0


def test_a_dict_body_is_sent_as_json() -> None:
    with LocalHub() as hub:
        hub.faults.add(method="GET", path="/api/ai/models", status=503, body={"error": "down"})
        reply = requests.get(
            f"{hub.url}/api/ai/models",
            headers={"Authorization": f"Bearer {hub.api_key}"},
            timeout=PATIENCE,
        )
    assert reply.status_code == 503
    assert reply.headers["Content-Type"].startswith("application/json")
    assert reply.json() == {"error": "down"}


@pytest.mark.parametrize("body", [42, object(), {"not json": float("nan")}, {"x": {1, 2}}])
def test_a_body_that_cannot_be_sent_is_refused_when_added(body: object) -> None:
    with LocalHub() as hub:
        with pytest.raises(TypeError, match="body"):
            hub.faults.add(path="/api/ai/models", status=500, body=body)  # type: ignore[arg-type]
        assert len(hub.faults) == 0  # nothing half-added for a request to trip over
        reply = requests.get(
            f"{hub.url}/api/ai/models",
            headers={"Authorization": f"Bearer {hub.api_key}"},
            timeout=PATIENCE,
        )
    assert reply.status_code == 200
