"""GMI Cloud: the parameter list -> JSON Schema converter, status words, reply parsing, and the
provider description. Pure: no sockets."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from schemadrive.client import Client
from schemadrive.exceptions import HubError
from schemadrive.hub.providers import GMICLOUD, OXEN, PROVIDERS, get_provider
from schemadrive.hub.providers.gmicloud import (
    list_query,
    parse_job,
    parse_job_list,
    parse_model_list,
    parse_submit,
    submit_body,
)
from schemadrive.hub.providers.paramlist import conditional_requirements, schema_from_parameters
from schemadrive.hub.recorded import load_model_objects
from schemadrive.hub.status import Status
from schemadrive.schema.compile import compile_schema

MODEL = "ltx-2-pro-audio-to-video"
RECORDED = load_model_objects(provider="gmicloud")[MODEL]


def one(parameter: dict[str, Any]) -> dict[str, Any]:
    """The property schema of a single parameter called ``p``."""
    return schema_from_parameters([{"name": "p", **parameter}])["properties"]["p"]  # type: ignore[no-any-return]


# -- the converter -------------------------------------------------------------------------


def test_the_recorded_schema_is_the_translation_of_the_recorded_parameter_list() -> None:
    translated = schema_from_parameters(RECORDED["parameters"], title=f"{MODEL} payload")
    recorded = {k: v for k, v in RECORDED["json_request_schema"].items() if k != "$id"}
    assert translated == recorded  # the prose rule included, as an anyOf


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("audio", {"type": "string", "format": "uri"}),
        ("image", {"type": "string", "format": "uri"}),
        ("video", {"type": "string", "format": "uri"}),
        ("Image", {"type": "string", "format": "uri"}),
        ("float", {"type": "number"}),
        ("number", {"type": "number"}),
        ("int", {"type": "integer"}),
        ("integer", {"type": "integer"}),
        ("bool", {"type": "boolean"}),
        ("boolean", {"type": "boolean"}),
        ("string", {"type": "string"}),
        ("object", {"type": "object"}),
        ("array", {"type": "array"}),
        ("image[]", {"type": "array", "items": {"type": "string", "format": "uri"}}),
        ("mystery", {}),  # no constraint: never reject what the hub may accept
    ],
)
def test_types(kind: str, expected: dict[str, Any]) -> None:
    assert one({"type": kind}) == expected


def test_enums_take_their_options_and_a_type_from_them() -> None:
    assert one({"type": "enum", "options": ["a", "b"]}) == {"type": "string", "enum": ["a", "b"]}
    assert one({"type": "enum", "options": [5, 10]}) == {"type": "integer", "enum": [5, 10]}
    assert one({"type": "enum", "options": [1, 1.5]}) == {"type": "number", "enum": [1, 1.5]}
    labelled = [{"value": "fast", "label": "Fast"}, {"value": "best", "label": "Best"}]
    assert one({"type": "enum", "options": labelled})["enum"] == ["fast", "best"]


def test_arrays_take_their_items_and_counts() -> None:
    schema = one({"type": "array", "items": "image", "max_items": 4, "min_items": 1})
    assert schema == {
        "type": "array",
        "items": {"type": "string", "format": "uri"},
        "maxItems": 4,
        "minItems": 1,
    }
    assert one({"type": "list", "items": {"type": "int"}})["items"] == {"type": "integer"}
    # on a scalar a count cannot be a constraint: it is said in the description
    assert one({"type": "image", "max_items": 1, "description": "First frame."}) == {
        "type": "string",
        "format": "uri",
        "description": "First frame. Max 1 image.",
    }


@pytest.mark.parametrize(
    ("parameter", "default"),
    [
        ({"type": "int", "default": "2"}, 2),
        ({"type": "float", "default": "0.5"}, 0.5),
        ({"type": "float", "default": 5}, 5),
        ({"type": "bool", "default": "false"}, False),
        ({"type": "string", "default": "x"}, "x"),
        ({"type": "enum", "options": ["a", "b"], "default": "b"}, "b"),
    ],
)
def test_defaults_are_kept_when_they_fit(parameter: dict[str, Any], default: Any) -> None:
    schema = one(parameter)
    assert schema["default"] == default and type(schema["default"]) is type(default)


@pytest.mark.parametrize(
    "parameter",
    [
        {"type": "float", "default": "5 (text), 9 (with image)"},
        {"type": "float", "default": "1e999"},  # not finite
        {"type": "int", "default": 2.5},
        {"type": "enum", "options": ["a", "b"], "default": "c"},
        {"type": "string", "default": "-"},
        {"type": "string", "default": None},
        {"type": "bool", "default": "yes"},
    ],
)
def test_defaults_that_fit_nothing_are_dropped(parameter: dict[str, Any]) -> None:
    assert "default" not in one(parameter)


def test_bounds_lengths_and_descriptions() -> None:
    assert one({"type": "int", "minimum": 1, "max": "4"}) == {
        "type": "integer",
        "minimum": 1,
        "maximum": 4,
    }
    assert one({"type": "string", "max_length": 5000, "description": " A prompt. "}) == {
        "type": "string",
        "maxLength": 5000,
        "description": "A prompt.",
    }
    assert one({"type": "string", "minimum": 1}) == {"type": "string"}  # bounds need numbers


def test_required_flags_and_malformed_entries() -> None:
    schema = schema_from_parameters(
        [
            {"name": "a", "type": "string", "required": True},
            {"name": "b", "type": "string", "required": "yes"},  # not the boolean true
            {"type": "string"},  # no name: skipped
            "junk",
            {"name": "a", "type": "int", "required": True},  # a repeated name: the last wins
        ]
    )
    assert schema["required"] == ["a"]
    assert schema["properties"] == {"a": {"type": "integer"}, "b": {"type": "string"}}
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert "anyOf" not in schema and "allOf" not in schema


# -- the conditional rule ------------------------------------------------------------------


@pytest.mark.parametrize(
    "description",
    [
        "Text. Required if image_uri is not provided.",
        "Text. required when `image_uri` is not given",
        "Text. Required if the image_uri is not specified.",
        "Text. Required unless image_uri is provided.",
    ],
)
def test_prose_rules_that_are_recognised(description: str) -> None:
    assert conditional_requirements("prompt", description, ["prompt", "image_uri"]) == [
        ("prompt", "image_uri")
    ]


@pytest.mark.parametrize(
    "description",
    [
        "Required if mask is not provided.",  # no such parameter
        "Required if prompt is not provided.",  # itself
        "Optional. If image_uri is provided, prompt describes the motion.",
        None,
    ],
)
def test_prose_that_is_not_a_rule(description: str | None) -> None:
    assert conditional_requirements("prompt", description, ["prompt", "image_uri"]) == []


def test_rules_become_any_of_once_and_all_of_when_several() -> None:
    both_sides = schema_from_parameters(
        [
            {"name": "a", "type": "string", "description": "Required if b is not provided."},
            {"name": "b", "type": "string", "description": "Required if a is not provided."},
        ]
    )
    assert both_sides["anyOf"] == [{"required": ["a"]}, {"required": ["b"]}]
    two = schema_from_parameters(
        [
            {"name": "a", "type": "string", "description": "Required if b is not provided."},
            {"name": "b", "type": "string"},
            {"name": "c", "type": "string", "description": "Required unless d is provided."},
            {"name": "d", "type": "string"},
        ]
    )
    assert "anyOf" not in two
    assert two["allOf"] == [
        {"anyOf": [{"required": ["a"]}, {"required": ["b"]}]},
        {"anyOf": [{"required": ["c"]}, {"required": ["d"]}]},
    ]
    satisfied = schema_from_parameters(
        [
            {"name": "a", "type": "string", "description": "Required if b is not provided."},
            {"name": "b", "type": "string", "required": True},
        ]
    )
    assert "anyOf" not in satisfied  # b is always there


def test_the_translation_validates_and_fills_defaults() -> None:
    compiled = compile_schema(schema_from_parameters(RECORDED["parameters"]), common=frozenset())
    audio = {"audio_uri": "https://example.com/a.mp3"}
    problems = compiled.validate(audio)
    assert [(p.path, p.keyword) for p in problems] == [("$", "anyOf")]
    assert "'prompt', 'image_uri'" in str(problems[0])
    assert compiled.validate({**audio, "prompt": "x"}) == []
    assert compiled.validate({**audio, "image_uri": "https://example.com/i.png"}) == []
    assert compiled.fill_defaults({**audio, "prompt": "x"})["resolution"] == "1920x1080"


# -- status words and replies --------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "status"),
    [
        ("queued", Status.QUEUED),
        ("dispatched", Status.QUEUED),
        ("processing", Status.RUNNING),
        ("success", Status.SUCCEEDED),
        ("SUCCESS", Status.SUCCEEDED),
        ("failed", Status.FAILED),
        ("cancelled", Status.CANCELLED),
        ("finished", Status.UNKNOWN),  # GMI's video page mentions it; unknown is not terminal
        ("succeeded", Status.UNKNOWN),  # Oxen's word, not GMI's
        (None, Status.UNKNOWN),
    ],
)
def test_status_words(word: Any, status: Status) -> None:
    state = GMICLOUD.state({"request_id": "r1", "status": word})
    assert state.status is status
    assert state.terminal == (status in (Status.SUCCEEDED, Status.FAILED, Status.CANCELLED))


def test_a_video_record() -> None:
    record = {
        "request_id": "r1", "org_id": "o", "model": MODEL, "status": "success",
        "payload": {"prompt": "x"},
        "outcome": {"video_url": "https://s.test/sample_0.mp4",
                    "thumbnail_image_url": "https://s.test/t.png"},
    }  # fmt: skip
    state = parse_job(record, GMICLOUD.status_words)
    assert (state.generation_id, state.model, state.raw_status) == ("r1", MODEL, "success")
    assert state.urls == ("https://s.test/sample_0.mp4",)  # not the thumbnail
    assert state.error is None and state.raw == record


def test_media_urls_and_errors() -> None:
    media = {
        "media_urls": [
            {"id": "0", "url": "https://s.test/0.png"},
            {"id": "1"},
            "https://s.test/1.png",
        ]
    }
    state = parse_job({"request_id": "r", "status": "success", "outcome": media}, {})
    assert state.urls == ("https://s.test/0.png", "https://s.test/1.png")
    failed = parse_job({"request_id": "r", "status": "failed", "error": "out of credits"}, {})
    assert failed.error == "out of credits" and failed.urls == ()
    nested = {"request_id": "r", "status": "failed", "outcome": {"error": {"message": "boom"}}}
    assert parse_job(nested, {}).error == "boom"
    assert parse_job({"status": "queued", "outcome": None}, {}).generation_id == ""


def test_submit_and_list_shapes() -> None:
    assert submit_body(MODEL, {"prompt": "x"}, 1) == {"model": MODEL, "payload": {"prompt": "x"}}
    (created,) = parse_submit({"request_id": "r1", "status": "dispatched", "model": MODEL})
    assert (created.generation_id, created.raw_status) == ("r1", "dispatched")
    bad_replies: list[Any] = [{"status": "queued"}, {"request_id": ""}, [], None]
    for bad in bad_replies:
        with pytest.raises(HubError):
            parse_submit(bad)
    assert list_query(None, None) == {"page_size": "100"}
    assert list_query("success", MODEL) == {
        "page_size": "100",
        "status": "success",
        "model_id": MODEL,
    }
    rows = [{"request_id": "a"}, "junk", {"request_id": "b"}]
    assert parse_job_list({"requests": rows, "total": 3}) == [rows[0], rows[2]]
    assert parse_job_list({"generations": rows}) == []
    assert parse_model_list({"model_ids": [MODEL, 3]}) == [MODEL]
    assert parse_model_list({"data": [{"id": MODEL}]}) == []


# -- the provider --------------------------------------------------------------------------


def test_the_provider_description() -> None:
    assert get_provider("gmicloud") is GMICLOUD and PROVIDERS["gmicloud"] is GMICLOUD
    assert (GMICLOUD.default_base_url, GMICLOUD.api_key_env) == (
        "https://console.gmicloud.ai",
        "GMI_API_KEY",
    )
    assert not GMICLOUD.has_events and GMICLOUD.run_via_queue and GMICLOUD.max_per_submit == 1
    assert GMICLOUD.sync_endpoint(RECORDED) is None and GMICLOUD.common_parameters == frozenset()
    assert GMICLOUD.list_includes_finished and not GMICLOUD.legacy_404_when_finished
    assert GMICLOUD.path(GMICLOUD.cancel_path, generation_id="a/b") == (
        "/api/v1/ie/requestqueue/apikey/requests/a%2Fb/cancel"
    )
    assert OXEN.has_events and OXEN.completion_event == "media_generation_completed"
    assert not OXEN.run_via_queue and OXEN.sync_body is not None and OXEN.parse_sync is not None


def test_schema_from_model_prefers_the_recorded_schema() -> None:
    recorded: dict[str, Any] = RECORDED["json_request_schema"]
    assert GMICLOUD.schema_from_model(RECORDED) is recorded
    served = {k: v for k, v in RECORDED.items() if k != "json_request_schema"}
    translated = GMICLOUD.schema_from_model(served) or {}
    assert translated["anyOf"] == recorded["anyOf"]
    assert GMICLOUD.schema_from_model({"model": "chat"}) is None


def test_client_reads_the_gmi_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GMI_API_KEY", "gmi-key")
    monkeypatch.delenv("SCHEMADRIVE_BASE_URL", raising=False)
    client = Client(provider="gmicloud", cache_dir=False)
    assert client.has_api_key and client.base_url == "https://console.gmicloud.ai"
    assert client.provider is GMICLOUD


def test_no_module_asks_which_provider_it_is() -> None:
    """Hub differences live in the Provider: nothing compares a provider's name."""
    package = Path(__file__).resolve().parents[2] / "schemadrive"
    pattern = re.compile(r"provider(\.name)?\s*(==|!=)|(==|!=)\s*[\"'](oxen|gmicloud)[\"']")
    offenders = [
        f"{path.relative_to(package)}:{number}"
        for path in package.rglob("*.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []
