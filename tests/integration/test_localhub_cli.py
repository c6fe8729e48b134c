"""``schemadrive hub``: runs in the foreground, prints the URL and key, stops on Ctrl-C."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from schemadrive.cli import main


@pytest.fixture
def start_hub() -> Iterator[object]:
    processes: list[subprocess.Popen[str]] = []

    def start(*args: str) -> tuple[subprocess.Popen[str], list[str]]:
        process = subprocess.Popen(
            [sys.executable, "-m", "schemadrive", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        processes.append(process)
        assert process.stdout is not None
        lines = []
        while not lines or lines[-1] != "Ctrl-C to stop.":
            line = process.stdout.readline()
            assert line, f"the hub exited early: {process.stderr.read() if process.stderr else ''}"
            lines.append(line.rstrip("\n"))
        return process, lines

    yield start
    for process in processes:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=60)


def stop(process: subprocess.Popen[str]) -> tuple[int, str]:
    process.send_signal(signal.SIGINT)
    out, _ = process.communicate(timeout=60)
    return process.returncode, out


def test_serves_until_interrupted(start_hub: object) -> None:
    process, lines = start_hub("hub", "--job-seconds", "0", "--api-key", "k1")  # type: ignore[operator]
    url = re.search(r"on (http://127\.0\.0\.1:\d+)$", lines[0])
    served = re.search(r"^LocalHub \(oxen\) serving (\d+) models? on ", lines[0])
    assert url and served
    assert lines[1].startswith("API key: k1")
    assert any(
        f"OXEN_API_KEY=k1 schemadrive --provider oxen --base-url {url[1]}" in line for line in lines
    )
    headers = {"Authorization": "Bearer k1"}
    # the banner counts the models the hub answers for (not a fixed number of fixtures)
    listed = requests.get(f"{url[1]}/api/ai/models", headers=headers, timeout=10).json()["data"]
    assert int(served[1]) == len(listed) > 1 and "ltx-2-3-pro" in {m["id"] for m in listed}
    body = {"model": "ltx-2-3-pro", "prompt": "x"}
    reply = requests.post(f"{url[1]}/api/ai/queue", json=body, headers=headers, timeout=10)
    job_id = reply.json()["generations"][0]["generation_id"]
    assert (
        requests.get(f"{url[1]}/api/ai/queue/{job_id}", headers=headers, timeout=10).json()[
            "status"
        ]
        == "succeeded"
    )
    code, out = stop(process)
    assert code == 0 and "stopped." in out


def test_gmicloud_with_a_cdn(start_hub: object) -> None:
    process, lines = start_hub("--provider", "gmicloud", "hub", "--results", "cdn")  # type: ignore[operator]
    # "1 model", not "1 models"
    assert lines[0].startswith("LocalHub (gmicloud) serving 1 model on")
    assert any(line.startswith("result files on http://127.0.0.1:") for line in lines)
    assert any("GMI_API_KEY=test-key" in line for line in lines)
    assert stop(process)[0] == 0


def test_fixture_directory_and_errors(
    tmp_path: Path, start_hub: object, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "m.json").write_text('{"id": "mine", "object": "model"}')
    process, lines = start_hub("hub", "--fixtures", str(tmp_path), "--provider", "oxen")  # type: ignore[operator]
    assert lines[0].startswith("LocalHub (oxen) serving 1 model on")  # "1 model", not "1 models"
    stop(process)
    assert main(["hub", "--fixtures", str(tmp_path / "missing")]) == 2
    assert "not a directory" in capsys.readouterr().err
