"""``schemadrive validate``: files, JSON Lines, stdin, each format, each exit code, offline.

Most tests use the bundled fixtures with ``--offline`` and a base URL on a closed port, so any
attempt to reach the network would fail loudly; some validate against LocalHub. Tests
parametrized by ``provider`` run for Oxen and for GMI Cloud (``--provider gmicloud``).
"""

from __future__ import annotations

import glob
import io
import json
import os
import re
import shlex
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from schemadrive.cli import main

MODEL = "ltx-2-3-pro"
GOOD = {"prompt": "a red fox in the snow", "duration": 5}
GMI = "ltx-2-pro-audio-to-video"
GMI_GOOD = {"audio_uri": "https://example.com/a.mp3", "prompt": "a drummer"}
#: provider -> (model, a valid payload)
HUBS = {"oxen": (MODEL, GOOD), "gmicloud": (GMI, GMI_GOOD)}
BAD_TEXT = """{
  "prompt": "a red fox",
  "duration": 12,
  "resolution": "1080",
  "durration": 3
}
"""


def closed_port_url() -> str:
    """A base URL nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


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


def offline(*argv: str, stdin: str | None = None, provider: str = "oxen") -> tuple[int, str, str]:
    return cli(
        "--provider", provider, "--offline", "--base-url", closed_port_url(), "validate", *argv,
        stdin=stdin,
    )  # fmt: skip


def command() -> list[str]:
    installed = Path(sys.executable).with_name("schemadrive")
    return [str(installed)] if installed.exists() else [sys.executable, "-m", "schemadrive"]


def installed(
    *argv: str, stdin: str | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*command(), *argv], input=stdin, capture_output=True, text=True, cwd=cwd,
        env=dict(os.environ), timeout=60,
    )  # fmt: skip


@pytest.fixture
def payloads(tmp_path: Path) -> Path:
    (tmp_path / "good.json").write_text(json.dumps(GOOD))
    (tmp_path / "bad.json").write_text(BAD_TEXT)
    (tmp_path / "broken.json").write_text('{"prompt": "x",\n  "duration": 5,,\n}')
    lines = [json.dumps(GOOD), "", "   ", '{"prompt": 3}', "{not json", json.dumps({"duration": 4})]
    (tmp_path / "batch.jsonl").write_text("\n".join(lines) + "\n")
    return tmp_path


@pytest.mark.parametrize("provider", HUBS)
def test_valid_file_exits_0(payloads: Path, provider: str) -> None:
    model, good = HUBS[provider]
    (payloads / "good.json").write_text(json.dumps(good))
    code, out, err = offline(model, str(payloads / "good.json"), provider=provider)
    assert (code, err) == (0, "")
    assert "1 payload valid" in out


@pytest.mark.parametrize("where", ["offline", "LocalHub"])
def test_gmicloud_needs_a_prompt_or_an_image(
    where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The guide's prose rule (prompt required if image_uri is not provided): offline from the
    recorded schema, online from the parameter list LocalHub serves (without the recorded
    schema, as GMI does), translated by the client."""
    from schemadrive.testing import LocalHub

    lines = [
        {"audio_uri": "https://example.com/a.mp3"},
        {"audio_uri": "https://example.com/a.mp3", "image_uri": "https://example.com/i.png"},
        GMI_GOOD,
        {"prompt": "no audio"},
    ]
    stdin = "\n".join(json.dumps(line) for line in lines)
    argv = ("validate", GMI, "--jsonl", "--fill-defaults")
    if where == "offline":
        code, out, err = offline(*argv[1:], stdin=stdin, provider="gmicloud")
    else:
        with LocalHub(provider="gmicloud") as hub:
            monkeypatch.setenv("GMI_API_KEY", hub.api_key)
            monkeypatch.setenv("SCHEMADRIVE_CACHE_DIR", str(tmp_path / "cache"))
            code, out, err = cli(
                "--provider", "gmicloud", "--base-url", hub.url, *argv, stdin=stdin
            )
            assert [r.method for r in hub.requests] == ["GET"]  # the model; nothing posted
    assert code == 1
    assert "<stdin>:1: error: $: provide at least one of 'prompt', 'image_uri'" in err
    assert "<stdin>:4: error: $.audio_uri: missing required parameter 'audio_uri'" in err
    assert "2 of 4 payloads invalid" in err
    filled = [json.loads(line) for line in out.splitlines()]
    assert [payload["resolution"] for payload in filled] == ["1920x1080", "1920x1080"]


