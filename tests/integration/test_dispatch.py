"""Dispatch against LocalHub: sync runs, queued jobs waited on by events and by polling, many
jobs over one event stream, cancellation, deadlines, failures, re-attaching, legacy forms.

Tests that take the ``flavour`` fixture run against every provider's LocalHub flavour (Oxen,
GMI Cloud): the same client code must serve both. Event-stream and legacy-form tests are
Oxen's alone (GMI has no stream).

No timing is asserted. Tests that decide when jobs end use a manual clock: the client's
dispatcher measures time on the hub's clock and "sleeps" by advancing it, so polling never
sleeps for real. Waits on the event stream use real time, bounded by generous deadlines.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from schemadrive import Client
from schemadrive.exceptions import (
    JobCancelled,
    JobFailed,
    JobNotFound,
    JobTimeout,
    PayloadInvalid,
    SchemaUnavailable,
    StreamError,
)
from schemadrive.hub.providers import GMICLOUD, OXEN, Provider, get_provider
from schemadrive.hub.recorded import load_model_objects, schema_of
from schemadrive.hub.status import JobState, Status
from schemadrive.testing import Legacy, LocalHub

PATIENCE = 20.0  # seconds: a deadline for waits that should end much sooner
T2V = "ltx-2-3-quality-text-to-video"
GMI = "ltx-2-pro-audio-to-video"
MODELS = sorted(mid for mid, obj in load_model_objects(provider="oxen").items() if schema_of(obj))
CHAT = sorted(mid for mid, obj in load_model_objects(provider="oxen").items() if not schema_of(obj))


def payload_for(model_id: str, provider: Provider = OXEN) -> dict[str, Any]:
    """A prompt, and an example URL for every required URL parameter of the model."""
    model = load_model_objects(provider=provider.name)[model_id]
    schema = provider.schema_from_model(model) or {}
    served = schema.get("$defs", {}).get("served", schema)  # the strict variants wrap it
    payload: dict[str, Any] = {"prompt": "a red fox in the snow"}
    for name in served.get("required", []):
        if served["properties"][name].get("format") == "uri":
            payload[name] = f"https://example.com/{name}"
    return payload


@dataclass(frozen=True)
class Flavour:
    """A hub under test: its provider, a queued model, payloads, and how its wire looks."""

    provider: Provider
    model: str
    payload: dict[str, Any]
    #: a payload that is invalid before anything is sent, and the path of its problem
    invalid: dict[str, Any]
    invalid_path: str
    #: the status words a job goes through, in order
    words: tuple[str, ...]
    #: a submit body -> the payload in it, and how many jobs it asked for
    sent: Callable[[dict[str, Any]], dict[str, Any]]
    batch_size: Callable[[dict[str, Any]], int]

    @property
    def name(self) -> str:
        return self.provider.name

    def start(self, **options: Any) -> LocalHub:
        return LocalHub(provider=self.name, **options)

    def models(self) -> list[str]:
        """Every recorded model of this provider that has a request schema."""
        objects = load_model_objects(provider=self.name)
        return sorted(mid for mid, obj in objects.items() if self.provider.schema_from_model(obj))

    def cancels(self, hub: LocalHub) -> list[Any]:
        pattern = self.provider.cancel_path.format(generation_id="*")
        return hub.requests.filter(self.provider.cancel_method, pattern)


FLAVOURS = {
    "oxen": Flavour(
        OXEN, T2V, {"prompt": "a fox"},
        invalid={"prompt": "x", "num_frames": 99999, "colour": "red"}, invalid_path="$.num_frames",
        words=("queued", "processing", "succeeded"),
        sent=lambda body: body, batch_size=lambda body: body.get("num_generations", 1),
    ),
    "gmicloud": Flavour(
        GMICLOUD, GMI, {"audio_uri": "https://example.com/a.mp3", "prompt": "a fox"},
        # neither prompt nor image_uri: the guide's "prompt required if image_uri is not given"
        invalid={"audio_uri": "https://example.com/a.mp3", "colour": "red"}, invalid_path="$",
        words=("queued", "dispatched", "processing", "success"),
        sent=lambda body: body["payload"], batch_size=lambda body: 1,
    ),
}  # fmt: skip
#: (provider, model) for every recorded model with a schema, and (flavour, via) for every wait
#: mode a provider has
ALL_MODELS = [(name, mid) for name, f in FLAVOURS.items() for mid in f.models()]
VIAS = [(f, via) for f in FLAVOURS.values() for via in ("events", "poll")
        if via == "poll" or f.provider.has_events]  # fmt: skip
QUEUED_RUNS = [(f.name, mid, via) for f, via in VIAS for mid in f.models()]


def flavour_id(value: Any) -> str | None:
    return value.name if isinstance(value, Flavour) else None


@pytest.fixture(params=list(FLAVOURS.values()), ids=flavour_id)
def flavour(request: pytest.FixtureRequest) -> Flavour:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def still_hub(flavour: Flavour) -> Iterator[LocalHub]:
    """The flavour's hub on a manual clock: a job takes 10 s, only when the test says so."""
    with flavour.start(clock="manual", job_seconds=10) as running:
        yield running


