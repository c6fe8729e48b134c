"""What a user sees while waiting and submitting (issue 15 items 2, 3, 5, 8): the status line
ticks whatever the way of waiting and says when the hub is unreachable, downloads report
bytes, ``num_generations`` is honoured or refused before anything is sent, and the
``schemadrive`` logger tells method, URL, status and timing at DEBUG, never the key.
"""

from __future__ import annotations

import io
import logging
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from schemadrive import Client
from schemadrive.dispatch.progress import ProgressLine
from schemadrive.exceptions import ConfigurationError, PayloadInvalid, SchemadriveError
from schemadrive.testing import LocalHub

T2V = "ltx-2-3-quality-text-to-video"
QUEUE = "/api/ai/queue"
PATIENCE = 20.0


@pytest.fixture
def hub() -> Iterator[LocalHub]:
    with LocalHub(clock="manual", job_seconds=10) as running:
        yield running


@pytest.fixture
def client(hub: LocalHub) -> Iterator[Client]:
    with Client(api_key=hub.api_key, base_url=hub.url, cache_dir=False) as made:
        yield made


def manual(client: Client, hub: LocalHub) -> Client:
    """Waits measured and slept on the hub's manual clock (no real sleeping)."""
    client.dispatcher.clock = hub.clock.now
    client.dispatcher.sleep = hub.advance
    return client


def line_on(clock: object) -> tuple[ProgressLine, io.StringIO]:
    stream = io.StringIO()
    return ProgressLine(stream=stream, clock=clock, enabled=True), stream  # type: ignore[arg-type]


def draws(stream: io.StringIO) -> list[str]:
    return [part for part in stream.getvalue().split("\r\x1b[K") if part]


# -- the status line ------------------------------------------------------------------------


def test_the_line_ticks_every_second_while_polling(hub: LocalHub, client: Client) -> None:
    manual(client, hub)
    client.dispatcher.settings.poll_interval = 8.0  # polls far apart: the line must not freeze
    client.dispatcher.settings.max_poll_interval = 8.0
    client.dispatcher.settings.listen = False
    line, stream = line_on(hub.clock.now)
    job = client.submit(T2V, prompt="a kite")
    job.wait(timeout=600, via="poll", progress=line)
    elapsed = [line_text for line_text in draws(stream) if "0:" in line_text]
    seconds = {m.group(0) for text in elapsed for m in re.finditer(r"\d+:\d\d", text)}
    # the job takes 10 s on the hub's clock: a redraw for (nearly) every second of it
    assert len(seconds) >= 9


def test_the_line_ticks_while_waiting_on_events(hub: LocalHub, client: Client) -> None:
    clock_reads: list[int] = []
    line, stream = line_on(lambda: float(len(clock_reads.append(1) or clock_reads)))
    job = client.submit(T2V, prompt="a kite")
    listener = client.dispatcher.listener()
    assert listener is not None and listener.ensure_connected(PATIENCE) is not None
    client.dispatcher.settings.reconcile_interval = 3600  # no poll: only the stream and ticks
    finished = []

    def finish_later(_: object) -> None:
        if len(draws(stream)) >= 3 and not finished:
            finished.append(True)
            hub.finish_all()

    original = line.tick

    def tick() -> None:
        original()
        finish_later(None)

    line.tick = tick  # type: ignore[method-assign]
    job.wait(timeout=PATIENCE, via="events", progress=line)
    assert finished and len(draws(stream)) >= 3  # the line moved before the event came


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_line_says_the_hub_is_unreachable_and_the_wait_gives_up() -> None:
    base = f"http://127.0.0.1:{closed_port()}"
    with Client(api_key="k", base_url=base, cache_dir=False) as client:
        client.dispatcher.settings.unreachable_timeout = 0.5
        line, stream = line_on(client.dispatcher.clock)
        with pytest.raises(SchemadriveError, match="has not answered"):
            client.job("abc").wait(timeout=3600, via="poll", progress=line)
    assert any("hub unreachable since" in text for text in draws(stream))


