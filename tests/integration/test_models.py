"""client.model() over real HTTP against LocalHub: caching, revalidation, ids, errors."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

import schemadrive
from schemadrive import AuthenticationError, Client, HubError, ModelNotFound
from schemadrive.testing import LocalHub

KEY = "test-key"


def model_requests(hub: LocalHub, model_id: str = "ltx-2-3-pro") -> list:
    return [
        r
        for r in hub.requests
        if r.method == "GET"
        and r.path.startswith("/api/ai/models/")
        and not r.path.endswith("/search")
    ]


@pytest.fixture
def client_for(tmp_path: Path):
    made: list[Client] = []

    def make(hub: LocalHub, **options) -> Client:
        options.setdefault("cache_dir", tmp_path / "cache")
        made.append(Client(KEY, base_url=hub.url, **options))
        return made[-1]

    yield make
    for client in made:
        client.close()


def test_a_warm_model_makes_no_request(hub: LocalHub, client_for) -> None:
    client = client_for(hub)
    first = client.model("ltx-2-3-pro")
    assert client.model("ltx-2-3-pro") is first
    assert len(model_requests(hub)) == 1
    assert first.schema["properties"]["resolution"]["enum"][0] == "720p"
    assert "x-schemadrive" not in first.info


def test_an_expired_model_revalidates_with_a_conditional_request(hub: LocalHub, client_for) -> None:
    client = client_for(hub, schema_ttl=0)
    client.model("ltx-2-3-pro")
    client.model("ltx-2-3-pro")
    first, second = model_requests(hub)
    assert "If-None-Match" not in first.headers
    assert second.headers.get("If-None-Match", "").startswith('"')
    assert client.model("ltx-2-3-pro").id == "ltx-2-3-pro"


def test_a_second_process_reads_the_disk_cache(hub: LocalHub, client_for) -> None:
    client_for(hub).model("ltx-2-3-pro")
    client_for(hub).model("ltx-2-3-pro")
    assert len(model_requests(hub)) == 1


def test_fifty_concurrent_cold_calls_make_one_request(hub: LocalHub, client_for) -> None:
    hub.faults.slow(0.3, method="GET", path="/api/ai/models/*", times=None)
    client = client_for(hub, cache_dir=False)
    barrier = threading.Barrier(50)
    got: list[object] = []

    def call() -> None:
        barrier.wait()
        got.append(client.model("ltx-2-3-quality-text-to-video"))

    threads = [threading.Thread(target=call) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(got) == 50 and all(m is got[0] for m in got)
    assert len(model_requests(hub)) == 1


def test_a_corrupt_cache_file_recovers(hub: LocalHub, client_for, tmp_path: Path) -> None:
    client_for(hub).model("ltx-2-3-pro")
    files = list((tmp_path / "cache").rglob("*.json"))
    assert len(files) == 1
    files[0].write_bytes(b"\x00garbage")
    assert client_for(hub).model("ltx-2-3-pro").id == "ltx-2-3-pro"
    assert len(model_requests(hub)) == 2
    assert json.loads(files[0].read_text())["model_id"] == "ltx-2-3-pro"


def test_offline_works_with_the_network_unreachable(tmp_path: Path) -> None:
    client = Client(base_url="http://127.0.0.1:9", offline=True, cache_dir=tmp_path)
    model = client.model("ltx-2-3-pro")
    assert model.prepare({"prompt": "x"})["fps"] == 25
    with pytest.raises(schemadrive.OfflineError):
        client.transport  # noqa: B018 - the property is the assertion


def test_offline_prefers_the_disk_cache_to_the_fixtures(
    hub: LocalHub, client_for, tmp_path: Path
) -> None:
    fixture = schemadrive.hub.recorded.bundled_dir() / "oxen" / "ltx-2-3-pro.json"
    changed = json.loads(fixture.read_text())
    changed["json_request_schema"]["properties"]["prompt"]["maxLength"] = 10
    hub.add_model(changed)
    client_for(hub).model("ltx-2-3-pro")
    offline = Client(base_url=hub.url, offline=True, cache_dir=tmp_path / "cache")
    problems = offline.model("ltx-2-3-pro").validate({"prompt": "far longer than ten"})
    assert problems[0].keyword == "maxLength"


@pytest.mark.parametrize(
    "model_id",
    [
        "Qwen/Qwen-Image",
        "..",
        "what?x=1",
        "has space",
        "happyhorse-1.0-t2v",
        "ltx-2-3-pro-22b-IC-LoRA-Union-Control",
        "../../etc",
    ],
)
def test_odd_model_ids_keep_the_path_and_the_cache_directory(
    hub: LocalHub, client_for, tmp_path: Path, model_id: str
) -> None:
    fixture = schemadrive.hub.recorded.bundled_dir() / "oxen" / "ltx-2-3-pro.json"
    recorded = json.loads(fixture.read_text())
    hub.add_model({**recorded, "id": model_id})
    model = client_for(hub).model(model_id)
    assert model.id == model_id and model.info["id"] == model_id
    (request,) = model_requests(hub)
    segment = request.path.removeprefix("/api/ai/models/")
    assert not {"/", "?", " "} & set(segment) and segment not in (".", "..")
    cache = (tmp_path / "cache").resolve()
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert written and all(p.resolve().is_relative_to(cache) for p in written)


def test_unknown_model_suggests_close_matches(hub: LocalHub, client_for) -> None:
    with pytest.raises(ModelNotFound) as caught:
        client_for(hub).model("ltx-2-3-quality-text-to-vide")
    assert caught.value.suggestions[0] == "ltx-2-3-quality-text-to-video"
    assert caught.value.status == 404


def test_a_wrong_key_is_an_authentication_error_that_hides_the_key(
    hub: LocalHub, tmp_path: Path
) -> None:
    client = Client("sk-wrong-and-secret", base_url=hub.url, cache_dir=tmp_path)
    with pytest.raises(AuthenticationError) as caught:
        client.model("ltx-2-3-pro")
    text = f"{caught.value} {caught.value!r} {caught.value.excerpt} {caught.value.body}"
    assert "sk-wrong-and-secret" not in text
    assert caught.value.status == 401


def test_an_html_reply_is_a_hub_error_with_status_and_excerpt(
    hub: LocalHub, client_for
) -> None:
    hub.faults.server_error(500, method="GET", path="/api/ai/models/*")
    with pytest.raises(HubError) as caught:
        client_for(hub).model("ltx-2-3-pro")
    assert caught.value.status == 500
    assert caught.value.excerpt and "<" not in caught.value.excerpt


def test_a_200_that_is_not_json_is_a_hub_error(hub: LocalHub, client_for) -> None:
    hub.faults.add(
        method="GET",
        path="/api/ai/models/*",
        status=200,
        body="<html>maintenance</html>",
        headers={"Content-Type": "text/html"},
    )
    with pytest.raises(HubError) as caught:
        client_for(hub).model("ltx-2-3-pro")
    assert "expected JSON" in str(caught.value) and "maintenance" in str(caught.value)


def test_503_on_the_model_endpoint_is_retried(hub: LocalHub, client_for) -> None:
    hub.faults.server_error(503, method="GET", path="/api/ai/models/*", times=2)
    assert client_for(hub).model("ltx-2-3-pro").id == "ltx-2-3-pro"
    assert len(model_requests(hub)) == 3


def test_legacy_request_schema_key(client_for) -> None:
    with LocalHub(legacy=schemadrive.testing.Legacy(request_schema_key=True)) as hub:
        served = client_for(hub).model("ltx-2-3-pro")
        assert "json_request_schema" not in served.info and "request_schema" in served.info
        assert served.prepare({"prompt": "x"})["duration"] == 6


def test_a_chat_model_has_no_schema(hub: LocalHub, client_for) -> None:
    model = client_for(hub).model("claude-sonnet-4-6")
    with pytest.raises(schemadrive.SchemaUnavailable):
        model.validate({})


def test_the_key_goes_only_to_the_hub(hub: LocalHub, client_for) -> None:
    client_for(hub).model("ltx-2-3-pro")
    assert all(r.authorized for r in hub.requests)
