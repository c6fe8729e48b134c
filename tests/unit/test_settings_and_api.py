"""Where settings come from, and the public API surface."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import schemadrive
from schemadrive import Client
from schemadrive.settings import api_key_from_oxen_config


def write_oxen_config(home: Path, host: str, token: str) -> None:
    folder = home / ".config" / "oxen"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "auth_config.toml").write_text(
        f'default_host = "{host}"\n\n'
        '[[host_configs]]\nhost = "other.example"\nauth_token = "nope"\n\n'
        f'[[host_configs]]\nhost = "{host}"\nauth_token = "{token}"\n'
    )


def test_key_order_argument_env_then_oxen_config(monkeypatch: pytest.MonkeyPatch) -> None:
    write_oxen_config(Path.home(), "hub.oxen.ai", "from-config")
    assert Client(cache_dir=False)._api_key == "from-config"
    monkeypatch.setenv("OXEN_API_KEY", "from-env")
    assert Client(cache_dir=False)._api_key == "from-env"
    assert Client("from-arg", cache_dir=False)._api_key == "from-arg"


def test_oxen_config_entry_is_per_host() -> None:
    write_oxen_config(Path.home(), "localhost:3000", "local")
    assert api_key_from_oxen_config("http://localhost:3000") == "local"
    assert api_key_from_oxen_config("https://hub.oxen.ai") is None


def test_environment_sets_base_url_offline_and_cache_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SCHEMADRIVE_BASE_URL", "http://127.0.0.1:9/")
    monkeypatch.setenv("SCHEMADRIVE_OFFLINE", "1")
    monkeypatch.setenv("SCHEMADRIVE_CACHE_DIR", str(tmp_path))
    client = Client()
    expected = ("http://127.0.0.1:9", True, tmp_path)
    assert (client.base_url, client.offline, client.cache_dir) == expected


def test_the_key_is_in_no_repr() -> None:
    client = Client("sk-very-secret", cache_dir=False)
    assert "sk-very-secret" not in repr(client)
    assert "sk-very-secret" not in repr(client.transport) + repr(client.transport.session.auth)


def test_a_client_is_a_context_manager() -> None:
    with Client(offline=True, cache_dir=False) as client:
        assert client.model("ltx-2-3-pro").id == "ltx-2-3-pro"


# The public names are checked against a written-down list in test_architecture.py.


def test_errors_inherit_the_matching_builtin() -> None:
    assert issubclass(schemadrive.PayloadInvalid, ValueError)
    assert issubclass(schemadrive.JobTimeout, TimeoutError)
    assert issubclass(schemadrive.ModelNotFound, LookupError)
    assert issubclass(schemadrive.NetworkError, ConnectionError)
    for name in schemadrive.__all__:
        value = getattr(schemadrive, name)
        if isinstance(value, type) and issubclass(value, Exception):
            assert issubclass(value, schemadrive.SchemadriveError)


def test_import_is_light() -> None:
    heavy = ("jsonschema", "requests", "hypothesis", "urllib3")
    code = f"import sys, schemadrive; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
