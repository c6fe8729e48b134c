"""Issue 15, the command line's messages and flags: the --offline hint only where it helps (7),
--debug logging (8), global flags after the command (9), one status vocabulary (10), the fuzz
extra named (11), a Try: line that validates (12), the smaller items (14), --json and
``models`` (16)."""

from __future__ import annotations

import io
import json
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from schemadrive.cli import main
from schemadrive.cli._keyvalue import build_payload, split_assignments
from schemadrive.client import Client
from schemadrive.testing import LocalHub

MODEL = "ltx-2-3-pro"
DOWN = "http://127.0.0.1:9"  # nothing listens: connection refused at once


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[LocalHub]:
    with LocalHub(clock="manual", job_seconds=10) as running:
        monkeypatch.setenv("OXEN_API_KEY", running.api_key)
        monkeypatch.setenv("SCHEMADRIVE_BASE_URL", running.url)
        monkeypatch.setenv("SCHEMADRIVE_CACHE_DIR", str(tmp_path / "cache"))
        for name in ("SCHEMADRIVE_PROVIDER", "SCHEMADRIVE_OFFLINE", "SCHEMADRIVE_LOG"):
            monkeypatch.delenv(name, raising=False)
        yield running


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def submit(hub: LocalHub) -> str:
    code, out, _ = cli("run", MODEL, "prompt=a kite", "--no-wait")
    assert code == 0
    return out.strip()


# -- 7: the --offline hint ------------------------------------------------------------------

HINT = "--offline uses the schema cache"


@pytest.mark.parametrize(
    "argv", [("describe", MODEL), ("validate", MODEL, "-"), ("models",), ("lint", MODEL)]
)
def test_the_offline_hint_where_schemas_are_read(
    hub: LocalHub, monkeypatch: pytest.MonkeyPatch, argv: tuple[str, ...]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO('{"prompt": "x"}'))
    code, _, err = cli("--base-url", DOWN, *argv)
    assert code == 3 and HINT in err


@pytest.mark.parametrize(
    "argv",
    [("status", "abc"), ("jobs",), ("cancel", "abc"), ("jobs", "--status", "queued")],
)
def test_no_offline_hint_for_jobs(hub: LocalHub, argv: tuple[str, ...]) -> None:
    code, _, err = cli("--base-url", DOWN, *argv)
    assert code == 3 and "connection refused" in err
    assert HINT not in err  # no cache or fixture can stand in for a job


def test_no_offline_hint_when_the_submit_fails(hub: LocalHub) -> None:
    assert cli("describe", MODEL)[0] == 0  # the schema is now cached
    hub.faults.reset_before(method="POST", times=None)
    code, _, err = cli("run", MODEL, "prompt=a kite", "--no-wait")
    assert code == 3 and HINT not in err


# -- 8: --debug and SCHEMADRIVE_LOG=debug ---------------------------------------------------


