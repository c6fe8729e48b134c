"""Waiting on 200 queued jobs over the event stream (``client.as_completed(via="events")``)
against polling each job every 0.5 s (what popular clients do): requests sent per job, and
the delay from a job's completion on the hub to the client noticing it. LocalHub plays the hub.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from .common import MODEL, Figure, report, skipped

NAME = "wait"
COMMAND = "python tests/benchmarks/run.py wait"
POLL = 0.5  # seconds, the fixed interval of the baseline
JOB_SECONDS = 3.0


def _submit(client: Any, count: int, spread: float) -> list[Any]:
    """``count`` jobs in requests of 4, spread over ``spread`` seconds (so they end apart)."""
    jobs: list[Any] = []
    batches = (count + 3) // 4
    for index in range(batches):
        jobs += client.submit_many(
            MODEL, {"prompt": f"bench {index}"}, count=min(4, count - len(jobs))
        )
        time.sleep(spread / batches)
    return jobs


def _delays(hub: Any, noticed: dict[str, float]) -> list[float]:
    return [at - hub.job(job_id).completed_at for job_id, at in noticed.items()]


def _waiting_requests(hub: Any, before: int) -> int:
    """Requests since ``before`` other than the submits (the same for both ways of waiting);
    the event stream's connection counts as one."""
    return sum(1 for r in list(hub.requests)[before:] if r.method != "POST")


def _events(client: Any, hub: Any, count: int, spread: float) -> tuple[float, list[float]]:
    before = len(hub.requests)
    jobs = _submit(client, count, spread)
    noticed: dict[str, float] = {}
    for job in client.as_completed(jobs, via="events", timeout=120):
        noticed[job.id] = time.time()
    return _waiting_requests(hub, before) / count, _delays(hub, noticed)


def _polling(client: Any, hub: Any, count: int, spread: float) -> tuple[float, list[float]]:
    before = len(hub.requests)
    jobs = _submit(client, count, spread)
    noticed: dict[str, float] = {}
    pending = list(jobs)
    deadline = time.monotonic() + 120
    while pending and time.monotonic() < deadline:
        for job in list(pending):
            if job.status().terminal:
                noticed[job.id] = time.time()
                pending.remove(job)
        if pending:
            time.sleep(POLL)
    return _waiting_requests(hub, before) / count, _delays(hub, noticed)


def _summary(delays: list[float]) -> str:
    ordered = sorted(delays)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    return f"mean {statistics.mean(delays):.3f} s, p95 {p95:.3f} s, max {ordered[-1]:.3f} s"


def run(figures: list[Figure], *, quick: bool = False) -> None:
    try:
        from schemadrive.testing import LocalHub
    except ImportError as exc:
        skipped(NAME, f"LocalHub is not available yet ({exc})", figures)
        return
    from schemadrive import Client

    if not all(hasattr(Client, name) for name in ("submit_many", "as_completed")):
        skipped(
            NAME, "the dispatch API (client.submit_many / client.as_completed) is missing", figures
        )
        return
    count = 40 if quick else 200
    spread = 1.0 if quick else 3.0
    with (
        LocalHub(job_seconds=JOB_SECONDS, unrelated_events=True) as hub,
        Client(api_key=hub.api_key, base_url=hub.url, cache_dir=False) as client,
    ):
        client.model(MODEL)
        per_job_events, events = _events(client, hub, count, spread)
        per_job_polling, polling = _polling(client, hub, count, spread)
    report(
        Figure(
            NAME,
            f"{count} queued jobs over events: requests per job",
            per_job_events,
            "requests/job",
            f"polling every {POLL} s",
            per_job_polling,
            better="lower",
            note=f"{len(events)} noticed; jobs take {JOB_SECONDS} s on the hub",
            command=COMMAND,
        ),
        figures,
    )
    report(
        Figure(
            NAME,
            f"{count} queued jobs over events: mean delay completion -> notice",
            statistics.mean(events),
            "s",
            f"polling every {POLL} s",
            statistics.mean(polling),
            better="lower",
            note=f"events: {_summary(events)}; polling: {_summary(polling)}",
            command=COMMAND,
        ),
        figures,
    )
