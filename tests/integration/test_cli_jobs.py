"""``schemadrive status | wait | cancel | jobs`` against LocalHub on a manual clock.

Jobs stay where they are until the test moves the clock (``hub.finish_all()``), so what each
command sees is decided by the test, not by timing.
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
from schemadrive.testing import LocalHub

MODEL = "ltx-2-3-pro"
OTHER = "ltx-2-3-quality-text-to-video"


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[LocalHub]:
    with LocalHub(clock="manual", job_seconds=10) as hub:
        monkeypatch.setenv("OXEN_API_KEY", hub.api_key)
        monkeypatch.setenv("SCHEMADRIVE_BASE_URL", hub.url)
        monkeypatch.setenv("SCHEMADRIVE_CACHE_DIR", str(tmp_path / "cache"))
        yield hub


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def submit(model: str = MODEL) -> str:
    code, out, err = cli("run", model, "prompt=a heron", "--no-wait")
    assert code == 0, err
    return out.strip()


def test_status_through_a_job_s_life(hub: LocalHub) -> None:
    generation_id = submit()
    code, out, _ = cli("status", generation_id)
    assert code == 0 and out.split() == [generation_id, "queued", MODEL]
    hub.advance(6)
    # one vocabulary: the hub's "processing" is shown as "running", the word --status takes
    assert cli("status", generation_id)[1].split()[1] == "running"
    hub.finish_all()
    code, out, _ = cli("status", generation_id)
    assert code == 0
    assert out.splitlines()[1] == hub.job(generation_id).result_url
    code, out, _ = cli("status", generation_id, "--json")
    state = json.loads(out)
    assert state["status"] == "succeeded" and state["urls"] == [hub.job(generation_id).result_url]


def test_status_of_a_failed_job_exits_1(hub: LocalHub) -> None:
    hub.fail_next("the model crashed")
    generation_id = submit()
    hub.finish_all()
    code, out, _ = cli("status", generation_id)
    assert code == 1 and "failed" in out and "error: the model crashed" in out


def test_status_of_an_unknown_id_exits_3(hub: LocalHub) -> None:
    code, out, err = cli("status", "00000000-0000-0000-0000-000000000000")
    assert (code, out) == (3, "") and "no job with generation id" in err


def test_wait_prints_or_downloads_the_result(hub: LocalHub, tmp_path: Path) -> None:
    generation_id = submit()
    hub.finish_all()
    code, out, _ = cli("wait", generation_id)
    assert code == 0 and out.strip() == hub.job(generation_id).result_url
    code, out, _ = cli("wait", generation_id, "--via", "poll", "--output", str(tmp_path / "r"))
    saved = Path(out.strip())
    assert code == 0 and saved.parent == tmp_path / "r" and saved.stat().st_size > 0


def test_wait_deadline_exits_124(hub: LocalHub) -> None:
    generation_id = submit()
    code, out, err = cli("wait", generation_id, "--timeout", "0.2")
    assert (code, out) == (124, "")
    assert "did not finish after 0.2 s" in err and f"schemadrive wait {generation_id}" in err
    assert hub.job(generation_id).status == "queued"  # still running: not cancelled


def test_wait_on_failed_and_cancelled_jobs_exits_1(hub: LocalHub) -> None:
    hub.fail_next("nope")
    failed = submit()
    finished = submit()
    hub.finish_all()
    code, _, err = cli("wait", failed, "--via", "poll")
    assert code == 1 and f"job {failed} failed: nope" in err
    code, _, err = cli("cancel", finished)
    assert code == 1 and "had already succeeded; nothing to cancel" in err
    other = submit()
    code, out, _ = cli("cancel", other)
    assert code == 0 and out.strip() == f"cancelled {other}"
    assert hub.job(other).status == "cancelled"
    code, _, err = cli("wait", other)
    assert code == 1 and "was cancelled" in err


def test_cancel_unknown_id_exits_3(hub: LocalHub) -> None:
    assert cli("cancel", "00000000-0000-0000-0000-000000000000")[0] == 3


def test_jobs_lists_and_filters(hub: LocalHub) -> None:
    code, out, _ = cli("jobs")
    assert (code, out.strip()) == (0, "no jobs in progress")
    first, second = submit(MODEL), submit(OTHER)
    code, out, _ = cli("jobs")
    rows = [line.split() for line in out.splitlines()]
    assert code == 0 and sorted(row[0] for row in rows) == sorted([first, second])
    assert all(row[1] == "queued" for row in rows)
    code, out, _ = cli("jobs", "--model", OTHER, "--json")
    assert [j["generation_id"] for j in json.loads(out)] == [second]
    hub.advance(6)  # both processing: "running" is the hub's "processing"
    code, out, _ = cli("jobs", "--status", "running", "--json")
    assert {j["raw_status"] for j in json.loads(out)} == {"processing"}
    assert {j["generation_id"] for j in json.loads(out)} == {first, second}
    hub.finish_all()
    assert cli("jobs")[1].strip() == "no jobs in progress"
    code, out, _ = cli("jobs", "--status", "succeeded", "--json")
    listed = json.loads(out)
    assert {j["generation_id"] for j in listed} == {first, second}
    assert all(j["status"] == "succeeded" and j["urls"] for j in listed)
    assert cli("jobs", "--status", "bogus")[0] == 2


def test_installed_commands(hub: LocalHub) -> None:
    path = Path(sys.executable).with_name("schemadrive")
    command = [str(path)] if path.exists() else [sys.executable, "-m", "schemadrive"]

    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*command, *argv], capture_output=True, text=True, env=dict(os.environ), timeout=60
        )

    submitted = run("run", MODEL, "prompt=x", "--no-wait")
    assert submitted.returncode == 0, submitted.stderr
    generation_id = submitted.stdout.strip()
    assert run("status", generation_id).stdout.split()[1] == "queued"
    assert generation_id in run("jobs").stdout
    hub.finish_all()
    waited = run("wait", generation_id)
    assert waited.returncode == 0 and waited.stdout.strip() == hub.job(generation_id).result_url
    assert run("cancel", generation_id).returncode == 1
