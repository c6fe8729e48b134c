"""``schemadrive fuzz``: JSON Lines of generated payloads, reproducible with a seed."""

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
from schemadrive.fuzz import RULE_KEYWORDS
from schemadrive.hub.recorded import bundled_dir
from schemadrive.schema.compile import compile_schema
from schemadrive.testing import LocalHub
from schemadrive.testing.strategies import recorded_schema

LTX = compile_schema(recorded_schema("ltx-2-3-pro"), strict=True)  # judged as a model payload


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["--offline", *argv], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_prints_n_distinct_valid_payloads() -> None:
    code, out, err = cli("fuzz", "ltx-2-3-pro", "-n", "25", "--seed", "1")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert len(lines) == len(set(lines)) == 25
    for line in lines:
        assert LTX.validate(json.loads(line)) == []
        assert line == json.dumps(
            json.loads(line), ensure_ascii=False, sort_keys=True, separators=(",", ":")
        )


def test_invalid_lines_name_the_rule_each_payload_breaks() -> None:
    code, out, _ = cli("fuzz", "ltx-2-3-pro", "-n", "120", "--seed", "2", "--invalid")
    assert code == 0
    documents = [json.loads(line) for line in out.splitlines()]
    assert len(documents) == 120
    # which rules a given seed reaches depends on the hypothesis version; several must appear
    assert len({d["breaks"] for d in documents}) >= 3
    for document in documents:
        assert set(document) == {"breaks", "payload"}
        keywords = {p.keyword for p in LTX.validate(document["payload"])}
        assert keywords & RULE_KEYWORDS[document["breaks"]]


def test_fill_defaults_prints_complete_payloads() -> None:
    code, out, _ = cli("fuzz", "ltx-2-3-pro", "-n", "5", "--seed", "3", "--fill-defaults")
    assert code == 0
    for line in out.splitlines():
        payload = json.loads(line)
        assert {"task", "resolution", "duration", "aspect_ratio", "fps", "generate_audio"} <= set(
            payload
        )
        assert LTX.validate(payload) == []


def test_the_same_seed_gives_byte_identical_output_across_processes() -> None:
    def run(hash_seed: str) -> bytes:
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        command = [
            sys.executable,
            "-m",
            "schemadrive",
            "--offline",
            "fuzz",
            "ltx-2-3-pro-audio-to-video",
        ]
        done = subprocess.run(
            [*command, "-n", "40", "--seed", "99"], capture_output=True, env=env, timeout=60
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    assert run("1") == run("2")


def test_without_a_seed_the_chosen_seed_is_printed_and_repeats_the_run() -> None:
    code, out, err = cli("fuzz", "black-forest-labs-flux-2-klein-4b", "-n", "5")
    assert code == 0
    seed = err.split("--seed ")[1].split(")")[0]
    assert cli("fuzz", "black-forest-labs-flux-2-klein-4b", "-n", "5", "--seed", seed)[1] == out


def test_a_file_holds_a_schema_or_a_recorded_model_object(tmp_path: Path) -> None:
    schema = tmp_path / "schema.json"
    schema.write_text(
        json.dumps({"type": "object", "properties": {"n": {"enum": [1, 2, 3]}}, "required": ["n"]})
    )
    code, out, _ = cli("fuzz", str(schema), "-n", "10", "--seed", "0")
    assert code == 0
    assert sorted(out.splitlines()) == ['{"n":1}', '{"n":2}', '{"n":3}']  # all there are
    model = bundled_dir() / "gmicloud" / "ltx-2-pro-audio-to-video.json"
    code, out, _ = cli("fuzz", str(model), "-n", "3", "--seed", "0")
    assert code == 0 and all("audio_uri" in json.loads(line) for line in out.splitlines())


def test_fewer_lines_than_asked_come_with_a_note(tmp_path: Path) -> None:
    schema = tmp_path / "tiny.json"
    schema.write_text(
        json.dumps({"type": "object", "properties": {"on": {"const": True}}, "required": ["on"]})
    )
    code, out, err = cli("fuzz", str(schema), "-n", "4", "--seed", "0")
    assert (code, out) == (0, '{"on":true}\n')
    assert "only 1 distinct payloads were found" in err


def test_an_unsatisfiable_schema_fails(tmp_path: Path) -> None:
    schema = tmp_path / "never.json"
    schema.write_text(json.dumps({"type": "object", "properties": {"a": False}, "required": ["a"]}))
    code, out, err = cli("fuzz", str(schema), "--seed", "0")
    assert (code, out) == (1, "")
    assert "nothing satisfies the schema" in err


def test_other_providers_and_recorded_versions() -> None:
    code, out, _ = cli(
        "--provider", "gmicloud", "fuzz", "ltx-2-pro-audio-to-video", "-n", "3", "--seed", "0"
    )
    assert code == 0 and all("audio_uri" in json.loads(line) for line in out.splitlines())
    code, out, _ = cli(
        "fuzz", "ltx-2-3-pro@2026-06-26", "-n", "3", "--seed", "0", "--fill-defaults"
    )
    assert code == 0 and all("camera_motion" in json.loads(line) for line in out.splitlines())


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["fuzz", "ltx-2-3-pr"], 3, "did you mean 'ltx-2-3-pro'"),
        (["fuzz", "claude-sonnet-4-6"], 2, "publishes no request schema"),
        (["fuzz", "ltx-2-3-pro", "-n", "-1"], 2, "-n must be 0 or more"),
        (["fuzz", "ltx-2-3-pro", "--invalid", "--fill-defaults"], 2, "not allowed with"),
    ],
)
def test_errors(argv: list[str], code: int, message: str) -> None:
    got, out, err = cli(*argv)
    assert (got, out) == (code, "")
    assert message in err


def test_zero_lines() -> None:
    assert cli("fuzz", "ltx-2-3-pro", "-n", "0", "--seed", "1") == (0, "", "")


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[LocalHub]:
    with LocalHub() as hub:
        monkeypatch.setenv("OXEN_API_KEY", hub.api_key)
        monkeypatch.setenv("SCHEMADRIVE_BASE_URL", hub.url)
        monkeypatch.setenv("SCHEMADRIVE_CACHE_DIR", str(tmp_path / "cache"))
        yield hub


def test_a_model_that_is_not_recorded_is_asked_of_the_hub(hub: LocalHub) -> None:
    schema = {
        "type": "object",
        "properties": {"steps": {"type": "integer", "minimum": 1, "maximum": 4}},
    }
    hub.add_model({"id": "acme-live-only", "json_request_schema": schema})
    out, err = io.StringIO(), io.StringIO()
    code = main(["fuzz", "acme-live-only", "-n", "4", "--seed", "5"], stdout=out, stderr=err)
    assert code == 0, err.getvalue()
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert lines and all(set(p) <= {"steps"} and 1 <= p.get("steps", 1) <= 4 for p in lines)
