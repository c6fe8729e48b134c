"""Faults against LocalHub: a paid POST is never sent twice and never lost; status calls
survive 429 and 503; a stream cut every few events loses no completion; a hub whose stream is
missing is polled instead.

No timing is asserted: faults are scripted, sleeps between resends are recorded, not slept.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from schemadrive import Client
from schemadrive.dispatch.submission import post_paid
from schemadrive.exceptions import (
    HubError,
    NetworkError,
    RateLimited,
    StreamError,
    SubmitUncertain,
)
from schemadrive.hub.transport import Transport
from schemadrive.testing import LocalHub

PATIENCE = 20.0
T2V = "ltx-2-3-quality-text-to-video"
QUEUE = "/api/ai/queue"
SYNC = "/api/ai/videos/generate"


@pytest.fixture
def make_client() -> Iterator[Callable[..., Client]]:
    """``make_client(hub, **settings)``; resend delays are recorded in ``client.slept``."""
    clients: list[Client] = []

    def make(hub: LocalHub, **settings: Any) -> Client:
        client = Client(api_key=hub.api_key, base_url=hub.url, cache_dir=False)
        dispatcher = client.dispatcher
        slept: list[float] = []
        client.slept = slept  # type: ignore[attr-defined]
        dispatcher.sleep = slept.append
        dispatcher.settings.reconnect_initial = 0.01
        dispatcher.settings.poll_interval = 0.05
        dispatcher.settings.max_poll_interval = 0.2
        for key, value in settings.items():
            setattr(dispatcher.settings, key, value)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def drive(client: Client, hub: LocalHub) -> None:
    """Polling waits run on the hub's manual clock: sleeping advances it."""
    client.dispatcher.clock = hub.clock.now
    client.dispatcher.sleep = hub.advance
    client.dispatcher.settings.poll_interval = 1.0
    client.dispatcher.settings.max_poll_interval = 4.0


def add_fault(hub: LocalHub, kind: str, path: str) -> Any:
    faults = hub.faults
    if kind == "429 once":
        return faults.rate_limit(method="POST", path=path, retry_after=7)
    if kind == "429 always":
        return faults.rate_limit(method="POST", path=path, retry_after=1, times=None)
    if kind == "429 for an hour":
        return faults.rate_limit(method="POST", path=path, retry_after=3600)
    if kind in ("500", "502", "503"):
        return faults.server_error(int(kind), method="POST", path=path)
    if kind == "reset before":
        return faults.reset_before(path=path)
    if kind == "reset after":
        return faults.reset_after(path=path)
    if kind == "slow":
        return faults.slow(30, method="POST", path=path)
    if kind == "unreadable 200":
        return faults.add(method="POST", path=path, status=200, body="<html>OK</html>")
    raise AssertionError(kind)


#: fault -> (what the submit raises or None, jobs the hub ends up with, POSTs sent)
SUBMIT_CASES = {
    "429 once": (None, 1, 2),
    "429 always": (RateLimited, 0, 5),
    "429 for an hour": (RateLimited, 0, 1),
    "500": (SubmitUncertain, 0, 1),
    "502": (SubmitUncertain, 0, 1),
    "503": (SubmitUncertain, 0, 1),
    "reset before": (SubmitUncertain, 0, 1),
    "reset after": (SubmitUncertain, 1, 1),
    "slow": (SubmitUncertain, 1, 1),
    "unreadable 200": (SubmitUncertain, 0, 1),
}


def check_uncertain(error: SubmitUncertain, model_id: str, hub: LocalHub) -> None:
    text = str(error)
    assert model_id in text and "may or may not" in text and "will not be sent again" in text
    assert "schemadrive jobs" in text and f"{hub.url}{QUEUE}" in text
    assert error.model_id == model_id and error.check and error.submitted_at is not None
    assert error.submitted_at <= time.time()


