"""The hub layer over real HTTP (LocalHub): paged listings and the history iterator, one status
vocabulary in and out, GMI Cloud's undocumented cancel, odd model objects (issues 13 and 15)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

from schemadrive import Client
from schemadrive.exceptions import HubError, JobNotFound, SchemadriveError
from schemadrive.hub.providers import GMICLOUD
from schemadrive.hub.status import Status
from schemadrive.testing import LocalHub

T2V = "ltx-2-3-quality-text-to-video"
GMI = "ltx-2-pro-audio-to-video"
GMI_PAYLOAD = {"audio_uri": "https://example.com/a.mp3", "prompt": "a drummer"}


@pytest.fixture
def oxen(manual_hub: LocalHub) -> Iterator[Client]:
    with Client(manual_hub.api_key, base_url=manual_hub.url, cache_dir=False) as client:
        client.dispatcher.settings.listen = False  # no event stream needed here
        yield client


@pytest.fixture
def gmi(gmi_hub: LocalHub) -> Iterator[Client]:
    with Client(
        gmi_hub.api_key, base_url=gmi_hub.url, provider="gmicloud", cache_dir=False
    ) as client:
        yield client


def gets(hub: LocalHub, path: str) -> list:
    return [r for r in hub.requests if r.method == "GET" and r.path == path]


# -- the history: lazily, page by page, with costs -------------------------------------------


def test_generations_pages_lazily_newest_first(manual_hub: LocalHub, oxen: Client) -> None:
    ids = [oxen.submit(T2V, prompt=f"fox {i}").id for i in range(5)]
    manual_hub.finish_all()
    history = oxen.generations(page_size=2)
    assert gets(manual_hub, "/api/ai/generations") == []  # nothing asked before the first row
    first, second = next(history), next(history)
    assert len(gets(manual_hub, "/api/ai/generations")) == 1
    rest = list(history)
    assert [g.generation_id for g in (first, second, *rest)] == ids[::-1]
    pages = [r.query.get("page") for r in gets(manual_hub, "/api/ai/generations")]
    assert pages == ["1", "2", "3"]
    assert all(g.status is Status.SUCCEEDED and g.model == T2V for g in (first, *rest))
    costs = {g.generation_id: g.cost for g in (first, second, *rest)}
    assert {manual_hub.job(i).cost for i in ids} != {None}
    assert costs == {i: Decimal(manual_hub.job(i).cost) for i in ids}


def test_generations_filter_with_our_words_or_the_hubs(manual_hub: LocalHub, oxen: Client) -> None:
    done = oxen.submit(T2V, prompt="one").id
    manual_hub.finish_all()
    running = oxen.submit(T2V, prompt="two").id
    manual_hub.advance(6)  # "processing" on the hub
    assert [g.generation_id for g in oxen.generations(status="running")] == [running]
    assert [g.generation_id for g in oxen.generations(status="processing")] == [running]
    assert [g.generation_id for g in oxen.generations(status="succeeded")] == [done]
    with pytest.raises(ValueError, match="unknown status 'done'"):
        oxen.generations(status="done")  # at the call, not at the first next()
    with pytest.raises(ValueError, match="page_size"):
        oxen.generations(page_size=0)


def test_gmi_generations_read_every_page(gmi_hub: LocalHub, gmi: Client) -> None:
    ids = [gmi.submit(GMI, GMI_PAYLOAD).id for _ in range(5)]
    gmi_hub.finish_all()
    history = list(gmi.generations(page_size=2))
    assert sorted(g.generation_id for g in history) == sorted(ids)
    assert {g.status for g in history} == {Status.SUCCEEDED} and {g.cost for g in history} == {None}
    assert len(gets(gmi_hub, GMICLOUD.list_path)) == 3


# -- one status vocabulary, the hub's words as synonyms --------------------------------------


def test_jobs_take_our_words_and_the_hubs(manual_hub: LocalHub, oxen: Client) -> None:
    job = oxen.submit(T2V, prompt="a fox")
    manual_hub.advance(6)
    for word in ("running", "processing", "PROCESSING", Status.RUNNING):
        (state,) = oxen.jobs(status=word)
        assert (state.generation_id, state.status_word) == (job.id, "running")
    assert oxen.jobs(status="queued") == []


def test_gmi_jobs_take_succeeded_and_success(gmi_hub: LocalHub, gmi: Client) -> None:
    job = gmi.submit(GMI, GMI_PAYLOAD)
    gmi_hub.finish_all()
    for word in ("succeeded", "success", Status.SUCCEEDED):
        (state,) = gmi.jobs(status=word)
        assert (state.generation_id, state.status_word, state.word) == (
            job.id,
            "succeeded",
            "success",
        )


# -- GMI's cancel endpoint is our guess: a 404 says what is known ----------------------------


def test_gmi_cancel_404_says_the_job_still_exists(gmi_hub: LocalHub, gmi: Client) -> None:
    job = gmi.submit(GMI, GMI_PAYLOAD)
    gmi_hub.faults.add(
        method="POST", path=GMICLOUD.cancel_path.format(generation_id="*"), status=404
    )
    with pytest.raises(HubError) as caught:
        job.cancel()
    assert not isinstance(caught.value, JobNotFound)
    message = str(caught.value)
    assert "documents no cancel endpoint" in message
    assert "still exists (status: queued)" in message and "may still run" in message


def test_gmi_cancel_404_for_an_unknown_job_is_job_not_found(gmi: Client) -> None:
    with pytest.raises(JobNotFound) as caught:
        gmi.job("no-such-request").cancel()
    assert "documents no cancel endpoint" in str(caught.value)
    assert "knows no job" in str(caught.value)


# -- odd model objects: a Model or a typed error, never a TypeError --------------------------

SCHEMA = {"type": "object", "properties": {"prompt": {"type": "string"}}}
ODD_MODELS = {
    "capabilities as objects": {
        "capabilities": {"input": [{"type": "text"}], "output": [{"type": "image"}]}
    },
    "capabilities as words": {"capabilities": {"input": "text", "output": "video"}},
    "capabilities as a list": {"capabilities": ["text", "image"]},
    "capabilities with nulls": {"capabilities": {"input": [None, 3, {}], "output": None}},
    "endpoint a number": {"endpoint": 5},
    "schema a list": {"json_request_schema": ["not", "a", "schema"]},
    "pricing odd": {"pricing": [1, 2]},
}


@pytest.mark.parametrize("shape", ODD_MODELS, ids=list(ODD_MODELS))
def test_an_odd_model_object_is_a_model_or_a_typed_error(
    manual_hub: LocalHub, oxen: Client, shape: str
) -> None:
    model_id = f"odd-{len(shape)}"
    manual_hub.add_model({"id": model_id, "json_request_schema": SCHEMA, **ODD_MODELS[shape]})
    try:
        model = oxen.model(model_id)
        model.validate({"prompt": "x"})
    except SchemadriveError:
        pass


def test_capabilities_given_as_objects_choose_the_endpoint(manual_hub: LocalHub, oxen: Client):
    manual_hub.add_model(
        {"id": "typed-caps", "json_request_schema": SCHEMA, **ODD_MODELS["capabilities as objects"]}
    )
    assert oxen.model("typed-caps").endpoint == "/api/ai/images/generate"


def test_a_deeply_nested_model_reply_is_a_hub_error(manual_hub: LocalHub, oxen: Client) -> None:
    manual_hub.faults.add(
        method="GET", path=f"/api/ai/models/{T2V}", status=200, body="[" * 100_000 + "]" * 100_000
    )
    with pytest.raises(HubError, match=r"nest(s|ed) too deeply"):
        oxen.model(T2V)
