"""LocalHub under load: 100 clients at once, each on its own connection."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from schemadrive.testing import LocalHub

CLIENTS = 100
T2V = "ltx-2-3-quality-text-to-video"


def test_100_concurrent_clients(manual_hub: LocalHub, connect: Any) -> None:
    sessions = [connect(manual_hub) for _ in range(CLIENTS)]
    start = threading.Barrier(CLIENTS, timeout=30)

    def client(number: int) -> tuple[str, dict[str, Any]]:
        api = sessions[number]
        start.wait()  # every client sends at the same moment
        reply = api.post("/api/ai/queue", json={"model": T2V, "prompt": f"clip {number}"})
        assert reply.status_code == 200, reply.text
        job_id = reply.json()["generations"][0]["generation_id"]
        assert api.get("/api/ai/models/" + T2V).status_code == 200
        assert api.get("/api/ai/queue").status_code == 200
        return job_id, api.get(f"/api/ai/queue/{job_id}").json()

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        results = list(pool.map(client, range(CLIENTS)))

    ids = [job_id for job_id, _ in results]
    assert len(set(ids)) == CLIENTS
    assert {row["prompt"] for _, row in results} == {f"clip {n}" for n in range(CLIENTS)}
    assert {row["status"] for _, row in results} == {"queued"}
    assert len(manual_hub.requests) == 4 * CLIENTS
    assert sessions[0].get("/api/ai/queue").json()["count"] == CLIENTS
    manual_hub.finish_all()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        rows = list(
            pool.map(lambda n: sessions[n].get(f"/api/ai/queue/{ids[n]}").json(), range(CLIENTS))
        )
    assert {row["status"] for row in rows} == {"succeeded"}
    assert sessions[0].get("/api/ai/generations").json()["total_entries"] == CLIENTS


def test_100_clients_waiting_on_sync_calls(connect: Any) -> None:
    with LocalHub(clock="manual", job_seconds=4) as hub:
        sessions = [connect(hub) for _ in range(CLIENTS)]
        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            futures = [
                pool.submit(
                    sessions[n].post,
                    "/api/ai/videos/generate",
                    json={"model": T2V, "prompt": str(n)},
                )
                for n in range(CLIENTS)
            ]
            hub.wait_for_jobs(CLIENTS)  # every call is in, and blocked
            hub.advance(4)
            replies = [future.result(timeout=30) for future in futures]
        assert {reply.status_code for reply in replies} == {200}
        urls = {reply.json()["videos"][0]["url"] for reply in replies}
        assert len(urls) == CLIENTS