def test_invalid_file_names_file_line_path_problem_and_hint(payloads: Path) -> None:
    bad = str(payloads / "bad.json")
    code, out, _ = offline(MODEL, bad)
    assert code == 1
    assert f"{bad}:3: error: $.duration: 12 is not an allowed value (allowed: 1, 2, 3" in out
    assert f"{bad}:4: error: $.resolution:" in out and 'did you mean "1080p"?' in out
    assert f"{bad}:5: error: $.durration:" in out and "did you mean 'duration'?" in out
    lines = [line for line in out.splitlines() if ": error: " in line]
    assert [int(line.split(":")[1]) for line in lines] == [3, 4, 5]  # in file order
    assert "1 of 1 payload invalid (3 problems)" in out


def test_malformed_json_file_is_a_failed_payload_with_its_line(payloads: Path) -> None:
    code, out, _ = offline(MODEL, str(payloads / "broken.json"), str(payloads / "good.json"))
    assert code == 1
    assert f"{payloads / 'broken.json'}:2: error: $: not valid JSON" in out
    assert "1 of 2 payloads invalid" in out


def test_jsonl_reports_line_numbers_and_skips_blank_lines(payloads: Path) -> None:
    batch = str(payloads / "batch.jsonl")
    code, out, _ = offline(MODEL, batch)
    assert code == 1
    assert f"{batch}:4: error: $.prompt: expected a string, got integer 3" in out
    assert f"{batch}:5: error: $: not valid JSON" in out
    assert f"{batch}:6: error: $.prompt: missing required parameter 'prompt'" in out
    assert "3 of 4 payloads invalid" in out  # the two blank lines are not payloads


def test_jsonl_flag_reads_any_file_as_lines(payloads: Path) -> None:
    lines = payloads / "lines.txt"
    lines.write_text(json.dumps(GOOD) + "\n" + json.dumps(GOOD) + "\n")
    assert offline(MODEL, str(lines))[0] == 1  # two documents: not one JSON payload
    code, out, _ = offline(MODEL, "--jsonl", str(lines))
    assert code == 0 and "2 payloads valid" in out


def test_stdin_by_dash_and_by_default() -> None:
    code, out, _ = offline(MODEL, "-", stdin=json.dumps(GOOD))
    assert code == 0 and "1 payload valid" in out
    code, out, _ = offline(MODEL, stdin=BAD_TEXT)
    assert code == 1 and "<stdin>:3: error: $.duration" in out
    stream = "\n".join([json.dumps(GOOD), "[1]", json.dumps(GOOD)])
    code, out, _ = offline(MODEL, "--jsonl", stdin=stream)
    assert code == 1 and "<stdin>:2: error: $: expected an object" in out


def test_json_format_is_json_lines_with_a_summary(payloads: Path) -> None:
    code, out, _ = offline(
        MODEL, str(payloads / "bad.json"), str(payloads / "batch.jsonl"), "--format", "json"
    )
    assert code == 1
    records = [json.loads(line) for line in out.splitlines()]
    assert records[0]["file"].endswith("bad.json") and records[0]["line"] is None
    assert records[0]["valid"] is False
    first = records[0]["problems"][0]
    assert first == {
        "path": "$.duration",
        "keyword": "enum",
        "message": "12 is not an allowed value",
        "hint": "allowed: 1, 2, 3, 4, 5, 6, 7, 8, 9, 10",
        "severity": "error",
        "line": 3,
    }
    by_line = {r["line"]: r for r in records[1:-1]}
    assert by_line[1]["valid"] is True and by_line[1]["problems"] == []
    assert by_line[5]["problems"][0]["keyword"] == "json"
    assert records[-1] == {
        "schema": MODEL,
        "summary": {
            "checked": 5, "valid": 1, "invalid": 4, "malformed": 1, "problems": 6,
            "warnings": 0, "unreadable": 0, "files": 2,
        },
    }  # fmt: skip


