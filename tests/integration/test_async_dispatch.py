"""AsyncClient against LocalHub: the dispatch tests that matter, awaited.

Sync runs and queued jobs, waits by events and by polling, many jobs over one stream,
as_completed/wait_all, failures, cancel, deadlines, re-attaching, and the payload checked
before anything is paid for; on every provider flavour that has the feature (Oxen, GMI Cloud).
The hubs, models and payloads are test_dispatch.py's, so both clients face the same cases.

No timing is asserted. Polling waits run on the hub's manual clock: the client's dispatcher
reads it and ``client.sleep`` advances it. Waits on the event stream use real time, bounded by
generous deadlines.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
import requests
from integration.test_dispatch import (
    ALL_MODELS,
    CHAT,
    FLAVOURS,
    PATIENCE,
    QUEUED_RUNS,
    T2V,
    VIAS,
    Flavour,
    flavour_id,
    payload_for,
    status_gets,
)

from schemadrive import AsyncClient
from schemadrive.batches.errors import BatchInvalid
from schemadrive.exceptions import (
    JobCancelled,
    JobFailed,
    JobNotFound,
    JobTimeout,
    PayloadInvalid,
    SchemaUnavailable,
    StreamError,
)
from schemadrive.hub.status import Status
from schemadrive.testing import LocalHub

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"  # AsyncClient is asyncio's (docs/async.md: trio is not supported)


@pytest.fixture(params=list(FLAVOURS.values()), ids=flavour_id)
def flavour(request: pytest.FixtureRequest) -> Flavour:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def still_hub(flavour: Flavour) -> Iterator[LocalHub]:
    with flavour.start(clock="manual", job_seconds=10) as running:
        yield running


@pytest.fixture
def live_hub(flavour: Flavour) -> Iterator[LocalHub]:
    with flavour.start(job_seconds=0.2) as running:
        yield running


MakeClient = Callable[..., AsyncClient]


@pytest.fixture
async def make_client() -> AsyncIterator[MakeClient]:
    """``make_client(hub, manual=False, **settings)``: an AsyncClient of ``hub``, closed after.

    ``manual=True``: waits read the hub's manual clock, and polling's sleeps advance it.
    """
    clients: list[AsyncClient] = []

    def make(
        hub: LocalHub, *, manual: bool = False, max_workers: int = 8, **settings: Any
    ) -> AsyncClient:
        client = AsyncClient(
            api_key=hub.api_key, base_url=hub.url, cache_dir=False, provider=hub.provider,
            max_workers=max_workers,
        )  # fmt: skip
        dispatcher = client.dispatcher
        dispatcher.settings.reconnect_initial = 0.01
        dispatcher.settings.poll_interval = 0.05
        dispatcher.settings.max_poll_interval = 0.2
        for key, value in settings.items():
            setattr(dispatcher.settings, key, value)
        if manual:
            dispatcher.clock = hub.clock.now
            dispatcher.sleep = hub.advance

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


async def open_stream(client: AsyncClient) -> None:
    listener = client.dispatcher.listener()
    assert listener is not None
    assert await asyncio.to_thread(listener.ensure_connected, PATIENCE) is not None


# -- running models ------------------------------------------------------------------------


@pytest.mark.parametrize(("provider", "model_id"), ALL_MODELS)
async def test_run(make_client: MakeClient, provider: str, model_id: str) -> None:
    """``await run()``: the sync endpoint, or (GMI: none) one job, awaited."""
    flavour = FLAVOURS[provider]
    with flavour.start(job_seconds=0.2) as hub:
        client = make_client(hub)
        model = await client.model(model_id)
        result = await client.run(model_id, payload_for(model_id, flavour.provider))
        (post,) = hub.requests.filter("POST")
        assert post.path == (model.endpoint or flavour.provider.submit_path)
        assert post.body["model"] == model_id and post.authorized
        assert result.model == model_id and len(result.urls) == 1
        assert (result.generation_id is None) == (model.endpoint is not None)
        defaults = {p.name: p.default for p in model.parameters if p.has_default}
        sent = flavour.sent(post.body)
        assert all(sent[name] == value for name, value in defaults.items())


@pytest.mark.parametrize(("provider", "model_id", "via"), QUEUED_RUNS)
async def test_queued_run(make_client: MakeClient, provider: str, model_id: str, via: str) -> None:
    flavour = FLAVOURS[provider]
    with flavour.start(clock="manual", job_seconds=10) as hub:
        client = make_client(hub, manual=True)
        if via == "events":
            await open_stream(client)
        job = await client.submit(model_id, payload_for(model_id, flavour.provider))
        assert job.model == model_id and job.state is not None
        assert job.state.status is Status.QUEUED
        if via == "events":
            hub.finish_all()  # the completion event reaches the open stream
        result = await job.wait(timeout=PATIENCE, via=via)  # type: ignore[arg-type]
        assert result.generation_id == job.id and result.model == model_id
        assert result.urls == [hub.job(job.id).result_url]
        if via == "events":
            assert status_gets(hub) == 0  # the event alone ended the wait


async def test_wait_by_events_while_the_job_runs(hub: LocalHub, make_client: MakeClient) -> None:
    client = make_client(hub)
    job = await client.submit(T2V, prompt="a fox")
    result = await job.wait(timeout=PATIENCE, via="events")
    assert result.urls and hub.job(job.id).status == "succeeded"
    assert len(hub.requests.filter("GET", "/api/events")) == 1
    assert status_gets(hub) <= 1  # the one check of a job the stream may have missed


async def test_a_job_that_ended_before_the_stream_opened_is_not_lost(
    manual_hub: LocalHub, make_client: MakeClient
) -> None:
    held = manual_hub.faults.hold(method="GET", path="/api/events")  # the stream opens late
    client = make_client(manual_hub)
    job = await client.submit(T2V, prompt="a fox")
    manual_hub.finish_all()  # its event goes to no stream
    held.release()
    assert (await job.wait(timeout=PATIENCE, via="events")).urls
    assert status_gets(manual_hub) == 1


async def test_an_invalid_payload_costs_nothing(
    live_hub: LocalHub, make_client: MakeClient, flavour: Flavour
) -> None:
    client = make_client(live_hub)
    for call in (client.run, client.submit):
        with pytest.raises(PayloadInvalid) as caught:
            await call(flavour.model, **flavour.invalid)
        assert {p.path for p in caught.value.problems} >= {flavour.invalid_path, "$.colour"}
    with pytest.raises(PayloadInvalid):
        await client.submit_many(flavour.model, flavour.invalid, count=3)
    assert live_hub.requests.filter("POST") == []


async def test_the_payload_is_checked_in_the_calling_task(
    manual_hub: LocalHub, make_client: MakeClient
) -> None:
    """Once the schema is cached, a bad payload fails without any thread doing anything:
    the pool is stopped, and still the error is the payload's."""
    client = make_client(manual_hub)
    await client.model(T2V)
    await client.model(CHAT[0])
    await client._bridge.close()  # any hop to a thread would now fail with RuntimeError
    with pytest.raises(PayloadInvalid):
        await client.submit(T2V, prompt="a fox", num_frames=99999)
    with pytest.raises(SchemaUnavailable):  # the chat model has no schema: nothing is sent
        await client.run(CHAT[0], {"messages": [{"role": "user", "content": "hi"}]})
    assert manual_hub.requests.filter("POST") == []


