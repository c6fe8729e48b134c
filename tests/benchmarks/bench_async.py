"""AsyncClient awaiting 1,000 jobs at once (``gather`` over ``job.wait()``) against the sync
Client waiting on the same jobs with a thread per job: threads used, requests per job, and the
delay from a job's completion on the hub to the awaiting task (or thread) resuming.
LocalHub plays the hub; the event stream is open before the submits, as in a running service.
"""

from __future__ import annotations

import asyncio
import statistics
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from .common import MODEL, RUNS, Figure, Sample, compare, report, skipped

NAME = "async"
COMMAND = "python tests/benchmarks/run.py async"
JOB_SECONDS = 3.0
SPREAD = 2.0  # seconds over which the submits are spread, so that completions come apart


class ThreadPeak:
    """Samples the process's threads every 5 ms: the most alive at once, ours (named
    ``schemadrive-*``) and all of them less those alive before (LocalHub's and the loop's)."""

    def __init__(self) -> None:
        self.before = {t.ident for t in threading.enumerate()}
        self.ours = self.new = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="bench-sampler", daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.005):
            alive = [t for t in threading.enumerate() if t.name != "bench-sampler"]
            ours = sum(t.name.startswith("schemadrive-") for t in alive)
            new = sum(t.ident not in self.before and not t.name.startswith(("localhub", "Thread-"))
                      for t in alive)  # fmt: skip  # the hub's request handlers are not ours
            self.ours, self.new = max(self.ours, ours), max(self.new, new)

    def __enter__(self) -> ThreadPeak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _counts(hub: Any, before: int, count: int) -> tuple[float, float, int]:
    """POSTs per job, other requests per job (status, list), event connections."""
    made = list(hub.requests)[before:]
    posts = sum(r.method == "POST" for r in made)
    streams = sum(r.path == "/api/events" for r in made)
    others = sum(r.method != "POST" and r.path != "/api/events" for r in made)
    return posts / count, others / count, streams


def _delays(hub: Any, resumed: dict[str, float]) -> list[float]:
    return [at - hub.job(job_id).completed_at for job_id, at in resumed.items()]