def test_github_format_prints_annotations(payloads: Path) -> None:
    bad = str(payloads / "bad.json")
    code, out, _ = offline(MODEL, "--format", "github", bad, str(payloads / "batch.jsonl"))
    assert code == 1
    annotations = [line for line in out.splitlines() if line.startswith("::")]
    assert annotations[0] == (
        f"::error file={bad},line=3,title=schemadrive validate ({MODEL})::"
        "$.duration: 12 is not an allowed value (allowed: 1, 2, 3, 4, 5, 6, 7, 8, 9, 10)"
    )
    assert any("batch.jsonl,line=5," in line for line in annotations)
    code, out, _ = offline(
        MODEL, "--format", "github", "--unknown", "warn", stdin='{"prompt": "x", "seeed": 1}'
    )
    assert code == 0
    assert out.startswith("::warning title=schemadrive validate")  # no file= for stdin


def test_options_may_follow_the_files(payloads: Path) -> None:
    code, out, _ = offline(
        MODEL, str(payloads / "bad.json"), "--format", "json", str(payloads / "good.json")
    )
    assert code == 1
    assert json.loads(out.splitlines()[-1])["summary"]["checked"] == 2


def test_fill_defaults_writes_valid_payloads_to_stdout(payloads: Path) -> None:
    code, out, err = offline(MODEL, "--fill-defaults", str(payloads / "batch.jsonl"))
    assert code == 1
    filled = [json.loads(line) for line in out.splitlines()]
    assert filled == [
        {
            "prompt": "a red fox in the snow", "duration": 5, "task": "image_to_video",
            "resolution": "1080p", "aspect_ratio": "16:9", "fps": 25, "generate_audio": True,
        }
    ]  # fmt: skip
    assert "batch.jsonl:4: error:" in err and "3 of 4 payloads invalid" in err


def test_unknown_parameters_error_warn_or_allow() -> None:
    payload = json.dumps({"prompt": "x", "seeed": 1})
    assert offline(MODEL, stdin=payload)[0] == 1
    code, out, _ = offline(MODEL, "--unknown", "warn", stdin=payload)
    assert code == 0 and "warning: $.seeed" in out and "1 warning" in out
    code, out, _ = offline(MODEL, "--unknown", "allow", stdin=payload)
    assert code == 0 and "warning" not in out


def test_missing_file_exits_2_and_still_checks_the_rest(payloads: Path) -> None:
    code, out, _ = offline(MODEL, str(payloads / "nope.json"), str(payloads / "bad.json"))
    assert code == 2  # unreadable input wins over an invalid payload
    assert "nope.json: error: cannot read" in out
    assert "$.duration" in out and "1 unreadable" in out
    assert offline(MODEL, str(payloads))[0] == 2  # a directory is not a payload file


def test_usage_errors_exit_2() -> None:
    assert offline()[0] == 2  # no MODEL
    code, _, err = offline(MODEL, "--format", "xml", stdin="{}")
    assert code == 2 and "invalid choice: 'xml'" in err
    code, _, err = offline("claude-sonnet-4-6", stdin="{}")
    assert code == 2 and "publishes no request schema" in err


def test_terminal_stdin_without_files_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdin", Terminal())
    out, err = io.StringIO(), io.StringIO()
    assert main(["--offline", "validate", MODEL], stdout=out, stderr=err) == 2
    assert "pipe payloads to stdin" in err.getvalue()


def test_unknown_model_offline_exits_3() -> None:
    code, _, err = offline("ltx-2-3-pr0", stdin="{}")
    assert code == 3
    assert err.count("\n") == 1 and "did you mean 'ltx-2-3-pro'" in err


