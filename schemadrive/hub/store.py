"""SchemaStore: fetch a model object, keep it, and hand back the same compiled model fast.

Three layers, checked in order:

1. memory: a cachetools ``TTLCache`` (``ttl`` seconds, injectable timer) behind a lock, plus
   one lock per model id so 50 threads asking for the same cold model cause one request;
2. disk: one JSON file per (base URL, model id) in the cache directory, written atomically.
   A file younger than ``ttl`` is used as is; an older one is revalidated with
   ``If-None-Match`` / ``If-Modified-Since`` (a 304 costs no body). A corrupt file is ignored
   and replaced. If the hub cannot be reached, a stale file is used rather than failing;
3. offline mode: no network at all: the disk cache regardless of age, then recorded fixtures.

Keys include the base URL, so two hubs never share an entry. File names are derived from a
hash of the id, so no model id (``..``, ``/``, ``?``, spaces) can leave the cache directory.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from cachetools import TTLCache

from ..exceptions import HubError, ModelNotFound, NetworkError, OfflineError
from .recorded import find_model_object, load_model_objects

__all__ = ["Fetched", "SchemaStore"]

log = logging.getLogger("schemadrive")
T = TypeVar("T")


@dataclass(frozen=True)
class Fetched:
    """What a fetch returned: 200 with a body, or 304 (not modified) with none."""

    status: int
    model: dict[str, Any] | None = None
    etag: str | None = None
    last_modified: str | None = None


#: fetch(model_id, conditional_headers) -> Fetched; raises ModelNotFound, HubError, NetworkError
Fetch = Callable[[str, dict[str, str]], Fetched]


def cache_file_name(model_id: str) -> str:
    """A file name safe for any id: a readable slug plus a hash of the exact id."""
    slug = re.sub(r"[^A-Za-z0-9_-]+", "_", model_id).strip("_")[:60] or "model"
    digest = hashlib.sha256(model_id.encode("utf-8")).hexdigest()[:16]
    return f"{slug}-{digest}.json"


class SchemaStore(Generic[T]):
    """Cached access to model objects, each turned once into a ``T`` by ``build``.

    All times are in seconds. ``timer`` (monotonic) drives the memory TTL and ``clock``
    (wall time) the disk TTL; both are injectable so expiry is tested without sleeping.
    """

    def __init__(
        self,
        fetch: Fetch | None,
        build: Callable[[str, dict[str, Any]], T],
        *,
        base_url: str,
        provider: str = "oxen",
        ttl: float = 600.0,
        cache_dir: str | Path | None = None,
        offline: bool = False,
        fixture_dirs: tuple[str | Path, ...] = (),
        maxsize: int = 1024,
        timer: Callable[[], float] = time.monotonic,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._fetch = fetch
        self._build = build
        self.base_url = base_url.rstrip("/")
        self.provider = provider
        self.ttl = ttl
        self.offline = offline
        self.fixture_dirs = tuple(fixture_dirs)
        self._clock = clock
        self._memory: TTLCache[str, T] = TTLCache(maxsize=maxsize, ttl=ttl, timer=timer)
        self._lock = threading.Lock()
        self._key_locks: dict[str, threading.Lock] = {}
        self.directory: Path | None = None
        if cache_dir is not None:
            hub = hashlib.sha256(self.base_url.encode()).hexdigest()[:12]
            self.directory = Path(cache_dir) / provider / hub

    # -- public -----------------------------------------------------------------------------
    def get(self, model_id: str) -> T:
        """The built model for ``model_id``, from the nearest layer that has a fresh copy."""
        with self._lock:
            found = self._memory.get(model_id)
        if found is not None:
            return found
        with self._key_lock(model_id):
            with self._lock:
                found = self._memory.get(model_id)
            if found is not None:
                return found
            built = self._build(model_id, self._load(model_id))
            with self._lock:
                self._memory[model_id] = built
            return built

    def invalidate(self, model_id: str | None = None) -> None:
        """Forget the in-memory copy of one model (or all); the disk cache is kept."""
        with self._lock:
            if model_id is None:
                self._memory.clear()
            else:
                self._memory.pop(model_id, None)

    def clear_disk(self) -> int:
        """Delete this hub's cache files; return how many were removed."""
        removed = 0
        if self.directory and self.directory.is_dir():
            for path in self.directory.glob("*.json"):
                try:
                    path.unlink()
                    removed += 1
                except OSError:
                    pass
        self.invalidate()
        return removed

    def cached_entries(self) -> list[dict[str, Any]]:
        """What the disk cache holds for this hub: model id, fetched_at, etag, file."""
        entries = []
        if self.directory and self.directory.is_dir():
            for path in sorted(self.directory.glob("*.json")):
                entry = self._read_file(path)
                if entry is not None:
                    entries.append(
                        {
                            "model_id": entry.get("model_id"),
                            "fetched_at": entry.get("fetched_at"),
                            "etag": entry.get("etag"),
                            "file": str(path),
                        }
                    )
        return entries

    # -- layers -----------------------------------------------------------------------------
    def _key_lock(self, model_id: str) -> threading.Lock:
        with self._lock:
            return self._key_locks.setdefault(model_id, threading.Lock())

    def _load(self, model_id: str) -> dict[str, Any]:
        entry = self._read_disk(model_id)
        if self.offline:
            if entry is not None:
                return dict(entry["model"])
            return self._from_fixtures(model_id)
        if entry is not None and self._clock() - float(entry.get("fetched_at", 0)) < self.ttl:
            return dict(entry["model"])
        conditional: dict[str, str] = {}
        if entry is not None:
            if entry.get("etag"):
                conditional["If-None-Match"] = str(entry["etag"])
            if entry.get("last_modified"):
                conditional["If-Modified-Since"] = str(entry["last_modified"])
        if self._fetch is None:
            raise OfflineError("no way to fetch models: this store has no fetch function")
        try:
            fetched = self._fetch(model_id, conditional)
        except (NetworkError, HubError) as exc:
            if entry is not None and not isinstance(exc, ModelNotFound):
                log.warning("using the cached schema of %s: the hub failed: %s", model_id, exc)
                return dict(entry["model"])
            raise
        if fetched.status == 304 and entry is not None:
            entry["fetched_at"] = self._clock()
            self._write_disk(model_id, entry)
            return dict(entry["model"])
        if fetched.model is None:
            raise HubError(f"the hub sent no model object for {model_id!r}")
        self._write_disk(
            model_id,
            {
                "model_id": model_id,
                "base_url": self.base_url,
                "fetched_at": self._clock(),
                "etag": fetched.etag,
                "last_modified": fetched.last_modified,
                "model": fetched.model,
            },
        )
        return fetched.model

    def _from_fixtures(self, model_id: str) -> dict[str, Any]:
        found = find_model_object(model_id, provider=self.provider, directories=self.fixture_dirs)
        if found is not None:
            return {k: v for k, v in found.items() if k != "x-schemadrive"}
        import difflib

        known: set[str] = set()
        for directory in (*self.fixture_dirs, None):
            known.update(load_model_objects(directory, provider=self.provider))
        close = difflib.get_close_matches(model_id, sorted(known), n=3, cutoff=0.5)
        raise ModelNotFound(
            model_id,
            suggestions=close,
            status=None,
            detail="offline: not in the disk cache nor in the recorded fixtures",
        )

    def _path(self, model_id: str) -> Path | None:
        return self.directory / cache_file_name(model_id) if self.directory else None

    @staticmethod
    def _read_file(path: Path) -> dict[str, Any] | None:
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(entry, dict) or not isinstance(entry.get("model"), dict):
            return None
        return entry

    def _read_disk(self, model_id: str) -> dict[str, Any] | None:
        path = self._path(model_id)
        if path is None or not path.is_file():
            return None
        entry = self._read_file(path)
        if (
            entry is None
            or entry.get("model_id") != model_id
            or entry.get("base_url") != self.base_url
        ):
            log.info("ignoring a corrupt or foreign cache file: %s", path)
            return None
        return entry

    def _write_disk(self, model_id: str, entry: dict[str, Any]) -> None:
        path = self._path(model_id)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=path.parent)
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(entry, stream)
            os.replace(temporary, path)
        except OSError as exc:  # a read-only or full disk must not break a run
            log.warning("could not write the schema cache %s: %s", path, exc)
            with contextlib.suppress(OSError, UnboundLocalError):
                os.unlink(temporary)
