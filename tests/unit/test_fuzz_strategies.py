"""``payloads_for`` and ``recorded_schema``: recorded fixtures by model id, offline."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from schemadrive.exceptions import ModelNotFound, SchemaUnavailable
from schemadrive.fuzz import examples
from schemadrive.schema.compile import compile_schema
from schemadrive.testing import strategies
from schemadrive.testing.strategies import payloads_for, recorded_schema, set_default_fixtures

ACME = {
    "id": "acme-upscaler",
    "json_request_schema": {
        "type": "object",
        "properties": {
            "image": {"type": "string", "format": "uri"},
            "scale": {"enum": [2, 4], "default": 2},
        },
        "required": ["image"],
    },
}


@pytest.fixture
def fixtures(tmp_path: Path) -> Path:
    (tmp_path / "oxen").mkdir()
    (tmp_path / "oxen" / "acme.json").write_text(json.dumps(ACME))
    return tmp_path


def test_an_unknown_id_raises_model_not_found_with_suggestions() -> None:
    with pytest.raises(ModelNotFound) as caught:
        payloads_for("ltx-2-3-pr")
    assert caught.value.suggestions[0] == "ltx-2-3-pro"
    assert caught.value.status is None
    assert "did you mean 'ltx-2-3-pro'" in str(caught.value)


def test_an_id_of_another_provider_says_which() -> None:
    with pytest.raises(ModelNotFound, match="recorded for provider 'gmicloud'"):
        payloads_for("ltx-2-pro-audio-to-video")
    schema = recorded_schema("ltx-2-pro-audio-to-video", provider="gmicloud")
    assert "audio_uri" in schema["properties"]


def test_a_model_without_a_request_schema() -> None:
    with pytest.raises(SchemaUnavailable) as caught:
        payloads_for("claude-sonnet-4-6")
    assert caught.value.model_id == "claude-sonnet-4-6"


def test_an_older_version_by_date() -> None:
    assert "camera_motion" in recorded_schema("ltx-2-3-pro@2026-06-26")["properties"]
    assert "camera_motion" not in recorded_schema("ltx-2-3-pro")["properties"]
    with pytest.raises(ModelNotFound):
        recorded_schema("ltx-2-3-pro@1999-01-01")


def test_a_fixture_directory_is_searched_before_the_bundled_fixtures(fixtures: Path) -> None:
    assert recorded_schema("acme-upscaler", fixtures=fixtures) == ACME["json_request_schema"]
    assert recorded_schema("ltx-2-3-pro", fixtures=fixtures)  # the bundled ones still count
    with pytest.raises(ModelNotFound):
        recorded_schema("acme-upscaler")


def test_the_session_default_directory(fixtures: Path) -> None:
    set_default_fixtures(fixtures)
    try:
        assert recorded_schema("acme-upscaler") == ACME["json_request_schema"]
    finally:
        set_default_fixtures(None)
    assert strategies._default_fixtures is None


def test_strategies_for_each_kind(fixtures: Path) -> None:
    compiled = compile_schema(ACME["json_request_schema"])
    valid = examples(payloads_for("acme-upscaler", fixtures=fixtures), 5, seed=0)
    assert valid and all(compiled.validate(p) == [] for p in valid)
    filled = examples(
        payloads_for("acme-upscaler", fixtures=fixtures, fill_defaults=True), 5, seed=0
    )
    assert all("scale" in p for p in filled)
    broken: list[Any] = examples(
        payloads_for("acme-upscaler", fixtures=fixtures, invalid=True), 10, seed=0
    )
    assert broken and all(compiled.validate(p) and rule for p, rule in broken)


def test_importing_the_plugin_and_strategies_does_not_import_hypothesis() -> None:
    code = (
        "import sys, schemadrive.testing.pytest_plugin, schemadrive.testing.strategies, "
        "schemadrive.cli.fuzz; from schemadrive.cli import main; import io; "
        "main(['fuzz', '--help'], stdout=io.StringIO(), stderr=io.StringIO()); "
        "assert 'hypothesis' not in sys.modules, 'hypothesis imported'"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def imports_hypothesis(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import) and any(
            a.name.split(".")[0] == "hypothesis" for a in node.names
        ):
            return True
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "hypothesis":
            return True
    return False


def test_fuzz_is_the_only_library_package_that_imports_hypothesis() -> None:
    package = Path(strategies.__file__).parents[1]
    importers = sorted(
        p.relative_to(package).as_posix() for p in package.rglob("*.py") if imports_hypothesis(p)
    )
    assert importers and all(name.startswith("fuzz/") for name in importers), importers
