"""LocalHub: authentication, the model endpoints, routing and the start/stop lifecycle."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest
import requests

from schemadrive.hub.recorded import load_model_objects
from schemadrive.testing import LocalHub

UNAUTHENTICATED = {
    "error": {"type": "unauthenticated", "title": "Unauthenticated: a valid API key is required"},
    "status": "error",
    "status_message": "unauthenticated",
}
OXEN_PATHS = [
    ("GET", "/api/ai/models"),
    ("GET", "/api/ai/models/search?search=ltx"),
    ("GET", "/api/ai/models/ltx-2-3-pro"),
    ("POST", "/api/ai/videos/generate"),
    ("POST", "/api/ai/images/generate"),
    ("POST", "/api/ai/images/edit"),
    ("POST", "/api/ai/queue"),
    ("GET", "/api/ai/queue"),
    ("GET", "/api/ai/queue/some-id"),
    ("DELETE", "/api/ai/queue/some-id"),
    ("GET", "/api/ai/generations"),
    ("GET", "/api/ai/generations/some-id"),
    ("GET", "/api/events"),
    ("GET", "/api/repos/test-user/generations/file/main/x/y.mp4"),
    ("GET", "/no/such/path"),
]


@pytest.mark.parametrize("key", [None, "wrong-key", "test-key "])
@pytest.mark.parametrize(("method", "path"), OXEN_PATHS)
def test_every_path_needs_the_bearer_key(
    manual_hub: LocalHub, method: str, path: str, key: str | None
) -> None:
    headers = {} if key is None else {"Authorization": f"Bearer {key}"}
    reply = requests.request(method, manual_hub.url + path, headers=headers, json={}, timeout=10)
    assert reply.status_code == 401
    assert reply.json() == UNAUTHENTICATED
    assert manual_hub.jobs == {}
    recorded = manual_hub.requests[-1]
    assert (recorded.authorized, recorded.has_authorization) == (False, key is not None)
    assert "Authorization" not in recorded.headers


def test_requests_are_recorded_without_the_key_value(
    api: requests.Session, manual_hub: LocalHub
) -> None:
    api.post("/api/ai/queue?x=1&x=2&empty=", json={"model": "ltx-2-3-pro", "prompt": "p"})
    api.post("/api/ai/queue", data=b"not json", headers={"Content-Type": "text/plain"})
    first, second = manual_hub.requests
    assert (first.method, first.path, first.query) == (
        "POST",
        "/api/ai/queue",
        {"x": "2", "empty": ""},
    )
    assert first.body == {"model": "ltx-2-3-pro", "prompt": "p"}
    assert first.authorized and first.has_authorization and first.fault is None
    assert all("test-key" not in value for value in first.headers.values())
    assert first.headers["Content-Type"] == "application/json"
    assert second.body == b"not json"
    assert manual_hub.requests.filter("POST", "/api/ai/*") == [first, second]


def test_list_serves_the_bundled_fixtures_without_recording_metadata(api: requests.Session) -> None:
    reply = api.get("/api/ai/models")
    assert reply.status_code == 200
    assert reply.headers["Content-Type"].startswith("application/json")
    body = reply.json()
    assert body["object"] == "list"
    bundled = load_model_objects()
    assert sorted(m["id"] for m in body["data"]) == sorted(bundled)
    for model in body["data"]:
        assert "x-schemadrive" not in model
        assert model == {k: v for k, v in bundled[model["id"]].items() if k != "x-schemadrive"}


def test_list_filters_by_developer(api: requests.Session) -> None:
    data = api.get("/api/ai/models", params={"developer_name": "Lightricks"}).json()["data"]
    assert data and all(m["developer"]["name"] == "Lightricks" for m in data)


def test_search_matches_id_and_display_name(api: requests.Session) -> None:
    found = api.get("/api/ai/models/search", params={"search": "QUALITY"}).json()
    assert found["object"] == "list"
    assert sorted(m["id"] for m in found["data"]) == [
        "ltx-2-3-quality-image-to-video",
        "ltx-2-3-quality-text-to-video",
    ]
    assert api.get("/api/ai/models/search", params={"search": "Sonnet 4.6"}).json()["data"][0][
        "id"
    ] == ("claude-sonnet-4-6")
    assert api.get("/api/ai/models/search", params={"search": "zzz"}).json() == {
        "object": "list",
        "data": [],
    }


def test_search_without_a_term_is_invalid_params(api: requests.Session) -> None:
    reply = api.get("/api/ai/models/search")
    assert reply.status_code == 400
    assert reply.json()["status_message"] == "invalid_params"
    assert reply.json()["error"]["type"] == "invalid_params"


def test_retrieve_one_model(api: requests.Session) -> None:
    reply = api.get("/api/ai/models/ltx-2-3-pro")
    assert reply.status_code == 200
    body = reply.json()
    assert (
        body["id"] == "ltx-2-3-pro"
        and "json_request_schema" in body
        and "x-schemadrive" not in body
    )


def test_unknown_model_is_404_with_the_message_envelope(api: requests.Session) -> None:
    reply = api.get("/api/ai/models/bad-model-name")
    assert reply.status_code == 404
    assert reply.json() == {"error": {"message": "Model not found: bad-model-name"}}


@pytest.mark.parametrize(
    "model_id",
    [
        "happyhorse-1.0-t2v",
        "ltx-2-3-pro-22b-IC-LoRA-Union-Control",
        "Qwen/Qwen-Image",
        "a model",
        "50%",
    ],
)
def test_ids_with_dots_capitals_slashes_and_spaces(
    manual_hub: LocalHub, api: requests.Session, model_id: str
) -> None:
    assert (
        manual_hub.add_model(
            {"id": model_id, "object": "model", "capabilities": {"output": ["image"]}}
        )
        == model_id
    )
    reply = api.get("/api/ai/models/" + quote(model_id, safe=""))
    assert reply.status_code == 200 and reply.json()["id"] == model_id
    assert manual_hub.requests[-1].path == "/api/ai/models/" + quote(model_id, safe="")


def test_an_unencoded_slash_is_two_segments(manual_hub: LocalHub, api: requests.Session) -> None:
    manual_hub.add_model({"id": "Qwen/Qwen-Image", "object": "model"})
    reply = api.get("/api/ai/models/Qwen/Qwen-Image")
    assert reply.status_code == 404
    assert reply.json()["status_message"] == "resource_not_found"


def test_models_can_be_removed(manual_hub: LocalHub, api: requests.Session) -> None:
    manual_hub.remove_model("ltx-2-3-pro")
    assert "ltx-2-3-pro" not in manual_hub.models
    assert api.get("/api/ai/models/ltx-2-3-pro").status_code == 404


def test_legacy_request_schema_key(manual_hub: LocalHub, api: requests.Session) -> None:
    manual_hub.legacy.request_schema_key = True
    body = api.get("/api/ai/models/ltx-2-3-pro").json()
    assert "json_request_schema" not in body
    assert body["request_schema"] == manual_hub.models["ltx-2-3-pro"]["json_request_schema"]
    assert all("json_request_schema" not in m for m in api.get("/api/ai/models").json()["data"])


def test_unknown_path_and_wrong_method(api: requests.Session) -> None:
    missing = api.get("/api/ai/nothing-here")
    assert missing.status_code == 404
    assert missing.json() == {
        "error": {
            "type": "resource_not_found",
            "title": "The requested resource could not be found",
        },
        "status": "error",
        "status_message": "resource_not_found",
    }
    wrong = api.put("/api/ai/queue", json={})
    assert wrong.status_code == 405
    assert set(wrong.headers["Allow"].split(", ")) == {"GET", "POST"}


def test_fixtures_from_a_directory_or_a_mapping(tmp_path: pytest.TempPathFactory) -> None:
    folder = tmp_path / "oxen"  # type: ignore[operator]
    folder.mkdir()
    (folder / "m.json").write_text(json.dumps({"id": "only-one", "object": "model"}))
    for fixtures in (tmp_path, {"x": {"id": "only-one", "object": "model"}}):
        with LocalHub(fixtures, clock="manual") as hub:
            assert list(hub.models) == ["only-one"]


def test_start_stop_and_a_fixed_port() -> None:
    first = LocalHub(clock="manual")
    assert repr(first).endswith("not started>")
    with first:
        port = first.port
        assert first.url == f"http://127.0.0.1:{port}"
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{port}/api/ai/models", timeout=5)
    with LocalHub(clock="manual", port=port) as again:
        assert again.port == port
        assert requests.get(again.url + "/api/ai/models", timeout=5).status_code == 401


def test_public_names_resolve() -> None:
    import schemadrive.testing as testing

    for name in testing.__all__:
        if name != "payloads_for":  # another module's, needs hypothesis
            assert getattr(testing, name).__name__ == name
    with pytest.raises(AttributeError):
        testing.no_such_name  # noqa: B018


def test_a_stopped_hub_can_start_again(connect: Any) -> None:
    hub = LocalHub(clock="manual", job_seconds=0)
    for _ in range(2):
        with hub:
            reply = connect(hub).post(
                "/api/ai/videos/generate", json={"model": "ltx-2-3-pro", "prompt": "x"}
            )
            assert reply.status_code == 200