async def test_b64_json_outputs_download(
    hub: LocalHub, make_client: MakeClient, tmp_path: Any
) -> None:
    client = make_client(hub)
    result = await client.run(T2V, prompt="a fox", response_format="b64_json")
    (path,) = await result.download(tmp_path)
    assert path.suffix == ".mp4" and path.read_bytes() == result.data[0]
    job = await client.submit(T2V, prompt="a fox")
    (saved,) = await (await job.wait(timeout=PATIENCE)).download(tmp_path / "queued")
    auth = {"Authorization": f"Bearer {hub.api_key}"}
    expected = requests.get(str(hub.job(job.id).result_url), headers=auth, timeout=PATIENCE)
    assert expected.ok and saved.read_bytes() == expected.content


# -- many jobs -----------------------------------------------------------------------------


async def test_submit_many_chunks_by_the_hubs_limit(
    still_hub: LocalHub, make_client: MakeClient, flavour: Flavour
) -> None:
    client = make_client(still_hub)
    jobs = await client.submit_many(flavour.model, flavour.payload, count=10)
    posts = still_hub.requests.filter("POST", flavour.provider.submit_path)
    expected = {"oxen": [4, 4, 2], "gmicloud": [1] * 10}[flavour.name]
    assert [flavour.batch_size(p.body) for p in posts] == expected
    assert len({job.id for job in jobs}) == 10 == len(still_hub.jobs)


async def test_200_jobs_over_one_event_connection_and_no_thread_each(
    manual_hub: LocalHub, make_client: MakeClient
) -> None:
    client = make_client(manual_hub, max_workers=4)
    await open_stream(client)
    jobs = await client.submit_many(T2V, {"prompt": "a fox"}, count=200)
    waits = [asyncio.ensure_future(job.wait(timeout=PATIENCE)) for job in jobs]
    await asyncio.sleep(0.05)  # every wait registered and parked
    ours = [t for t in threading.enumerate() if t.name.startswith("schemadrive-")]
    assert len(ours) <= 4 + 1  # the pool and the listener, whatever the number of waits
    manual_hub.finish_all()
    results = await asyncio.gather(*waits)
    assert [r.generation_id for r in results] == [job.id for job in jobs]
    assert len(manual_hub.requests.filter("GET", "/api/events")) == 1
    assert status_gets(manual_hub) == 0


