"""SchemaStore: fetch a model object, keep it, and hand back the same compiled model fast.

Three layers, checked in order:

1. memory: a cachetools ``TTLCache`` (``ttl`` seconds, injectable timer) behind a lock, plus
   one lock per model id so 50 threads asking for the same cold model cause one request;
2. disk (:mod:`schemadrive.hub.diskcache`, the one owner of the layout): one JSON file per
   (base URL, model id), written atomically. A file younger than ``ttl`` is used as is; an
   older one is revalidated with ``If-None-Match`` / ``If-Modified-Since`` (a 304 costs no
   body). A damaged file is a miss and is replaced; an unusable directory means memory only.
   If the hub cannot be reached, a stale file is used rather than failing;
3. offline mode: no network at all: the disk cache regardless of age, then recorded fixtures.

Keys include the base URL, so two hubs never share an entry.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from cachetools import TTLCache

from ..exceptions import HubError, ModelNotFound, NetworkError, OfflineError
from .diskcache import DiskCache, cache_file_name
from .recorded import find_model_object, load_model_objects

__all__ = ["Fetched", "SchemaStore", "cache_file_name"]

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
        self.disk: DiskCache | None = None
        if cache_dir is not None:
            self.disk = DiskCache(cache_dir, provider=provider, base_url=self.base_url)

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

    def peek(self, model_id: str) -> T | None:
        """The built model for ``model_id`` when memory holds a fresh one, else None (no I/O:
        what an asyncio caller asks before deciding to fetch in a thread)."""
        with self._lock:
            return self._memory.get(model_id)

    def invalidate(self, model_id: str | None = None) -> None:
        """Forget the in-memory copy of one model (or all); the disk cache is kept."""
        with self._lock:
            if model_id is None:
                self._memory.clear()
            else:
                self._memory.pop(model_id, None)

    @property
    def directory(self) -> Path | None:
        """This hub's cache directory (None: no disk cache, or it proved unusable)."""
        return self.disk.directory if self.disk is not None else None

    def cache_file(self, model_id: str) -> Path | None:
        """The file that holds (or would hold) ``model_id``'s entry; None without a disk cache."""
        return self.disk.path(model_id) if self.disk is not None else None

    def clear_disk(self) -> int:
        """Delete this hub's finished cache entries (never another process's write in
        progress); return how many were removed."""
        removed = self.disk.clear() if self.disk is not None else 0
        self.invalidate()
        return removed

    def cached_entries(self) -> list[dict[str, Any]]:
        """What the disk cache holds for this hub: model_id, base_url, fetched_at, etag, file."""
        return [e.as_dict() for e in self.disk.entries()] if self.disk is not None else []

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
        if entry is not None and 0 <= self._clock() - entry["fetched_at"] < self.ttl:
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
            fetched = Fetched(200, entry["model"], entry.get("etag"), entry.get("last_modified"))
        if fetched.model is None:
            raise HubError(f"the hub sent no model object for {model_id!r}")
        if self.disk is not None:
            self.disk.write(
                model_id,
                fetched.model,
                fetched_at=self._clock(),
                etag=fetched.etag,
                last_modified=fetched.last_modified,
            )
        return dict(fetched.model)

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

    def _read_disk(self, model_id: str) -> dict[str, Any] | None:
        return self.disk.read(model_id) if self.disk is not None else None
