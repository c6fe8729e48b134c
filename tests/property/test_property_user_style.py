"""A user's suite: ``@given(payloads_for(model_id))`` against recorded fixtures, offline.

A correct payload builder passes; a buggy one is caught, and hypothesis shrinks the failure
to the smallest payload that shows it.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st

from schemadrive.exceptions import PayloadInvalid
from schemadrive.schema.compile import prepare, validate
from schemadrive.testing import payloads_for
from schemadrive.testing.strategies import recorded_schema

SCHEMA = recorded_schema("ltx-2-3-pro")


def to_hub_request(payload: dict[str, Any]) -> dict[str, Any]:
    """The user's code under test: drops empty optional values, pins the resolution."""
    request = {k: v for k, v in payload.items() if v not in (None, "") or k == "prompt"}
    request.setdefault("resolution", "1080p")
    return request


def add_fade_out(payload: dict[str, Any]) -> dict[str, Any]:
    """A buggy builder: one more second for a fade-out, even at the longest duration."""
    return {**payload, "duration": payload.get("duration", 6) + 1}


def slow_motion(payload: dict[str, Any]) -> dict[str, Any]:
    """A buggy builder: twice the duration, past the longest one from 6 seconds (the default)."""
    return {**payload, "duration": payload.get("duration", 6) * 2}


@given(payloads_for("ltx-2-3-pro"))
def test_a_correct_builder_keeps_every_payload_valid(payload: dict[str, Any]) -> None:
    assert validate(SCHEMA, to_hub_request(payload)) == []


@given(data=st.data())
def test_the_plugin_fixture_draws_payloads(schemadrive_payloads: Any, data: Any) -> None:
    payload = data.draw(schemadrive_payloads("ltx-2-pro-audio-to-video", provider="gmicloud"))
    assert "audio_uri" in payload


def fails(payload: dict[str, Any]) -> bool:
    return validate(SCHEMA, add_fade_out(payload)) != []


def test_a_buggy_builder_is_caught_with_a_minimal_example() -> None:
    # the ci profile's bounds (tests/conftest.py); not hypothesis's exact shrunk output, but
    # what a user reads in it: the one value that fails, and no optional parameter beside it
    minimal = find(payloads_for("ltx-2-3-pro"), fails, settings=settings(database=None))
    assert fails(minimal)
    assert minimal["duration"] == 10
    assert set(minimal) == {"prompt", "duration"}


def test_a_failing_given_test_reports_the_shrunk_payload() -> None:
    @settings(database=None)
    @given(payloads_for("ltx-2-3-pro"))
    def users_test(payload: dict[str, Any]) -> None:
        prepare(SCHEMA, slow_motion(payload))

    with pytest.raises(PayloadInvalid) as caught:
        users_test()
    assert [p.path for p in caught.value.problems] == ["$.duration"]
    notes = "\n".join(getattr(caught.value, "__notes__", []))
    reported = re.search(r"payload=(\{.*\})", notes)
    assert "users_test(" in notes and reported, notes
    # the payload shown fails too, shrunk to the one required parameter
    shown = ast.literal_eval(reported[1])
    with pytest.raises(PayloadInvalid):
        prepare(SCHEMA, slow_motion(shown))
    assert set(shown) == {"prompt"}


def test_a_user_suite_with_its_own_fixture_directory(tmp_path: Path) -> None:
    """The pytest plugin: --schemadrive-fixtures DIR makes payloads_for find DIR's models."""
    model = {
        "id": "acme-upscaler",
        "json_request_schema": {
            "type": "object",
            "properties": {"image": {"type": "string", "format": "uri"}, "scale": {"enum": [2, 4]}},
            "required": ["image"],
        },
    }
    (tmp_path / "fixtures" / "oxen").mkdir(parents=True)
    (tmp_path / "fixtures" / "oxen" / "acme-upscaler.json").write_text(json.dumps(model))
    (tmp_path / "test_upscaler.py").write_text(
        textwrap.dedent(
            """
            from hypothesis import given, settings
            from schemadrive.testing import payloads_for

            # bounded like our ci profile (this suite runs without tests/conftest.py)
            @settings(max_examples=40, derandomize=True, database=None)
            @given(payloads_for("acme-upscaler"))
            def test_images_are_urls(payload):
                assert payload["image"].startswith(("https://", "data:image/"))

            @settings(max_examples=40, derandomize=True, database=None)
            @given(payloads_for("acme-upscaler"))
            def test_scale_is_never_four(payload):  # wrong on purpose
                assert payload.get("scale") != 4
            """
        )
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--schemadrive-fixtures",
            "fixtures",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "1 failed, 1 passed" in result.stdout, result.stdout + result.stderr
    # hypothesis prints the shrunk payload: the required image and the one value that fails
    assert "test_scale_is_never_four(" in result.stdout
    falsifying = [line for line in result.stdout.splitlines() if "payload={" in line]
    assert falsifying and "'scale': 4" in falsifying[0] and "'image': " in falsifying[0]
