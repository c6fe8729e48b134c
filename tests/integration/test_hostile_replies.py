"""Replies a hub should never send, each ending in a typed schemadrive error (issue 13 items 2,
6, 7): a JSON reply nested too deeply to parse, a redirect to a malformed URL, a result URL
that names no usable file, and a hub that echoes the API key back.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from requests.adapters import HTTPAdapter

from schemadrive import Client
from schemadrive.dispatch.results import Result
from schemadrive.exceptions import (
    AuthenticationError,
    HubError,
    JobNotFound,
    SchemadriveError,
    SubmitUncertain,
)
from schemadrive.hub.retry import HTTP
from schemadrive.testing import LocalHub

KEY = "sk-echoed-back-7f3a9"
T2V = "ltx-2-3-quality-text-to-video"
QUEUE = "/api/ai/queue"
DEEP = "[" * 100_000 + "]" * 100_000


@pytest.fixture
def hub() -> Iterator[LocalHub]:
    with LocalHub(api_key=KEY, clock="manual", job_seconds=10) as running:
        yield running


@pytest.fixture
def client(hub: LocalHub) -> Iterator[Client]:
    with Client(api_key=KEY, base_url=hub.url, cache_dir=False) as made:
        made.model(T2V)  # the schema is cached: the faults below hit the calls under test
        made.dispatcher.settings.poll_failures = 0
        no_sleep = dataclasses.replace(HTTP, initial=0.0, maximum=0.0)  # GET retries at once
        made.transport.session.mount("http://", HTTPAdapter(max_retries=no_sleep.urllib3_retry()))
        yield made


def test_a_deeply_nested_reply_to_a_paid_post_is_uncertain(hub: LocalHub, client: Client) -> None:
    hub.faults.add(method="POST", path=QUEUE, status=200, body=DEEP)
    with pytest.raises(SubmitUncertain) as caught:
        client.submit(T2V, prompt="a fox")
    assert "could not be read" in str(caught.value)
    assert len(hub.requests.filter("POST")) == 1  # never sent again


def test_a_deeply_nested_reply_to_a_sync_run_is_uncertain(hub: LocalHub, client: Client) -> None:
    hub.faults.add(method="POST", path="/api/ai/*", status=200, body=DEEP)
    with pytest.raises(SubmitUncertain):
        client.run(T2V, prompt="a fox")


@pytest.mark.parametrize("call", ["status", "jobs", "cancel", "model"])
def test_a_deeply_nested_reply_elsewhere_is_a_hub_error(
    hub: LocalHub, client: Client, call: str
) -> None:
    job = client.submit(T2V, prompt="a fox")
    hub.faults.add(method="*", path="/api/*", status=200, body=DEEP, times=None)
    with pytest.raises(HubError) as caught:
        if call == "status":
            job.status()
        elif call == "jobs":
            client.jobs()
        elif call == "cancel":
            job.cancel()
        else:
            Client(api_key=KEY, base_url=hub.url, cache_dir=False).model(T2V)
    assert not isinstance(caught.value, RecursionError)


def test_a_transient_5xx_body_never_ends_a_wait(hub: LocalHub, client: Client) -> None:
    client.dispatcher.settings.poll_failures = 10
    client.dispatcher.clock = hub.clock.now
    client.dispatcher.sleep = hub.advance
    job = client.submit(T2V, prompt="a fox")
    hub.faults.add(method="GET", path=f"{QUEUE}/*", status=503, body=DEEP, times=8)
    result = job.wait(timeout=600, via="poll")
    assert result.urls


@pytest.mark.parametrize("method", ["POST", "DELETE"])
def test_a_redirect_to_a_malformed_url_is_a_hub_error(
    hub: LocalHub, client: Client, method: str
) -> None:
    job = client.submit(T2V, prompt="a fox") if method == "DELETE" else None
    hub.faults.add(method=method, path=f"{QUEUE}*", status=302, headers={"Location": "http://[::1"})
    with pytest.raises(HubError) as caught:
        if job is None:
            client.submit(T2V, prompt="a fox")
        else:
            job.cancel()
    assert not isinstance(caught.value, SubmitUncertain)  # a redirect: nothing was created
    if method == "POST":
        assert len(hub.jobs) == 0


@pytest.mark.parametrize("tail", [".%00", "%00.mp4", "x.%00%2F..%2Fevil", ".%E2%80%AE"])
def test_a_result_url_naming_no_usable_file_is_saved_safely(
    hub: LocalHub, tmp_path: Path, tail: str
) -> None:
    path = f"/files/result{tail}"
    hub.faults.add(
        method="GET", path=path, status=200, body="MEDIA", headers={"Content-Type": "video/mp4"}
    )
    target = tmp_path / "out"
    target.mkdir()
    (saved,) = Result(urls=[hub.url + path]).download(target)
    assert saved.parent == target and saved.read_bytes() == b"MEDIA"
    assert "\x00" not in saved.name and "/" not in saved.name and saved.suffix == ".mp4"
    assert [p.name for p in target.iterdir()] == [saved.name]


def test_a_hub_that_echoes_the_key_in_a_401_gets_it_redacted(hub: LocalHub) -> None:
    body = f'{{"error": {{"type": "unauthorized", "message": "bad key {KEY}"}}, "key": "{KEY}"}}'
    hub.faults.add(method="GET", path="/api/*", status=401, body=body, times=None)
    client = Client(api_key=KEY, base_url=hub.url, cache_dir=False)
    with client, pytest.raises(AuthenticationError) as caught:
        client.job("abc").status()
    error = caught.value
    kept = [str(error), repr(error), str(error.excerpt), repr(error.body), *map(repr, error.args)]
    assert all(KEY not in text for text in kept)
    assert "***" in str(error.excerpt)  # what the hub said stays readable around it


def test_a_hub_that_echoes_the_key_in_a_5xx_page_gets_it_redacted(
    hub: LocalHub, client: Client
) -> None:
    hub.faults.add(method="GET", path=f"{QUEUE}/*", status=500, body=f"<h1>{KEY}</h1>")
    with pytest.raises(SchemadriveError) as caught:
        client.job("abc").status()
    assert KEY not in str(caught.value) and KEY not in repr(caught.value)
    assert KEY not in str(getattr(caught.value, "excerpt", ""))


def test_an_unknown_job_is_still_not_found(client: Client) -> None:
    with pytest.raises(JobNotFound):
        client.job("no-such-job").status()
