"""The API key stays secret, and downloads are complete or absent.

The key appears in no log line (every logger at DEBUG, urllib3 included), no exception and no
repr, and is never sent to the second server (the "CDN") that serves results, whether the hub
links to it directly or redirects to it.
"""

from __future__ import annotations

import http.server
import logging
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from schemadrive import Client
from schemadrive.dispatch.results import Result
from schemadrive.exceptions import (
    DownloadError,
    JobFailed,
    JobTimeout,
    SchemadriveError,
    SubmitUncertain,
)
from schemadrive.testing import LocalHub

KEY = "sk-live-DO-NOT-LEAK-4242"
PATIENCE = 20.0
T2V = "ltx-2-3-quality-text-to-video"


def texts_of(error: BaseException) -> list[str]:
    """str and repr of an error and of everything it was chained from."""
    found: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = error
    stack = [error]
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        found += [str(current), repr(current), *(repr(a) for a in current.args)]
        stack += [current.__cause__, current.__context__]  # type: ignore[list-item]
    return found


@pytest.fixture
def client_of() -> Iterator[Callable[[LocalHub], Client]]:
    clients: list[Client] = []

    def make(hub: LocalHub) -> Client:
        client = Client(api_key=KEY, base_url=hub.url, cache_dir=False)
        client.dispatcher.settings.poll_interval = 0.05
        client.dispatcher.settings.max_poll_interval = 0.1
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.mark.parametrize("results", ["cdn", "redirect"])
def test_the_key_never_leaks(
    client_of: Callable[[LocalHub], Client],
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
    results: str,
) -> None:
    caplog.set_level(logging.DEBUG)  # the root logger: urllib3's lines too
    errors: list[BaseException] = []
    with LocalHub(api_key=KEY, job_seconds=0.2, results=results) as hub:
        assert hub.cdn is not None
        client = client_of(hub)
        synced = client.run(T2V, prompt="a fox")
        queued = client.submit(T2V, prompt="a fox")
        by_events = queued.wait(timeout=PATIENCE, via="events")
        polled = client.submit(T2V, prompt="a fox").wait(timeout=PATIENCE, via="poll")
        files = [
            *synced.download(tmp_path),
            *by_events.download(tmp_path),
            *polled.download(tmp_path),
        ]
        assert len(files) == 3 and all(f.stat().st_size > 0 for f in files)

        def uncertain() -> None:
            hub.faults.reset_after(path="/api/ai/queue")
            client.submit(T2V, prompt="a fox")

        def failed() -> None:
            hub.fail_next("Insufficient credits")
            client.submit(T2V, prompt="a fox").wait(timeout=PATIENCE)

        def too_late() -> None:
            client.submit(T2V, prompt="a fox").wait(timeout=0.0, via="poll")

        def not_downloaded() -> None:
            assert hub.cdn is not None
            hub.cdn.faults.add(method="GET", status=404, times=None)
            by_events.download(tmp_path / "again")

        def wrong_key() -> None:  # the error is built from the hub's reply, never the key
            Client(api_key="wrong-" + KEY[:3], base_url=hub.url, cache_dir=False).run(
                T2V, prompt="a"
            )

        for failure in (uncertain, failed, too_late, not_downloaded, wrong_key):
            with pytest.raises(SchemadriveError) as caught:
                failure()
            errors.append(caught.value)
        kinds = [type(e) for e in errors]
        assert kinds[:4] == [SubmitUncertain, JobFailed, JobTimeout, DownloadError]

        shown = [repr(client), repr(client.dispatcher), repr(client.transport), repr(queued)]
        shown += [repr(synced), repr(by_events), repr(client.dispatcher.listener())]
        shown += [repr(client.dispatcher.downloader)]
        for text in shown + [t for e in errors for t in texts_of(e)]:
            assert KEY not in text
        assert caplog.records and KEY not in caplog.text and "Bearer" not in caplog.text

        cdn_requests = list(hub.cdn.requests)
        assert len(cdn_requests) >= 4 and not any(r.has_authorization for r in cdn_requests)
        # every hub request carried the key, but the one request of the wrong-key client
        assert [r.authorized for r in hub.requests].count(False) == 1


# -- downloads -----------------------------------------------------------------------------


class _ShortBodyHandler(http.server.BaseHTTPRequestHandler):
    """Announces 1000 bytes, sends 10, and closes the connection."""

    protocol_version = "HTTP/1.1"
    seen_authorization: list[str | None] = []

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        type(self).seen_authorization.append(self.headers.get("Authorization"))
        self.send_response(200)
        self.send_header("Content-Type", "video/mp4")
        self.send_header("Content-Length", "1000")
        self.end_headers()
        self.wfile.write(b"0123456789")
        self.wfile.flush()
        self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


@pytest.fixture
def short_body_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _ShortBodyHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=PATIENCE)


def test_a_short_download_raises_and_leaves_nothing(
    short_body_server: str, tmp_path: Path, hub: LocalHub
) -> None:
    client = Client(api_key=KEY, base_url=hub.url, cache_dir=False)
    result = Result(
        urls=[short_body_server + "/x.mp4?sig=1"], downloader=client.dispatcher.downloader
    )
    with pytest.raises(DownloadError) as caught:
        result.download(tmp_path)
    assert "nothing was saved" in str(caught.value) and "sig=" not in str(caught.value)
    assert list(tmp_path.iterdir()) == []
    assert _ShortBodyHandler.seen_authorization[-1] is None  # not the hub: no key
    client.close()


def test_a_bad_content_length_on_the_cdn(
    client_of: Callable[[LocalHub], Client], tmp_path: Path
) -> None:
    # A LocalHub fault adds its Content-Length beside the real one (two unmatching values);
    # the short-body server above is the plain mismatch.
    with LocalHub(api_key=KEY, job_seconds=0.2, results="cdn") as hub:
        assert hub.cdn is not None
        result = client_of(hub).run(T2V, prompt="a fox")
        hub.cdn.faults.add(
            method="GET", status=200, body=b"short", headers={"Content-Length": "4096"}
        )
        with pytest.raises(DownloadError):
            result.download(tmp_path / "out")
        assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []
        assert result.download(tmp_path / "out")  # and a retry succeeds


def test_download_names(
    hub: LocalHub, client_of: Callable[[LocalHub], Client], tmp_path: Path
) -> None:
    hub_client = Client(api_key=hub.api_key, base_url=hub.url, cache_dir=False)
    try:
        job = hub_client.submit(T2V, prompt="a fox")
        result = job.wait(timeout=PATIENCE)
        (first,) = result.download(tmp_path)
        (second,) = result.download(tmp_path)  # never overwrites in a directory
        assert first.name == f"{job.id}.mp4" and second.name == f"{job.id}-1.mp4"
        (named,) = result.download(tmp_path / "clips" / "fox.mp4")
        assert named == tmp_path / "clips" / "fox.mp4" and named.read_bytes() == first.read_bytes()
        assert not [p for p in tmp_path.rglob("*") if p.name.endswith(".part")]
    finally:
        hub_client.close()
