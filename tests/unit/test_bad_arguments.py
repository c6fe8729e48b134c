"""Odd arguments and inputs end in a typed schemadrive error, never a bare Python one."""

from __future__ import annotations

from pathlib import Path

import pytest

import schemadrive
from schemadrive import Client, ConfigurationError, DownloadError, SchemaInvalid
from schemadrive.dispatch.results import Result


@pytest.mark.parametrize(
    "options",
    [
        {"base_url": "ftp://hub.example"},
        {"base_url": "http://host:abc"},
        {"base_url": "http://[::1"},
        {"schema_ttl": "600"},
        {"schema_ttl": -1},
        {"timeout": "x"},
        {"timeout": -1},
        {"timeout": (5, 0)},
    ],
)
def test_client_settings_are_checked_up_front(options: dict) -> None:
    with pytest.raises(ConfigurationError):
        Client(cache_dir=False, **options)


def test_a_non_string_dollar_schema_is_schema_invalid() -> None:
    with pytest.raises(SchemaInvalid):
        schemadrive.validate({"$schema": 5}, {})


def test_a_schema_too_deep_to_compile_is_schema_invalid() -> None:
    deep: dict = {}
    node = deep
    for _ in range(3000):
        node["not"] = {}
        node = node["not"]
    with pytest.raises(SchemaInvalid, match="too deeply"):
        schemadrive.validate(deep, {})


def test_lint_rule_keys_may_be_one_string() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "integer", "default": "x"}}}
    assert {f.code for f in schemadrive.lint(schema)} == {"SD002"}
    assert schemadrive.lint(schema, disable="SD002") == []
    with pytest.raises(ConfigurationError):
        schemadrive.lint(schema, disable=[1])  # type: ignore[list-item]


def test_recheck_needs_payloads() -> None:
    with pytest.raises(ConfigurationError):
        schemadrive.recheck(5, {"type": "object"})  # type: ignore[arg-type]


def test_a_download_that_cannot_be_saved_is_a_download_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(DownloadError) as caught:
        Result(data=[b"png"], urls=()).download(blocker / "sub" / "out.png")
    assert isinstance(caught.value, OSError)
    assert list(tmp_path.iterdir()) == [blocker]


def test_a_bad_wait_timeout_is_a_configuration_error() -> None:
    from schemadrive.dispatch.dispatcher import DispatchSettings
    from schemadrive.dispatch.job import deadline_for

    for bad in (-1, float("nan"), "soon"):
        with pytest.raises(ConfigurationError):
            deadline_for(bad, DispatchSettings(), clock=lambda: 0.0)  # type: ignore[arg-type]


def test_nan_and_infinity_are_not_json_numbers() -> None:
    schema = {"type": "object", "properties": {"scale": {"type": "number"}}}
    problems = schemadrive.validate(schema, {"scale": float("nan")})
    assert [(p.path, p.keyword) for p in problems] == [("$.scale", "type")]
    assert schemadrive.validate(schema, {"scale": 1.5}) == []


def test_a_payload_file_with_nan_is_refused_naming_the_file(tmp_path: Path) -> None:
    from schemadrive.hub.recorded import read_json_file

    path = tmp_path / "p.json"
    path.write_text('{"scale": NaN}')
    with pytest.raises(ConfigurationError, match="p.json"):
        read_json_file(path)
    path.write_bytes(b"\xff\xfe\x00binary")
    with pytest.raises(ConfigurationError, match="UTF-8"):
        read_json_file(path)
