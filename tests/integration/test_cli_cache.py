"""``schemadrive cache list | clear | pull``, and validating offline from pulled fixtures."""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from schemadrive import Client
from schemadrive.cli import main
from schemadrive.cli.cache import fixture_name
from schemadrive.testing import LocalHub

MODEL = "ltx-2-3-pro"


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[LocalHub]:
    with LocalHub() as hub:
        monkeypatch.setenv("OXEN_API_KEY", hub.api_key)
        monkeypatch.setenv("SCHEMADRIVE_BASE_URL", hub.url)
        monkeypatch.setenv("SCHEMADRIVE_CACHE_DIR", str(tmp_path / "cache"))
        yield hub


def cli(*argv: str, stdin: str | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    saved = sys.stdin
    if stdin is not None:
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin.encode()), encoding="utf-8")
    try:
        code = main(list(argv), stdout=out, stderr=err)
    finally:
        sys.stdin = saved
    return code, out.getvalue(), err.getvalue()


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_list_pull_clear(hub: LocalHub, tmp_path: Path) -> None:
    code, out, _ = cli("cache", "list")
    assert code == 0 and "no cached model objects" in out
    code, out, _ = cli("cache", "pull", MODEL, "ltx-2-3-quality-text-to-video")
    assert code == 0 and f"{MODEL}: cached" in out
    code, out, _ = cli("cache", "list")
    assert code == 0 and str(tmp_path / "cache") in out and hub.url in out
    listed = [line.split()[0] for line in out.splitlines()[1:]]
    assert sorted(listed) == [MODEL, "ltx-2-3-quality-text-to-video"]
    code, out, _ = cli("cache", "list", "--json")
    entries = json.loads(out)
    assert {e["model_id"] for e in entries} == {MODEL, "ltx-2-3-quality-text-to-video"}
    assert all(e["base_url"] == hub.url for e in entries)
    code, out, _ = cli("cache", "clear")
    assert code == 0 and "removed 2 cached model objects" in out
    assert json.loads(cli("cache", "list", "--json")[1]) == []


def test_list_and_clear_all_hubs(hub: LocalHub) -> None:
    cli("cache", "pull", MODEL)
    with LocalHub() as other:
        cli("--base-url", other.url, "cache", "pull", MODEL)
        entries = json.loads(cli("cache", "list", "--all", "--json")[1])
        assert sorted(e["base_url"] for e in entries) == sorted([hub.url, other.url])
        assert len(json.loads(cli("cache", "list", "--json")[1])) == 1  # this hub only
        code, out, _ = cli("cache", "clear", "--all")
        assert code == 0 and "removed 2" in out


def test_pull_into_records_fixtures_for_offline_validation(hub: LocalHub, tmp_path: Path) -> None:
    fixtures = tmp_path / "fixtures"
    code, out, _ = cli("cache", "pull", MODEL, "--into", str(fixtures))
    assert code == 0
    path = fixtures / "oxen" / f"{MODEL}.json"
    assert f"{MODEL}: recorded {path}" in out
    recorded = json.loads(path.read_text())
    assert recorded["json_request_schema"] == hub.models[MODEL]["json_request_schema"]
    assert recorded["x-schemadrive"]["source"] == hub.url
    # the library reads the layout: Client(fixtures=DIR) offline
    model = Client(offline=True, fixtures=fixtures, cache_dir=False).model(MODEL)
    assert model.schema == hub.models[MODEL]["json_request_schema"]
    # and so does validate --fixtures, with the network unreachable
    base = closed_port_url()
    code, _, _ = cli(
        "--base-url", base, "validate", "--fixtures", str(fixtures), MODEL, stdin='{"prompt": "x"}'
    )
    assert code == 0
    code, out, _ = cli(
        "--base-url", base, "validate", "--fixtures", str(fixtures), MODEL, stdin='{"prompt": 1}'
    )
    assert code == 1 and "$.prompt" in out


def test_pull_records_a_model_only_the_hub_has(hub: LocalHub, tmp_path: Path) -> None:
    schema = {"type": "object", "properties": {"size": {"type": "integer", "maximum": 4}}}
    model_id = "acme/Odd Model v1.2"
    hub.add_model({"id": model_id, "json_request_schema": schema})
    fixtures = tmp_path / "fixtures"
    assert cli("cache", "pull", model_id, "--into", str(fixtures))[0] == 0
    name = fixture_name(model_id)
    assert "/" not in name and " " not in name and (fixtures / "oxen" / name).is_file()
    base = closed_port_url()
    argv = ("--base-url", base, "validate", "--fixtures", str(fixtures), model_id)
    assert cli(*argv, stdin='{"size": 3}')[0] == 0
    assert cli(*argv, stdin='{"size": 9}')[0] == 1


def test_pull_reports_each_failure_and_goes_on(hub: LocalHub, tmp_path: Path) -> None:
    code, out, err = cli("cache", "pull", "nope-model", MODEL, "--into", str(tmp_path / "f"))
    assert code == 3
    assert "nope-model: model not found" in err
    assert f"{MODEL}: recorded" in out


def test_fixture_names_are_safe() -> None:
    assert fixture_name("ltx-2-3-pro") == "ltx-2-3-pro.json"
    for unsafe in ("../x", "a/b", "..", ".hidden", "white space", "?q"):
        name = fixture_name(unsafe)
        assert "/" not in name and not name.startswith(".") and name.endswith(".json")
    assert fixture_name("a/b") != fixture_name("a_b")


def test_usage_error() -> None:
    code, _, err = cli("cache")
    assert code == 2 and "ACTION" in err


def test_installed_command_pull_then_offline(hub: LocalHub, tmp_path: Path) -> None:
    path = Path(sys.executable).with_name("schemadrive")
    command = [str(path)] if path.exists() else [sys.executable, "-m", "schemadrive"]
    env = dict(os.environ)
    run = subprocess.run(
        [*command, "cache", "pull", MODEL, "--into", str(tmp_path / "fx")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    env.update(
        SCHEMADRIVE_BASE_URL=closed_port_url(), SCHEMADRIVE_CACHE_DIR=str(tmp_path / "empty")
    )
    run = subprocess.run(
        [*command, "validate", "--fixtures", str(tmp_path / "fx"), MODEL, "-"],
        input='{"prompt": "x", "duration": 99}',
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert run.returncode == 1 and "$.duration: 99 is not an allowed value" in run.stdout


def test_offline_pull_without_into_says_nothing_was_cached(hub: LocalHub, tmp_path: Path) -> None:
    """Issue 15 item 14: it printed "cached" with exit 0 and cached nothing."""
    code, out, err = cli("--offline", "cache", "pull", MODEL)
    assert code == 2 and out == ""
    assert "offline mode is on" in err and "nothing was cached" in err
    assert not list((tmp_path / "cache").rglob("*.json"))
