"""Client settings (issue 15 items 6 and 19): where the key is looked for when there is none,
and the times a user tunes, as Client arguments and SCHEMADRIVE_* variables."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from schemadrive import Client
from schemadrive.exceptions import AuthenticationError, ConfigurationError
from schemadrive.settings import TIME_SETTINGS
from schemadrive.testing import LocalHub

T2V = "ltx-2-3-quality-text-to-video"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No key and no setting from the machine running the tests."""
    for name in ("OXEN_API_KEY", "GMI_API_KEY", "SCHEMADRIVE_TIMEOUT") + tuple(
        env for env, _, _ in TIME_SETTINGS.values()
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


# -- no API key at all -------------------------------------------------------------------------


def test_no_key_says_none_was_found_and_where_it_was_looked_for(hub: LocalHub, tmp_path: Path):
    with Client(base_url=hub.url, cache_dir=False) as client:
        assert not client.has_api_key
        with pytest.raises(AuthenticationError) as caught:
            client.model(T2V)
    message = str(caught.value)
    assert message.startswith("no API key was found")
    assert "rejected" not in message
    assert "$OXEN_API_KEY" in message
    assert str(tmp_path / "config" / "oxen" / "auth_config.toml") in message


def test_no_gmi_key_names_the_gmi_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    with (
        LocalHub(provider="gmicloud") as hub,
        Client(base_url=hub.url, provider="gmicloud", cache_dir=False) as client,
        pytest.raises(AuthenticationError) as caught,
    ):
        client.list_models()
    message = str(caught.value)
    assert message.startswith("no API key was found") and "$GMI_API_KEY" in message
    assert "oxen" not in message


def test_a_wrong_key_is_still_called_rejected(hub: LocalHub) -> None:
    with (
        Client("wrong-key", base_url=hub.url, cache_dir=False) as client,
        pytest.raises(AuthenticationError, match="the hub rejected the API key"),
    ):
        client.model(T2V)


# -- times: argument, then SCHEMADRIVE_* variable, then default --------------------------------


def test_times_come_from_arguments_then_variables_then_defaults(
    hub: LocalHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCHEMADRIVE_POLL_INTERVAL", "0.25")
    monkeypatch.setenv("SCHEMADRIVE_WAIT_TIMEOUT", "inf")
    monkeypatch.setenv("SCHEMADRIVE_TIMEOUT", "3,45")
    with Client("k", base_url=hub.url, max_poll_interval=7, run_timeout=100) as client:
        settings = client.dispatcher.settings
        assert settings.poll_interval == 0.25  # from the variable
        assert settings.max_poll_interval == 7  # from the argument
        assert math.isinf(settings.default_timeout)
        assert settings.run_timeout == (3, 100)
        assert client.timeout == (3, 45)
        assert client.store.ttl == 600  # the default
    with Client("k", base_url=hub.url, poll_interval=1) as client:
        assert client.dispatcher.settings.poll_interval == 1  # the argument wins


def test_the_wait_timeout_setting_is_the_deadline_of_a_wait_without_one(
    manual_hub: LocalHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCHEMADRIVE_WAIT_TIMEOUT", "30")
    with Client(manual_hub.api_key, base_url=manual_hub.url, cache_dir=False) as client:
        dispatcher = client.dispatcher
        dispatcher.settings.listen = False
        now = [0.0]
        dispatcher.clock = lambda: now[0]
        dispatcher.sleep = lambda seconds: now.__setitem__(0, now[0] + seconds)
        job = client.submit(T2V, prompt="a fox")  # the manual hub never finishes it
        with pytest.raises(TimeoutError) as caught:
            job.wait(via="poll")
    assert caught.value.timeout == 30  # type: ignore[attr-defined]
    assert 30 <= now[0] <= 31


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SCHEMADRIVE_POLL_INTERVAL", "soon"),
        ("SCHEMADRIVE_POLL_INTERVAL", "0"),
        ("SCHEMADRIVE_MAX_POLL_INTERVAL", "-1"),
        ("SCHEMADRIVE_WAIT_TIMEOUT", "nan"),
        ("SCHEMADRIVE_RUN_TIMEOUT", "inf"),
        ("SCHEMADRIVE_SCHEMA_TTL", "-5"),
        ("SCHEMADRIVE_TIMEOUT", "1,2,3"),
        ("SCHEMADRIVE_TIMEOUT", "5,x"),
    ],
)
def test_a_bad_variable_is_a_configuration_error_naming_it(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigurationError, match=f"\\${variable}"):
        Client("k", base_url="http://127.0.0.1:9")


@pytest.mark.parametrize(
    "options",
    [
        {"poll_interval": 0},
        {"wait_timeout": -1},
        {"run_timeout": "60"},
        {"max_poll_interval": True},
    ],
)
def test_a_bad_argument_is_a_configuration_error(options: dict) -> None:
    with pytest.raises(ConfigurationError, match=next(iter(options))):
        Client("k", base_url="http://127.0.0.1:9", **options)
