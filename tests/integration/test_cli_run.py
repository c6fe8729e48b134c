"""``schemadrive run`` against LocalHub: typed key=value, validation before sending, queue, sync.

Jobs finish on LocalHub's wall clock after a fraction of a second; no assertion depends on
how long anything takes. Deadlines are tested on a manual clock, where a job never ends
until the test says so. Tests taking ``case`` run once per provider (``--provider oxen`` and
``--provider gmicloud``, each against its LocalHub flavour).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from schemadrive.cli import main
from schemadrive.cli.run import ValueTypeError, coerce, types_of
from schemadrive.hub.providers import get_provider
from schemadrive.testing import LocalHub

MODEL = "ltx-2-3-quality-text-to-video"


@dataclass(frozen=True)
class Case:
    """One provider's model, and ``key=value`` arguments for it."""

    provider: str
    model: str
    #: a valid payload
    args: tuple[str, ...]
    #: (key, raw value, the value typed by the schema)
    typed: tuple[tuple[str, str, Any], ...]
    #: a default that is filled before sending
    default: tuple[str, Any]
    #: invalid arguments, and what the error names
    invalid: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]
    #: a value that cannot be typed, and the message
    uncoercible: tuple[str, str]
    via: str  # how `--via` waits on this hub
    sync_path: str  # where `--mode sync` posts

    @property
    def key_variable(self) -> str:
        return get_provider(self.provider).api_key_env


CASES = [
    Case(
        "oxen", MODEL, ("prompt=a fox in the snow",),
        typed=(("num_frames", "121", 121), ("generate_audio", "false", False),
               ("frames_per_second", "24.5", 24.5), ("seed", "7", 7)),
        default=("video_quality", "high"),
        invalid=(
            (("prompt=x", "num_frames=1000", "resolution=4k", "durration=5"),
             ("$.num_frames: 1000 is above the maximum 481", "$.resolution",
              "'durration' is not a parameter")),
            (("num_frames=9",), ("$.prompt: missing required parameter 'prompt'",)),
        ),
        uncoercible=("num_frames=lots", "parameter 'num_frames' expects an integer, got 'lots'"),
        via="events", sync_path="/api/ai/videos/generate",
    ),
    Case(
        "gmicloud", "ltx-2-pro-audio-to-video",
        ("audio_uri=https://example.com/a.mp3", "prompt=a drummer"),
        typed=(("guidance_scale", "7.5", 7.5),),
        default=("resolution", "1920x1080"),
        invalid=(
            # neither prompt nor image_uri: the guide's rule, caught before sending
            (("audio_uri=https://example.com/a.mp3", "guidance_scale=9", "durration=5"),
             ("provide at least one of 'prompt', 'image_uri'", "'durration' is not a parameter")),
            (("prompt=x",), ("$.audio_uri: missing required parameter 'audio_uri'",)),
        ),
        uncoercible=("guidance_scale=x", "parameter 'guidance_scale' expects a number, got 'x'"),
        via="poll", sync_path=get_provider("gmicloud").submit_path,
    ),
]  # fmt: skip


def use(
    hub: LocalHub,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    key_variable: str = "OXEN_API_KEY",
) -> LocalHub:
    monkeypatch.setenv(key_variable, hub.api_key)
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


