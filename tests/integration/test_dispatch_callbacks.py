"""The shared listener's callback API: outcomes handed to a function, no thread per waiter.

``listener.add_done_callback(id, fn)`` is what an asyncio waiter uses
(``loop.call_soon_threadsafe`` inside ``fn``); these tests check what it promises: called once,
with the outcome, at once when already known, never after removal; the stop callback tells a
waiter that the stream gave up.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from schemadrive import Client
from schemadrive.exceptions import StreamError
from schemadrive.hub.status import JobState, Status
from schemadrive.testing import LocalHub

T2V = "ltx-2-3-quality-text-to-video"
PATIENCE = 20.0


@pytest.fixture
def hub() -> Iterator[LocalHub]:
    with LocalHub(clock="manual", job_seconds=10) as running:
        yield running


@pytest.fixture
def client(hub: LocalHub) -> Iterator[Client]:
    with Client(api_key=hub.api_key, base_url=hub.url, cache_dir=False) as made:
        made.dispatcher.settings.reconnect_initial = 0.01
        yield made


class Collector:
    """Collects callback values; ``wait(n)`` blocks (bounded) until ``n`` arrived."""

    def __init__(self) -> None:
        self.values: list[Any] = []
        self.threads: list[str] = []
        self._cond = threading.Condition()

    def __call__(self, value: Any) -> None:
        with self._cond:
            self.values.append(value)
            self.threads.append(threading.current_thread().name)
            self._cond.notify_all()

    def wait(self, count: int = 1) -> list[Any]:
        with self._cond:
            assert self._cond.wait_for(lambda: len(self.values) >= count, PATIENCE)
            return list(self.values)


def test_a_done_callback_gets_the_outcome_from_the_listener_thread(
    hub: LocalHub, client: Client
) -> None:
    job = client.submit(T2V, prompt="a kite")
    listener = client.dispatcher.listener()
    assert listener is not None
    got = Collector()
    listener.add_done_callback(job.id, got)
    assert listener.ensure_connected(PATIENCE) is not None  # starts it
    hub.finish_all()
    (outcome,) = got.wait()
    assert isinstance(outcome, JobState)
    assert outcome.generation_id == job.id and outcome.status is Status.SUCCEEDED
    assert outcome.urls  # the result travels with the event
    assert got.threads == ["schemadrive-events"]


def test_a_callback_for_a_known_outcome_runs_at_once_and_only_once(
    hub: LocalHub, client: Client
) -> None:
    job = client.submit(T2V, prompt="a kite")
    hub.finish_all()
    job.wait(timeout=PATIENCE)  # now remembered by the listener
    listener = client.dispatcher.listener()
    assert listener is not None
    got = Collector()
    listener.add_done_callback(job.id, got)
    assert [value.generation_id for value in got.values] == [job.id]
    assert got.threads == [threading.current_thread().name]
    listener.record({job.id: job.state})  # learnt again: no second call
    assert len(got.values) == 1


def test_a_removed_callback_is_never_called(hub: LocalHub, client: Client) -> None:
    first, second = client.submit_many(T2V, {"prompt": "a kite"}, count=2)
    listener = client.dispatcher.listener()
    assert listener is not None
    removed, kept = Collector(), Collector()
    listener.add_done_callback(first.id, removed)
    listener.add_done_callback(first.id, kept)
    assert listener.remove_done_callback(first.id, removed) is True
    assert listener.remove_done_callback(first.id, removed) is False
    assert listener.ensure_connected(PATIENCE) is not None
    hub.finish_all()
    kept.wait()
    second.wait(timeout=PATIENCE)  # both events were read by now
    assert removed.values == []


def test_a_poll_or_cancel_recorded_elsewhere_fires_the_callback(
    hub: LocalHub, client: Client
) -> None:
    job = client.submit(T2V, prompt="a kite")
    listener = client.dispatcher.listener()
    assert listener is not None
    got = Collector()
    listener.add_done_callback(job.id, got)
    job.cancel()  # cancelled jobs get no event: the cancel records the outcome
    (outcome,) = got.wait()
    assert outcome.status is Status.CANCELLED


def test_a_callback_that_raises_does_not_end_the_listener(hub: LocalHub, client: Client) -> None:
    first, second = client.submit_many(T2V, {"prompt": "a kite"}, count=2)
    listener = client.dispatcher.listener()
    assert listener is not None

    def broken(_: Any) -> None:
        raise RuntimeError("a bug in the caller")

    got = Collector()
    listener.add_done_callback(first.id, broken)
    listener.add_done_callback(second.id, got)
    assert listener.ensure_connected(PATIENCE) is not None
    hub.finish_all()
    got.wait()
    assert listener.failure is None


def test_the_stop_callback_says_the_stream_gave_up(hub: LocalHub, client: Client) -> None:
    hub.faults.add(method="GET", path="/api/events", status=404, times=None)
    listener = client.dispatcher.listener()
    assert listener is not None
    got = Collector()
    listener.add_stop_callback(got)
    listener.start()
    (failure,) = got.wait()
    assert isinstance(failure, StreamError)
    late = Collector()
    listener.add_stop_callback(late)  # already ended: at once
    assert late.values == [failure]


def test_the_stop_callback_gets_none_when_the_client_closes(hub: LocalHub) -> None:
    client = Client(api_key=hub.api_key, base_url=hub.url, cache_dir=False)
    listener = client.dispatcher.listener()
    assert listener is not None
    got = Collector()
    listener.add_stop_callback(got)
    listener.ensure_connected(PATIENCE)
    client.close()
    assert got.wait() == [None]


def test_on_done_starts_the_listener_and_reports_the_outcome(hub: LocalHub, client: Client) -> None:
    job = client.submit(T2V, prompt="a kite")
    got = Collector()
    listener = client.dispatcher.on_done(job.id, got)
    assert listener is not None and listener.ensure_connected(PATIENCE) is not None
    hub.finish_all()
    (outcome,) = got.wait()
    assert outcome.generation_id == job.id and outcome.status is Status.SUCCEEDED


def test_on_done_is_none_without_a_stream() -> None:
    with (
        LocalHub(provider="gmicloud", clock="manual") as gmi,
        Client(
            api_key=gmi.api_key, base_url=gmi.url, cache_dir=False, provider="gmicloud"
        ) as client,
    ):
        assert client.dispatcher.on_done("any-id", Collector()) is None


def test_after_a_reconnect_each_job_is_published_as_soon_as_it_is_known() -> None:
    """Completions sent while the stream was down are found by the reconcile after the
    reconnect: its status requests run in parallel and each outcome is published at once, so
    one slow reply holds back no other job."""
    with LocalHub(clock="manual", job_seconds=10, unrelated_events=False) as hub:
        client = Client(api_key=hub.api_key, base_url=hub.url, cache_dir=False)
        client.dispatcher.settings.reconnect_initial = 0.01
        hub.faults.cut_stream(1, path="/api/events")  # the first stream: cut after one event
        reconnect = hub.faults.hold(method="GET", path="/api/events")  # the second: held
        listener = client.dispatcher.listener()
        assert listener is not None and listener.ensure_connected(PATIENCE) is not None
        jobs = client.submit_many(T2V, {"prompt": "a kite"}, count=7)
        got = Collector()
        for job in jobs:
            listener.add_done_callback(job.id, got)
        hub.publish_event("test_marker", {})  # the cut
        assert reconnect.wait_hit(1, timeout=PATIENCE)  # the old stream is gone
        hub.finish_all()  # seven completions, sent to no stream
        slow_id = min(job.id for job in jobs)  # the first a one-at-a-time check would ask
        slow = hub.faults.hold(method="GET", path=f"/api/ai/queue/{slow_id}")
        reconnect.release()
        try:
            outcomes = got.wait(6)  # six are published while the seventh reply is held
            assert slow_id not in {outcome.generation_id for outcome in outcomes}
            assert slow.hits == 1
        finally:
            slow.release()
        assert {outcome.generation_id for outcome in got.wait(7)} == {job.id for job in jobs}
        client.close()