@pytest.mark.parametrize("kind", list(SUBMIT_CASES))
def test_a_paid_submit_is_sent_at_most_once_per_job(
    manual_hub: LocalHub, make_client: Callable[..., Client], kind: str
) -> None:
    raised, jobs, posts = SUBMIT_CASES[kind]
    client = make_client(manual_hub, submit_timeout=(5.0, 0.3))
    fault = add_fault(manual_hub, kind, QUEUE)
    if raised is None:
        job = client.submit(T2V, prompt="a fox")
        assert list(manual_hub.jobs) == [job.id]
        assert client.slept == [7.0]  # type: ignore[attr-defined]  # Retry-After honoured
    else:
        with pytest.raises(raised) as caught:
            client.submit(T2V, prompt="a fox")
        if raised is SubmitUncertain:
            check_uncertain(caught.value, T2V, manual_hub)
        if kind == "slow":
            fault.release()  # the hub acts once the client has given up
            manual_hub.wait_for_jobs(1, timeout=PATIENCE)
    assert len(manual_hub.requests.filter("POST", QUEUE)) == posts
    assert len(manual_hub.jobs) == jobs  # never two


@pytest.mark.parametrize("kind", ["429 once", "503", "reset before", "reset after"])
def test_a_sync_run_is_sent_at_most_once(
    hub: LocalHub, make_client: Callable[..., Client], kind: str
) -> None:
    raised, jobs, posts = SUBMIT_CASES[kind]
    client = make_client(hub)
    add_fault(hub, kind, SYNC)
    if raised is None:
        assert client.run(T2V, prompt="a fox").urls
    else:
        with pytest.raises(raised) as caught:
            client.run(T2V, prompt="a fox")
        check_uncertain(caught.value, T2V, hub)
    hub.wait_for_jobs(jobs, timeout=PATIENCE)
    assert len(hub.requests.filter("POST", SYNC)) == posts
    assert len(hub.jobs) == jobs


def test_jobs_created_before_a_failing_chunk_are_kept(
    manual_hub: LocalHub, make_client: Callable[..., Client]
) -> None:
    client = make_client(manual_hub)
    manual_hub.faults.add(method="POST", path=QUEUE, times=2)  # a no-op for the first two
    manual_hub.faults.reset_after(path=QUEUE)
    with pytest.raises(SubmitUncertain) as caught:
        client.submit_many(T2V, {"prompt": "a fox"}, count=10)
    created = caught.value.jobs  # type: ignore[attr-defined]
    assert len(created) == 8 and {job.id for job in created} <= set(manual_hub.jobs)
    assert len(manual_hub.jobs) == 10  # the uncertain chunk did reach the hub: 8 + 2
    assert len(manual_hub.requests.filter("POST", QUEUE)) == 3


def test_refused_connections_are_not_uncertain() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    transport = Transport(f"http://127.0.0.1:{port}", "k", retries=1, backoff_factor=0.0)
    with pytest.raises(NetworkError) as caught:
        post_paid(
            transport, QUEUE, {"model": T2V}, model_id=T2V, parse=lambda r: r, check="-",
            timeout=(2.0, 2.0),
        )  # fmt: skip
    assert not isinstance(caught.value, SubmitUncertain)
    assert "nothing was submitted" in str(caught.value)
    transport.close()


def test_a_redirected_submit_is_refused_not_followed(
    manual_hub: LocalHub, make_client: Callable[..., Client]
) -> None:
    client = make_client(manual_hub)
    manual_hub.faults.add(
        method="POST", path=QUEUE, status=307, headers={"Location": "http://127.0.0.1:9/x"}
    )
    with pytest.raises(HubError) as caught:
        client.submit(T2V, prompt="a fox")
    assert caught.value.status == 307 and not isinstance(caught.value, SubmitUncertain)
    assert len(manual_hub.requests.filter("POST")) == 1 and manual_hub.jobs == {}


# -- status calls --------------------------------------------------------------------------