@pytest.fixture(params=CASES, ids=lambda case: case.provider)
def case(request: pytest.FixtureRequest) -> Case:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def case_hub(case: Case, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[LocalHub]:
    """The case's LocalHub flavour, wall clock, its key in the provider's variable."""
    with LocalHub(provider=case.provider, job_seconds=0.2) as hub:
        yield use(hub, monkeypatch, tmp_path, case.key_variable)


@pytest.fixture
def case_still_hub(
    case: Case, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[LocalHub]:
    """The case's LocalHub flavour; jobs stay queued until the test advances the clock."""
    with LocalHub(provider=case.provider, clock="manual", job_seconds=10) as hub:
        yield use(hub, monkeypatch, tmp_path, case.key_variable)


def cli_on(case: Case, *argv: str, stderr: io.StringIO | None = None) -> tuple[int, str, str]:
    """``schemadrive --provider <case's> ARGV``."""
    return cli("--provider", case.provider, *argv, stderr=stderr)


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


def test_run_prints_the_id_first_then_the_result(case_hub: LocalHub, case: Case) -> None:
    typed = [f"{key}={raw}" for key, raw, _ in case.typed]
    code, out, err = cli_on(case, "run", case.model, *case.args, *typed)
    assert (code, err) == (0, "")  # nothing on stderr to a pipe: no progress, no colour
    generation_id, url = out.splitlines()
    job = case_hub.job(generation_id)
    assert job.status == "succeeded" and url == job.result_url
    for key, _, value in case.typed:
        assert job.params[key] == value and type(job.params[key]) is type(value)
    key, value = case.default
    assert job.params[key] == value  # the default, filled before sending


def test_output_downloads_the_file(case_hub: LocalHub, case: Case, tmp_path: Path) -> None:
    target = tmp_path / "out" / "fox.mp4"
    code, out, _ = cli_on(
        case, "run", case.model, *case.args, "--output", str(target), "--via", case.via
    )
    assert code == 0
    generation_id, path = out.splitlines()
    assert path == str(target) and target.stat().st_size > 0
    assert case_hub.job(generation_id).status == "succeeded"


def test_sync_mode(case_hub: LocalHub, case: Case, tmp_path: Path) -> None:
    """GMI Cloud has no sync endpoint: ``--mode sync`` queues one job and waits for it."""
    code, out, _ = cli_on(
        case, "run", case.model, *case.args, "--mode", "sync", "-o", str(tmp_path / "s.mp4")
    )
    assert code == 0 and out.splitlines() == [str(tmp_path / "s.mp4")]
    assert [r.path for r in posts(case_hub)] == [case.sync_path]


def test_uncoercible_value_exits_2_naming_the_parameter_and_sends_nothing(hub: LocalHub) -> None:
    code, out, err = cli("run", MODEL, "prompt=x", "num_frames=lots")
    assert (code, out) == (2, "")
    assert "parameter 'num_frames' expects an integer, got 'lots'" in err
    code, _, err = cli("run", MODEL, "prompt=x", "generate_audio=maybe")
    assert code == 2 and "parameter 'generate_audio' expects true or false" in err
    assert posts(hub) == []


def test_uncoercible_value_on_every_hub(case_hub: LocalHub, case: Case) -> None:
    argument, message = case.uncoercible
    code, out, err = cli_on(case, "run", case.model, *case.args, argument)
    assert (code, out) == (2, "") and message in err
    assert posts(case_hub) == []


def test_invalid_payload_exits_1_before_anything_is_sent(case_hub: LocalHub, case: Case) -> None:
    for arguments, messages in case.invalid:
        code, out, err = cli_on(case, "run", case.model, *arguments)
        assert (code, out) == (1, "")
        assert "nothing was sent" in err
        assert all(message in err for message in messages), err
    assert posts(case_hub) == []


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


def test_unknown_model_exits_3(case_hub: LocalHub, case: Case) -> None:
    code, _, err = cli_on(case, "run", "no-such-model", "prompt=x")
    assert code == 3 and "model not found" in err


def test_failed_job_exits_1(case_hub: LocalHub, case: Case) -> None:
    case_hub.fail_next("out of credits")
    code, out, err = cli_on(case, "run", case.model, *case.args)
    assert code == 1
    generation_id = out.strip()
    assert f"job {generation_id} failed: out of credits" in err


def test_deadline_exits_124_and_the_id_was_printed(case_still_hub: LocalHub, case: Case) -> None:
    code, out, err = cli_on(case, "run", case.model, *case.args, "--timeout", "0.2")
    assert code == 124
    generation_id = out.strip()
    assert case_still_hub.job(generation_id).status == "queued"
    assert f"schemadrive wait {generation_id}" in err


def test_no_wait_then_wait_resumes(case_still_hub: LocalHub, case: Case, tmp_path: Path) -> None:
    code, out, _ = cli_on(case, "run", case.model, *case.args, "--no-wait")
    assert code == 0
    generation_id = out.strip()
    case_still_hub.finish_all()
    code, out, _ = cli_on(case, "wait", generation_id, "--via", "poll", "-o", str(tmp_path))
    assert code == 0 and Path(out.strip()).parent == tmp_path
    code, out, _ = cli_on(case, "status", generation_id)
    assert code == 0 and generation_id in out


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


def test_installed_command(case_hub: LocalHub, case: Case, tmp_path: Path) -> None:
    path = Path(sys.executable).with_name("schemadrive")
    command = [str(path)] if path.exists() else [sys.executable, "-m", "schemadrive"]
    command += ["--provider", case.provider]
    key, raw, value = case.typed[0]
    result = subprocess.run(
        [*command, "run", case.model, *case.args, f"{key}={raw}", "-o", str(tmp_path / "r.mp4")],
        capture_output=True, text=True, env=dict(os.environ), timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    generation_id, saved = result.stdout.splitlines()
    assert case_hub.job(generation_id).params[key] == value
    assert Path(saved).stat().st_size > 0
    result = subprocess.run(
        [*command, "run", case.model, *case.args, case.uncoercible[0]],
        capture_output=True, text=True, env=dict(os.environ), timeout=60,
    )  # fmt: skip
    assert result.returncode == 2 and case.uncoercible[1] in result.stderr
    assert result.stderr.count("\n") == 1


def test_a_bad_timeout_or_output_fails_before_anything_is_paid(tmp_path: Path) -> None:
    from schemadrive.cli import main
    from schemadrive.testing import LocalHub

    blocker = tmp_path / "afile"
    blocker.write_text("x")
    with LocalHub(job_seconds=0) as hub:
        env_key = {"OXEN_API_KEY": hub.api_key}
        old = {k: os.environ.get(k) for k in env_key}
        os.environ.update(env_key)
        try:
            for extra in (
                ["--timeout", "-1"],
                ["--timeout", "nan"],
                ["--output", str(blocker / "x.mp4")],
            ):
                out, err = io.StringIO(), io.StringIO()
                argv = [
                    "--base-url",
                    hub.url,
                    "--cache-dir",
                    str(tmp_path / "c"),
                    "run",
                    "ltx-2-3-pro",
                    "prompt=a",
                    *extra,
                ]
                assert main(argv, stdout=out, stderr=err) == 2, err.getvalue()
        finally:
            for k, v in old.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
        assert [r for r in hub.requests if r.method == "POST"] == []