def _async_run(count: int) -> dict[str, Any]:
    from schemadrive import AsyncClient
    from schemadrive.testing import LocalHub

    async def main(hub: Any) -> dict[str, Any]:
        async with AsyncClient(api_key=hub.api_key, base_url=hub.url, cache_dir=False) as client:
            await client.model(MODEL)
            listener = client.dispatcher.listener()
            await asyncio.to_thread(listener.ensure_connected, 10)  # type: ignore[union-attr]
            before = len(hub.requests)
            resumed: dict[str, float] = {}

            async def submit(index: int) -> list[Any]:
                await asyncio.sleep(SPREAD * index / (count // 4))
                return await client.submit_many(MODEL, {"prompt": f"bench {index}"}, count=4)

            async def waited(job: Any) -> None:
                await job.wait(timeout=120)
                resumed[job.id] = time.time()

            with ThreadPeak() as peak:
                batches = await asyncio.gather(*(submit(i) for i in range(count // 4)))
                jobs = [job for batch in batches for job in batch]
                await asyncio.gather(*(waited(job) for job in jobs))
            posts, others, streams = _counts(hub, before, len(jobs))
            return {"threads": peak.ours, "new_threads": peak.new, "posts": posts,
                    "others": others, "streams": streams, "delays": _delays(hub, resumed),
                    "pool": client.max_workers}  # fmt: skip

    with LocalHub(job_seconds=JOB_SECONDS, unrelated_events=True) as hub:
        return asyncio.run(main(hub))


def _threaded_run(count: int) -> dict[str, Any]:
    """The sync Client, a thread per waiting job (what waiting on each job independently
    costs without AsyncClient, e.g. ``asyncio.to_thread(job.wait)`` with a big enough pool)."""
    from schemadrive import Client
    from schemadrive.testing import LocalHub

    with (
        LocalHub(job_seconds=JOB_SECONDS, unrelated_events=True) as hub,
        Client(api_key=hub.api_key, base_url=hub.url, cache_dir=False) as client,
    ):
        client.model(MODEL)
        listener = client.dispatcher.listener()
        listener.ensure_connected(10)  # type: ignore[union-attr]
        before = len(hub.requests)
        resumed: dict[str, float] = {}
        lock = threading.Lock()

        def waited(job: Any) -> None:
            job.wait(timeout=120)
            with lock:
                resumed[job.id] = time.time()

        with ThreadPeak() as peak, ThreadPoolExecutor(count, thread_name_prefix="waiter") as pool:
            futures = []
            for index in range(count // 4):
                for job in client.submit_many(MODEL, {"prompt": f"bench {index}"}, count=4):
                    futures.append(pool.submit(waited, job))
                time.sleep(SPREAD / (count // 4))
            for future in futures:
                future.result()
        posts, others, streams = _counts(hub, before, count)
        return {"threads": peak.new, "posts": posts, "others": others, "streams": streams,
                "delays": _delays(hub, resumed)}  # fmt: skip


ANCHOR = "sync Client, a thread per waiting job"


def _sample(results: list[dict[str, Any]], key: Callable[[dict[str, Any]], float]) -> Sample:
    return Sample.of([key(result) for result in results])


def _mean_delay(result: dict[str, Any]) -> float:
    return float(statistics.mean(result["delays"]))


def _p95(result: dict[str, Any]) -> float:
    ordered = sorted(result["delays"])
    return float(ordered[int(0.95 * (len(ordered) - 1))])


def run(figures: list[Figure], *, quick: bool = False) -> None:
    try:
        from schemadrive import AsyncClient  # noqa: F401
    except ImportError as exc:
        skipped(NAME, f"AsyncClient is not available ({exc})", figures)
        return
    count = 200 if quick else 1000
    ours: list[dict[str, Any]] = []
    theirs: list[dict[str, Any]] = []
    for _ in range(2 if quick else RUNS):  # in turns, so that a busy moment hits both
        ours.append(_async_run(count))
        theirs.append(_threaded_run(count))
    pool = ours[0]["pool"]

    def both(key: Callable[[dict[str, Any]], float]) -> tuple[Sample, Sample]:
        return _sample(ours, key), _sample(theirs, key)

    mine, anchor = both(lambda r: r["threads"])
    threads = compare(
        NAME, f"{count} awaited jobs: schemadrive threads alive at most", mine, "threads",
        ANCHOR, anchor, better="lower", command=COMMAND,
        note="every thread the async run started, the hub's aside: "
        f"{_sample(ours, lambda r: r['new_threads']).median:g}",
    )  # fmt: skip
    threads.target = f"<= {pool + 1} (the pool + the listener, not one per job)"
    threads.met = mine.median <= pool + 1
    report(threads, figures)
    mine, anchor = both(lambda r: r["posts"] + r["others"])
    report(compare(
        NAME, f"{count} awaited jobs: requests per job", mine, "requests/job", ANCHOR, anchor,
        better="lower", command=COMMAND,
        note=f"POSTs/job {_sample(ours, lambda r: r['posts']).median:.2f} (4 jobs per POST), "
        f"status/list requests/job {_sample(ours, lambda r: r['others']).median:.3f}, plus "
        "the one event connection opened before the submits",
    ), figures)  # fmt: skip
    mine, anchor = both(_mean_delay)
    report(compare(
        NAME, f"{count} awaited jobs: mean delay hub completion -> task resumes", mine, "s",
        ANCHOR, anchor, better="lower", command=COMMAND,
        note=f"p95 {_sample(ours, _p95).median:.3f} s (anchor {_sample(theirs, _p95).median:.3f}"
        f" s); jobs take {JOB_SECONDS:g} s on the hub, submitted over {SPREAD:g} s",
    ), figures)  # fmt: skip
