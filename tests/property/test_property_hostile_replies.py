"""Hostile hub replies through a real HTTP server: only schemadrive errors come out (issue 13).

A LocalHub fault answers the call under test with a generated reply: JSON nested 1,000 to
100,000 deep, any JSON value where an object was expected, hub-shaped objects whose fields
hold the wrong types, bodies of megabytes, an HTML page, valid JSON cut short, random bytes;
under any status a hub might send. Every client call (submit, sync run, status, wait, jobs,
cancel, model, list of models) must then return normally or raise a SchemadriveError; a paid
POST answered 2xx/5xx with something unreadable is SubmitUncertain, and is never sent twice.

Size: 8 calls x the ``ci`` profile's 40 examples = 320 replies per run (``INPUTS`` counts
them; run with ``-s`` to see the figure).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st
from requests.adapters import HTTPAdapter

from schemadrive import Client
from schemadrive.exceptions import SchemadriveError, SubmitUncertain
from schemadrive.hub.retry import HTTP
from schemadrive.testing import LocalHub

T2V = "ltx-2-3-quality-text-to-video"
QUEUE = "/api/ai/queue"
INPUTS: dict[str, int] = {}

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=10,
)
#: Field names the client reads from the hub's replies, to be filled with the wrong types.
HUB_FIELDS = [
    "generations", "generation_id", "status", "error", "message", "videos", "images", "data",
    "url", "result_url", "model", "model_name", "json_request_schema", "request_schema", "id",
    "b64_json", "video_url", "capabilities", "endpoint", "items", "next", "outcome",
]  # fmt: skip
hub_shaped = st.dictionaries(st.sampled_from(HUB_FIELDS), json_values, min_size=1, max_size=6)


def nested(depth: int, kind: str) -> str:
    return "[" * depth + "]" * depth if kind == "list" else '{"a":' * depth + "1" + "}" * depth


def truncated(value: Any, cut: float) -> str:
    text = json.dumps(value)
    return text[: max(1, int(len(text) * cut))]


bodies = st.one_of(
    st.builds(nested, st.integers(1_000, 100_000), st.sampled_from(["list", "object"])),
    json_values.map(json.dumps),
    hub_shaped.map(json.dumps),
    st.lists(hub_shaped, max_size=3).map(lambda rows: json.dumps({"generations": rows})),
    st.integers(1, 3).map(lambda n: json.dumps({"message": "x" * (n * 700_000)})),
    st.just("<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"),
    st.builds(truncated, hub_shaped, st.floats(0.05, 0.95)),
    st.binary(max_size=64),
    st.just(""),
)
statuses = st.sampled_from([200, 201, 202, 204, 400, 401, 403, 404, 409, 422, 429, 500, 502, 503])
types = st.sampled_from(["application/json", "text/html", "application/octet-stream"])

#: call -> (method, path pattern) of the request whose reply is replaced
TARGETS = {
    "submit": ("POST", QUEUE),
    "run": ("POST", "/api/ai/*"),
    "status": ("GET", f"{QUEUE}/*"),
    "wait": ("GET", f"{QUEUE}*"),
    "jobs": ("GET", QUEUE),
    "cancel": ("DELETE", f"{QUEUE}/*"),
    "model": ("GET", "/api/ai/models/*"),
    "models": ("GET", "/api/ai/models*"),
}


@pytest.fixture(scope="module")
def hub() -> Iterator[LocalHub]:
    with LocalHub(clock="manual", job_seconds=10) as running:
        yield running


def fast_client(hub: LocalHub) -> Client:
    """A client that never sleeps for real: retries at once, polls at once."""
    client = Client(api_key=hub.api_key, base_url=hub.url, cache_dir=False)
    no_sleep = dataclasses.replace(HTTP, initial=0.0, maximum=0.0)
    client.transport.session.mount("http://", HTTPAdapter(max_retries=no_sleep.urllib3_retry()))
    client.dispatcher.sleep = lambda seconds: None
    client.dispatcher.settings.listen = False
    client.dispatcher.settings.poll_failures = 3
    return client


@pytest.fixture(scope="module")
def client(hub: LocalHub) -> Iterator[Client]:
    with fast_client(hub) as made:
        made.model(T2V)  # the schema is in memory: the faults hit the calls under test
        yield made


def enqueue(hub: LocalHub) -> str:
    """A job made on a connection of its own (a hostile reply may leave the client's pooled
    connection unusable: that is the client's problem, not this setup's)."""
    reply = requests.post(
        hub.url + QUEUE, json={"model": T2V, "prompt": "a fox"}, timeout=10,
        headers={"Authorization": f"Bearer {hub.api_key}", "Connection": "close"},
    )  # fmt: skip
    return str(reply.json()["generations"][0]["generation_id"])


def call(name: str, client: Client, hub: LocalHub, job_id: str) -> Any:
    if name == "submit":
        return client.submit(T2V, prompt="a fox")
    if name == "run":
        return client.run(T2V, prompt="a fox")
    if name == "status":
        return client.job(job_id).status()
    if name == "wait":
        return client.job(job_id).wait(timeout=0.5, via="poll")
    if name == "jobs":
        return client.jobs()
    if name == "cancel":
        return client.job(job_id).cancel()
    with fast_client(hub) as fresh:
        return fresh.model(T2V) if name == "model" else fresh.list_models()


@pytest.mark.parametrize("name", sorted(TARGETS))
@given(body=bodies, status=statuses, kind=types)
def test_only_schemadrive_errors_come_out(
    hub: LocalHub, client: Client, name: str, body: str | bytes, status: int, kind: str
) -> None:
    INPUTS[name] = INPUTS.get(name, 0) + 1
    hub.faults.clear()
    job_id = enqueue(hub) if name not in ("submit", "run") else "none"
    posts_before = len(hub.requests.filter("POST"))
    method, path = TARGETS[name]
    hub.faults.add(
        method=method, path=path, status=status, body=body, headers={"Content-Type": kind},
        times=None,
    )  # fmt: skip
    try:
        call(name, client, hub, job_id)
    except SchemadriveError as error:
        if name in ("submit", "run") and (200 <= status < 300 or status >= 500):
            assert isinstance(error, SubmitUncertain), f"{status}: {error!r}"
        if name in ("submit", "run") and 400 <= status < 500:
            assert not isinstance(error, SubmitUncertain), f"{status}: {error!r}"
    finally:
        hub.faults.clear()
    if name in ("submit", "run"):
        # a refused or uncertain POST is never sent again (429 is the only resend: refused)
        sent = len(hub.requests.filter("POST")) - posts_before
        assert sent == 1 or status == 429


def test_size() -> None:
    """Run last (file order): how many hostile replies were tried."""
    if not INPUTS:
        pytest.skip("run with the property above")
    print(f"\nhostile replies tried: {sum(INPUTS.values())} ({INPUTS})")
