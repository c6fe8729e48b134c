"""LocalHub, Oxen flavour: the event stream (``GET /api/events``)."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from schemadrive.testing import LocalHub

T2V = "ltx-2-3-quality-text-to-video"


def enqueue(api: requests.Session, count: int = 1, **params: Any) -> list[str]:
    reply = api.post(
        "/api/ai/queue", json={"model": T2V, "prompt": "x", "num_generations": count, **params}
    )
    return [row["generation_id"] for row in reply.json()["generations"]]


def until_marker(reader: Any, hub: LocalHub) -> list[tuple[str, Any]]:
    """Every block the reader gets before a marker event published now (comments skipped)."""
    hub.publish_event("test_marker", {})
    blocks = []
    while (block := reader.next_block())[0] != "test_marker":
        if block[0] != "comment":
            blocks.append(block)
    return blocks


def test_completion_events_use_the_events_own_field_names(
    api: requests.Session, manual_hub: LocalHub, listen: Any
) -> None:
    reader = listen(manual_hub)
    assert reader.response.status_code == 200
    assert reader.response.headers["Content-Type"] == "text/event-stream"
    ok, bad, invalid = enqueue(api, 2) + enqueue(api, num_frames=1)
    manual_hub.fail_job(bad, "Insufficient credits")
    manual_hub.finish_all()
    url = api.get(f"/api/ai/queue/{ok}").json()["result_url"]
    events = [reader.next_event() for _ in range(3)]
    by_id = {event["generation_id"]: event for event in events}
    assert by_id[ok] == {
        "generation_id": ok,
        "status": "succeeded",
        "media_type": "video",
        "model": T2V,
        "url": url,
    }
    assert by_id[bad] == {
        "generation_id": bad,
        "status": "failed",
        "media_type": "video",
        "error": "Insufficient credits",
    }
    assert by_id[invalid]["error"].startswith("Getting model response error: 422 - $.num_frames")
    assert events[0]["generation_id"] == invalid  # it failed first: when it started


def test_unrelated_events_are_mixed_in(
    api: requests.Session, manual_hub: LocalHub, listen: Any
) -> None:
    reader = listen(manual_hub)
    (job_id,) = enqueue(api)
    manual_hub.finish_all()
    kinds = [kind for kind, _ in until_marker(reader, manual_hub)]
    assert kinds == ["deployment_status_changed", "media_generation_completed"]


def test_no_event_for_cancelled_jobs(
    api: requests.Session, manual_hub: LocalHub, listen: Any
) -> None:
    reader = listen(manual_hub)
    kept, cancelled = enqueue(api, 2)
    api.delete(f"/api/ai/queue/{cancelled}")
    manual_hub.finish_all()
    blocks = until_marker(reader, manual_hub)
    completed = [
        data["generation_id"] for kind, data in blocks if kind == "media_generation_completed"
    ]
    assert completed == [kept]


def test_no_replay(api: requests.Session, manual_hub: LocalHub, listen: Any) -> None:
    enqueue(api)
    manual_hub.finish_all()
    assert len(manual_hub.events) == 2  # published, to nobody
    assert until_marker(listen(manual_hub), manual_hub) == []


def test_a_stream_stays_open_across_keep_alives(connect: Any, listen: Any) -> None:
    with LocalHub(clock="manual", keepalive_seconds=0.05) as hub:
        reader = listen(hub)
        for _ in range(4):
            assert reader.next_block() == ("comment", "keep-alive")
        (job_id,) = enqueue(connect(hub))
        hub.finish_all()
        assert reader.next_event()["generation_id"] == job_id


def test_many_concurrent_streams(api: requests.Session, manual_hub: LocalHub, listen: Any) -> None:
    readers = [listen(manual_hub) for _ in range(50)]
    manual_hub.wait_for_streams(50)
    (job_id,) = enqueue(api)
    manual_hub.finish_all()
    assert {reader.next_event()["generation_id"] for reader in readers} == {job_id}


def test_cut_after_n_events(manual_hub: LocalHub, listen: Any) -> None:
    fault = manual_hub.faults.cut_stream(after_events=2)
    reader = listen(manual_hub)
    for number in range(3):
        manual_hub.publish_event("numbered", {"n": number})
    assert [reader.next_block() for _ in range(2)] == [
        ("numbered", {"n": 0}),
        ("numbered", {"n": 1}),
    ]
    with pytest.raises((requests.RequestException, EOFError)):
        reader.next_block()
    assert fault.hits == 1
    again = listen(manual_hub)  # the fault is used up: the next stream is whole
    assert until_marker(again, manual_hub) == []


def test_stopping_the_hub_ends_open_streams(manual_hub: LocalHub, listen: Any) -> None:
    reader = listen(manual_hub)
    manual_hub.stop()
    with pytest.raises(EOFError):
        reader.next_block()


def test_a_closed_client_is_unsubscribed(manual_hub: LocalHub, listen: Any) -> None:
    listen(manual_hub)  # stays
    leaving = listen(manual_hub)
    manual_hub.wait_for_streams(2)
    leaving.close()
    manual_hub.wait_for_streams_closed(1)  # TimeoutError if the hub kept the closed stream
    assert manual_hub.open_streams == 1
