"""A Retry-After that is not whole seconds (a fraction, or words) slows a GET down; it never
turns the request into a NetworkError (urllib3 alone raises InvalidHeader for them)."""

from __future__ import annotations

import pytest

import schemadrive
from schemadrive.testing import LocalHub


@pytest.mark.parametrize("value", ["0.01", "soon", "-3", "nan"])
def test_an_odd_retry_after_is_waited_out_not_raised(value: str) -> None:
    with (
        LocalHub(job_seconds=60) as hub,
        schemadrive.Client(hub.api_key, base_url=hub.url, cache_dir=False) as client,
    ):
        job = client.submit("ltx-2-3-pro", prompt="a kite")
        hub.faults.rate_limit(method="GET", path="/api/ai/queue/*", retry_after=value, times=2)
        assert job.status().status.value in ("queued", "running")
