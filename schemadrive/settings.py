"""Where a client's settings come from: arguments, then environment, then config files.

* API key: the argument, else ``$OXEN_API_KEY`` (the provider's variable), else the oxen CLI's
  ``~/.config/oxen/auth_config.toml`` entry for the hub's host.
* Base URL: the argument, else ``$SCHEMADRIVE_BASE_URL``, else the provider's default.
* Offline: the argument, else ``$SCHEMADRIVE_OFFLINE=1``.
* Cache directory: the argument, else ``$SCHEMADRIVE_CACHE_DIR``, else the user cache
  directory (``$XDG_CACHE_HOME/schemadrive`` or ``~/.cache/schemadrive``).
* Times (:data:`TIME_SETTINGS`): the argument, else ``$SCHEMADRIVE_<NAME>``, else the
  default. All times are in seconds.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .exceptions import ConfigurationError

__all__ = [
    "TIME_SETTINGS",
    "api_key_from_oxen_config",
    "cache_dir_setting",
    "check_base_url",
    "default_cache_dir",
    "env_flag",
    "fixture_dirs_setting",
    "key_hint",
    "key_locations",
    "resolve_api_key",
    "time_setting",
    "time_settings",
    "timeout_setting",
]

#: The times a user tunes: Client argument -> (environment variable, default, what it is).
#: All in seconds. docs/providers.md "Settings" documents them.
TIME_SETTINGS: dict[str, tuple[str, float, str]] = {
    "poll_interval": (
        "SCHEMADRIVE_POLL_INTERVAL",
        2.0,
        "first interval between two status requests while polling (it then backs off)",
    ),
    "max_poll_interval": (
        "SCHEMADRIVE_MAX_POLL_INTERVAL",
        30.0,
        "the longest interval polling backs off to",
    ),
    "wait_timeout": (
        "SCHEMADRIVE_WAIT_TIMEOUT",
        3600.0,
        "the deadline of a wait given no timeout (inf: none)",
    ),
    "run_timeout": (
        "SCHEMADRIVE_RUN_TIMEOUT",
        960.0,
        "the read timeout of a sync run (one request lasting the whole generation)",
    ),
    "schema_ttl": (
        "SCHEMADRIVE_SCHEMA_TTL",
        600.0,
        "how long a fetched model object is used before it is revalidated (0: always)",
    ),
}


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


def key_hint(env_var: str, key_sources: str, base_url: str, *, has_key: bool) -> str:
    """What an authentication error adds: with a key, where to set a valid one; with none,
    every place that was looked in (so "no key" never reads like "a wrong key")."""
    if has_key:
        return f"set a valid key in {env_var}{key_sources}"
    where = key_locations(env_var, base_url, oxen_config=bool(key_sources))
    return f"looked in {where}; set one in ${env_var}"


def key_locations(env_var: str, base_url: str, *, oxen_config: bool) -> str:
    """Where :func:`resolve_api_key` looks for a key, for a "no key was found" message."""
    places = [f"the api_key argument, ${env_var}"]
    if oxen_config:
        host = urlsplit(base_url).hostname or base_url
        places.append(f"the oxen CLI's config {_oxen_config_path()} (an entry for {host})")
    return ", ".join(places)


def _parse_seconds(text: str, *, name: str, allow_zero: bool, allow_inf: bool) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ConfigurationError(f"{name} must be a number of seconds, not {text!r}") from None
    return _checked_seconds(value, name=name, allow_zero=allow_zero, allow_inf=allow_inf)


def _checked_seconds(value: Any, *, name: str, allow_zero: bool, allow_inf: bool) -> float:
    import math

    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and not math.isnan(value)
    if ok and math.isinf(value):
        ok = allow_inf and value > 0
    if ok:
        ok = value >= 0 if allow_zero else value > 0
    if not ok:
        least = ">= 0" if allow_zero else "> 0"
        raise ConfigurationError(f"{name} must be a number of seconds {least}, not {value!r}")
    return float(value)


def time_setting(name: str, value: float | None) -> float:
    """A time in :data:`TIME_SETTINGS`: ``value`` when given, else its environment variable,
    else its default. ConfigurationError (naming the argument or variable) for a value that
    is not a number of seconds > 0 (``schema_ttl`` may be 0, ``wait_timeout`` ``inf``)."""
    env_var, default, _ = TIME_SETTINGS[name]
    allow_zero, allow_inf = name == "schema_ttl", name == "wait_timeout"
    if value is not None:
        return _checked_seconds(value, name=name, allow_zero=allow_zero, allow_inf=allow_inf)
    text = os.environ.get(env_var, "").strip()
    if text:
        return _parse_seconds(text, name=f"${env_var}", allow_zero=allow_zero, allow_inf=allow_inf)
    return default


def timeout_setting(
    value: float | tuple[float, float] | None, default: tuple[float, float]
) -> float | tuple[float, float]:
    """The (connect, read) timeout: ``value``, else ``$SCHEMADRIVE_TIMEOUT`` (``60`` or
    ``5,60``), else ``default``. ConfigurationError for anything but seconds > 0."""
    if value is None:
        text = os.environ.get("SCHEMADRIVE_TIMEOUT", "").strip()
        if not text:
            return default
        parts = [
            _parse_seconds(p, name="$SCHEMADRIVE_TIMEOUT", allow_zero=False, allow_inf=False)
            for p in text.split(",")
        ]
        if len(parts) > 2:
            raise ConfigurationError(
                f"$SCHEMADRIVE_TIMEOUT must be SECONDS or CONNECT,READ, not {text!r}"
            )
        return parts[0] if len(parts) == 1 else (parts[0], parts[1])
    values = value if isinstance(value, tuple) else (value,)
    try:
        if len(values) not in (1, 2):
            raise ConfigurationError("a pair at most")
        for item in values:
            _checked_seconds(item, name="timeout", allow_zero=False, allow_inf=False)
    except ConfigurationError:
        raise ConfigurationError(
            f"timeout must be seconds > 0, or a (connect, read) pair of them, not {value!r}"
        ) from None
    return value


def time_settings(**values: float | None) -> dict[str, float]:
    """Every time in :data:`TIME_SETTINGS` resolved by :func:`time_setting` (``values`` by
    name; names left out or None come from the environment or the default)."""
    unknown = set(values) - set(TIME_SETTINGS)
    if unknown:
        raise ConfigurationError(f"unknown time settings: {', '.join(sorted(unknown))}")
    return {name: time_setting(name, values.get(name)) for name in TIME_SETTINGS}


def cache_dir_setting(cache_dir: str | Path | bool | None) -> Path | None:
    """The schema cache directory: None for ``False`` (no disk cache), the default
    (``$SCHEMADRIVE_CACHE_DIR`` or the user cache directory) for None or True."""
    if cache_dir is False:
        return None
    if cache_dir is None or cache_dir is True:
        return default_cache_dir()
    return Path(cache_dir).expanduser()


def fixture_dirs_setting(
    fixtures: str | Path | tuple[str | Path, ...] | None,
) -> tuple[str | Path, ...]:
    """Directories of recorded model objects, as a tuple (one directory or several)."""
    if fixtures is None:
        return ()
    if isinstance(fixtures, (str, Path)):
        return (fixtures,)
    return tuple(fixtures)


def check_base_url(url: str) -> None:
    """An http(s) URL with a host and a valid port, or ConfigurationError."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError as exc:
        raise ConfigurationError(f"base URL {url!r} is not a valid URL: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(f"base URL must be http(s)://host[:port], not {url!r}")
