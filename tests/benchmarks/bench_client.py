"""A warm ``client.model()`` (target: under 5 microseconds), and 64 threads asking for the
same cold model at once (target: one request to the hub; LocalHub counts them).
"""

from __future__ import annotations

import threading
import time

from .common import MODEL, RUNS, Figure, Sample, report, skipped

NAME = "client"
COMMAND = "python tests/benchmarks/run.py client"
THREADS = 64


def run(figures: list[Figure], *, quick: bool = False) -> None:
    from schemadrive import Client

    client = Client(offline=True, cache_dir=False)
    client.model(MODEL)
    calls = 100_000 if quick else 500_000
    times = []
    for _ in range(RUNS if quick else 2 * RUNS):
        start = time.perf_counter()
        for _ in range(calls // 10):
            client.model(MODEL)
        times.append((time.perf_counter() - start) / (calls // 10))
    sample = Sample.of([t * 1e6 for t in times])
    best = sample.median / 1e6
    floor, ttl, lock = _parts(calls // 10, client.model(MODEL))
    note = (
        f"where it goes: cachetools TTLCache.get {ttl * 1e6:.2f} us, a threading.Lock "
        f"acquire+release {lock * 1e6:.2f} us, the rest is Client.model/SchemaStore.get"
    )
    report(
        Figure(
            NAME,
            "warm client.model()",
            best * 1e6,
            "us",
            "dict.get (the floor)",
            floor * 1e6,
            "< 5 us",
            best < 5e-6,
            "lower",
            note=note,
            command=COMMAND,
            spread=sample.spread(),
        ),
        figures,
    )
    _cold_threads(figures)


def _parts(calls: int, value: object) -> tuple[float, float, float]:
    """Seconds per call of a dict lookup, a TTLCache lookup and a lock round trip."""
    from cachetools import TTLCache

    plain: dict[str, object] = {MODEL: value}
    cache: TTLCache[str, object] = TTLCache(maxsize=1024, ttl=600)
    cache[MODEL] = value
    lock = threading.Lock()

    def locked() -> None:
        with lock:
            pass

    out = []
    for call in (lambda: plain.get(MODEL), lambda: cache.get(MODEL), locked):
        best = float("inf")
        for _ in range(5):
            start = time.perf_counter()
            for _ in range(calls):
                call()
            best = min(best, (time.perf_counter() - start) / calls)
        out.append(best)
    return out[0], out[1], out[2]


def _cold_threads(figures: list[Figure]) -> None:
    try:
        from schemadrive.testing import LocalHub
    except ImportError as exc:
        skipped(NAME, f"LocalHub is not available yet ({exc})", figures)
        return
    from schemadrive import Client

    with LocalHub() as hub:
        client = Client(api_key=hub.api_key, base_url=hub.url, cache_dir=False)
        barrier = threading.Barrier(THREADS)
        models: list[object] = []
        errors: list[BaseException] = []

        def ask() -> None:
            barrier.wait()
            try:
                models.append(client.model(MODEL))
            except BaseException as exc:  # report, do not hang the benchmark
                errors.append(exc)

        threads = [threading.Thread(target=ask) for _ in range(THREADS)]
        start = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - start
        sent = len(hub.requests.filter("GET", f"/api/ai/models/{MODEL}"))
        client.close()
    same = len({id(m) for m in models}) == 1 and len(models) == THREADS
    note = f"{THREADS} threads got {'one shared' if same else 'different'} Model in {elapsed:.3f} s"
    if errors:
        note += f"; {len(errors)} errors, first: {errors[0]!r}"
    report(
        Figure(
            NAME,
            f"{THREADS} threads, one cold model: requests sent",
            sent,
            "requests",
            f"one request per thread ({THREADS})",
            THREADS,
            "1 request",
            sent == 1,
            "lower",
            note=note,
            command=COMMAND,
        ),
        figures,
    )
