"""Shared test setup: hypothesis profiles, and isolation from the user's environment.

Profiles: ``ci`` (the default: bounded and deterministic), ``dev`` (more examples, random),
``long`` (on demand: ``pytest --hypothesis-profile=long tests/property``).
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=40,
    derandomize=True,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
settings.register_profile("dev", max_examples=200, deadline=None)
settings.register_profile(
    "long",
    max_examples=5000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def _isolated_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """No test reads the developer's key, config, cache or hub settings."""
    for name in (
        "OXEN_API_KEY",
        "GMI_API_KEY",
        "SCHEMADRIVE_BASE_URL",
        "SCHEMADRIVE_OFFLINE",
        "SCHEMADRIVE_CACHE_DIR",
        "SCHEMADRIVE_PROVIDER",
        "NO_COLOR",
    ):
        monkeypatch.delenv(name, raising=False)
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