def test_schema_file_needs_no_model_and_no_hub(payloads: Path, tmp_path: Path) -> None:
    schema = {
        "type": "object",
        "properties": {"n": {"type": "integer", "maximum": 3}},
        "required": ["n"],
    }
    (tmp_path / "schema.json").write_text(json.dumps(schema))
    (tmp_path / "n.json").write_text('{"n": 5}')
    code, out, _ = cli(
        "--base-url",
        closed_port_url(),
        "validate",
        "--schema",
        str(tmp_path / "schema.json"),
        str(tmp_path / "n.json"),
    )
    assert code == 1 and "$.n: 5 is above the maximum 3" in out
    code, out, _ = cli("validate", "--schema", str(tmp_path / "schema.json"), stdin='{"n": 2}')
    assert code == 0
    code, _, err = cli("validate", "--schema", str(tmp_path / "missing.json"), stdin="{}")
    assert code == 2 and err.startswith("schemadrive: error: cannot read")
    (tmp_path / "bad-schema.json").write_text('{"type": 12}')
    assert cli("validate", "--schema", str(tmp_path / "bad-schema.json"), stdin="{}")[0] == 2


def test_recorded_model_object_works_as_schema_file(payloads: Path) -> None:
    from schemadrive.hub.recorded import bundled_dir

    recorded = str(bundled_dir() / "oxen" / f"{MODEL}.json")
    assert cli("validate", "--schema", recorded, str(payloads / "good.json"))[0] == 0
    assert cli("validate", "--schema", recorded, str(payloads / "bad.json"))[0] == 1


