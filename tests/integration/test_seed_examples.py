"""The seed documents' own Python examples run against LocalHub and succeed.

tests/data/seed_examples/ holds the ```python blocks of the two LTX 2.3 Quality pages (seeds
003 and 004) verbatim under a comment header: for each page the Minimal example of the Sync,
Async (polling) and Async with SSE tabs, and one "All parameters" example. Each runs in a fresh
interpreter with two changes only: ``https://hub.oxen.ai`` becomes the hub's URL and
``OXEN_API_KEY`` is set to the hub's key.

Determinism: the hub runs on a manual clock. Sync and polling examples get 0-second jobs, so a
sync call returns at once and the first poll already sees ``succeeded`` (no ``time.sleep(5)``).
The SSE examples enqueue *before* subscribing, which is racy against a hub that finishes fast
(the stream has no replay: docs/hub-contract.md); on the real hub the job takes minutes so it works.
Here the test holds the job until the example's stream is open, then finishes it.

The "All parameters" examples are defective: they write ``"generate_audio": true`` (JSON) in a
Python dict, a NameError before any request is sent. The test runs one verbatim and checks it
fails that way, then runs it with ``true`` corrected to ``True`` and checks it succeeds.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from schemadrive.testing import LocalHub

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "tests" / "data" / "seed_examples"
SEEDS = ROOT.parent / "shared" / "seeds"
SEED_FILES = {"003": "003_fcbbe4b843da404d.txt", "004": "004_223611cfd20e0860.txt"}
MODELS = {"003": "ltx-2-3-quality-image-to-video", "004": "ltx-2-3-quality-text-to-video"}
TIMEOUT = 60


def source(name: str) -> str:
    """The example as the document has it (the comment header removed)."""
    text = (EXAMPLES / name).read_text(encoding="utf-8")
    return text.split("\n\n", 1)[1]


def pointed_at(code: str, hub: LocalHub) -> str:
    return code.replace("https://hub.oxen.ai", hub.url)


def environment(hub: LocalHub) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("OXEN_", "GMI_", "SCHEMADRIVE_"))
    }
    env["OXEN_API_KEY"] = hub.api_key
    return env


def run(code: str, hub: LocalHub) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", pointed_at(code, hub)],
        env=environment(hub),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )


def names(mode: str) -> list[str]:
    return sorted(p.name for p in EXAMPLES.glob(f"*_{mode}_minimal.py"))


def test_every_example_is_the_documents_text() -> None:
    if not SEEDS.is_dir():
        pytest.skip("the seed documents (../shared/seeds) are not next to this checkout")
    files = sorted(EXAMPLES.glob("*.py"))
    assert len(files) == 7
    for path in files:
        document = (SEEDS / SEED_FILES[path.name[:3]]).read_text(encoding="utf-8")
        indented = textwrap.indent(source(path.name).rstrip("\n"), " " * 10).replace(
            " " * 10 + "\n", "\n"
        )
        assert indented in document, path.name


@pytest.mark.parametrize("name", names("sync"))
def test_sync_minimal(name: str) -> None:
    with LocalHub(clock="manual", job_seconds=0) as hub:
        result = run(source(name), hub)
        assert result.returncode == 0, result.stderr
        reply = ast.literal_eval(result.stdout.strip())
        assert reply["model"] == MODELS[name[:3]]
        (video,) = reply["videos"]
        assert video["url"].startswith(hub.url + "/api/repos/")
        (request,) = hub.requests
        assert (request.method, request.path, request.authorized) == (
            "POST",
            "/api/ai/videos/generate",
            True,
        )


@pytest.mark.parametrize("name", names("async_polling"))
def test_async_polling_minimal(name: str) -> None:
    with LocalHub(clock="manual", job_seconds=0) as hub:
        result = run(source(name), hub)
        assert result.returncode == 0, result.stderr
        (job,) = hub.jobs.values()
        assert result.stdout == f"Result: {job.result_url}\n"
        assert [r.method for r in hub.requests] == ["POST", "GET"]
        assert all(r.authorized for r in hub.requests)


@pytest.mark.parametrize("name", names("async_sse"))
def test_async_sse_minimal(name: str) -> None:
    with LocalHub(clock="manual", job_seconds=600) as hub:
        process = subprocess.Popen(
            [sys.executable, "-c", pointed_at(source(name), hub)],
            env=environment(hub),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            (job,) = hub.wait_for_jobs(1, timeout=TIMEOUT)
            hub.wait_for_streams(1, timeout=TIMEOUT)  # it subscribed after enqueuing: the race
            hub.finish_all()
            out, err = process.communicate(timeout=TIMEOUT)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        assert process.returncode == 0, err
        event = ast.literal_eval(out.strip())
        assert event == {
            "generation_id": job.id,
            "status": "succeeded",
            "media_type": "video",
            "model": MODELS[name[:3]],
            "url": hub.job(job.id).result_url,
        }


def test_all_parameters_example_has_a_python_defect_and_works_once_fixed() -> None:
    code = source("003_image_to_video_async_polling_all_parameters.py")
    with LocalHub(clock="manual", job_seconds=0) as hub:
        verbatim = run(code, hub)
        assert verbatim.returncode != 0
        assert "NameError: name 'true' is not defined" in verbatim.stderr
        assert len(hub.requests) == 0  # it fails while building the dict, before any request
        assert code.count('"generate_audio": true,') == 1
        fixed = run(code.replace('"generate_audio": true,', '"generate_audio": True,'), hub)
        assert fixed.returncode == 0, fixed.stderr
        (job,) = hub.jobs.values()
        # every documented parameter passes the hub's own check of the model's schema
        assert job.status == "succeeded", job.error_message
        assert fixed.stdout == f"Result: {job.result_url}\n"
        assert hub.requests[0].body["generate_audio"] is True
