"""LocalHub fixtures for the integration tests.

``hub``: Oxen flavour on the wall clock with short jobs (0.2 s), for tests that let jobs run by
themselves (a client's ``wait()``); ``manual_hub``: Oxen flavour on a manual clock, for tests
that decide when each transition happens; ``gmi_hub``: GMI Cloud flavour on a manual clock.
``listen(hub)`` opens its event stream; ``connect(hub)`` gives a ``requests.Session`` that
sends the hub's key and takes paths; ``api`` is one on ``manual_hub``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from schemadrive.testing import LocalHub

#: Seconds a test waits for anything before failing: generous, never asserted as a duration.
PATIENCE = 10.0


class HubSession(requests.Session):
    """A Session bound to one hub: ``session.get("/api/ai/models")``, key included."""

    def __init__(self, hub: LocalHub, *, key: str | None = None) -> None:
        super().__init__()
        self.base_url = hub.url
        self.headers["Authorization"] = f"Bearer {hub.api_key if key is None else key}"

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        url = str(url)
        if url.startswith("/"):
            url = self.base_url + url
        kwargs.setdefault("timeout", PATIENCE)
        return super().request(method, url, *args, **kwargs)


@pytest.fixture
def hub() -> Iterator[LocalHub]:
    with LocalHub(job_seconds=0.2) as running:
        yield running


@pytest.fixture
def manual_hub() -> Iterator[LocalHub]:
    with LocalHub(clock="manual", job_seconds=10) as running:
        yield running


@pytest.fixture
def gmi_hub() -> Iterator[LocalHub]:
    with LocalHub(provider="gmicloud", clock="manual", job_seconds=10) as running:
        yield running


@pytest.fixture
def connect() -> Iterator[Callable[..., HubSession]]:
    """``connect(hub, key=None)``: a HubSession, closed after the test."""
    sessions: list[HubSession] = []

    def make(hub: LocalHub, *, key: str | None = None) -> HubSession:
        sessions.append(HubSession(hub, key=key))
        return sessions[-1]

    yield make
    for session in sessions:
        session.close()


@pytest.fixture
def api(manual_hub: LocalHub, connect: Callable[..., HubSession]) -> HubSession:
    """A session on ``manual_hub``."""
    return connect(manual_hub)


class EventReader:
    """An open ``GET /api/events`` stream, read block by block (``requests`` underneath).

    Every read waits at most ``PATIENCE`` seconds (the socket's read timeout), so a test that
    expects an event that never comes fails instead of hanging.
    """

    def __init__(self, hub: LocalHub, *, key: str | None = None) -> None:
        self.response = requests.get(
            hub.url + "/api/events",
            headers={"Authorization": f"Bearer {hub.api_key if key is None else key}"},
            stream=True,
            timeout=PATIENCE,
        )
        self._lines = self.response.iter_lines(decode_unicode=True)

    def next_block(self) -> tuple[str, Any]:
        """``("comment", text)`` or ``(event name, data as parsed JSON)``."""
        name, data = None, None
        for line in self._lines:
            if line.startswith(":"):
                return "comment", line[1:].strip()
            if line.startswith("event:"):
                name = line.partition(":")[2].strip()
            elif line.startswith("data:"):
                data = json.loads(line.partition(":")[2].strip())
            elif line == "" and name is not None:
                return name, data
        raise EOFError("the stream ended")

    def next_event(self, name: str = "media_generation_completed") -> Any:
        """The data of the next event called ``name`` (others and comments skipped)."""
        while True:
            kind, data = self.next_block()
            if kind == name:
                return data

    def close(self) -> None:
        self.response.close()


@pytest.fixture
def listen() -> Iterator[Callable[..., EventReader]]:
    """``listen(hub, key=None)``: an open EventReader, closed after the test."""
    readers: list[EventReader] = []

    def make(hub: LocalHub, *, key: str | None = None) -> EventReader:
        readers.append(EventReader(hub, key=key))
        return readers[-1]

    yield make
    for reader in readers:
        reader.close()