def test_no_colour_to_a_pipe_and_with_no_color(
    payloads: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = offline(MODEL, str(payloads / "bad.json"))
    assert "\x1b[" not in out
    result = installed("--offline", "validate", MODEL, str(payloads / "bad.json"))
    assert result.returncode == 1 and "\x1b[" not in result.stdout


def test_installed_command_offline_with_the_network_unreachable(payloads: Path) -> None:
    base = closed_port_url()
    result = installed(
        "--offline", "--base-url", base, "validate", MODEL, "good.json", "bad.json", cwd=payloads
    )
    assert result.returncode == 1, result.stderr
    assert "bad.json:3: error: $.duration" in result.stdout
    result = installed(
        "--base-url", base, "validate", "--offline", MODEL, "-", stdin=json.dumps(GOOD)
    )
    assert result.returncode == 0, result.stderr
    result = installed(
        "--offline",
        "validate",
        MODEL,
        "--jsonl",
        "--fill-defaults",
        "--format",
        "json",
        stdin=(payloads / "batch.jsonl").read_text(),
    )
    assert result.returncode == 1
    assert [json.loads(line)["prompt"] for line in result.stdout.splitlines()] == [GOOD["prompt"]]
    assert json.loads(result.stderr.splitlines()[-1])["summary"]["invalid"] == 3
    env_offline = subprocess.run(
        [*command(), "validate", MODEL, "good.json"], cwd=payloads, capture_output=True, text=True,
        env={**os.environ, "SCHEMADRIVE_OFFLINE": "1", "SCHEMADRIVE_BASE_URL": base}, timeout=60,
    )  # fmt: skip
    assert env_offline.returncode == 0, env_offline.stderr


def test_large_jsonl_streams(tmp_path: Path) -> None:
    """Thousands of lines are checked one at a time; the output names the last line."""
    path = tmp_path / "many.jsonl"
    with path.open("w") as handle:
        for n in range(2000):
            handle.write(json.dumps({"prompt": f"p{n}", "duration": 1 + n % 10}) + "\n")
        handle.write(json.dumps({"prompt": "last", "duration": 11}) + "\n")
    code, out, _ = offline(MODEL, str(path))
    assert code == 1
    assert f"{path}:2001: error: $.duration: 11 is not an allowed value" in out
    assert "1 of 2001 payloads invalid" in out


# -- docs/cli.md ---------------------------------------------------------------------------

DOCS = Path(__file__).resolve().parents[2] / "docs" / "cli.md"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
#: Examples whose output depends on the moment or the machine (ids, cache paths, timing).
UNSTABLE = (
    "$ID", "ID=", "cache list", "cache clear", "demo", "hub", "--timeout", "jobs", "schemadrive ui"
)


def console_examples() -> list[tuple[str, list[str]]]:
    """Every ``$ command`` of the page's console blocks, with the lines it printed."""
    examples: list[tuple[str, list[str]]] = []
    for block in re.findall(r"```console\n(.*?)```", DOCS.read_text(), re.S):
        for line in block.splitlines():
            if line.startswith("$ "):
                examples.append((line[2:], []))
            elif examples:
                examples[-1][1].append(line)
    return examples


def run_example(command_line: str) -> tuple[int, list[str]]:
    """Run one ``schemadrive ...`` example in this process, as the shell would: ``echo X |``
    gives stdin, ``> FILE`` takes stdout, ``*`` globs in the working directory."""
    stdin = None
    if " | " in command_line:
        left, command_line = command_line.split(" | ", 1)
        stdin = shlex.split(left)[1] + "\n"  # echo '...'
    words = shlex.split(command_line)
    redirect = None
    if ">" in words:
        redirect = words[words.index(">") + 1]
        words = words[: words.index(">")]
    assert words[0] == "schemadrive", command_line
    argv: list[str] = []
    for word in words[1:]:
        argv += sorted(glob.glob(word)) if "*" in word else [word]
    code, out, err = cli(*argv, stdin=stdin)
    if redirect:
        Path(redirect).write_text(out)
        out = ""
    return code, (out + err).splitlines()


def test_docs_cli_examples_print_what_the_page_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The describe, validate, cache pull and run examples of docs/cli.md, run against
    LocalHub from a directory holding the page's payload files, print what the page says."""
    from schemadrive.testing import LocalHub

    checked = 0
    with LocalHub(job_seconds=0.1) as hub:
        monkeypatch.setenv("OXEN_API_KEY", hub.api_key)
        monkeypatch.setenv("SCHEMADRIVE_BASE_URL", hub.url)
        monkeypatch.setenv("SCHEMADRIVE_CACHE_DIR", str(tmp_path / "cache"))
        (tmp_path / "payloads").mkdir()
        monkeypatch.chdir(tmp_path)
        last_code: int | None = None
        for command_line, expected in console_examples():
            if command_line.startswith("cat ") and (tmp_path / command_line[4:]).parent.is_dir():
                target = tmp_path / command_line[4:]
                if not target.exists():  # the page shows the file: create it
                    target.write_text("\n".join(expected) + "\n")
                    continue
                assert target.read_text().splitlines() == expected, f"$ {command_line}"
                continue
            if command_line == "echo $?":
                if last_code is not None:
                    assert [str(last_code)] == expected, "the exit code shown"
                continue
            last_code = None
            unstable = any(word in command_line for word in UNSTABLE)
            if unstable or UUID.search("\n".join(expected)):
                continue
            last_code, shown = run_example(command_line)
            assert sorted(shown) == sorted(expected), f"$ {command_line}"
            checked += 1
    assert checked >= 12


def test_a_bare_schema_follows_json_schema_unless_strict(tmp_path: Path) -> None:
    """A bare schema allows names it does not declare (JSON Schema's rule) and treats format
    as an annotation in 2020-12; --strict judges as a model's payloads are judged."""
    schema = tmp_path / "schema.json"
    schema.write_text(
        json.dumps(
            {
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "type": "object",
                "properties": {"url": {"type": "string", "format": "uri"}},
            }
        )
    )
    payload = tmp_path / "payload.json"
    payload.write_text(json.dumps({"url": "not a uri", "extra": 1}))
    code, out, _ = cli("validate", "--schema", str(schema), str(payload))
    assert code == 0, out
    code, out, _ = cli("validate", "--schema", str(schema), "--strict", str(payload))
    assert code == 1
    assert "extra" in out and "url" in out
    code, out, _ = cli(
        "validate", "--schema", str(schema), "--unknown", "error", str(payload)
    )
    assert code == 1 and "extra" in out
