"""AsyncClient under faults, and its lifecycle: a paid POST is sent at most once (also when
the awaiting task is cancelled mid-request), status calls survive 429/503, the stream
reconnects, every wait ends by its deadline, and closing the client leaves no thread and no
socket behind.

Timing is measured only as an upper bound on deadlines (the promise "ends by T + 1 s", as in
test_deadlines.py); everything else waits on events with generous bounds.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
from integration.test_dispatch_faults import SUBMIT_CASES, add_fault, check_uncertain

from schemadrive import AsyncClient
from schemadrive.exceptions import (
    JobTimeout,
    NetworkError,
    SchemadriveError,
    StreamError,
    SubmitUncertain,
)
from schemadrive.testing import LocalHub

pytestmark = pytest.mark.anyio

PATIENCE = 20.0
T = 1.5  # seconds: the caller's timeout in the deadline cases
SLACK = 1.0
T2V = "ltx-2-3-quality-text-to-video"
QUEUE = "/api/ai/queue"
SYNC = "/api/ai/videos/generate"
STATUS = "/api/ai/queue/*"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def faulty_hub() -> Iterator[LocalHub]:
    with LocalHub(clock="manual", job_seconds=10) as running:
        yield running
        for fault in running.faults:
            fault.release()  # let held replies go so the server stops at once


MakeClient = Callable[..., AsyncClient]


@pytest.fixture
async def make_client() -> AsyncIterator[MakeClient]:
    """``make_client(hub, manual=False, **settings)``; the sync core's resend delays are
    recorded in ``client.slept`` (not slept)."""
    clients: list[AsyncClient] = []

    def make(
        hub: LocalHub, *, manual: bool = False, max_workers: int = 8, **settings: Any
    ) -> AsyncClient:
        client = AsyncClient(
            api_key=hub.api_key, base_url=hub.url, cache_dir=False, max_workers=max_workers
        )
        dispatcher = client.dispatcher
        slept: list[float] = []
        client.slept = slept  # type: ignore[attr-defined]
        dispatcher.sleep = slept.append
        dispatcher.settings.reconnect_initial = 0.01
        dispatcher.settings.poll_interval = 0.05
        dispatcher.settings.max_poll_interval = 0.2
        for key, value in settings.items():
            setattr(dispatcher.settings, key, value)
        if manual:  # polling's sleeps advance the hub's clock
            dispatcher.clock = hub.clock.now

            async def advance(seconds: float) -> None:
                hub.advance(seconds)
                await asyncio.sleep(0)

            client.sleep = advance
            dispatcher.settings.poll_interval = 1.0
            dispatcher.settings.max_poll_interval = 4.0
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


def our_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("schemadrive-")]


def sockets_to(port: int) -> int:
    """Open TCP connections of this process whose far end is 127.0.0.1:``port``."""
    inodes = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    count = 0
    with open("/proc/net/tcp", encoding="ascii") as table:
        for line in table.readlines()[1:]:
            fields = line.split()
            remote, inode = fields[2], fields[9]
            if int(remote.split(":")[1], 16) == port and inode in inodes:
                count += 1
    return count


# -- a paid POST is sent at most once ------------------------------------------------------


@pytest.mark.parametrize("kind", list(SUBMIT_CASES))
async def test_a_paid_submit_is_sent_at_most_once_per_job(
    faulty_hub: LocalHub, make_client: MakeClient, kind: str
) -> None:
    raised, jobs, posts = SUBMIT_CASES[kind]
    client = make_client(faulty_hub, submit_timeout=(5.0, 0.3))
    fault = add_fault(faulty_hub, kind, QUEUE)
    if raised is None:
        job = await client.submit(T2V, prompt="a fox")
        assert list(faulty_hub.jobs) == [job.id]
        assert client.slept == [7.0]  # type: ignore[attr-defined]  # Retry-After honoured
    else:
        with pytest.raises(raised) as caught:
            await client.submit(T2V, prompt="a fox")
        if isinstance(caught.value, SubmitUncertain):
            check_uncertain(caught.value, T2V, faulty_hub)
        if kind == "slow":
            fault.release()
            faulty_hub.wait_for_jobs(1, timeout=PATIENCE)
    assert len(faulty_hub.requests.filter("POST", QUEUE)) == posts
    assert len(faulty_hub.jobs) == jobs


@pytest.mark.parametrize("kind", ["429 once", "503", "reset after"])
async def test_a_sync_run_is_sent_at_most_once(make_client: MakeClient, kind: str) -> None:
    raised, jobs, posts = SUBMIT_CASES[kind]
    with LocalHub(job_seconds=0.2) as hub:
        client = make_client(hub)
        add_fault(hub, kind, SYNC)
        if raised is None:
            assert (await client.run(T2V, prompt="a fox")).urls
        else:
            with pytest.raises(raised):
                await client.run(T2V, prompt="a fox")
        hub.wait_for_jobs(jobs, timeout=PATIENCE)
        assert len(hub.requests.filter("POST", SYNC)) == posts


async def test_a_submit_cancelled_in_flight_is_sent_once_and_reported(
    faulty_hub: LocalHub, make_client: MakeClient, caplog: pytest.LogCaptureFixture
) -> None:
    client = make_client(faulty_hub)
    await client.model(T2V)
    held = faulty_hub.faults.hold(method="POST", path=QUEUE)
    submitting = asyncio.ensure_future(client.submit(T2V, prompt="a fox"))
    assert await asyncio.to_thread(held.wait_hit, 1, PATIENCE)
    submitting.cancel()
    with caplog.at_level(logging.WARNING, logger="schemadrive"):
        held.release()  # the POST goes on in its thread and the hub creates the job
        faulty_hub.wait_for_jobs(1, timeout=PATIENCE)
        with pytest.raises(asyncio.CancelledError):
            await submitting
        for _ in range(200):  # the report is logged once the thread hands its value over
            if caplog.records:
                break
            await asyncio.sleep(0.01)
    (job_id,) = faulty_hub.jobs
    assert any(job_id in record.getMessage() for record in caplog.records)
    assert len(faulty_hub.requests.filter("POST", QUEUE)) == 1


async def test_a_long_sync_run_does_not_hold_up_submits(make_client: MakeClient) -> None:
    """Sync runs (and downloads) have a pool of their own: with one thread each, a run the hub
    holds leaves the submits and status checks free."""
    with LocalHub(job_seconds=0.2) as hub:
        client = make_client(hub, max_workers=1)
        await client.model(T2V)
        held = hub.faults.hold(method="POST", path=SYNC)
        running = asyncio.ensure_future(client.run(T2V, prompt="a long one"))
        try:
            assert await asyncio.to_thread(held.wait_hit, 1, PATIENCE)
            job = await asyncio.wait_for(client.submit(T2V, prompt="a fox"), PATIENCE)
            assert (await job.status()).generation_id == job.id
        finally:
            held.release()
        assert (await running).urls


# -- waits under faults --------------------------------------------------------------------


@pytest.mark.parametrize("status", [429, 503])
@pytest.mark.parametrize("times", [3, 8])
async def test_status_calls_survive_429_and_503(
    faulty_hub: LocalHub, make_client: MakeClient, status: int, times: int
) -> None:
    client = make_client(faulty_hub, manual=True)
    job = await client.submit(T2V, prompt="a fox")
    fault = faulty_hub.faults.add(
        method="GET", path=STATUS, status=status, retry_after=0.01, times=times
    )
    # hub time (the manual clock): room for eight failed rounds and their backoff
    assert (await job.wait(timeout=120, via="poll")).urls
    assert fault.hits == times


async def test_the_stream_reconnects_after_failed_attempts(
    faulty_hub: LocalHub, make_client: MakeClient
) -> None:
    client = make_client(faulty_hub)
    faulty_hub.faults.server_error(503, method="GET", path="/api/events", times=3)
    job = await client.submit(T2V, prompt="a fox")
    faulty_hub.finish_all()
    assert (await job.wait(timeout=PATIENCE, via="events")).urls
    assert len(faulty_hub.requests.filter("GET", "/api/events")) == 4


# -- deadlines hold ------------------------------------------------------------------------


async def ends_by_deadline(wait: Any, expect: type[BaseException]) -> None:
    started = time.monotonic()
    with pytest.raises(expect):
        await wait
    overrun = time.monotonic() - started - T
    assert overrun <= SLACK, f"ended {overrun:.2f} s after its deadline"


@pytest.mark.parametrize("via", ["poll", "auto"])
@pytest.mark.parametrize("fault", ["429 Retry-After 20", "status delayed 70 s"])
async def test_a_short_wait_ends_by_its_deadline(
    faulty_hub: LocalHub, make_client: MakeClient, via: str, fault: str
) -> None:
    client = make_client(faulty_hub)
    job = await client.submit(T2V, prompt="a fox")
    for path in (STATUS, QUEUE):
        if fault.startswith("429"):
            faulty_hub.faults.add(method="GET", path=path, status=429, retry_after=20, times=None)
        else:
            faulty_hub.faults.slow(70, method="GET", path=path, times=None)
    await ends_by_deadline(job.wait(timeout=T, via=via), JobTimeout)  # type: ignore[arg-type]


async def test_a_stream_that_never_opens_does_not_hold_an_events_wait(
    faulty_hub: LocalHub, make_client: MakeClient
) -> None:
    held = faulty_hub.faults.hold(method="GET", path="/api/events", times=None)
    client = make_client(faulty_hub, listen=False)
    job = await client.submit(T2V, prompt="a fox")
    await ends_by_deadline(job.wait(timeout=T, via="events"), JobTimeout)
    held.release()  # else closing the client waits for the listener's held request


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("via", ["poll", "auto", "events"])
async def test_a_wait_against_a_closed_port_ends_by_its_deadline(via: str) -> None:
    async with AsyncClient("k", base_url=f"http://127.0.0.1:{closed_port()}", cache_dir=False) as c:
        job = await c.job("abc")
        await ends_by_deadline(job.wait(timeout=T, via=via), SchemadriveError)  # type: ignore[arg-type]


async def test_a_hub_that_never_answers_is_given_up_on() -> None:
    async with AsyncClient("k", base_url=f"http://127.0.0.1:{closed_port()}", cache_dir=False) as c:
        c.dispatcher.settings.unreachable_timeout = T
        job = await c.job("abc")
        with pytest.raises(NetworkError, match="has not answered"):
            await job.wait(timeout=3600, via="poll")


# -- closing -------------------------------------------------------------------------------


async def test_closing_stops_every_thread_and_socket(faulty_hub: LocalHub) -> None:
    before = our_threads()
    client = AsyncClient(faulty_hub.api_key, base_url=faulty_hub.url, cache_dir=False)
    async with client:
        jobs = await client.submit_many(T2V, {"prompt": "a fox"}, count=8)
        faulty_hub.finish_all()
        await client.wait_all(jobs, timeout=PATIENCE)
        polled = await client.submit_many(T2V, {"prompt": "a fox"}, count=3)
        assert len(our_threads()) > len(before) and sockets_to(faulty_hub.port) >= 2
        waiting = asyncio.ensure_future(client.wait_all(polled, timeout=PATIENCE))
        await asyncio.sleep(0.05)
    with pytest.raises(StreamError, match="closed"):  # the wait in progress ended
        await waiting
    for thread in our_threads():  # threads of a reconcile's own pool end just after it
        thread.join(PATIENCE)
    assert our_threads() == before
    assert sockets_to(faulty_hub.port) == 0
    with pytest.raises(RuntimeError, match="closed"):
        await client.submit(T2V, prompt="a fox")


async def test_a_client_belongs_to_one_loop(faulty_hub: LocalHub) -> None:
    client = AsyncClient(faulty_hub.api_key, base_url=faulty_hub.url, cache_dir=False)
    async with client:
        await client.model(T2V)

        def elsewhere() -> None:
            async def use() -> None:
                await client.list_models()

            asyncio.run(use())

        with pytest.raises(RuntimeError, match="event loop"):
            await asyncio.to_thread(elsewhere)


def test_import_schemadrive_loads_no_asyncio() -> None:
    code = (
        "import sys, schemadrive\n"
        "print(sorted(m for m in ('asyncio', 'schemadrive.aio') if m in sys.modules))\n"
        "schemadrive.AsyncClient\n"
        "print('schemadrive.aio' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout.split("\n")
    assert out[:2] == ["[]", "True"]


def test_without_an_asyncio_loop_it_says_so() -> None:
    """What trio code (or no loop at all) meets: a plain message, not an obscure failure."""
    client = AsyncClient("k", base_url="http://127.0.0.1:9", cache_dir=False)
    entering = client.__aenter__()
    with pytest.raises(RuntimeError, match=r"asyncio event loop.*trio is not supported"):
        entering.send(None)