@pytest.fixture
def live_hub(flavour: Flavour) -> Iterator[LocalHub]:
    """The flavour's hub on the wall clock: a job takes 0.2 s."""
    with flavour.start(job_seconds=0.2) as running:
        yield running


MakeClient = Callable[..., Client]


@pytest.fixture
def make_client() -> Iterator[MakeClient]:
    """``make_client(hub, manual=False, **settings)``: a client of ``hub``, closed afterwards.

    ``manual=True`` drives the client's waits with the hub's manual clock.
    """
    clients: list[Client] = []

    def make(
        hub: LocalHub, *, manual: bool = False, provider: Any = None, **settings: Any
    ) -> Client:
        client = Client(
            api_key=hub.api_key, base_url=hub.url, cache_dir=False,
            provider=provider or hub.provider,
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
            dispatcher.settings.poll_interval = 1.0
            dispatcher.settings.max_poll_interval = 4.0
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def status_gets(hub: LocalHub) -> int:
    pattern = get_provider(hub.provider).status_path.format(generation_id="*")
    return len(hub.requests.filter("GET", pattern))


# -- every fixture model, sync and queued ---------------------------------------------------


def test_every_schema_model_is_covered() -> None:
    assert len(MODELS) >= 5 and CHAT  # the chat model has no schema
    assert FLAVOURS["gmicloud"].models() == [GMI]
    assert [mid for name, mid in ALL_MODELS if name == "oxen"] == MODELS


@pytest.mark.parametrize(("provider", "model_id"), ALL_MODELS)
def test_sync_run(make_client: MakeClient, provider: str, model_id: str) -> None:
    """``run()``: the model's sync endpoint, or (no sync endpoint: GMI) one job, waited for."""
    flavour = FLAVOURS[provider]
    with flavour.start(job_seconds=0.2) as hub:
        client = make_client(hub)
        model = client.model(model_id)
        result = client.run(model_id, payload_for(model_id, flavour.provider))
        (post,) = hub.requests.filter("POST")
        assert post.path == (model.endpoint or flavour.provider.submit_path)
        assert post.body["model"] == model_id and post.authorized
        assert result.model == model_id
        assert (result.generation_id is None) == (model.endpoint is not None)
        assert len(result.urls) == 1 and result.urls[0].startswith(hub.url)
        # the defaults were filled before sending
        defaults = {p.name: p.default for p in model.parameters if p.has_default}
        sent = flavour.sent(post.body)
        assert all(sent[name] == value for name, value in defaults.items())


@pytest.mark.parametrize(("provider", "model_id", "via"), QUEUED_RUNS)
def test_queued_run(make_client: MakeClient, provider: str, model_id: str, via: str) -> None:
    flavour = FLAVOURS[provider]
    with flavour.start(clock="manual", job_seconds=10) as manual_hub:
        client = make_client(manual_hub, manual=True)
        if via == "events":  # the stream is open: the job is covered from its submit on
            open_stream(client)
        job = client.submit(model_id, payload_for(model_id, flavour.provider))
        assert job.model == model_id and job.state is not None
        assert job.state.status is Status.QUEUED
        if via == "events":
            manual_hub.finish_all()  # the completion event reaches the open stream
        result = job.wait(timeout=PATIENCE, via=via)  # type: ignore[arg-type]
        assert result.generation_id == job.id and result.model == model_id
        assert result.urls == [manual_hub.job(job.id).result_url]
        if via == "events":
            assert status_gets(manual_hub) == 0  # the event alone ended the wait
        else:
            assert len(manual_hub.requests.filter("GET", "/api/events")) in (0, 1)


def open_stream(client: Client) -> None:
    listener = client.dispatcher.listener()
    assert listener is not None and listener.ensure_connected(PATIENCE) is not None


def test_wait_by_events_while_the_job_runs(hub: LocalHub, make_client: MakeClient) -> None:
    client = make_client(hub)
    job = client.submit(T2V, prompt="a fox")
    result = job.wait(timeout=PATIENCE, via="events")
    assert result.urls and hub.job(job.id).status == "succeeded"
    assert len(hub.requests.filter("GET", "/api/events")) == 1
    # one status request at most: when the stream opened after the POST, the job is
    # checked once (an event sent before the stream opened is not replayed)
    assert status_gets(hub) <= 1


def test_a_job_that_ended_before_the_stream_opened_is_not_lost(
    manual_hub: LocalHub, make_client: MakeClient
) -> None:
    held = manual_hub.faults.hold(method="GET", path="/api/events")  # the stream opens late
    client = make_client(manual_hub)
    job = client.submit(T2V, prompt="a fox")
    manual_hub.finish_all()  # its event goes to no stream
    held.release()
    assert job.wait(timeout=PATIENCE, via="events").urls
    assert status_gets(manual_hub) == 1  # the one check of a job the stream did not cover


def test_a_submit_never_waits_for_the_stream(manual_hub: LocalHub, make_client: MakeClient) -> None:
    held = manual_hub.faults.hold(method="GET", path="/api/events")
    client = make_client(manual_hub)
    job = client.submit(T2V, prompt="a fox")  # returns while the stream request is held
    assert held.wait_hit(1, timeout=PATIENCE)  # started in the background
    assert manual_hub.job(job.id).status == "queued" and held.hits == 1
    held.release()


def test_no_events_request_when_the_jobs_are_polled_or_not_waited_for(
    manual_hub: LocalHub, make_client: MakeClient
) -> None:
    client = make_client(manual_hub, manual=True, listen=False)  # run --no-wait / --via poll
    client.submit(T2V, prompt="a fox")
    client.submit(T2V, prompt="a fox").wait(timeout=PATIENCE, via="poll")
    assert manual_hub.requests.filter("GET", "/api/events") == []


def test_the_chat_model_has_no_schema_and_nothing_is_sent(
    hub: LocalHub, make_client: MakeClient
) -> None:
    client = make_client(hub)
    with pytest.raises(SchemaUnavailable):
        client.run(CHAT[0], {"messages": [{"role": "user", "content": "hi"}]})
    assert hub.requests.filter("POST") == []


def test_an_invalid_payload_costs_nothing(
    live_hub: LocalHub, make_client: MakeClient, flavour: Flavour
) -> None:
    """On GMI the payload lacks both prompt and image_uri (one of them is required)."""
    client = make_client(live_hub)
    for call in (client.run, client.submit):
        with pytest.raises(PayloadInvalid) as caught:
            call(flavour.model, **flavour.invalid)
        assert {p.path for p in caught.value.problems} >= {flavour.invalid_path, "$.colour"}
    with pytest.raises(PayloadInvalid):
        client.submit_many(flavour.model, flavour.invalid, count=3)
    assert live_hub.requests.filter("POST") == []


def test_payload_and_params_merge_and_the_callers_dict_is_untouched(
    still_hub: LocalHub, make_client: MakeClient, flavour: Flavour
) -> None:
    client = make_client(still_hub)
    payload = {**flavour.payload, "prompt": "from the dict"}
    before = dict(payload)
    client.submit(flavour.model, payload, prompt="from params")
    (post,) = still_hub.requests.filter("POST")
    sent = flavour.sent(post.body)
    assert sent["prompt"] == "from params"
    assert all(sent[key] == value for key, value in payload.items() if key != "prompt")
    assert payload == before


def test_b64_json_replies_are_decoded(
    hub: LocalHub, make_client: MakeClient, tmp_path: Any
) -> None:
    client = make_client(hub)
    result = client.run(T2V, prompt="a fox", response_format="b64_json")
    assert result.urls == [] and len(result.data) == 1
    (path,) = result.download(tmp_path)
    assert path.suffix == ".mp4" and path.read_bytes() == result.data[0]


# -- many jobs -----------------------------------------------------------------------------


def test_submit_many_chunks_by_the_hubs_limit(
    still_hub: LocalHub, make_client: MakeClient, flavour: Flavour
) -> None:
    client = make_client(still_hub)
    jobs = client.submit_many(flavour.model, flavour.payload, count=10)
    posts = still_hub.requests.filter("POST", flavour.provider.submit_path)
    # written down, not computed: Oxen takes up to 4 generations per POST, GMI Cloud one
    expected = {"oxen": [4, 4, 2], "gmicloud": [1] * 10}[flavour.name]
    assert [flavour.batch_size(p.body) for p in posts] == expected
    assert len({job.id for job in jobs}) == 10 == len(still_hub.jobs)


def test_200_jobs_over_one_event_connection(manual_hub: LocalHub, make_client: MakeClient) -> None:
    client = make_client(manual_hub)
    open_stream(client)
    jobs = client.submit_many(T2V, {"prompt": "a fox"}, count=200)
    manual_hub.finish_all()
    finished = list(client.as_completed(jobs, timeout=PATIENCE))
    assert sorted(job.id for job in finished) == sorted(job.id for job in jobs)
    assert all(job.wait().urls for job in finished)
    assert len(manual_hub.requests.filter("GET", "/api/events")) == 1
    assert status_gets(manual_hub) == 0


def test_as_completed_yields_jobs_as_they_end(
    live_hub: LocalHub, make_client: MakeClient, flavour: Flavour
) -> None:
    hub = live_hub
    client = make_client(hub)
    hub.fail_next("Insufficient credits", count=1)
    jobs = [client.submit(flavour.model, flavour.payload, prompt=f"fox {i}") for i in range(12)]
    seen = [job.id for job in client.as_completed(jobs, timeout=PATIENCE)]
    assert sorted(seen) == sorted(job.id for job in jobs)
    results = client.wait_all(jobs, timeout=PATIENCE, return_exceptions=True)
    failed = [r for r in results if isinstance(r, JobFailed)]
    assert len(failed) == 1 and failed[0].message == "Insufficient credits"
    with pytest.raises(JobFailed):
        client.wait_all(jobs)
    streams = len(hub.requests.filter("GET", "/api/events"))
    assert streams == (1 if flavour.provider.has_events else 0)


def test_as_completed_by_polling(
    still_hub: LocalHub, make_client: MakeClient, flavour: Flavour
) -> None:
    client = make_client(still_hub, manual=True)
    jobs = client.submit_many(flavour.model, flavour.payload, count=6)
    finished = list(client.as_completed(jobs, timeout=PATIENCE, via="poll"))
    assert {job.id for job in finished} == {job.id for job in jobs}
    assert all(isinstance(r.urls, list) for r in client.wait_all(jobs))


def test_as_completed_deadline_names_every_unfinished_job(
    still_hub: LocalHub, make_client: MakeClient, flavour: Flavour
) -> None:
    client = make_client(still_hub, manual=True)
    jobs = client.submit_many(flavour.model, flavour.payload, count=3)
    with pytest.raises(JobTimeout) as caught:
        list(client.as_completed(jobs, timeout=3, via="poll"))
    assert sorted(caught.value.pending) == sorted(job.id for job in jobs)  # type: ignore[attr-defined]
    assert caught.value.generation_id in caught.value.pending  # type: ignore[attr-defined]


# -- failures, cancellation, deadlines -----------------------------------------------------


@pytest.mark.parametrize(("flavour", "via"), VIAS, indirect=["flavour"], ids=flavour_id)
def test_a_failed_job_raises_with_the_hubs_message(
    still_hub: LocalHub, make_client: MakeClient, flavour: Flavour, via: str
) -> None:
    client = make_client(still_hub, manual=True)
    still_hub.fail_next("Insufficient credits")
    job = client.submit(flavour.model, flavour.payload)
    still_hub.finish_all()
    with pytest.raises(JobFailed) as caught:
        job.wait(timeout=PATIENCE, via=via)  # type: ignore[arg-type]
    assert caught.value.message == "Insufficient credits"
    assert caught.value.generation_id == job.id and caught.value.model == flavour.model


def test_a_job_cancelled_elsewhere_ends_an_event_wait(
    manual_hub: LocalHub, make_client: MakeClient
) -> None:
    client = make_client(manual_hub, reconcile_interval=0.05)
    job = client.submit(T2V, prompt="a fox")
    other = requests.delete(
        f"{manual_hub.url}/api/ai/queue/{job.id}",
        headers={"Authorization": f"Bearer {manual_hub.api_key}"},
        timeout=PATIENCE,
    )
    assert other.status_code == 200
    with pytest.raises(JobCancelled) as caught:
        job.wait(timeout=PATIENCE, via="events")  # no event comes: the slow poll notices
    assert caught.value.generation_id == job.id


def test_cancel_from_another_thread_ends_the_wait(
    still_hub: LocalHub, make_client: MakeClient, flavour: Flavour
) -> None:
    client = make_client(still_hub, reconcile_interval=3600)
    job = client.submit(flavour.model, flavour.payload)
    threading.Timer(0.1, job.cancel).start()
    with pytest.raises(JobCancelled):
        job.wait(timeout=PATIENCE)  # Oxen: the event stream; GMI: polling
    assert still_hub.job(job.id).status == "cancelled"


def test_a_cancelled_job_ends_a_poll(
    still_hub: LocalHub, make_client: MakeClient, flavour: Flavour
) -> None:
    client = make_client(still_hub, manual=True)
    job = client.submit(flavour.model, flavour.payload)
    state = job.cancel()
    assert state is not None and state.status is Status.CANCELLED
    assert len(flavour.cancels(still_hub)) == 1
    with pytest.raises(JobCancelled):
        job.wait(timeout=PATIENCE, via="poll")


def test_a_deadline_raises_job_timeout_with_the_id_by_polling(
    still_hub: LocalHub, make_client: MakeClient, flavour: Flavour
) -> None:
    client = make_client(still_hub, manual=True)
    job = client.submit(flavour.model, flavour.payload)
    with pytest.raises(JobTimeout) as caught:
        job.wait(timeout=4, via="poll")  # the job takes 10 s of hub time
    error = caught.value
    assert error.generation_id == job.id and error.timeout == 4 and not error.cancelled
    assert job.id in str(error) and isinstance(error, TimeoutError)
    assert still_hub.job(job.id).status in ("queued", "processing")  # not lost: still running
    assert client.job(job.id).wait(timeout=PATIENCE, via="poll").urls  # and resumable


def test_a_deadline_on_the_event_stream(manual_hub: LocalHub, make_client: MakeClient) -> None:
    client = make_client(manual_hub)  # the manual clock never moves: the job never ends
    job = client.submit(T2V, prompt="a fox")
    with pytest.raises(JobTimeout) as caught:
        job.wait(timeout=0.2, via="events")
    assert caught.value.generation_id == job.id


def test_cancel_on_timeout(still_hub: LocalHub, make_client: MakeClient, flavour: Flavour) -> None:
    client = make_client(still_hub, manual=True)
    job = client.submit(flavour.model, flavour.payload)
    with pytest.raises(JobTimeout) as caught:
        job.wait(timeout=2, via="poll", cancel_on_timeout=True)
    assert caught.value.cancelled and "cancelled" in str(caught.value)
    assert still_hub.job(job.id).status == "cancelled"
    assert flavour.cancels(still_hub)


def test_iter_status_backs_off_and_ends_on_a_terminal_state(
    still_hub: LocalHub, make_client: MakeClient, flavour: Flavour
) -> None:
    client = make_client(still_hub, manual=True)
    slept: list[float] = []
    client.dispatcher.sleep = lambda s: (slept.append(s), still_hub.advance(s))  # type: ignore[func-returns-value]
    job = client.submit(flavour.model, flavour.payload)
    states = list(job.iter_status(interval=1.0, max_interval=3.0, timeout=60))
    assert states[-1].status is Status.SUCCEEDED and all(not s.terminal for s in states[:-1])
    assert {s.status for s in states} >= {Status.QUEUED, Status.RUNNING, Status.SUCCEEDED}
    assert slept[0] <= 1.0 and max(slept) <= 3.0 and slept[-1] > slept[0]  # capped growth


def test_on_status_sees_each_change_once(
    still_hub: LocalHub, make_client: MakeClient, flavour: Flavour
) -> None:
    client = make_client(still_hub, manual=True)
    seen: list[JobState] = []
    job = client.submit(flavour.model, flavour.payload)
    job.wait(timeout=PATIENCE, via="poll", on_status=seen.append)
    words = [s.raw_status for s in seen]
    assert words == list(flavour.words)  # GMI's "dispatched" too: not terminal


def test_progress_writes_nothing_off_a_terminal(
    still_hub: LocalHub,
    make_client: MakeClient,
    flavour: Flavour,
    capsys: pytest.CaptureFixture[str],
) -> None:
    client = make_client(still_hub, manual=True)
    job = client.submit(flavour.model, flavour.payload)
    job.wait(timeout=PATIENCE, via="poll", progress=True)
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""


# -- re-attaching, listing -----------------------------------------------------------------


@pytest.mark.parametrize(("flavour", "via"), VIAS, indirect=["flavour"], ids=flavour_id)
def test_reattach_after_a_restart(
    still_hub: LocalHub, make_client: MakeClient, flavour: Flavour, via: str
) -> None:
    first = make_client(still_hub)
    job = first.submit(flavour.model, flavour.payload)
    first.close()
    still_hub.finish_all()  # it ended while nobody listened
    again = make_client(still_hub, manual=True).job(job.id)
    assert again.model is None
    result = again.wait(timeout=PATIENCE, via=via)  # type: ignore[arg-type]
    assert result.generation_id == job.id and result.model == flavour.model
    assert again.model == flavour.model


def test_an_unknown_id_is_job_not_found(
    still_hub: LocalHub, make_client: MakeClient, flavour: Flavour
) -> None:
    client = make_client(still_hub, manual=True)
    with pytest.raises(JobNotFound) as caught:
        client.job("no-such-job").wait(timeout=PATIENCE, via="poll")
    assert caught.value.generation_id == "no-such-job" and "existed" not in str(caught.value)


def test_jobs_lists_active_and_by_status(
    still_hub: LocalHub, make_client: MakeClient, flavour: Flavour
) -> None:
    """``jobs()`` means the active jobs on every hub (GMI's list shows finished ones too)."""
    client = make_client(still_hub)
    jobs = client.submit_many(flavour.model, flavour.payload, count=3)
    assert {s.generation_id for s in client.jobs()} == {j.id for j in jobs}
    still_hub.advance(6)  # processing now
    running = client.jobs(status=Status.RUNNING, model=flavour.model)
    assert {s.generation_id for s in running} == {j.id for j in jobs}
    still_hub.finish_all()
    assert client.jobs() == []
    assert len(client.jobs(status=Status.SUCCEEDED)) == 3
    assert len(client.jobs(status=flavour.words[-1])) == 3  # the hub's own word works too


# -- legacy forms, and hubs without a stream ------------------------------------------------


def test_legacy_404_for_a_finished_job_is_reported_not_waited_on(make_client: MakeClient) -> None:
    with LocalHub(clock="manual", job_seconds=10, legacy=Legacy(finished_jobs_404=True)) as hub:
        client = make_client(hub, manual=True)
        job = client.submit(T2V, prompt="a fox")
        with pytest.raises(JobNotFound) as caught:
            job.wait(timeout=PATIENCE, via="poll")
        assert caught.value.generation_id == job.id and "existed" in str(caught.value)
        # the stream still delivers such a job's result
        job2 = client.submit(T2V, prompt="a fox")
        hub.finish_all()
        assert job2.wait(timeout=PATIENCE, via="events").urls


def test_legacy_model_key_and_processing_on_enqueue(make_client: MakeClient) -> None:
    legacy = Legacy(model_key=True, enqueue_status_processing=True)
    with LocalHub(clock="manual", job_seconds=10, legacy=legacy) as hub:
        client = make_client(hub, manual=True)
        job = client.submit(T2V, prompt="a fox")
        assert job.state is not None and job.state.status is Status.RUNNING
        assert job.state.raw_status == "processing"
        result = job.wait(timeout=PATIENCE, via="poll")
        assert result.model == T2V
        assert "model" in result.raw and "model_name" not in result.raw


def test_a_hub_without_a_stream_is_polled(manual_hub: LocalHub, make_client: MakeClient) -> None:
    no_stream = dataclasses.replace(OXEN, name="oxen-without-events", events_path=None)
    client = make_client(manual_hub, manual=True, provider=no_stream)
    job = client.submit(T2V, prompt="a fox")
    assert job.wait(timeout=PATIENCE).urls  # via="auto"
    with pytest.raises(StreamError):
        client.submit(T2V, prompt="a fox").wait(timeout=PATIENCE, via="events")
    assert manual_hub.requests.filter("GET", "/api/events") == []
