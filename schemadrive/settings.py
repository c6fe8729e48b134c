"""Where a client's settings come from: arguments, then environment, then config files.

* API key: the argument, else ``$OXEN_API_KEY`` (the provider's variable), else the oxen CLI's
  ``~/.config/oxen/auth_config.toml`` entry for the hub's host.
* Base URL: the argument, else ``$SCHEMADRIVE_BASE_URL``, else the provider's default.
* Offline: the argument, else ``$SCHEMADRIVE_OFFLINE=1``.
* Cache directory: the argument, else ``$SCHEMADRIVE_CACHE_DIR``, else the user cache
  directory (``$XDG_CACHE_HOME/schemadrive`` or ``~/.cache/schemadrive``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

__all__ = ["api_key_from_oxen_config", "default_cache_dir", "env_flag", "resolve_api_key"]


def env_flag(name: str) -> bool | None:
    """``1/true/yes/on`` -> True, ``0/false/no/off`` -> False, unset or empty -> None."""
    value = os.environ.get(name, "").strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    return None


def default_cache_dir() -> Path:
    """The user cache directory for schemadrive."""
    configured = os.environ.get("SCHEMADRIVE_CACHE_DIR")
    if configured:
        return Path(configured).expanduser()
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "schemadrive"
    if os.name == "nt":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "schemadrive" / "Cache"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "schemadrive"


def _oxen_config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "oxen" / "auth_config.toml"


def _load_toml(path: Path) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def api_key_from_oxen_config(base_url: str, path: Path | None = None) -> str | None:
    """The ``auth_token`` the oxen CLI stored for the base URL's host, if any.

    The file looks like ``[[host_configs]] host = "hub.oxen.ai" auth_token = "..."``.
    """
    host = (urlsplit(base_url).hostname or "").lower()
    port = urlsplit(base_url).port
    config = _load_toml(path or _oxen_config_path())
    entries = config.get("host_configs")
    if not isinstance(entries, list):
        return None
    wanted = {host, f"{host}:{port}"} if port else {host}
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        entry_host = str(entry.get("host", "")).lower()
        entry_host = (
            urlsplit(entry_host).hostname or entry_host if "//" in entry_host else entry_host
        )
        token = entry.get("auth_token")
        if entry_host in wanted and isinstance(token, str) and token:
            return token
    return None


def resolve_api_key(api_key: str | None, *, env_var: str, base_url: str) -> str | None:
    """The key to use: argument, environment, then the oxen CLI's config for this host."""
    if api_key:
        return api_key
    from_env = os.environ.get(env_var, "").strip()
    if from_env:
        return from_env
    return api_key_from_oxen_config(base_url)
