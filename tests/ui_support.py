"""What the playground's tests share: a model whose `basic` list is not its `x-order`, a page
served for a client of a LocalHub, and a reader of the page's event stream."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import requests

import schemadrive
from schemadrive.hub.recorded import load_model_objects
from schemadrive.testing import LocalHub
from schemadrive.ui.server import PlaygroundServer

#: Seconds a test waits for anything before failing: generous, never asserted as a duration.
PATIENCE = 10.0
#: A key that must never reach the page (LocalHub checks it like the hub checks a real one).
SECRET_KEY = "sk-playground-never-on-the-page-1234"

BASIC_MODEL = "playground-basic-test"
#: the order the page must show BASIC_MODEL's fields in: `basic` (and required) first, each
#: group in x-order (video_quality is 5, seed 7), then the rest in x-order under "Advanced"
BASIC_ORDER = ["prompt", "video_quality", "seed"]
ADVANCED_ORDER = [
    "num_frames",
    "resolution",
    "frames_per_second",
    "generate_audio",
    "negative_prompt",
]


def basic_model() -> dict[str, Any]:
    """The text-to-video fixture, renamed, whose schema lists `basic: [seed, video_quality]`
    (in the order opposite to their x-order, which must win)."""
    source = load_model_objects(None, provider="oxen")["ltx-2-3-quality-text-to-video"]
    model = copy.deepcopy(source)
    model["id"] = BASIC_MODEL
    model["display_name"] = "Playground test model"
    model["json_request_schema"]["basic"] = ["seed", "video_quality"]
    return model


@dataclass
class Page:
    hub: LocalHub
    client: schemadrive.Client
    server: PlaygroundServer

    @property
    def headers(self) -> dict[str, str]:
        return {"X-Schemadrive-Token": self.server.token}

    def get(self, path: str, **options: Any) -> requests.Response:
        options.setdefault("timeout", PATIENCE)
        return requests.get(self.server.base_url + path, headers=self.headers, **options)

    def post(self, path: str, **options: Any) -> requests.Response:
        options.setdefault("timeout", PATIENCE)
        return requests.post(self.server.base_url + path, headers=self.headers, **options)

    def events(self) -> Iterator[dict[str, Any]]:
        """The page's event stream, one job (as JSON) per event; bounded by PATIENCE between
        two events (the server's keep-alive comes every 15 s, so a silent stream fails)."""
        with requests.get(
            self.server.base_url + "/api/events",
            headers=self.headers,
            stream=True,
            timeout=(PATIENCE, PATIENCE),
        ) as response:
            assert response.status_code == 200, response.text
            assert response.headers["content-type"].startswith("text/event-stream")
            name = None
            for raw in response.iter_lines():
                line = raw.decode("utf-8")
                if line.startswith("event:"):
                    name = line.split(":", 1)[1].strip()
                elif line.startswith("data:") and name == "job":
                    yield json.loads(line.split(":", 1)[1])


def first(events: Iterator[dict[str, Any]], test: Callable[[dict[str, Any]], bool]) -> Any:
    """The first event that passes ``test`` (the stream's read timeout bounds the wait)."""
    for event in events:
        if test(event):
            return event
    raise AssertionError("the event stream ended before the expected event")


@contextmanager
def serve_page(
    *, model: str | None = None, clock: str | None = None, job_seconds: float = 0.3
) -> Iterator[Page]:
    """A LocalHub (with BASIC_MODEL added), a client for it, and the page served for it."""
    with LocalHub(api_key=SECRET_KEY, job_seconds=job_seconds, clock=clock) as hub:
        hub.add_model(basic_model())
        client = schemadrive.Client(
            SECRET_KEY, base_url=hub.url, cache_dir=False, poll_interval=0.05,
            max_poll_interval=0.2,
        )  # fmt: skip
        with client, PlaygroundServer(client, model=model) as server:
            yield Page(hub, client, server)
