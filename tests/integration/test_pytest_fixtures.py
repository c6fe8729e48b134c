"""The pytest plugin's ready fixtures, ``localhub`` and ``schemadrive_client``, in a real
pytest run of a user's test file (a subprocess: the plugin is found by its entry point)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

USER_TESTS = """
import pytest


def test_client_reaches_the_local_hub(schemadrive_client, localhub):
    assert schemadrive_client.base_url == localhub.url
    result = schemadrive_client.submit("ltx-2-3-pro", prompt="a kite").wait(timeout=30)
    assert result.urls[0].startswith(localhub.url)
    assert localhub.requests.filter("POST", "/api/ai/queue")


@pytest.mark.localhub(provider="gmicloud", clock="manual", job_seconds=10)
def test_the_marker_sets_the_hub_s_options(schemadrive_client, localhub):
    assert localhub.provider == "gmicloud"
    assert schemadrive_client.provider.name == "gmicloud"
    job = schemadrive_client.submit("ltx-2-pro-audio-to-video",
                                    audio_uri="https://example.com/a.mp3", prompt="drums")
    assert str(job.status().status) == "queued"  # the manual clock: nothing moves by itself
    localhub.finish_all()
    assert str(job.status().status) == "succeeded"


def test_each_test_gets_its_own_hub(localhub):
    assert len(localhub.requests) == 0  # nothing left over from the tests before
"""


def test_the_fixtures_work_in_a_user_s_suite(tmp_path: Path) -> None:
    (tmp_path / "test_user.py").write_text(USER_TESTS)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_user.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        # where the user's environment points elsewhere, the client still goes to localhub
        env={**_clean_env(), "SCHEMADRIVE_BASE_URL": "http://127.0.0.1:9", "OXEN_API_KEY": "x"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout


def _clean_env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith(("SCHEMADRIVE_", "PYTEST_"))}
