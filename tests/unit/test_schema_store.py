"""SchemaStore logic with an injected fetch function and clocks (no sockets; the HTTP
behaviour is covered against LocalHub in tests/integration/test_models.py)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from schemadrive.exceptions import HubError, ModelNotFound, NetworkError
from schemadrive.hub.store import Fetched, SchemaStore, cache_file_name

MODEL = {"id": "m", "json_request_schema": {"type": "object"}}


class Hub:
    """A fake fetch function that counts calls and records conditional headers."""

    def __init__(self, *, etag: str = '"v1"') -> None:
        self.calls: list[tuple[str, dict[str, str]]] = []
        self.etag = etag
        self.fail: Exception | None = None
        self.lock = threading.Lock()
        self.gate = threading.Event()
        self.gate.set()

    def __call__(self, model_id: str, conditional: dict[str, str]) -> Fetched:
        self.gate.wait(5)
        with self.lock:
            self.calls.append((model_id, dict(conditional)))
        if self.fail:
            raise self.fail
        if conditional.get("If-None-Match") == self.etag:
            return Fetched(304)
        return Fetched(200, {**MODEL, "id": model_id}, etag=self.etag)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make(hub: Hub, tmp_path: Path | None, clock: Clock, **kw) -> SchemaStore:
    return SchemaStore(
        hub,
        lambda i, info: info,
        base_url="http://hub.test",
        ttl=600,
        cache_dir=tmp_path,
        timer=clock,
        clock=clock,
        **kw,
    )


def test_warm_get_makes_no_request(tmp_path: Path) -> None:
    hub, clock = Hub(), Clock()
    store = make(hub, tmp_path, clock)
    first = store.get("m")
    assert store.get("m") is first
    assert len(hub.calls) == 1


def test_expired_entry_revalidates_with_a_conditional_request(tmp_path: Path) -> None:
    hub, clock = Hub(), Clock()
    store = make(hub, tmp_path, clock)
    store.get("m")
    clock.now += 601
    store.get("m")
    assert hub.calls[-1] == ("m", {"If-None-Match": '"v1"'})
    # a 304 refreshes the disk entry's age: the next expiry within the TTL needs no request
    clock.now += 601
    store.invalidate()
    hub.etag = '"v2"'
    store.get("m")
    assert len(hub.calls) == 3 and hub.calls[-1][1] == {"If-None-Match": '"v1"'}


def test_disk_cache_is_shared_across_stores(tmp_path: Path) -> None:
    hub, clock = Hub(), Clock()
    make(hub, tmp_path, clock).get("m")
    make(hub, tmp_path, clock).get("m")
    assert len(hub.calls) == 1


def test_fifty_threads_on_a_cold_model_make_one_request(tmp_path: Path) -> None:
    hub, clock = Hub(), Clock()
    hub.gate.clear()
    store = make(hub, tmp_path, clock)
    results: list[object] = []
    threads = [threading.Thread(target=lambda: results.append(store.get("m"))) for _ in range(50)]
    for thread in threads:
        thread.start()
    hub.gate.set()
    for thread in threads:
        thread.join(10)
    assert len(results) == 50 and len(hub.calls) == 1
    assert all(r is results[0] for r in results)


def test_corrupt_cache_file_is_ignored_and_replaced(tmp_path: Path) -> None:
    hub, clock = Hub(), Clock()
    store = make(hub, tmp_path, clock)
    store.get("m")
    path = store.cache_file("m")
    assert path is not None and path.exists()
    path.write_text("{not json")
    store2 = make(hub, tmp_path, clock)
    assert store2.get("m")["id"] == "m"
    assert len(hub.calls) == 2
    assert '"model_id": "m"' in path.read_text()


def test_stale_disk_entry_is_used_when_the_hub_is_unreachable(tmp_path: Path) -> None:
    hub, clock = Hub(), Clock()
    make(hub, tmp_path, clock).get("m")
    clock.now += 10_000
    hub.fail = NetworkError("down")
    assert make(hub, tmp_path, clock).get("m")["id"] == "m"
    hub.fail = ModelNotFound("m")
    with pytest.raises(ModelNotFound):
        make(hub, tmp_path, clock).get("m")


def test_errors_are_not_cached(tmp_path: Path) -> None:
    hub, clock = Hub(), Clock()
    store = make(hub, tmp_path, clock)
    hub.fail = HubError("boom", status=500)
    with pytest.raises(HubError):
        store.get("m")
    hub.fail = None
    assert store.get("m")["id"] == "m"


@pytest.mark.parametrize(
    "model_id",
    ["../../etc/passwd", "..", "a/b", "x?y=1", "with space", "Qwen/Qwen-Image", "ltx.2", "/abs"],
)
def test_model_ids_cannot_escape_the_cache_directory(tmp_path: Path, model_id: str) -> None:
    name = cache_file_name(model_id)
    assert "/" not in name and name not in (".", "..") and name.endswith(".json")
    hub, clock = Hub(), Clock()
    store = make(hub, tmp_path / "cache", clock)
    store.get(model_id)
    files = [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]
    assert len(files) == 1 and files[0].resolve().is_relative_to((tmp_path / "cache").resolve())


def test_cache_keys_include_the_base_url(tmp_path: Path) -> None:
    hub, clock = Hub(), Clock()
    SchemaStore(
        hub,
        lambda i, info: info,
        base_url="http://a.test",
        cache_dir=tmp_path,
        timer=clock,
        clock=clock,
    ).get("m")
    SchemaStore(
        hub,
        lambda i, info: info,
        base_url="http://b.test",
        cache_dir=tmp_path,
        timer=clock,
        clock=clock,
    ).get("m")
    assert len(hub.calls) == 2


def test_offline_uses_disk_cache_then_fixtures_and_never_fetches(tmp_path: Path) -> None:
    hub, clock = Hub(), Clock()
    make(hub, tmp_path, clock).get("m")
    clock.now += 10**6
    offline = make(hub, tmp_path, clock, offline=True)
    assert offline.get("m")["id"] == "m"
    assert offline.get("ltx-2-3-pro")["id"] == "ltx-2-3-pro"  # bundled fixture
    assert "x-schemadrive" not in offline.get("ltx-2-3-pro")
    with pytest.raises(ModelNotFound) as caught:
        offline.get("ltx-2-3-pr")
    assert "ltx-2-3-pro" in caught.value.suggestions
    assert len(hub.calls) == 1


def test_clear_disk_and_list(tmp_path: Path) -> None:
    hub, clock = Hub(), Clock()
    store = make(hub, tmp_path, clock)
    store.get("a")
    store.get("b")
    assert {e["model_id"] for e in store.cached_entries()} == {"a", "b"}
    assert store.clear_disk() == 2
    assert store.cached_entries() == []