async def test_as_completed_yields_jobs_as_they_end(
    live_hub: LocalHub, make_client: MakeClient, flavour: Flavour
) -> None:
    hub = live_hub
    client = make_client(hub)
    hub.fail_next("Insufficient credits", count=1)
    jobs = [await client.submit(flavour.model, flavour.payload, prompt=f"fox {i}")
            for i in range(12)]  # fmt: skip
    seen = [job.id async for job in client.as_completed(jobs, timeout=PATIENCE)]
    assert sorted(seen) == sorted(job.id for job in jobs)
    results = await client.wait_all(jobs, timeout=PATIENCE, return_exceptions=True)
    failed = [r for r in results if isinstance(r, JobFailed)]
    assert len(failed) == 1 and failed[0].message == "Insufficient credits"
    with pytest.raises(JobFailed):
        await client.wait_all(jobs)
    streams = len(hub.requests.filter("GET", "/api/events"))
    assert streams == (1 if flavour.provider.has_events else 0)


async def test_as_completed_by_polling(
    still_hub: LocalHub, make_client: MakeClient, flavour: Flavour
) -> None:
    client = make_client(still_hub, manual=True)
    jobs = await client.submit_many(flavour.model, flavour.payload, count=6)
    finished = [job async for job in client.as_completed(jobs, timeout=PATIENCE, via="poll")]
    assert {job.id for job in finished} == {job.id for job in jobs}
    assert all(r.urls for r in await client.wait_all(jobs))


async def test_as_completed_deadline_names_every_unfinished_job(
    still_hub: LocalHub, make_client: MakeClient, flavour: Flavour
) -> None:
    client = make_client(still_hub, manual=True)
    jobs = await client.submit_many(flavour.model, flavour.payload, count=3)
    with pytest.raises(JobTimeout) as caught:
        async for _ in client.as_completed(jobs, timeout=3, via="poll"):
            pass
    assert sorted(caught.value.pending) == sorted(job.id for job in jobs)


# -- failures, cancellation, deadlines -----------------------------------------------------


@pytest.mark.parametrize(("flavour", "via"), VIAS, indirect=["flavour"], ids=flavour_id)
async def test_a_failed_job_raises_with_the_hubs_message(
    still_hub: LocalHub, make_client: MakeClient, flavour: Flavour, via: str
) -> None:
    client = make_client(still_hub, manual=True)
    still_hub.fail_next("Insufficient credits")
    job = await client.submit(flavour.model, flavour.payload)
    still_hub.finish_all()
    with pytest.raises(JobFailed) as caught:
        await job.wait(timeout=PATIENCE, via=via)  # type: ignore[arg-type]
    assert caught.value.message == "Insufficient credits"
    assert caught.value.generation_id == job.id and caught.value.model == flavour.model


async def test_a_job_cancelled_elsewhere_ends_an_event_wait(
    manual_hub: LocalHub, make_client: MakeClient
) -> None:
    client = make_client(manual_hub, reconcile_interval=0.05)
    job = await client.submit(T2V, prompt="a fox")
    other = requests.delete(
        f"{manual_hub.url}/api/ai/queue/{job.id}",
        headers={"Authorization": f"Bearer {manual_hub.api_key}"},
        timeout=PATIENCE,
    )
    assert other.status_code == 200
    with pytest.raises(JobCancelled) as caught:
        await job.wait(timeout=PATIENCE, via="events")  # no event: the slow check notices
    assert caught.value.generation_id == job.id


@pytest.mark.parametrize(("flavour", "via"), VIAS, indirect=["flavour"], ids=flavour_id)
async def test_await_cancel_ends_every_wait_for_the_job(
    still_hub: LocalHub, make_client: MakeClient, flavour: Flavour, via: str
) -> None:
    client = make_client(still_hub, reconcile_interval=3600, poll_interval=3600)
    job = await client.submit(flavour.model, flavour.payload)
    waiting = asyncio.ensure_future(job.wait(timeout=PATIENCE, via=via))  # type: ignore[arg-type]
    await asyncio.sleep(0.05)  # parked (a poll's next round is an hour away)
    state = await job.cancel()
    assert state is not None and state.status is Status.CANCELLED
    with pytest.raises(JobCancelled):
        await waiting
    assert still_hub.job(job.id).status == "cancelled" and len(flavour.cancels(still_hub)) == 1


