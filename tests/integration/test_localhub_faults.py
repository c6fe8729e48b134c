"""LocalHub: scripted faults, and result files on a second server (the CDN)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import requests

from schemadrive.testing import LocalHub

T2V = "ltx-2-3-quality-text-to-video"
BODY = {"model": T2V, "prompt": "x"}


def test_rate_limit_with_retry_after(api: requests.Session, manual_hub: LocalHub) -> None:
    fault = manual_hub.faults.rate_limit(
        method="GET", path="/api/ai/queue/*", retry_after=3, times=2
    )
    job_id = api.post("/api/ai/queue", json=BODY).json()["generations"][0]["generation_id"]
    for _ in range(2):
        reply = api.get(f"/api/ai/queue/{job_id}")
        assert reply.status_code == 429
        assert reply.headers["Retry-After"] == "3"
        assert reply.json()["status_message"] == "rate_limited"
    assert api.get(f"/api/ai/queue/{job_id}").status_code == 200
    assert fault.hits == 2 and len(manual_hub.faults) == 0
    assert [r.fault is not None for r in manual_hub.requests.filter("GET")] == [True, True, False]


def test_retry_after_as_an_http_date(api: requests.Session, manual_hub: LocalHub) -> None:
    manual_hub.faults.rate_limit(retry_after="Wed, 21 Oct 2026 07:28:00 GMT")
    assert api.get("/api/ai/models").headers["Retry-After"] == "Wed, 21 Oct 2026 07:28:00 GMT"


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_answer_html(
    api: requests.Session, manual_hub: LocalHub, status: int
) -> None:
    manual_hub.faults.server_error(status, method="POST", path="/api/ai/queue")
    reply = api.post("/api/ai/queue", json=BODY)
    assert reply.status_code == status
    assert reply.headers["Content-Type"] == "text/html"
    assert reply.text.startswith("<html>") and str(status) in reply.text
    assert manual_hub.jobs == {}  # the hub never saw it
    assert api.post("/api/ai/queue", json=BODY).status_code == 200


def test_generic_add_with_a_body_and_forever(api: requests.Session, manual_hub: LocalHub) -> None:
    manual_hub.faults.add(
        method="GET", path="/api/ai/models*", status=418, body='{"teapot": true}', times=None
    )
    for path in ("/api/ai/models", "/api/ai/models/ltx-2-3-pro"):
        reply = api.get(path)
        assert (reply.status_code, reply.json()) == (418, {"teapot": True})
    assert api.get("/api/ai/queue").status_code == 200  # no match
    manual_hub.faults.clear()
    assert api.get("/api/ai/models").status_code == 200


def test_faults_apply_before_the_key_is_checked(manual_hub: LocalHub) -> None:
    manual_hub.faults.server_error(502)
    assert requests.get(manual_hub.url + "/api/ai/models", timeout=10).status_code == 502


def test_a_held_reply_times_the_client_out(api: requests.Session, manual_hub: LocalHub) -> None:
    fault = manual_hub.faults.hold(method="GET", path="/api/ai/models")
    with pytest.raises(requests.exceptions.ReadTimeout):
        api.get("/api/ai/models", timeout=(10, 0.2))
    fault.release()
    assert api.get("/api/ai/models").status_code == 200


def test_a_held_request_is_seen_before_it_is_answered(
    api: requests.Session, manual_hub: LocalHub
) -> None:
    fault = manual_hub.faults.hold(method="POST")
    replies: list[requests.Response] = []
    thread = threading.Thread(target=lambda: replies.append(api.post("/api/ai/queue", json=BODY)))
    thread.start()
    assert fault.wait_hit()
    assert manual_hub.requests.wait_for("POST", "/api/ai/queue")[0].fault == "POST * hold"
    assert manual_hub.jobs == {} and not replies
    fault.release()
    thread.join(timeout=10)
    assert replies[0].status_code == 200 and len(manual_hub.jobs) == 1


def test_a_slow_reply_still_arrives(api: requests.Session, manual_hub: LocalHub) -> None:
    manual_hub.faults.slow(0.3, method="GET")
    assert api.get("/api/ai/models").status_code == 200
    assert manual_hub.requests[-1].fault == "GET * delay=0.3"


def test_reset_before_the_hub_acts(api: requests.Session, manual_hub: LocalHub) -> None:
    manual_hub.faults.reset_before(path="/api/ai/queue")
    with pytest.raises(requests.exceptions.ConnectionError):
        api.post("/api/ai/queue", json=BODY)
    assert manual_hub.jobs == {}
    assert manual_hub.requests[-1].body == BODY  # it did arrive


def test_reset_after_the_hub_acted(api: requests.Session, manual_hub: LocalHub) -> None:
    manual_hub.faults.reset_after(path="/api/ai/queue")
    with pytest.raises(requests.exceptions.ConnectionError):
        api.post("/api/ai/queue", json=BODY)
    (job,) = manual_hub.jobs.values()  # the job exists; only the reply was lost
    assert job.status == "queued"
    listing = api.get("/api/ai/queue").json()
    assert [row["generation_id"] for row in listing["generations"]] == [job.id]


def test_reset_after_on_a_sync_call(connect: Any) -> None:
    with LocalHub(job_seconds=0) as hub:
        hub.faults.reset_after(path="/api/ai/videos/generate")
        with pytest.raises(requests.exceptions.ConnectionError):
            connect(hub).post("/api/ai/videos/generate", json=BODY)
        assert [job.status for job in hub.jobs.values()] == ["succeeded"]


def test_fault_options_are_checked(manual_hub: LocalHub) -> None:
    with pytest.raises(ValueError, match="reset"):
        manual_hub.faults.add(reset="sometimes")  # type: ignore[arg-type]


class TestCDN:
    def test_results_on_the_cdn_never_need_the_key(self, connect: Any) -> None:
        with LocalHub(job_seconds=0, results="cdn") as hub:
            assert hub.cdn is not None and hub.cdn.url != hub.url
            api = connect(hub)
            job_id = api.post("/api/ai/queue", json=BODY).json()["generations"][0]["generation_id"]
            url = api.get(f"/api/ai/queue/{job_id}").json()["result_url"]
            assert url.startswith(hub.cdn.url + "/api/repos/") and "X-Amz-Signature=" in url
            reply = requests.get(url, timeout=10)
            assert reply.status_code == 200 and reply.headers["Content-Type"] == "video/mp4"
            assert hub.cdn.requests[-1].has_authorization is False
            api.get(url)  # a careless client: the CDN records that the key arrived
            assert hub.cdn.requests[-1].has_authorization is True
            assert requests.get(hub.cdn.url + "/nothing", timeout=10).status_code == 404

    def test_a_redirect_from_the_hub_to_the_cdn(self, connect: Any) -> None:
        with LocalHub(job_seconds=0, results="redirect") as hub:
            assert hub.cdn is not None
            api = connect(hub)
            job_id = api.post("/api/ai/queue", json=BODY).json()["generations"][0]["generation_id"]
            url = api.get(f"/api/ai/queue/{job_id}").json()["result_url"]
            assert url.startswith(hub.url + "/api/repos/")
            first = api.get(url, allow_redirects=False)
            assert first.status_code == 302 and first.headers["Location"].startswith(hub.cdn.url)
            assert requests.get(url, timeout=10).status_code == 401  # the hub's URL needs the key
            followed = api.get(url)  # requests drops Authorization when the origin changes
            assert followed.status_code == 200 and followed.headers["Content-Type"] == "video/mp4"
            (cdn_request,) = hub.cdn.requests
            assert cdn_request.has_authorization is False and cdn_request.authorized is False

    def test_cdn_faults(self, connect: Any) -> None:
        with LocalHub(job_seconds=0, results="cdn") as hub:
            assert hub.cdn is not None
            hub.cdn.faults.server_error(503)
            api = connect(hub)
            job_id = api.post("/api/ai/queue", json=BODY).json()["generations"][0]["generation_id"]
            url = api.get(f"/api/ai/queue/{job_id}").json()["result_url"]
            assert requests.get(url, timeout=10).status_code == 503
            assert requests.get(url, timeout=10).status_code == 200

    def test_unknown_results_mode(self) -> None:
        with pytest.raises(ValueError, match="results"):
            LocalHub(results="s3")
