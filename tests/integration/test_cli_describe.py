"""``schemadrive describe``: the parameter table and the raw schema, against LocalHub."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from schemadrive.cli import main
from schemadrive.cli.describe import render_table, rows_of
from schemadrive.testing import LocalHub


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[LocalHub]:
    with LocalHub() as hub:
        monkeypatch.setenv("OXEN_API_KEY", hub.api_key)
        monkeypatch.setenv("SCHEMADRIVE_BASE_URL", hub.url)
        monkeypatch.setenv("SCHEMADRIVE_CACHE_DIR", str(tmp_path / "cache"))
        yield hub


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def installed(*argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    path = Path(sys.executable).with_name("schemadrive")
    command = [str(path)] if path.exists() else [sys.executable, "-m", "schemadrive"]
    return subprocess.run(
        [*command, *argv],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=60,
    )


def test_table_lists_every_parameter(hub: LocalHub) -> None:
    code, out, err = cli("describe", "ltx-2-3-quality-image-to-video")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "ltx-2-3-quality-image-to-video (LTX 2.3 Quality: Image to Video)"
    header = next(line for line in lines if line.startswith("NAME"))
    assert header.split() == ["NAME", "TYPE", "REQUIRED", "DEFAULT", "ALLOWED", "DESCRIPTION"]
    names = ("prompt", "num_frames", "resolution", "image_strength", "generate_audio", "seed")
    row = {line.split()[0]: line for line in lines if line.split() and line.split()[0] in names}
    assert row["prompt"].split()[:4] == ["prompt", "string", "yes", "-"]
    assert row["num_frames"].split()[:7] == ["num_frames", "integer", "no", "121", "9", "to", "481"]
    assert "auto, square_hd, square, portrait_4_3" in row["resolution"]
    assert row["image_strength"].split()[:7] == [
        "image_strength",
        "number",
        "no",
        "0.7",
        "0",
        "to",
        "1",
    ]
    assert row["generate_audio"].split()[:4] == ["generate_audio", "boolean", "no", "true"]
    assert row["seed"].endswith(
        "Random seed for reproducibility. If None, a random seed is chosen."
    )
    assert (
        "schemadrive run ltx-2-3-quality-image-to-video prompt='a red fox in the snow' "
        "input_image=https://example.com/image.png"
    ) in out  # a command that runs as printed: typed and validated as `run` would
    assert "\x1b[" not in out  # not a terminal: no colour


def test_json_prints_the_raw_schema(hub: LocalHub) -> None:
    code, out, _ = cli("describe", "ltx-2-3-pro", "--json")
    assert code == 0
    schema = json.loads(out)
    assert schema["required"] == ["prompt"]
    assert schema == hub.models["ltx-2-3-pro"]["json_request_schema"]


def test_chat_model_without_schema(hub: LocalHub) -> None:
    code, out, _ = cli("describe", "claude-sonnet-4-6")
    assert code == 0 and "publishes no request schema" in out
    code, _, err = cli("describe", "claude-sonnet-4-6", "--json")
    assert code == 2 and "publishes no request schema" in err


def test_unknown_model_is_a_hub_error(hub: LocalHub) -> None:
    code, out, err = cli("describe", "ltx-2-3-pr0")
    assert (code, out) == (3, "")
    assert err.count("\n") == 1 and "model not found: 'ltx-2-3-pr0'" in err


def test_usage_error_exits_2() -> None:
    code, _, err = cli("describe")
    assert code == 2 and "MODEL" in err


def test_wrong_key_is_a_hub_error(hub: LocalHub, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OXEN_API_KEY", "wrong")
    code, _, err = cli("describe", "ltx-2-3-pro")
    assert code == 3 and err.startswith("schemadrive: error:") and err.count("\n") == 1
    assert "wrong" not in err  # the key never appears in a message


def test_debug_shows_a_traceback(hub: LocalHub) -> None:
    code, _, err = cli("--debug", "describe", "ltx-2-3-pr0")
    assert code == 3 and "Traceback" in err


def test_table_fits_the_terminal_width() -> None:
    from schemadrive import Client

    model = Client(offline=True).model("ltx-2-3-quality-image-to-video")
    lines = render_table(rows_of(model.parameters), width=120)
    assert max(len(line) for line in lines) <= 120
    assert any(
        line.lstrip().startswith("landscape_16_9") for line in lines
    )  # ALLOWED wraps, in full
    piped = render_table(rows_of(model.parameters), width=None)
    assert len(piped) == len(model.parameters) + 1  # one line per parameter to a pipe


def test_installed_command(hub: LocalHub) -> None:
    result = installed("describe", "ltx-2-3-pro", env={"NO_COLOR": "1"})
    assert result.returncode == 0, result.stderr
    assert "resolution" in result.stdout and "720p, 1080p, 2k, 4k" in result.stdout
    result = installed(
        "--offline", "--base-url", "http://127.0.0.1:9", "describe", "ltx-2-3-pro", "--json"
    )
    assert result.returncode == 0 and json.loads(result.stdout)["type"] == "object"
