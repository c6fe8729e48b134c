"""The schema cache on disk: the ONE place that knows its layout and file format.

Layout: ``<root>/<provider>/<hash of the base URL>/<slug>-<hash of the id>.json``, one file
per (hub, model). Each file is a JSON object::

    {"model_id", "base_url", "fetched_at" (Unix seconds), "etag", "last_modified",
     "declared_id" (the id the model object itself names), "model" (the model object)}

Reading never raises: a file that is missing, unreadable, not JSON, nested too deeply, of
the wrong shape, or about another model or hub is a cache miss (logged). A root that cannot
be used at all (a path through a regular file, no permission) switches the cache off for
this client with ONE warning (``schemadrive`` logger), and the client goes on with its memory cache.

Temporary files (:mod:`schemadrive._files`) never match the entry pattern, so listing and
clearing see finished entries only, never another process's write in progress.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._files import write_atomically
from .recorded import model_id_of

__all__ = ["CacheEntry", "DiskCache", "cache_file_name", "clear_every_entry", "every_entry"]

log = logging.getLogger("schemadrive")

#: a finished entry's file name (what cache_file_name makes); nothing else is ours to delete
ENTRY_NAME = re.compile(r"[A-Za-z0-9_-]+-[0-9a-f]{16}\.json")
#: larger files are not read (a model object is a few kB; this bounds memory and time)
MAX_ENTRY_BYTES = 16 * 1024 * 1024


def cache_file_name(model_id: str) -> str:
    """A file name safe for any id: a readable slug plus a hash of the exact id."""
    slug = re.sub(r"[^A-Za-z0-9_-]+", "_", model_id).strip("_")[:60] or "model"
    digest = hashlib.sha256(model_id.encode("utf-8")).hexdigest()[:16]
    return f"{slug}-{digest}.json"


def hub_directory(root: Path, provider: str, base_url: str) -> Path:
    """Where one hub's entries live under ``root``."""
    hub = hashlib.sha256(base_url.rstrip("/").encode()).hexdigest()[:12]
    return root / provider / hub


@dataclass(frozen=True)
class CacheEntry:
    """A finished, readable cache entry: what ``schemadrive cache list`` shows."""

    model_id: str
    base_url: str
    fetched_at: float
    etag: str | None
    file: Path

    def as_dict(self) -> dict[str, Any]:
        return {
            "model_id": self.model_id,
            "base_url": self.base_url,
            "fetched_at": self.fetched_at,
            "etag": self.etag,
            "file": str(self.file),
        }


def read_entry(path: Path) -> dict[str, Any] | None:
    """A cache file's content when it has the right shape; None for anything else."""
    try:
        if path.stat().st_size > MAX_ENTRY_BYTES:
            return None
        entry = json.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError, RecursionError, UnicodeDecodeError) as exc:
        log.info("ignoring an unreadable cache file %s: %s", path, type(exc).__name__)
        return None
    if not isinstance(entry, dict) or not isinstance(entry.get("model"), dict):
        return None
    fetched_at = entry.get("fetched_at")
    if isinstance(fetched_at, bool) or not isinstance(fetched_at, (int, float)):
        return None
    if not math.isfinite(fetched_at):
        return None
    if not isinstance(entry.get("model_id"), str) or not isinstance(entry.get("base_url"), str):
        return None
    for key in ("etag", "last_modified", "declared_id"):
        if entry.get(key) is not None and not isinstance(entry[key], str):
            entry[key] = None
    return entry


def _entry_files(directory: Path, pattern: str) -> list[Path]:
    try:
        return sorted(p for p in directory.glob(pattern) if ENTRY_NAME.fullmatch(p.name))
    except OSError:
        return []


def every_entry(root: Path) -> list[CacheEntry]:
    """Every readable entry of every hub under ``root``."""
    found = []
    for path in _entry_files(root, "*/*/*.json"):
        entry = read_entry(path)
        if entry is not None:
            found.append(_summary(entry, path))
    return found


