"""Deadlines hold under faults (issue 13 item 1): every wait given ``timeout=T`` ends by T + 1 s,
whatever the hub does: 429/503 with ``Retry-After: 20``, a status reply delayed 70 s, a closed
port, an event stream that never opens.

This is the one place that measures wall-clock time, and only as an upper bound (the promise
a caller relies on); T is small so the suite stays fast. Each case records its overrun (time
past T); ``test_worst_overrun`` reports the worst one (run with ``-s`` to see the figure).
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from schemadrive import Client
from schemadrive.exceptions import JobTimeout, NetworkError, SchemadriveError
from schemadrive.testing import LocalHub

T = 1.5  # seconds: the caller's timeout in every case
SLACK = 1.0  # seconds: the promise is "ends by T + 1 s"
T2V = "ltx-2-3-quality-text-to-video"
STATUS = "/api/ai/queue/*"
OVERRUNS: dict[str, float] = {}


def timed(name: str, call: Callable[[], Any], *, expect: type[BaseException]) -> float:
    """Run ``call`` (it must raise ``expect``); record and return its overrun past T."""
    started = time.monotonic()
    with pytest.raises(expect):
        call()
    overrun = time.monotonic() - started - T
    OVERRUNS[name] = overrun
    assert overrun <= SLACK, f"{name}: ended {overrun:.2f} s after its deadline"
    return overrun


@pytest.fixture
def hub() -> Iterator[LocalHub]:
    with LocalHub(clock="manual", job_seconds=10) as running:
        yield running
        for fault in running.faults:
            fault.release()  # let delayed replies go so the server stops at once


@pytest.fixture
def client(hub: LocalHub) -> Iterator[Client]:
    with Client(api_key=hub.api_key, base_url=hub.url, cache_dir=False) as made:
        yield made


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # closed again when the block ends


@pytest.mark.parametrize("status", [429, 503])
@pytest.mark.parametrize("via", ["poll", "auto"])
def test_retry_after_20_does_not_hold_a_short_wait(
    hub: LocalHub, client: Client, status: int, via: str
) -> None:
    job = client.submit(T2V, prompt="a fox")
    hub.faults.add(method="GET", path=STATUS, status=status, retry_after=20, times=None)
    hub.faults.add(method="GET", path="/api/ai/queue", status=status, retry_after=20, times=None)
    timed(
        f"{status} Retry-After 20, via={via}",
        lambda: job.wait(timeout=T, via=via),  # type: ignore[arg-type]
        expect=JobTimeout,
    )


@pytest.mark.parametrize("via", ["poll", "auto"])
def test_a_status_reply_delayed_70_s_does_not_hold_a_short_wait(
    hub: LocalHub, client: Client, via: str
) -> None:
    job = client.submit(T2V, prompt="a fox")
    hub.faults.slow(70, method="GET", path=STATUS, times=None)
    hub.faults.slow(70, method="GET", path="/api/ai/queue", times=None)
    timed(
        f"status delayed 70 s, via={via}",
        lambda: job.wait(timeout=T, via=via),  # type: ignore[arg-type]
        expect=JobTimeout,
    )


def test_an_event_stream_that_never_opens_does_not_hold_an_events_wait(
    hub: LocalHub, client: Client
) -> None:
    held = hub.faults.hold(method="GET", path="/api/events", times=None)
    client.dispatcher.settings.listen = False
    job = client.submit(T2V, prompt="a fox")
    timed("stream held, via=events", lambda: job.wait(timeout=T, via="events"), expect=JobTimeout)
    held.release()


@pytest.mark.parametrize("via", ["poll", "auto", "events"])
def test_a_wait_against_a_closed_port_ends_by_its_deadline(via: str) -> None:
    with Client(api_key="k", base_url=f"http://127.0.0.1:{closed_port()}", cache_dir=False) as c:
        timed(
            f"closed port, via={via}",
            lambda: c.job("abc").wait(timeout=T, via=via),  # type: ignore[arg-type]
            expect=SchemadriveError,  # JobTimeout, NetworkError or (events) StreamError
        )


@pytest.mark.parametrize("via", ["poll", "auto"])
def test_a_hub_that_never_answers_is_given_up_on_within_the_connect_policy(via: str) -> None:
    """No deadline to speak of (an hour), yet a wait on a dead hub ends: NetworkError after
    ``unreachable_timeout`` (shortened here), with no answer ever received; the time spent
    trying to open the event stream counts."""
    with Client(api_key="k", base_url=f"http://127.0.0.1:{closed_port()}", cache_dir=False) as c:
        c.dispatcher.settings.unreachable_timeout = T
        c.dispatcher.settings.listen_timeout = T / 2
        started = time.monotonic()
        with pytest.raises(NetworkError, match="has not answered"):
            c.job("abc").wait(timeout=3600, via=via)  # type: ignore[arg-type]
        overrun = time.monotonic() - started - T
        OVERRUNS[f"closed port, no deadline, unreachable_timeout=T, via={via}"] = overrun
        assert overrun <= SLACK


def test_as_completed_yields_each_job_as_soon_as_it_is_known(hub: LocalHub) -> None:
    """120 finished jobs, each status reply 50 ms: the first job comes long before the round
    ends, and the whole wait still ends by its deadline."""
    with Client(api_key=hub.api_key, base_url=hub.url, cache_dir=False) as client:
        client.dispatcher.settings.listen = False
        jobs = client.submit_many(T2V, {"prompt": "a fox"}, count=120)
        hub.finish_all()
        hub.faults.slow(0.05, method="GET", path=STATUS, times=None)
        seen_at: list[int] = []
        started = time.monotonic()
        finished = []
        for job in client.as_completed(jobs, timeout=T, via="poll"):
            seen_at.append(len(hub.requests.filter("GET", STATUS)))
            finished.append(job)
        elapsed = time.monotonic() - started
    OVERRUNS["as_completed 120 jobs x 50 ms"] = elapsed - T
    assert elapsed <= T + SLACK
    assert len(finished) == 120
    # yielded as they came: the first job was out when few status replies had been asked for
    assert seen_at[0] < 60


def test_as_completed_past_its_deadline_names_the_jobs_left(hub: LocalHub) -> None:
    with Client(api_key=hub.api_key, base_url=hub.url, cache_dir=False) as client:
        client.dispatcher.settings.listen = False
        jobs = client.submit_many(T2V, {"prompt": "a fox"}, count=40)
        hub.finish_all()
        hub.faults.slow(0.5, method="GET", path=STATUS, times=None)
        got: list[str] = []

        def drain() -> None:
            for job in client.as_completed(jobs, timeout=T, via="poll"):
                got.append(job.id)

        timed("as_completed 40 jobs x 500 ms", drain, expect=JobTimeout)
    assert got  # some came before the deadline, each as soon as known


def test_worst_overrun() -> None:
    """Run last (file order): the worst overrun seen in this module."""
    if not OVERRUNS:
        pytest.skip("run with the cases above")
    name, worst = max(OVERRUNS.items(), key=lambda item: item[1])
    print(f"\nworst deadline overrun: {worst:+.3f} s ({name}); cases: {len(OVERRUNS)}")
    for case, overrun in sorted(OVERRUNS.items(), key=lambda item: -item[1]):
        print(f"  {overrun:+.3f} s  {case}")