def test_downloads_report_bytes(hub: LocalHub, client: Client, tmp_path: Path) -> None:
    job = client.submit(T2V, prompt="a kite")
    hub.finish_all()
    result = job.wait(timeout=PATIENCE, via="poll")
    seen: list[tuple[int, int | None]] = []
    (saved,) = result.download(tmp_path, on_bytes=lambda done, total: seen.append((done, total)))
    size = saved.stat().st_size
    assert seen[0][0] == 0 and seen[-1][0] == size > 0
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    assert all(total in (None, size) for _, total in seen)
    line, stream = line_on(lambda: 0.0)
    line.transfer(1536, 3 * 1024 * 1024)
    assert "1.5 KB of 3.0 MB" in draws(stream)[-1]


# -- num_generations ------------------------------------------------------------------------


def test_num_generations_makes_that_many_jobs_in_queue_mode(hub: LocalHub, client: Client) -> None:
    jobs = client.submit_many(T2V, {"prompt": "a kite", "num_generations": 3}, count=3)
    assert len({job.id for job in jobs}) == 3 == len(hub.jobs)
    (post,) = hub.requests.filter("POST", QUEUE)
    assert post.body["num_generations"] == 3


def test_submit_refuses_several_generations_before_sending(hub: LocalHub, client: Client) -> None:
    with pytest.raises(ConfigurationError, match="submit_many"):
        client.submit(T2V, prompt="a kite", num_generations=2)
    assert hub.requests.filter("POST") == []
    assert client.submit(T2V, prompt="a kite", num_generations=1).id  # one is one


@pytest.mark.parametrize("value", [5, 0, -1, 2.5, "2", True, None])
def test_num_generations_out_of_range_is_a_problem_before_sending(
    hub: LocalHub, client: Client, value: object
) -> None:
    for call in (
        lambda: client.submit_many(T2V, {"prompt": "a kite", "num_generations": value}, count=1),
        lambda: client.run(T2V, prompt="a kite", num_generations=value),
    ):
        with pytest.raises(PayloadInvalid) as caught:
            call()
        assert [p.path for p in caught.value.problems] == ["$.num_generations"]
    assert hub.requests.filter("POST") == []


def test_count_and_num_generations_must_agree(hub: LocalHub, client: Client) -> None:
    with pytest.raises(ConfigurationError, match="disagree"):
        client.submit_many(T2V, {"prompt": "a kite", "num_generations": 2}, count=3)
    assert hub.requests.filter("POST") == []


def test_a_sync_run_sends_num_generations_as_given() -> None:
    with (
        LocalHub(job_seconds=0.1) as live,
        Client(api_key=live.api_key, base_url=live.url, cache_dir=False) as client,
    ):
        client.run(T2V, prompt="a kite", num_generations=2)
        (post,) = live.requests.filter("POST")
    assert post.path != QUEUE and post.body["num_generations"] == 2


# -- logging --------------------------------------------------------------------------------


def test_the_logger_tells_method_url_status_and_timing_never_the_key(
    hub: LocalHub, client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="schemadrive")
    client.dispatcher.settings.listen = False
    job = client.submit(T2V, prompt="a secret prompt")
    job.status()
    lines = [r.getMessage() for r in caplog.records if r.name == "schemadrive"]
    assert any(re.fullmatch(rf"GET {hub.url}{QUEUE}/\S+ -> 200 in \d+\.\d+ s", x) for x in lines)
    assert any(re.fullmatch(rf"POST {hub.url}{QUEUE} -> 200 in \d+\.\d+ s", x) for x in lines)
    assert hub.api_key not in caplog.text and "a secret prompt" not in caplog.text


# -- the CLI's queue-mode run: the stream only when the wait uses it (issue 15 item 1) --------


@pytest.mark.parametrize("flags", [["--no-wait"], ["--via", "poll"]])
def test_run_that_does_not_wait_on_events_sends_no_events_request(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, flags: list[str]
) -> None:
    from schemadrive.cli import main

    with LocalHub(job_seconds=0.1) as live:
        monkeypatch.setenv("OXEN_API_KEY", live.api_key)
        monkeypatch.setenv("SCHEMADRIVE_BASE_URL", live.url)
        monkeypatch.setenv("SCHEMADRIVE_CACHE_DIR", str(tmp_path / "cache"))
        out, err = io.StringIO(), io.StringIO()
        argv = ["run", T2V, "prompt=a red kite", "--mode", "queue", *flags]
        code = main(argv, stdout=out, stderr=err)
        assert code == 0, err.getvalue()
        assert len(live.requests.filter("POST", QUEUE)) == 1
        assert live.requests.filter("GET", "/api/events") == []