def clear_every_entry(root: Path) -> int:
    """Delete every finished entry of every hub under ``root``; return how many."""
    return _unlink_entries(_entry_files(root, "*/*/*.json"))


def _summary(entry: dict[str, Any], path: Path) -> CacheEntry:
    return CacheEntry(
        entry["model_id"], entry["base_url"], float(entry["fetched_at"]), entry.get("etag"), path
    )


def _unlink_entries(paths: list[Path]) -> int:
    removed = 0
    for path in paths:
        if read_entry(path) is None:  # only files that are ours
            continue
        try:
            path.unlink()
            removed += 1
        except OSError:
            pass
    return removed


class DiskCache:
    """One hub's entries under ``root``. Thread-safe; never raises for a damaged cache."""

    def __init__(self, root: str | Path, *, provider: str, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.directory: Path | None = hub_directory(Path(root), provider, self.base_url)
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"DiskCache({str(self.directory) if self.directory else 'off'!r})"

    def _give_up(self, action: str, exc: OSError) -> None:
        """Switch the disk cache off (once) after the directory proved unusable."""
        with self._lock:
            directory, self.directory = self.directory, None
        if directory is not None:  # one warning per client, on the library's logger
            log.warning(
                "the schema cache directory %s cannot be used (%s: %s); caching in memory only",
                directory,
                action,
                exc.strerror or exc,
            )

    def path(self, model_id: str) -> Path | None:
        """The entry file for ``model_id`` (None once the cache is off)."""
        return self.directory / cache_file_name(model_id) if self.directory else None

    def read(self, model_id: str) -> dict[str, Any] | None:
        """The entry for ``model_id``, or None (missing or damaged: a miss, logged)."""
        directory = self.directory
        if directory is None:
            return None
        path = directory / cache_file_name(model_id)
        try:
            path.stat()
        except (FileNotFoundError, NotADirectoryError) as exc:
            if isinstance(exc, NotADirectoryError) or not _is_dir_or_missing(directory):
                self._give_up("reading", exc)
            return None
        except OSError as exc:  # EACCES on a directory on the way, a loop, ...
            self._give_up("reading", exc)
            return None
        entry = read_entry(path)
        if entry is None:
            log.info("ignoring a damaged cache file for %s: %s", model_id, path)
            return None
        declared = model_id_of(entry["model"])
        if (
            entry["model_id"] != model_id
            or entry["base_url"] != self.base_url
            or declared not in (None, model_id, entry.get("declared_id"))
        ):
            log.info("ignoring a cache file about another model or hub: %s", path)
            return None
        return entry

    def write(
        self,
        model_id: str,
        model: dict[str, Any],
        *,
        fetched_at: float,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> None:
        """Store ``model`` for ``model_id`` (a failure is logged, never raised)."""
        directory = self.directory
        if directory is None:
            return
        entry = {
            "model_id": model_id,
            "base_url": self.base_url,
            "fetched_at": fetched_at,
            "etag": etag,
            "last_modified": last_modified,
            "declared_id": model_id_of(model),
            "model": model,
        }
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self._give_up("creating it", exc)
            return
        try:
            write_atomically(directory / cache_file_name(model_id), json.dumps(entry))
        except (OSError, ValueError, RecursionError) as exc:  # a full disk must not break a run
            log.warning("could not write the schema cache for %s: %s", model_id, exc)

    def entries(self) -> list[CacheEntry]:
        """This hub's readable entries."""
        if self.directory is None:
            return []
        found = []
        for path in _entry_files(self.directory, "*.json"):
            entry = read_entry(path)
            if entry is not None and entry["base_url"] == self.base_url:
                found.append(_summary(entry, path))
        return found

    def clear(self) -> int:
        """Delete this hub's finished entries (never a write in progress); return how many."""
        if self.directory is None:
            return 0
        return _unlink_entries(_entry_files(self.directory, "*.json"))


def _is_dir_or_missing(directory: Path) -> bool:
    """True when ``directory`` is a directory or simply does not exist yet (both fine)."""
    try:
        directory.stat()
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return directory.is_dir()