@pytest.mark.parametrize("how", ["flag", "flag after the command", "environment"])
def test_debug_logs_each_request_never_the_key(
    hub: LocalHub, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    generation_id = submit(hub)
    argv = ["status", generation_id]
    if how == "flag":
        argv.insert(0, "--debug")
    elif how == "flag after the command":
        argv.append("--debug")
    else:
        monkeypatch.setenv("SCHEMADRIVE_LOG", "debug")
    code, out, err = cli(*argv)
    assert code == 0 and out.split()[1] == "queued"
    assert f"GET {hub.url}/api/ai/queue/{generation_id}" in err and "200" in err
    assert hub.api_key not in err


def test_no_debug_lines_without_the_flag(hub: LocalHub) -> None:
    generation_id = submit(hub)
    code, _, err = cli("status", generation_id)
    assert code == 0 and err == ""


# -- 9: global flags after the command ------------------------------------------------------


def test_global_flags_after_the_command(hub: LocalHub, tmp_path: Path) -> None:
    offline_before = cli("--offline", "describe", MODEL)
    offline_after = cli("describe", MODEL, "--offline")
    assert offline_after[0] == 0 and offline_after[1] == offline_before[1]
    code, out, _ = cli("models", "--base-url", DOWN, "--offline")
    assert code == 0 and MODEL in out.split()
    code, _, err = cli("status", "abc", "--base-url", DOWN)
    assert code == 3 and "127.0.0.1:9" in err  # the flag after the command was used


def test_global_flags_after_run_parameters(hub: LocalHub) -> None:
    code, _, err = cli("run", MODEL, "prompt=a kite", "--base-url", DOWN, "--no-wait")
    assert code == 3 and "127.0.0.1:9" in err and not hub.requests.filter("POST", "*")


# -- 10: one status vocabulary --------------------------------------------------------------


def test_status_words_in_and_out(hub: LocalHub) -> None:
    generation_id = submit(hub)
    hub.advance(6)  # processing, in the hub's word
    code, out, _ = cli("status", generation_id)
    assert out.split()[1] == "running"
    by_ours = cli("jobs", "--status", "running")
    by_hubs = cli("jobs", "--status", "processing")
    assert by_ours[0] == by_hubs[0] == 0 and by_ours[1] == by_hubs[1]
    assert by_ours[1].split()[:2] == [generation_id, "running"]
    code, _, err = cli("jobs", "--status", "sleeping")
    assert code == 2 and "queued, running, succeeded, failed, cancelled" in err


# -- 11: the fuzz extra ---------------------------------------------------------------------

WITHOUT_HYPOTHESIS = """
import sys

class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("hypothesis", "hypothesis_jsonschema"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)

sys.meta_path.insert(0, Block())
if sys.argv[1] == "cli":
    from schemadrive.cli import main
    sys.exit(main(sys.argv[2:]))
from schemadrive.testing import payloads_for
try:
    payloads_for("ltx-2-3-pro")
except ImportError as exc:
    from schemadrive.exceptions import ConfigurationError
    print(type(exc).__name__, isinstance(exc, ConfigurationError), exc)
"""


def test_fuzz_without_the_extra_says_what_to_install() -> None:
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_HYPOTHESIS, "cli", "--offline", "fuzz", MODEL, "-n", "1"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2
    assert "pip install 'schemadrive[fuzz]'" in result.stderr
    assert "Traceback" not in result.stderr


def test_payloads_for_without_the_extra_raises_a_typed_error() -> None:
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_HYPOTHESIS, "library"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.stdout.startswith("ExtraMissing True ")
    assert "pip install 'schemadrive[fuzz]'" in result.stdout


# -- 12: every Try: line validates ----------------------------------------------------------


def _bundled() -> list[tuple[str, str]]:
    models = []
    for provider in ("oxen", "gmicloud"):
        with Client(provider=provider, offline=True, cache_dir=False) as client:
            models += [(provider, model_id) for model_id in client.list_models()]
    return models


@pytest.mark.parametrize(("provider", "model_id"), _bundled())
def test_every_suggestion_passes_its_own_validation(provider: str, model_id: str) -> None:
    code, out, _ = cli("--offline", "--provider", provider, "describe", model_id)
    assert code == 0
    with Client(provider=provider, offline=True, cache_dir=False) as client:
        model = client.model(model_id)
        if not model.has_schema:
            assert "Try:" not in out
            return
        words = shlex.split(out.splitlines()[-1])
        assert "Try:" in out.splitlines()[-2], out
        assert words[words.index("run") + 1] == model_id, out
        arguments = words[words.index("run") + 2 :]
        payload = build_payload(model.parameters, split_assignments(arguments))
        problems = model.validate(model.fill_defaults(payload))
    assert [p for p in problems if p.severity == "error"] == []


def test_the_audio_to_video_suggestion_names_what_the_rule_asks_for() -> None:
    """The schema asks for at least one of prompt or input_image besides the audio."""
    code, out, _ = cli("--offline", "describe", "ltx-2-3-pro-audio-to-video")
    assert code == 0
    last = out.splitlines()[-1]
    assert "input_audio=" in last and ("prompt=" in last or "input_image=" in last)


# -- 14: the smaller items ------------------------------------------------------------------


def test_hub_port_out_of_range_is_a_usage_error() -> None:
    code, _, err = cli("hub", "--port", "99999")
    assert code == 2 and "0 to 65535" in err


def test_lint_of_a_directory_with_no_schema_exits_2(tmp_path: Path) -> None:
    code, out, err = cli("lint", str(tmp_path))
    assert code == 2 and "no schema found" in err and "no findings" not in out


def test_cancelling_a_cancelled_job_exits_1(hub: LocalHub) -> None:
    generation_id = submit(hub)
    assert cli("cancel", generation_id)[0] == 0
    code, out, err = cli("cancel", generation_id)
    assert code == 1 and "had already been cancelled" in err and out == ""


def test_fuzz_on_a_schema_that_is_not_an_object(tmp_path: Path) -> None:
    schema = tmp_path / "string.json"
    schema.write_text('{"type": "string"}')
    code, _, err = cli("fuzz", str(schema), "-n", "2", "--seed", "1")
    assert code == 2 and "nothing satisfies" not in err
    assert "root type is string" in err and "JSON objects" in err


# -- 16: --json for run and wait; models ----------------------------------------------------


def test_run_and_wait_json(hub: LocalHub, tmp_path: Path) -> None:
    code, out, err = cli("run", MODEL, "prompt=a kite", "--no-wait", "--json")
    queued = json.loads(out)
    assert code == 0 and queued["status"] == "queued" and queued["model"] == MODEL
    generation_id = queued["generation_id"]
    assert generation_id in err  # the id is on stderr too: resumable whatever happens
    hub.finish_all()
    code, out, _ = cli("wait", generation_id, "--json", "-o", str(tmp_path / "out"))
    done = json.loads(out)
    assert code == 0 and done["generation_id"] == generation_id
    assert done["status"] == "succeeded" and done["urls"][0].startswith(hub.url)
    assert Path(done["files"][0]).is_file() and Path(done["files"][0]).parent == tmp_path / "out"


def test_wait_json_on_a_failed_job(hub: LocalHub) -> None:
    hub.fail_next("Insufficient credits")
    generation_id = submit(hub)
    hub.finish_all()
    code, out, err = cli("wait", generation_id, "--json")
    document = json.loads(out)
    assert code == 1 and document["status"] == "failed"
    assert document["error"] == "Insufficient credits" and "Insufficient credits" in err


def test_wait_json_when_the_timeout_passes(hub: LocalHub) -> None:
    generation_id = submit(hub)  # the manual clock: it stays queued
    code, out, err = cli("wait", generation_id, "--json", "--timeout", "0.2", "--via", "poll")
    document = json.loads(out)
    assert code == 124 and document["generation_id"] == generation_id
    assert document["status"] == "queued" and "did not finish" in document["error"]
    assert f"schemadrive wait {generation_id}" in err


def test_models_lists_the_hub_s_models(hub: LocalHub) -> None:
    code, out, _ = cli("models")
    assert code == 0 and out.split() == sorted(hub.models)
    code, out, _ = cli("models", "--search", "AUDIO", "--json")
    assert code == 0 and json.loads(out) == [{"id": "ltx-2-3-pro-audio-to-video"}]
    code, out, err = cli("models", "--search", "no-such-thing")
    assert code == 0 and out == "" and "no models matching" in err


def test_models_offline_lists_the_bundled_fixtures() -> None:
    code, out, _ = cli("--offline", "--provider", "gmicloud", "models")
    assert code == 0 and out.split() == ["ltx-2-pro-audio-to-video"]


# -- 19: the poll interval from the command line ---------------------------------------------


def test_poll_interval_reaches_the_client(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """`--poll-interval` is the Client's poll_interval setting (the flag beats the variable)."""
    from schemadrive.cli import _context

    built: list[Client] = []
    real = _context.Context.client

    def spy(self: _context.Context, **overrides: object) -> Client:
        client = real(self, **overrides)
        built.append(client)
        return client

    monkeypatch.setattr(_context.Context, "client", spy)
    monkeypatch.setenv("SCHEMADRIVE_POLL_INTERVAL", "7")
    with LocalHub(provider="gmicloud", job_seconds=0.2) as gmi:
        monkeypatch.setenv("GMI_API_KEY", gmi.api_key)
        monkeypatch.setenv("SCHEMADRIVE_CACHE_DIR", str(tmp_path / "cache"))
        code, out, err = cli(
            "--provider", "gmicloud", "--base-url", gmi.url, "run", "ltx-2-pro-audio-to-video",
            "audio_uri=https://example.com/a.mp3", "prompt=drums", "--poll-interval", "0.05",
        )  # fmt: skip
        url = gmi.url
    assert code == 0, err
    assert built and built[-1].times["poll_interval"] == 0.05
    assert out.splitlines()[-1].startswith(url)  # the result, polled for