async def test_cancelling_the_waiting_task_leaves_the_job_running(
    still_hub: LocalHub, make_client: MakeClient, flavour: Flavour
) -> None:
    client = make_client(still_hub)
    job = await client.submit(flavour.model, flavour.payload)
    waiting = asyncio.ensure_future(job.wait(timeout=PATIENCE))
    await asyncio.sleep(0.05)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError) as caught:
        await waiting
    assert caught.value.generation_id == job.id  # type: ignore[attr-defined]
    assert any(job.id in note for note in getattr(caught.value, "__notes__", [job.id]))
    assert flavour.cancels(still_hub) == []  # nothing was cancelled on the hub
    assert still_hub.job(job.id).status not in ("cancelled", "succeeded", "success")
    still_hub.finish_all()
    again = await client.job(job.id)
    assert (await again.wait(timeout=PATIENCE)).generation_id == job.id  # resumable


async def test_a_cancelled_wait_all_names_every_job_left_running(
    manual_hub: LocalHub, make_client: MakeClient
) -> None:
    client = make_client(manual_hub)
    jobs = await client.submit_many(T2V, {"prompt": "a fox"}, count=3)
    waiting = asyncio.ensure_future(client.wait_all(jobs, timeout=PATIENCE))
    await asyncio.sleep(0.05)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError) as caught:
        await waiting
    assert sorted(caught.value.pending) == sorted(job.id for job in jobs)  # type: ignore[attr-defined]
    assert all(manual_hub.job(job.id).status == "queued" for job in jobs)


async def test_a_deadline_raises_job_timeout_with_the_id_by_polling(
    still_hub: LocalHub, make_client: MakeClient, flavour: Flavour
) -> None:
    client = make_client(still_hub, manual=True)
    job = await client.submit(flavour.model, flavour.payload)
    with pytest.raises(JobTimeout) as caught:
        await job.wait(timeout=4, via="poll")  # the job takes 10 s of hub time
    error = caught.value
    assert error.generation_id == job.id and error.timeout == 4 and not error.cancelled
    assert still_hub.job(job.id).status in ("queued", "processing")
    assert (await (await client.job(job.id)).wait(timeout=PATIENCE, via="poll")).urls


async def test_a_deadline_on_the_event_stream(
    manual_hub: LocalHub, make_client: MakeClient
) -> None:
    client = make_client(manual_hub)  # the manual clock never moves: the job never ends
    job = await client.submit(T2V, prompt="a fox")
    with pytest.raises(JobTimeout) as caught:
        await job.wait(timeout=0.2, via="events")
    assert caught.value.generation_id == job.id


async def test_cancel_on_timeout(
    still_hub: LocalHub, make_client: MakeClient, flavour: Flavour
) -> None:
    client = make_client(still_hub, manual=True)
    job = await client.submit(flavour.model, flavour.payload)
    with pytest.raises(JobTimeout) as caught:
        await job.wait(timeout=2, via="poll", cancel_on_timeout=True)
    assert caught.value.cancelled
    assert still_hub.job(job.id).status == "cancelled" and flavour.cancels(still_hub)


# -- re-attaching, listing, hubs without a stream ------------------------------------------


async def test_jobs_and_an_unknown_id(
    still_hub: LocalHub, make_client: MakeClient, flavour: Flavour
) -> None:
    client = make_client(still_hub, manual=True)
    jobs = await client.submit_many(flavour.model, flavour.payload, count=3)
    assert {s.generation_id for s in await client.jobs()} == {j.id for j in jobs}
    with pytest.raises(JobNotFound) as caught:
        await (await client.job("no-such-job")).wait(timeout=PATIENCE, via="poll")
    assert caught.value.generation_id == "no-such-job"


async def test_without_a_stream_auto_polls_and_events_raises(
    manual_hub: LocalHub, make_client: MakeClient
) -> None:
    client = make_client(manual_hub, manual=True)
    manual_hub.faults.add(method="GET", path="/api/events", status=404, times=None)
    job = await client.submit(T2V, prompt="a fox")
    assert (await job.wait(timeout=PATIENCE)).urls  # via="auto": polled once the stream gave up
    with pytest.raises(StreamError) as caught:
        await (await client.submit(T2V, prompt="a fox")).wait(timeout=PATIENCE, via="events")
    assert "404" in str(caught.value)
    assert len(manual_hub.requests.filter("GET", "/api/events")) == 1


async def test_a_batch_runs_awaited(hub: LocalHub, make_client: MakeClient, tmp_path: Any) -> None:
    client = make_client(hub)
    rows = [{"prompt": f"a fox, take {i}"} for i in range(3)]
    report = await client.batch(T2V, rows, out=tmp_path / "out", concurrency=2, timeout=PATIENCE)
    assert report.ok and report.counts["succeeded"] == 3
    assert len(hub.requests.filter("POST")) == 3
    with pytest.raises(BatchInvalid):  # every row is checked before anything is sent
        await client.batch(T2V, [{"prompt": "x", "num_frames": 99999}], out=tmp_path / "bad")
    assert len(hub.requests.filter("POST")) == 3