@pytest.mark.parametrize("status", [429, 503])
@pytest.mark.parametrize("times", [3, 8])  # within the transport's retries, and beyond them
def test_status_calls_survive_429_and_503(
    manual_hub: LocalHub, make_client: Callable[..., Client], status: int, times: int
) -> None:
    client = make_client(manual_hub)
    drive(client, manual_hub)
    job = client.submit(T2V, prompt="a fox")
    fault = manual_hub.faults.add(
        method="GET", path=f"{QUEUE}/*", status=status, retry_after=0.01, times=times
    )
    assert job.wait(timeout=PATIENCE, via="poll").urls
    assert fault.hits == times


def test_a_listing_failure_falls_back_to_each_job(
    manual_hub: LocalHub, make_client: Callable[..., Client]
) -> None:
    client = make_client(manual_hub)
    drive(client, manual_hub)
    jobs = client.submit_many(T2V, {"prompt": "a fox"}, count=3)
    manual_hub.faults.add(method="GET", path=QUEUE, status=500, times=None)
    assert len(client.wait_all(jobs, timeout=PATIENCE, via="poll")) == 3


# -- the event stream ----------------------------------------------------------------------


def test_a_stream_cut_every_few_events_loses_no_completion(
    make_client: Callable[..., Client],
) -> None:
    with LocalHub(clock="manual", job_seconds=10) as hub:
        client = make_client(hub, reconcile_interval=3600)  # only reconnects reconcile
        cut = hub.faults.cut_stream(3, path="/api/events", times=None)
        jobs = []
        for i in range(24):  # staggered: one enqueued every half second of hub time
            jobs.append(client.submit(T2V, prompt=f"fox {i}"))
            hub.advance(0.5)
        stop = threading.Event()
        seen = threading.Condition()
        finished: list[Any] = []

        def run_the_clock() -> None:
            # hub time moves on only once the client has seen every job the hub has ended
            # (by an event, or by the reconcile after a reconnect): no completion can be
            # outrun, and each connection gets its events before the next step
            while not stop.is_set() and any(not j.terminal for j in hub.jobs.values()):
                hub.advance(0.5)
                ended = sum(j.terminal for j in hub.jobs.values())
                with seen:
                    seen.wait_for(lambda n=ended: len(finished) >= n or stop.is_set(), PATIENCE)

        clock = threading.Thread(target=run_the_clock, daemon=True)
        clock.start()
        try:
            for job in client.as_completed(jobs, timeout=PATIENCE):
                with seen:
                    finished.append(job)
                    seen.notify_all()
        finally:
            stop.set()
            with seen:
                seen.notify_all()
            clock.join(timeout=PATIENCE)
        assert sorted(j.id for j in finished) == sorted(j.id for j in jobs)
        assert all(j.wait().urls for j in finished)
        listener = client.dispatcher.listener()
        assert listener is not None
        opened = len(hub.requests.filter("GET", "/api/events"))
        assert cut.hits >= 2 and opened == listener.connections >= 2


def test_the_stream_reconnects_after_failed_attempts(
    manual_hub: LocalHub, make_client: Callable[..., Client]
) -> None:
    client = make_client(manual_hub)
    manual_hub.faults.server_error(503, method="GET", path="/api/events", times=3)
    job = client.submit(T2V, prompt="a fox")
    manual_hub.finish_all()
    assert job.wait(timeout=PATIENCE, via="events").urls
    assert len(manual_hub.requests.filter("GET", "/api/events")) == 4


def test_without_a_stream_auto_polls_and_events_raises(
    manual_hub: LocalHub, make_client: Callable[..., Client]
) -> None:
    client = make_client(manual_hub)
    drive(client, manual_hub)
    manual_hub.faults.add(method="GET", path="/api/events", status=404, times=None)
    job = client.submit(T2V, prompt="a fox")
    assert job.wait(timeout=PATIENCE).urls  # via="auto": polled
    with pytest.raises(StreamError) as caught:
        client.submit(T2V, prompt="a fox").wait(timeout=PATIENCE, via="events")
    assert "404" in str(caught.value)
    assert len(manual_hub.requests.filter("GET", "/api/events")) == 1  # given up at once
