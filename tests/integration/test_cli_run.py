"""``schemadrive run`` against LocalHub: typed key=value, validation before sending, queue, sync.

Jobs finish on LocalHub's wall clock after a fraction of a second; no assertion depends on
how long anything takes. Deadlines are tested on a manual clock, where a job never ends
until the test says so.
"""

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
from schemadrive.cli.run import ValueTypeError, coerce, types_of
from schemadrive.testing import LocalHub

MODEL = "ltx-2-3-quality-text-to-video"


def use(hub: LocalHub, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> LocalHub:
    monkeypatch.setenv("OXEN_API_KEY", hub.api_key)
    monkeypatch.setenv("SCHEMADRIVE_BASE_URL", hub.url)
    monkeypatch.setenv("SCHEMADRIVE_CACHE_DIR", str(tmp_path / "cache"))
    return hub


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[LocalHub]:
    with LocalHub(job_seconds=0.2) as hub:
        yield use(hub, monkeypatch, tmp_path)


@pytest.fixture
def still_hub(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[LocalHub]:
    """Jobs stay queued until the test advances the clock."""
    with LocalHub(clock="manual", job_seconds=10) as hub:
        yield use(hub, monkeypatch, tmp_path)


def cli(*argv: str, stderr: io.StringIO | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), stderr if stderr is not None else io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def posts(hub: LocalHub) -> list[object]:
    return [r for r in hub.requests if r.method == "POST"]


# -- typing key=value ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("display", "raw", "value"),
    [
        ("integer", "121", 121),
        ("integer", "-3", -3),
        ("number", "0.7", 0.7),
        ("number", "24", 24),
        ("number", "1e2", 100.0),
        ("boolean", "false", False),
        ("boolean", "True", True),
        ("string", "123", "123"),
        ("string", "a=b c", "a=b c"),
        ("string (uri)", "https://x.test/a.png", "https://x.test/a.png"),
        ("integer | null", "null", None),
        (
            "array<string (uri)>",
            '["https://a.test/1.png", "https://a.test/2.png"]',
            ["https://a.test/1.png", "https://a.test/2.png"],
        ),
        ("array<string (uri)>", "https://a.test/1.png", ["https://a.test/1.png"]),
        ("array<integer>", "3", [3]),
        ("object", '{"a": 1}', {"a": 1}),
        ("object | string", '{"a": 1}', {"a": 1}),
        ("object | string", "plain", "plain"),
        (None, "2", 2),
        (None, "me", "me"),
    ],
)
def test_coerce(display: str | None, raw: str, value: object) -> None:
    assert coerce("p", raw, display) == value
    assert type(coerce("p", raw, display)) is type(value)


@pytest.mark.parametrize(
    ("display", "raw"),
    [("integer", "12x"), ("integer", "1.5"), ("number", "nan"), ("boolean", "yes"), ("object", "x"),
     ("array<integer>", "x"), ("array<string>", "[1,"), ("integer | null", "none")],
)  # fmt: skip
def test_coerce_errors_name_the_parameter(display: str, raw: str) -> None:
    with pytest.raises(ValueTypeError, match="parameter 'p'"):
        coerce("p", raw, display)


def test_types_of() -> None:
    assert types_of("array<string (uri)> | null") == ["array", "null"]
    assert types_of("object | string") == ["object", "string"]


# -- the command ---------------------------------------------------------------------------


def test_run_prints_the_id_first_then_the_result(hub: LocalHub) -> None:
    code, out, err = cli(
        "run", MODEL, "prompt=a fox in the snow", "num_frames=121", "generate_audio=false",
        "frames_per_second=24.5", "seed=7",
    )  # fmt: skip
    assert (code, err) == (0, "")  # nothing on stderr to a pipe: no progress, no colour
    generation_id, url = out.splitlines()
    job = hub.job(generation_id)
    assert job.status == "succeeded" and url == job.result_url
    assert job.params["num_frames"] == 121 and job.params["generate_audio"] is False
    assert job.params["frames_per_second"] == 24.5 and job.params["seed"] == 7
    assert job.params["video_quality"] == "high"  # the default, filled before sending


def test_output_downloads_the_file(hub: LocalHub, tmp_path: Path) -> None:
    target = tmp_path / "out" / "fox.mp4"
    code, out, _ = cli("run", MODEL, "prompt=a fox", "--output", str(target), "--via", "events")
    assert code == 0
    generation_id, path = out.splitlines()
    assert path == str(target) and target.stat().st_size > 0
    assert hub.job(generation_id).status == "succeeded"


def test_sync_mode(hub: LocalHub, tmp_path: Path) -> None:
    code, out, _ = cli(
        "run", MODEL, "prompt=a fox", "--mode", "sync", "-o", str(tmp_path / "s.mp4")
    )
    assert code == 0 and out.splitlines() == [str(tmp_path / "s.mp4")]
    assert [r.path for r in posts(hub)] == ["/api/ai/videos/generate"]


def test_uncoercible_value_exits_2_naming_the_parameter_and_sends_nothing(hub: LocalHub) -> None:
    code, out, err = cli("run", MODEL, "prompt=x", "num_frames=lots")
    assert (code, out) == (2, "")
    assert "parameter 'num_frames' expects an integer, got 'lots'" in err
    code, _, err = cli("run", MODEL, "prompt=x", "generate_audio=maybe")
    assert code == 2 and "parameter 'generate_audio' expects true or false" in err
    assert posts(hub) == []


def test_invalid_payload_exits_1_before_anything_is_sent(hub: LocalHub) -> None:
    code, out, err = cli(
        "run", MODEL, "prompt=x", "num_frames=1000", "resolution=4k", "durration=5"
    )
    assert (code, out) == (1, "")
    assert "nothing was sent" in err
    assert "$.num_frames: 1000 is above the maximum 481" in err
    assert "$.resolution" in err and "did you mean 'duration'?" not in err.split("durration")[0]
    assert "'durration' is not a parameter" in err
    assert cli("run", MODEL, "num_frames=9")[0] == 1  # prompt is required
    assert posts(hub) == []


def test_payload_file_and_overrides(hub: LocalHub, tmp_path: Path) -> None:
    payload = tmp_path / "p.json"
    payload.write_text(json.dumps({"prompt": "from file", "num_frames": 9, "seed": 1}))
    code, out, _ = cli("run", MODEL, "--payload", str(payload), "num_frames=17", "--no-wait")
    assert code == 0
    params = hub.job(out.strip()).params
    assert (params["prompt"], params["num_frames"], params["seed"]) == ("from file", 17, 1)
    payload.write_text("{not json")
    code, _, err = cli("run", MODEL, "--payload", str(payload))
    assert code == 2 and "not valid JSON" in err and err.count("\n") == 1
    code, _, err = cli("run", MODEL, "--payload", str(tmp_path / "missing.json"))
    assert code == 2 and "cannot read" in err
    payload.write_text("[1, 2]")
    assert cli("run", MODEL, "--payload", str(payload))[0] == 2


def test_usage_errors_exit_2(hub: LocalHub) -> None:
    assert cli("run")[0] == 2
    code, _, err = cli("run", MODEL, "prompt")
    assert code == 2 and "expected key=value, got 'prompt'" in err
    code, _, err = cli("run", MODEL, "prompt=x", "--mode", "sync", "--no-wait")
    assert code == 2 and "--no-wait needs --mode queue" in err
    assert cli("run", MODEL, "prompt=x", "--via", "carrier-pigeon")[0] == 2
    assert cli("run", "claude-sonnet-4-6", "prompt=x")[0] == 2  # no schema: nothing to type by
    assert posts(hub) == []


def test_unknown_model_exits_3(hub: LocalHub) -> None:
    code, _, err = cli("run", "no-such-model", "prompt=x")
    assert code == 3 and "model not found" in err


def test_failed_job_exits_1(hub: LocalHub) -> None:
    hub.fail_next("out of credits")
    code, out, err = cli("run", MODEL, "prompt=x")
    assert code == 1
    generation_id = out.strip()
    assert f"job {generation_id} failed: out of credits" in err


def test_deadline_exits_124_and_the_id_was_printed(still_hub: LocalHub) -> None:
    code, out, err = cli("run", MODEL, "prompt=x", "--timeout", "0.2")
    assert code == 124
    generation_id = out.strip()
    assert still_hub.job(generation_id).status == "queued"
    assert f"schemadrive wait {generation_id}" in err


def test_no_wait_then_wait_resumes(still_hub: LocalHub, tmp_path: Path) -> None:
    code, out, _ = cli("run", MODEL, "prompt=x", "--no-wait")
    assert code == 0
    generation_id = out.strip()
    still_hub.finish_all()
    code, out, _ = cli("wait", generation_id, "--via", "poll", "-o", str(tmp_path))
    assert code == 0 and Path(out.strip()).parent == tmp_path


def test_progress_only_on_a_terminal(hub: LocalHub, monkeypatch: pytest.MonkeyPatch) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    code, out, err = cli("run", MODEL, "prompt=x", stderr=terminal)
    assert code == 0
    assert "\r" in err and "succeeded" in err  # the live line, redrawn in place
    assert "resume with `schemadrive wait" in err
    assert "\x1b[2m" in err  # colour on a terminal...
    monkeypatch.setenv("NO_COLOR", "1")
    code, out, err = cli("run", MODEL, "prompt=x", stderr=Terminal())
    assert code == 0 and "\x1b[2m" not in err  # ...but not with NO_COLOR


def test_installed_command(hub: LocalHub, tmp_path: Path) -> None:
    path = Path(sys.executable).with_name("schemadrive")
    command = [str(path)] if path.exists() else [sys.executable, "-m", "schemadrive"]
    result = subprocess.run(
        [*command, "run", MODEL, "prompt=a fox", "num_frames=121", "-o", str(tmp_path / "r.mp4")],
        capture_output=True, text=True, env=dict(os.environ), timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    generation_id, saved = result.stdout.splitlines()
    assert hub.job(generation_id).params["num_frames"] == 121
    assert Path(saved).stat().st_size > 0
    result = subprocess.run(
        [*command, "run", MODEL, "prompt=a fox", "num_frames=many"],
        capture_output=True, text=True, env=dict(os.environ), timeout=60,
    )  # fmt: skip
    assert result.returncode == 2 and "'num_frames'" in result.stderr
    assert result.stderr.count("\n") == 1
