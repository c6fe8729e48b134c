"""LocalHub, Oxen flavour: the async queue, job lifecycle, history, results and legacy forms."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from schemadrive.testing import Legacy, LocalHub
from schemadrive.testing.clock import MANUAL_EPOCH

T2V = "ltx-2-3-quality-text-to-video"
IMAGE_MODEL = "black-forest-labs-flux-2-klein-4b"


def enqueue(api: requests.Session, **body: Any) -> list[str]:
    reply = api.post("/api/ai/queue", json={"model": T2V, "prompt": "a cat", **body})
    assert reply.status_code == 200, reply.text
    return [row["generation_id"] for row in reply.json()["generations"]]


def test_enqueue_reply_shape(api: requests.Session, manual_hub: LocalHub) -> None:
    reply = api.post("/api/ai/queue", json={"model": T2V, "prompt": "a cat", "num_generations": 3})
    assert reply.status_code == 200
    rows = reply.json()["generations"]
    assert [set(row) for row in rows] == [{"generation_id", "status"}] * 3
    assert {row["status"] for row in rows} == {"queued"}
    assert list(manual_hub.jobs) == [row["generation_id"] for row in rows]


@pytest.mark.parametrize("count", [0, 5, -1, "2", 1.5, True, None])
def test_num_generations_out_of_range(
    api: requests.Session, manual_hub: LocalHub, count: Any
) -> None:
    reply = api.post("/api/ai/queue", json={"model": T2V, "prompt": "x", "num_generations": count})
    assert reply.status_code == 400
    assert reply.json() == {
        "error": {"message": "num_generations must be an integer between 1 and 4"}
    }
    assert manual_hub.jobs == {}


def test_enqueue_errors(api: requests.Session, manual_hub: LocalHub) -> None:
    unknown = api.post("/api/ai/queue", json={"model": "bad-model-name", "prompt": "x"})
    assert (unknown.status_code, unknown.json()) == (
        404,
        {"error": {"message": "Model not found: bad-model-name"}},
    )
    text_only = api.post("/api/ai/queue", json={"model": "claude-sonnet-4-6", "prompt": "x"})
    assert (text_only.status_code, text_only.json()) == (
        400,
        {"error": {"message": ":unsupported_media_type"}},
    )
    no_model = api.post("/api/ai/queue", json={"prompt": "x"})
    assert (no_model.status_code, no_model.json()) == (
        400,
        {"error": {"message": "You must specify a model to call"}},
    )
    not_an_object = api.post("/api/ai/queue", json=["x"])
    assert (
        not_an_object.status_code == 400
        and not_an_object.json()["status_message"] == "invalid_params"
    )
    assert manual_hub.jobs == {}


def test_lifecycle_on_the_manual_clock(api: requests.Session, manual_hub: LocalHub) -> None:
    (job_id,) = enqueue(api, seed=7, resolution="square")
    row = api.get(f"/api/ai/queue/{job_id}").json()
    assert row == {
        "generation_id": job_id,
        "model_name": T2V,
        "prompt": "a cat",
        "media_type": "video",
        "status": "queued",
        "result_url": None,
        "error_message": None,
        "enqueued_at": int(MANUAL_EPOCH),
        "started_at": None,
        "completed_at": None,
        "target_namespace": "test-user",
        "target_repo": None,
        "target_directory": None,
        "seed": 7,
        "resolution": "square",
    }
    manual_hub.advance(4.9)
    assert api.get(f"/api/ai/queue/{job_id}").json()["status"] == "queued"
    manual_hub.advance(0.1)
    row = api.get(f"/api/ai/queue/{job_id}").json()
    assert (row["status"], row["started_at"]) == ("processing", int(MANUAL_EPOCH) + 5)
    manual_hub.advance(5)
    row = api.get(f"/api/ai/queue/{job_id}").json()
    assert row["status"] == "succeeded"
    assert row["completed_at"] == int(MANUAL_EPOCH) + 10
    assert row["result_url"].startswith(
        manual_hub.url + "/api/repos/test-user/generations/file/main/"
    )
    assert manual_hub.job(job_id).status == "succeeded"


def test_finished_jobs_stay_queryable(api: requests.Session, manual_hub: LocalHub) -> None:
    (job_id,) = enqueue(api)
    manual_hub.finish_all()
    for _ in range(2):
        assert api.get(f"/api/ai/queue/{job_id}").json()["status"] == "succeeded"


def test_unknown_job_is_404(api: requests.Session) -> None:
    for reply in (
        api.get("/api/ai/queue/nope"),
        api.delete("/api/ai/queue/nope"),
        api.get("/api/ai/generations/nope"),
    ):
        assert reply.status_code == 404
        assert reply.json() == {
            "error": {
                "type": "resource_not_found",
                "title": "The requested resource could not be found",
            },
            "status": "error",
            "status_message": "resource_not_found",
        }


def test_parameters_that_break_the_schema_fail_at_run_time(
    api: requests.Session, manual_hub: LocalHub
) -> None:
    (job_id,) = enqueue(api, num_frames=5000, target_namespace="someone", response_format="url")
    assert api.get(f"/api/ai/queue/{job_id}").json()["status"] == "queued"
    manual_hub.advance(5)
    row = api.get(f"/api/ai/queue/{job_id}").json()
    assert row["status"] == "failed"
    assert row["error_message"].startswith("Getting model response error: 422 - $.num_frames")
    assert row["started_at"] == row["completed_at"] and row["result_url"] is None


def test_scripted_failures(api: requests.Session, manual_hub: LocalHub) -> None:
    manual_hub.fail_next("Insufficient credits")
    first, second = enqueue(api, num_generations=2)
    manual_hub.fail_job(second, "Provider exploded")
    manual_hub.finish_all()
    assert api.get(f"/api/ai/queue/{first}").json()["error_message"] == "Insufficient credits"
    assert api.get(f"/api/ai/queue/{second}").json()["error_message"] == "Provider exploded"
    with pytest.raises(ValueError, match="already ended"):
        manual_hub.fail_job(first, "again")


def test_cancel(api: requests.Session, manual_hub: LocalHub) -> None:
    (done,) = enqueue(api)
    manual_hub.finish_all()
    kept, processing = enqueue(api, num_generations=2)
    manual_hub.advance(1)
    (queued,) = enqueue(api)  # enqueued 1 s later: still queued when the other two start
    manual_hub.advance(4)
    assert [manual_hub.job(j).status for j in (queued, kept, processing)] == [
        "queued", "processing", "processing",
    ]  # fmt: skip
    for job_id in (queued, processing, done):
        reply = api.delete(f"/api/ai/queue/{job_id}")
        assert reply.json() == {"status": "success", "generation_id": job_id}
    for job_id in (queued, processing):
        row = api.get(f"/api/ai/queue/{job_id}").json()
        assert (row["status"], row["completed_at"]) == ("cancelled", int(manual_hub.clock.now()))
    assert api.get(f"/api/ai/queue/{queued}").json()["started_at"] is None
    assert api.get(f"/api/ai/queue/{done}").json()["status"] == "succeeded"  # no effect
    manual_hub.finish_all()
    assert [manual_hub.job(j).status for j in (queued, kept, processing)] == [
        "cancelled", "succeeded", "cancelled",
    ]  # fmt: skip


def test_list_shows_active_jobs_unless_a_status_is_asked(
    api: requests.Session, manual_hub: LocalHub
) -> None:
    done, failed = enqueue(api, num_generations=2)
    manual_hub.fail_job(failed, "nope")
    manual_hub.finish_all()
    video = enqueue(api)[0]
    image = api.post("/api/ai/queue", json={"model": IMAGE_MODEL, "prompt": "x"}).json()[
        "generations"
    ][0]["generation_id"]

    def ids(**query: str) -> list[str]:
        body = api.get("/api/ai/queue", params=query).json()
        assert body["count"] == len(body["generations"])
        return [row["generation_id"] for row in body["generations"]]

    assert ids() == [video, image]
    assert ids(status="succeeded") == [done]
    assert ids(status="failed") == [failed]
    assert ids(media_type="image") == [image]
    assert ids(model=T2V) == [video]
    assert ids(status="queued", model=IMAGE_MODEL) == [image]
    manual_hub.finish_all()
    assert ids() == []
    bad = api.get("/api/ai/queue", params={"status": "running"})
    assert bad.status_code == 400 and bad.json()["status_message"] == "invalid_params"


def test_target_fields_and_filters(api: requests.Session) -> None:
    (job_id,) = enqueue(
        api, target_namespace="org", target_repo="renders", target_directory="my dir"
    )
    row = api.get(f"/api/ai/queue/{job_id}").json()
    assert (row["target_namespace"], row["target_repo"], row["target_directory"]) == (
        "org",
        "renders",
        "my dir",
    )
    found = api.get(
        "/api/ai/queue", params={"namespace": "org", "repo": "renders", "folder": "my dir"}
    ).json()
    assert found["count"] == 1
    assert api.get("/api/ai/queue", params={"repo": "other"}).json()["count"] == 0


def test_history_is_paginated_with_costs(api: requests.Session, manual_hub: LocalHub) -> None:
    ids = enqueue(api, num_generations=3) + enqueue(api, num_generations=2, duration=10)
    manual_hub.fail_job(ids[0], "nope")
    manual_hub.finish_all()
    page = api.get("/api/ai/generations", params={"page_size": 2}).json()
    counts = ("count", "page_number", "page_size", "total_pages", "total_entries")
    assert [page[key] for key in counts] == [2, 1, 2, 3, 5]
    assert [row["generation_id"] for row in page["generations"]] == ids[::-1][:2]  # newest first
    row = page["generations"][0]
    assert {"cost", "user_id", "username", "user_image", "model_name"} <= set(row)
    # 10 s of video with audio (the schema's default) at 0.16 per second
    assert row["cost"] == "1.6000"
    last = api.get("/api/ai/generations", params={"page_size": 2, "page": 3}).json()
    assert [r["generation_id"] for r in last["generations"]] == [ids[0]]
    assert last["generations"][0]["cost"] is None  # failed: not charged
    total = sum(
        float(r["cost"]) for r in api.get("/api/ai/generations").json()["generations"] if r["cost"]
    )
    assert float(page["total_cost"]) == pytest.approx(total)
    assert api.get("/api/ai/generations", params={"page": 9}).json()["generations"] == []
    assert api.get("/api/ai/generations", params={"status": "failed"}).json()["total_entries"] == 1
    for bad in ({"page": 0}, {"page_size": 1001}, {"page": "x"}):
        assert api.get("/api/ai/generations", params=bad).status_code == 400


def test_one_generation(api: requests.Session, manual_hub: LocalHub) -> None:
    (job_id,) = enqueue(api)
    manual_hub.finish_all()
    body = api.get(f"/api/ai/generations/{job_id}").json()
    assert (body["status"], body["status_message"]) == ("success", "resource_found")
    assert body["generation"]["generation_id"] == job_id and body["generation"]["cost"] is not None


@pytest.mark.parametrize(
    ("model", "content_type", "magic"),
    [(T2V, "video/mp4", b"ftyp"), (IMAGE_MODEL, "image/png", b"\x89PNG\r\n\x1a\n")],
)
def test_result_files_are_real_media(
    api: requests.Session, manual_hub: LocalHub, model: str, content_type: str, magic: bytes
) -> None:
    job_id = api.post("/api/ai/queue", json={"model": model, "prompt": "x"}).json()["generations"][
        0
    ]["generation_id"]
    manual_hub.finish_all()
    url = api.get(f"/api/ai/queue/{job_id}").json()["result_url"]
    reply = api.get(url)
    assert reply.status_code == 200
    assert reply.headers["Content-Type"] == content_type
    assert int(reply.headers["Content-Length"]) == len(reply.content) > 1000
    assert magic in reply.content[:12]
    assert requests.get(url, timeout=10).status_code == 401  # the hub's own files need the key
    head = api.head(url)
    assert head.headers["Content-Length"] == reply.headers["Content-Length"] and head.content == b""


def test_jobs_progress_by_themselves_on_the_wall_clock(hub: LocalHub, connect: Any) -> None:
    api = connect(hub)
    (job_id,) = enqueue(api)
    assert hub.wait_for_job(job_id).status == "succeeded"
    assert api.get(f"/api/ai/queue/{job_id}").json()["status"] == "succeeded"


def test_zero_second_jobs_have_ended_when_the_enqueue_returns(connect: Any) -> None:
    with LocalHub(job_seconds=0) as hub:
        (job_id,) = enqueue(connect(hub))
        assert hub.job(job_id).status == "succeeded"


def test_advance_needs_the_manual_clock(hub: LocalHub) -> None:
    with pytest.raises(ValueError, match="clock='manual'"):
        hub.advance(1)


class TestLegacy:
    def test_finished_jobs_404(self, api: requests.Session, manual_hub: LocalHub) -> None:
        manual_hub.legacy.finished_jobs_404 = True
        (job_id,) = enqueue(api)
        assert api.get(f"/api/ai/queue/{job_id}").status_code == 200
        manual_hub.finish_all()
        assert api.get(f"/api/ai/queue/{job_id}").status_code == 404
        assert api.delete(f"/api/ai/queue/{job_id}").status_code == 404
        assert api.get(f"/api/ai/generations/{job_id}").status_code == 200  # history keeps it

    def test_model_key_and_enqueue_status(
        self, api: requests.Session, manual_hub: LocalHub
    ) -> None:
        manual_hub.legacy.model_key = True
        manual_hub.legacy.enqueue_status_processing = True
        reply = api.post("/api/ai/queue", json={"model": T2V, "prompt": "x"}).json()
        assert reply["generations"][0]["status"] == "processing"
        row = api.get(f"/api/ai/queue/{reply['generations'][0]['generation_id']}").json()
        assert row["model"] == T2V and "model_name" not in row

    def test_everything_at_once(self) -> None:
        legacy = Legacy.everything()
        assert legacy.finished_jobs_404 and legacy.model_key
        assert legacy.request_schema_key and legacy.enqueue_status_processing
        with LocalHub(clock="manual", legacy=legacy) as hub:
            assert hub.legacy is legacy
