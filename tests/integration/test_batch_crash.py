"""A batch killed with SIGKILL at every dangerous point, and resumed each time, pays once per
row and ends complete (issue 17's "done when").

The batch runs in a subprocess (``schemadrive batch``) against a LocalHub in this process. It
is stopped deterministically: ``SCHEMADRIVE_BATCH_CRASH=POINT:N`` makes it SIGKILL itself the
N-th time it reaches POINT (before a POST, between the POST and the journal write, while
waiting, after a download and before its rename), and a held result download (LocalHub's
``faults.hold``) lets the test kill it while a download is in progress. No sleeps.
"""

from __future__ import annotations

import collections
import hashlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from schemadrive.testing import LocalHub

MODEL = "ltx-2-3-pro"
ROWS = 40
#: Seconds any one subprocess may take: generous, never asserted as a duration.
PATIENCE = 60.0

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")


def command(hub: LocalHub, workdir: Path, *extra: str) -> list[str]:
    return [
        sys.executable, "-m", "schemadrive", "--base-url", hub.url,
        "batch", MODEL, str(workdir / "prompts.jsonl"), "--out", str(workdir / "out"),
        "--concurrency", "4", *extra,
    ]  # fmt: skip


def environment(workdir: Path, crash: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SCHEMADRIVE_", "OXEN_"))}
    env.update(OXEN_API_KEY="test-key", SCHEMADRIVE_CACHE_DIR=str(workdir / "cache"))
    if crash is not None:
        env["SCHEMADRIVE_BATCH_CRASH"] = crash
    return env


def run(hub: LocalHub, workdir: Path, *extra: str, crash: str | None = None) -> int:
    done = subprocess.run(
        command(hub, workdir, *extra),
        env=environment(workdir, crash),
        capture_output=True,
        text=True,
        timeout=PATIENCE,
    )
    if done.returncode not in (0, 1, -signal.SIGKILL):
        raise AssertionError(f"exit {done.returncode}\n{done.stdout}\n{done.stderr}")
    return done.returncode


def submitted(hub: LocalHub) -> int:
    return sum(1 for r in hub.requests if r.method == "POST" and r.path == "/api/ai/queue")


def test_sigkill_at_every_point_then_resume_pays_once_per_row(tmp_path: Path) -> None:
    prompts = [f"shot {i}: a lighthouse at dusk" for i in range(ROWS)]
    (tmp_path / "prompts.jsonl").write_text(
        "".join(json.dumps({"prompt": p, "duration": 1}) + "\n" for p in prompts)
    )
    with LocalHub(job_seconds=0.05) as hub:
        # 1. killed right after committing a row's intent, before its POST
        assert run(hub, tmp_path, crash="before-post:3") == -signal.SIGKILL
        # 2. killed after a POST created a job, before its id reached the journal
        assert run(hub, tmp_path, crash="after-post:5") == -signal.SIGKILL
        # 3. killed while jobs are in flight
        assert run(hub, tmp_path, crash="waiting:6") == -signal.SIGKILL
        # 4. killed between a complete download and its rename into place
        assert run(hub, tmp_path, crash="downloading:4") == -signal.SIGKILL
        # 5. killed while a result file is being downloaded (the hub holds the reply)
        held = hub.faults.hold(method="GET", path="/api/repos/*", times=1)
        process = subprocess.Popen(
            command(hub, tmp_path), env=environment(tmp_path),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            assert held.wait_hit(1, timeout=PATIENCE)
            process.send_signal(signal.SIGKILL)
            assert process.wait(timeout=PATIENCE) == -signal.SIGKILL
        finally:
            held.release()
            if process.poll() is None:
                process.kill()
        # 6. an undisturbed resume: the row killed before its POST is uncertain (exit 1), and
        # is submitted only when asked; then every row has succeeded
        before = submitted(hub)
        first = run(hub, tmp_path)
        assert first in (0, 1)
        if first == 1:
            assert submitted(hub) - before <= ROWS  # it never resubmits an uncertain row
            assert run(hub, tmp_path, "--resubmit-uncertain") == 0
        assert run(hub, tmp_path) == 0  # nothing left to do: no new job

        # the hub created exactly one job per row
        jobs = list(hub.jobs.values())
        per_prompt = collections.Counter(job.params["prompt"] for job in jobs)
        assert sorted(per_prompt) == sorted(prompts)
        assert set(per_prompt.values()) == {1}

        # the manifest lists every row once, each with its job and complete files
        lines = (tmp_path / "out" / "manifest.jsonl").read_text().splitlines()
        entries = [json.loads(line) for line in lines]
        assert sorted(entry["line"] for entry in entries) == list(range(1, ROWS + 1))
        by_id = {job.id: job for job in jobs}
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {hub.api_key}"
        for entry in entries:
            assert entry["status"] == "succeeded", entry
            job = by_id[entry["generation_id"]]
            assert job.params["prompt"] == prompts[entry["line"] - 1]
            assert len(entry["files"]) == 1
            saved = (tmp_path / "out" / entry["files"][0]).read_bytes()
            served = session.get(job.result_url, timeout=PATIENCE).content
            assert hashlib.sha256(saved).digest() == hashlib.sha256(served).digest()
        session.close()
        # nothing half-written is left behind
        leftovers = [p.name for p in (tmp_path / "out").rglob("*") if p.name.endswith(".part")]
        assert leftovers == []
        outputs = [p for p in (tmp_path / "out").iterdir() if p.suffix == ".mp4"]
        assert len(outputs) == ROWS


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_ctrl_c_prints_the_resume_command_and_jobs_keep_running(
    tmp_path: Path, stop: signal.Signals
) -> None:
    (tmp_path / "prompts.jsonl").write_text(
        "".join(json.dumps({"prompt": f"p{i}", "duration": 1}) + "\n" for i in range(6))
    )
    with LocalHub(clock="manual", job_seconds=10) as hub:
        process = subprocess.Popen(
            command(hub, tmp_path), env=environment(tmp_path),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            hub.wait_for_jobs(4, timeout=PATIENCE)  # 4 in flight (--concurrency 4), none ends
            process.send_signal(stop)
            out, err = process.communicate(timeout=PATIENCE)
        finally:
            if process.poll() is None:
                process.kill()
        assert process.returncode == 130, err
        assert "Resume with:" in err and "batch ltx-2-3-pro" in err and "--out" in err
        assert "4 queued" in out and "2 pending" in out
        assert {job.status for job in hub.jobs.values()} == {"queued"}  # not cancelled
        hub.finish_all()
        resume = subprocess.Popen(
            command(hub, tmp_path), env=environment(tmp_path),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:  # the resume collects the 4 and submits the other 2, which end when told
            hub.wait_for_jobs(6, timeout=PATIENCE)
            hub.finish_all()
            assert resume.wait(timeout=PATIENCE) == 0
        finally:
            if resume.poll() is None:
                resume.kill()
        hub_jobs = list(hub.jobs.values())
        assert len(hub_jobs) == 6 and len({job.params["prompt"] for job in hub_jobs}) == 6
