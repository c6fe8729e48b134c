"""LocalHub, Oxen flavour: the synchronous endpoints block for the job's duration."""

from __future__ import annotations

import base64
import threading
from typing import Any

import pytest
import requests

from schemadrive.testing import LocalHub
from schemadrive.testing.clock import MANUAL_EPOCH

T2V = "ltx-2-3-quality-text-to-video"
IMAGE_MODEL = "black-forest-labs-flux-2-klein-4b"


class Call(threading.Thread):
    """A request made on its own thread, so the test can move the clock meanwhile."""

    def __init__(self, api: requests.Session, path: str, body: dict[str, Any]) -> None:
        super().__init__(daemon=True)
        self.api, self.path, self.body = api, path, body
        self.reply: requests.Response | None = None

    def run(self) -> None:
        self.reply = self.api.post(self.path, json=self.body)

    def result(self) -> requests.Response:
        self.join(timeout=10)
        assert self.reply is not None, "the request did not return"
        return self.reply


def test_sync_video_blocks_until_the_job_ends(api: requests.Session, manual_hub: LocalHub) -> None:
    call = Call(api, "/api/ai/videos/generate", {"model": T2V, "prompt": "a cat"})
    call.start()
    (job,) = manual_hub.wait_for_jobs(1)
    assert job.sync and call.reply is None
    manual_hub.advance(10)
    reply = call.result()
    assert reply.status_code == 200
    body = reply.json()
    assert body == {
        "model": T2V,
        "created": int(MANUAL_EPOCH) + 10,
        "videos": [{"url": body["videos"][0]["url"]}],
    }
    media = api.get(body["videos"][0]["url"])
    assert media.headers["Content-Type"] == "video/mp4"
    # a sync generation is a generation like any other: it is in the history too
    assert api.get(f"/api/ai/generations/{job.id}").json()["generation"]["status"] == "succeeded"


@pytest.mark.parametrize("path", ["/api/ai/images/generate", "/api/ai/images/edit"])
def test_sync_images(connect: Any, path: str) -> None:
    with LocalHub(job_seconds=0) as hub:
        api = connect(hub)
        body = {
            "model": IMAGE_MODEL,
            "prompt": "a cat",
            "input_image": ["https://example.com/a.png"],
        }
        reply = api.post(path, json=body)
        assert reply.status_code == 200
        (image,) = reply.json()["images"]
        assert api.get(image["url"]).headers["Content-Type"] == "image/png"


def test_b64_json(connect: Any) -> None:
    with LocalHub(job_seconds=0) as hub:
        api = connect(hub)
        for path, model, key, magic in (
            ("/api/ai/images/generate", IMAGE_MODEL, "images", b"\x89PNG"),
            ("/api/ai/videos/generate", T2V, "videos", b"ftyp"),
        ):
            reply = api.post(
                path, json={"model": model, "prompt": "x", "response_format": "b64_json"}
            )
            (item,) = reply.json()[key]
            assert set(item) == {"b64_json"}
            assert magic in base64.b64decode(item["b64_json"])[:12]


def test_sync_validation_failure_is_400(connect: Any) -> None:
    with LocalHub(job_seconds=0) as hub:
        reply = connect(hub).post(
            "/api/ai/videos/generate", json={"model": T2V, "prompt": "x", "num_frames": 1}
        )
        assert reply.status_code == 400
        body = reply.json()
        assert body["status_message"] == "invalid_params"
        assert body["error"]["detail"].startswith(
            "Getting model response error: 422 - $.num_frames"
        )
        (job,) = hub.jobs.values()
        assert job.status == "failed"


def test_sync_scripted_failure(connect: Any) -> None:
    with LocalHub(job_seconds=0) as hub:
        hub.fail_next("Insufficient credits")
        reply = connect(hub).post("/api/ai/videos/generate", json={"model": T2V, "prompt": "x"})
        assert (
            reply.status_code == 400 and reply.json()["error"]["detail"] == "Insufficient credits"
        )


def test_sync_errors_before_any_job(api: requests.Session, manual_hub: LocalHub) -> None:
    cases = [
        ("/api/ai/videos/generate", {"model": "nope", "prompt": "x"}, 404, "Model not found: nope"),
        (
            "/api/ai/videos/generate",
            {"model": IMAGE_MODEL, "prompt": "x"},
            400,
            ":unsupported_media_type",
        ),
        ("/api/ai/images/generate", {"model": T2V, "prompt": "x"}, 400, ":unsupported_media_type"),
        (
            "/api/ai/images/generate",
            {"model": IMAGE_MODEL, "prompt": "  "},
            400,
            "Prompt cannot be empty",
        ),
        ("/api/ai/images/generate", {"model": IMAGE_MODEL}, 400, "Prompt cannot be empty"),
        ("/api/ai/images/edit", {"prompt": "x"}, 400, "You must specify a model to call"),
    ]
    for path, body, status, text in cases:
        reply = api.post(path, json=body)
        assert (reply.status_code, reply.json()) == (status, {"error": {"message": text}}), path
    assert manual_hub.jobs == {}


def test_cancelling_a_sync_generation(api: requests.Session, manual_hub: LocalHub) -> None:
    call = Call(api, "/api/ai/videos/generate", {"model": T2V, "prompt": "x"})
    call.start()
    (job,) = manual_hub.wait_for_jobs(1)
    assert api.delete(f"/api/ai/queue/{job.id}").status_code == 200
    reply = call.result()
    assert reply.status_code == 400 and reply.json() == {
        "error": {"message": "Generation cancelled"}
    }


def test_stopping_the_hub_releases_a_blocked_sync_call() -> None:
    hub = LocalHub(clock="manual").start()
    outcome: list[Any] = []

    def call() -> None:
        try:
            url, headers = hub.url + "/api/ai/videos/generate", {"Authorization": "Bearer test-key"}
            body = {"model": T2V, "prompt": "x"}
            outcome.append(requests.post(url, json=body, headers=headers, timeout=10))
        except requests.RequestException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=call, daemon=True)
    thread.start()
    hub.wait_for_jobs(1)
    hub.stop()
    thread.join(timeout=10)
    assert not thread.is_alive() and outcome
