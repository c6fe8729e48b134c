"""A damaged schema cache never crashes Client.model (issue 13 item 3), over real HTTP.

Each damaged entry is a cache miss: the model is fetched again from LocalHub and the entry
is rewritten. An unusable cache directory means memory only, with one warning.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from schemadrive import Client
from schemadrive._files import write_atomically
from schemadrive.testing import LocalHub

MODEL = "ltx-2-3-pro"


def model_gets(hub: LocalHub) -> int:
    return sum(1 for r in hub.requests if r.method == "GET" and r.path == f"/api/ai/models/{MODEL}")


def cached_file(hub: LocalHub, cache: Path) -> Path:
    with Client(hub.api_key, base_url=hub.url, cache_dir=cache) as client:
        client.model(MODEL)
        path = client.store.cache_file(MODEL)
    assert path is not None and path.is_file()
    return path


def entry(path: Path) -> dict:
    return json.loads(path.read_text())


DAMAGE = {
    "fetched_at is a word": lambda e: json.dumps({**e, "fetched_at": "yesterday"}),
    "fetched_at is null": lambda e: json.dumps({**e, "fetched_at": None}),
    "fetched_at is NaN": lambda e: json.dumps({**e, "fetched_at": float("nan")}),
    "the file is null": lambda e: "null",
    "deeply nested": lambda e: "[" * 100_000,
    "deeply nested and closed": lambda e: "[" * 100_000 + "]" * 100_000,
    "model is a list": lambda e: json.dumps({**e, "model": []}),
    "etag is a number": lambda e: json.dumps({**e, "etag": 5, "fetched_at": 0}),
    "not UTF-8": lambda e: b"\xff\xfe{",
    "empty": lambda e: "",
}


@pytest.mark.parametrize("damage", DAMAGE, ids=list(DAMAGE))
def test_a_damaged_entry_is_a_miss_and_is_replaced(
    hub: LocalHub, tmp_path: Path, damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    path = cached_file(hub, tmp_path)
    content = DAMAGE[damage](entry(path))
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    before = model_gets(hub)
    with (
        caplog.at_level(logging.INFO, logger="schemadrive"),
        Client(hub.api_key, base_url=hub.url, cache_dir=tmp_path) as client,
    ):
        model = client.model(MODEL)
    assert model.id == MODEL and model.schema["type"] == "object"
    assert model_gets(hub) == before + 1  # a miss: fetched again
    assert entry(path)["fetched_at"] > 0  # and the entry was rewritten whole
    if damage != "etag is a number":  # that one is usable (the etag is dropped), merely stale
        assert any("cache" in r.getMessage() for r in caplog.records)


def test_an_entry_naming_another_model_is_not_served(hub: LocalHub, tmp_path: Path) -> None:
    path = cached_file(hub, tmp_path)
    other = entry(path)
    other["model"] = {**other["model"], "id": "some-other-model", "name": "some-other-model"}
    path.write_text(json.dumps(other))
    before = model_gets(hub)
    with Client(hub.api_key, base_url=hub.url, cache_dir=tmp_path) as client:
        assert client.model(MODEL).id == MODEL
    assert model_gets(hub) == before + 1


def test_a_copied_entry_of_another_model_is_not_served(hub: LocalHub, tmp_path: Path) -> None:
    path = cached_file(hub, tmp_path)
    with Client(hub.api_key, base_url=hub.url, cache_dir=tmp_path) as client:
        other = client.store.cache_file("ltx-2-3-quality-text-to-video")
    assert other is not None
    other.write_bytes(path.read_bytes())  # the file of ltx-2-3-pro under another model's name
    with Client(hub.api_key, base_url=hub.url, cache_dir=tmp_path) as client:
        assert client.model("ltx-2-3-quality-text-to-video").id == "ltx-2-3-quality-text-to-video"


def test_an_unusable_cache_dir_falls_back_to_memory_with_one_warning(
    hub: LocalHub, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with (
        caplog.at_level(logging.WARNING, logger="schemadrive"),
        Client(hub.api_key, base_url=hub.url, cache_dir=blocker / "cache") as client,
    ):
        first = client.model(MODEL)
        assert client.model(MODEL) is first
        client.model("ltx-2-3-quality-text-to-video")
        assert client.store.directory is None
    warned = [r for r in caplog.records if "cannot be used" in r.getMessage()]
    assert len(warned) == 1 and warned[0].levelno == logging.WARNING
    assert model_gets(hub) == 1


def test_clear_leaves_other_processes_writes_in_progress(hub: LocalHub, tmp_path: Path) -> None:
    path = cached_file(hub, tmp_path)
    directory = path.parent
    # another process's write, half done: the temporary file write_atomically uses
    in_flight = directory / f".{path.name}.x8k2.part"
    in_flight.write_text('{"model_id": "ltx-2-3-pro", "half": ')
    other_tool = directory / "notes.json"  # not ours either: never deleted
    other_tool.write_text("{}")
    with Client(hub.api_key, base_url=hub.url, cache_dir=tmp_path) as client:
        assert client.store.clear_disk() == 1
    assert not path.exists() and in_flight.exists() and other_tool.exists()


def test_temporary_files_of_the_shared_writer_never_look_like_entries(tmp_path: Path) -> None:
    seen: list[list[str]] = []

    def check(size: int) -> None:  # runs while the temporary file exists, before the rename
        seen.append(sorted(p.name for p in tmp_path.glob("*.json")))

    write_atomically(tmp_path / "entry.json", b"{}", check=check)
    assert seen == [[]]
    assert [p.name for p in tmp_path.iterdir()] == ["entry.json"]
