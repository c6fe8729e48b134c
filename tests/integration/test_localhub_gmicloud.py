"""LocalHub, GMI Cloud flavour (docs/hub-schemas.md §5): request queue, model information."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from schemadrive.hub.recorded import bundled_dir
from schemadrive.testing import LocalHub
from schemadrive.testing.clock import MANUAL_EPOCH

PREFIX = "/api/v1/ie/requestqueue/apikey"
MODEL = "ltx-2-pro-audio-to-video"
PAYLOAD = {"audio_uri": "https://example.com/a.mp3", "prompt": "a drummer"}
RECORD_KEYS = {
    "request_id", "org_id", "model", "status", "is_public", "payload", "outcome",
    "created_at", "updated_at", "queued_at",
}  # fmt: skip


@pytest.fixture
def gmi(gmi_hub: LocalHub, connect: Any) -> requests.Session:
    return connect(gmi_hub)


def submit(
    gmi: requests.Session, payload: dict[str, Any] | None = None, model: str = MODEL
) -> dict[str, Any]:
    reply = gmi.post(f"{PREFIX}/requests", json={"model": model, "payload": payload or PAYLOAD})
    assert reply.status_code == 200, reply.text
    return reply.json()  # type: ignore[no-any-return]


def test_submit_and_poll_through_every_status(gmi: requests.Session, gmi_hub: LocalHub) -> None:
    created = submit(gmi)
    start = int(MANUAL_EPOCH)
    assert created == {
        "request_id": created["request_id"], "model": MODEL, "status": "queued",
        "created_at": start, "updated_at": start, "queued_at": start,
    }  # fmt: skip
    url = f"{PREFIX}/requests/{created['request_id']}"
    seen = []
    for _ in range(4):
        seen.append(gmi.get(url).json()["status"])
        gmi_hub.advance(2.5)
    assert seen == ["queued", "dispatched", "processing", "processing"]
    record = gmi.get(url).json()
    assert set(record) == RECORD_KEYS
    assert (record["status"], record["payload"], record["is_public"]) == ("success", PAYLOAD, False)
    assert record["updated_at"] == start + 10
    outcome = record["outcome"]
    assert set(outcome) == {"video_url", "thumbnail_image_url"}
    video = gmi.get(outcome["video_url"])
    assert (video.status_code, video.headers["Content-Type"]) == (200, "video/mp4")
    assert gmi.get(outcome["thumbnail_image_url"]).headers["Content-Type"] == "image/png"


def test_image_models_answer_media_urls(gmi: requests.Session, gmi_hub: LocalHub) -> None:
    modalities = {"input": ["text"], "output": ["image"]}
    gmi_hub.add_model({"model": "some-image-model", "modalities": modalities, "parameters": []})
    request_id = submit(gmi, {"prompt": "x"}, model="some-image-model")["request_id"]
    gmi_hub.finish_all()
    outcome = gmi.get(f"{PREFIX}/requests/{request_id}").json()["outcome"]
    assert [item["id"] for item in outcome["media_urls"]] == ["0"]
    assert gmi.get(outcome["media_urls"][0]["url"]).headers["Content-Type"] == "image/png"


def test_payloads_are_checked_at_run_time_with_the_fixture_schema(
    gmi: requests.Session, gmi_hub: LocalHub
) -> None:
    request_id = submit(gmi, {"audio_uri": "https://example.com/a.mp3"})[
        "request_id"
    ]  # no prompt, no image
    gmi_hub.finish_all()
    record = gmi.get(f"{PREFIX}/requests/{request_id}").json()
    assert (record["status"], record["outcome"]) == ("failed", None)
    assert record["error"].startswith("invalid payload: ")


def test_scripted_failure_and_cancel(gmi: requests.Session, gmi_hub: LocalHub) -> None:
    gmi_hub.fail_next("out of capacity")
    failing, cancelled = submit(gmi)["request_id"], submit(gmi)["request_id"]
    reply = gmi.post(f"{PREFIX}/requests/{cancelled}/cancel")
    assert reply.json() == {"request_id": cancelled, "status": "cancelled"}
    gmi_hub.finish_all()
    assert gmi.get(f"{PREFIX}/requests/{failing}").json()["error"] == "out of capacity"
    assert gmi.get(f"{PREFIX}/requests/{cancelled}").json()["status"] == "cancelled"
    again = gmi.post(f"{PREFIX}/requests/{failing}/cancel")  # finished: no effect
    assert again.json() == {"request_id": failing, "status": "failed"}


def test_list_requests(gmi: requests.Session, gmi_hub: LocalHub) -> None:
    first, second = submit(gmi)["request_id"], submit(gmi)["request_id"]
    body = gmi.get(f"{PREFIX}/requests", params={"model_id": MODEL}).json()
    assert body["total"] == 2
    assert [r["request_id"] for r in body["requests"]] == [second, first]
    assert gmi.get(f"{PREFIX}/requests", params={"model_id": "other"}).json() == {
        "requests": [],
        "total": 0,
    }
    assert len(gmi.get(f"{PREFIX}/requests", params={"page_size": 1}).json()["requests"]) == 1
    gmi_hub.finish_all()
    assert gmi.get(f"{PREFIX}/requests", params={"status": "success"}).json()["total"] == 2


def test_model_information_is_the_parameter_list_only(gmi: requests.Session) -> None:
    recorded = json.loads((bundled_dir() / "gmicloud" / f"{MODEL}.json").read_text())
    served = gmi.get(f"{PREFIX}/models/{MODEL}").json()
    assert served == {
        k: v for k, v in recorded.items() if k not in ("json_request_schema", "x-schemadrive")
    }
    assert served["parameters"][0]["name"] == "audio_uri"
    assert gmi.get(f"{PREFIX}/models").json() == {"model_ids": [MODEL]}


def test_errors(gmi: requests.Session, gmi_hub: LocalHub) -> None:
    cases = [
        (gmi.get(f"{PREFIX}/models/nope"), 404, "model not found: nope"),
        (gmi.get(f"{PREFIX}/requests/nope"), 404, "request not found: nope"),
        (gmi.post(f"{PREFIX}/requests/nope/cancel"), 404, "request not found: nope"),
        (
            gmi.post(f"{PREFIX}/requests", json={"model": "nope", "payload": {}}),
            404,
            "model not found: nope",
        ),
        (gmi.post(f"{PREFIX}/requests", json={"payload": {}}), 400, None),
        (
            gmi.post(f"{PREFIX}/requests", json={"model": MODEL, "payload": [1]}),
            400,
            "payload must be a JSON object",
        ),
        (gmi.get("/api/ai/models"), 404, "not found"),  # no Oxen paths here, and no event stream
        (gmi.get("/api/events"), 404, "not found"),
        (requests.get(gmi_hub.url + f"{PREFIX}/models", timeout=10), 401, None),
    ]
    for reply, status, text in cases:
        assert reply.status_code == status, reply.request.url
        assert set(reply.json()) == {"error"}
        if text is not None:
            assert reply.json()["error"] == text
    assert gmi_hub.jobs == {}


def test_a_job_that_ran_at_once_was_dispatched(connect: Any) -> None:
    with LocalHub(provider="gmicloud", job_seconds=0) as hub:
        gmi = connect(hub)
        created = submit(gmi)
        assert created["status"] == "dispatched"
        assert gmi.get(f"{PREFIX}/requests/{created['request_id']}").json()["status"] == "success"
