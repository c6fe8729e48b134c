"""Pure parts of dispatch: results from every reply form, chunking, atomic writes, progress,
status normalisation and the SubmitUncertain message. No sockets."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import pytest

from schemadrive.dispatch.dispatcher import chunk_sizes
from schemadrive.dispatch.downloads import save_file
from schemadrive.dispatch.job import gone_error
from schemadrive.dispatch.polling import is_transient
from schemadrive.dispatch.progress import ProgressLine, format_elapsed
from schemadrive.dispatch.results import Result, sniff_extension
from schemadrive.dispatch.submission import _uncertain
from schemadrive.exceptions import DownloadError, HubError, NetworkError, RateLimited
from schemadrive.hub.providers import OXEN
from schemadrive.hub.status import JobState, Status

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
MP4 = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 16


# -- results -------------------------------------------------------------------------------


def test_a_sync_video_reply() -> None:
    reply = {"model": "m", "created": 1, "videos": [{"url": "https://cdn/a.mp4?sig=1"}]}
    result = Result.from_reply(reply)
    assert result.urls == ["https://cdn/a.mp4?sig=1"] and result.model == "m"
    assert result.generation_id is None and result.raw is reply


def test_b64_json_outputs_are_decoded() -> None:
    reply = {"images": [{"b64_json": base64.b64encode(PNG).decode()}, {"url": "https://x/b.png"}]}
    result = Result.from_reply(reply, model="fallback")
    assert result.data == [PNG] and result.urls == ["https://x/b.png"]
    assert result.model == "fallback" and len(result) == 2


def test_legacy_single_url_replies() -> None:
    assert Result.from_reply({"video_url": "https://x/v.mp4"}).urls == ["https://x/v.mp4"]
    assert Result.from_reply({"image_url": "https://x/i.png"}).urls == ["https://x/i.png"]


def test_a_reply_that_is_not_an_object_is_a_hub_error() -> None:
    with pytest.raises(HubError):
        Result.from_reply(["not", "an", "object"])


def test_a_result_repr_hides_presigned_urls() -> None:
    result = Result(urls=["https://cdn/x.mp4?X-Amz-Signature=secret"], model="m", generation_id="g")
    assert "secret" not in repr(result) and "urls=1" in repr(result)


def test_inline_outputs_are_downloaded_without_the_network(tmp_path: Path) -> None:
    result = Result(data=[PNG, MP4], generation_id="gen-1")
    paths = result.download(tmp_path / "out")
    assert [p.name for p in paths] == ["gen-1-0.png", "gen-1-1.mp4"]
    assert [p.read_bytes() for p in paths] == [PNG, MP4]
    (single,) = Result(data=[PNG]).download(tmp_path / "pic.png")
    assert single == tmp_path / "pic.png"


@pytest.mark.parametrize(
    ("data", "extension"),
    [(PNG, ".png"), (MP4, ".mp4"), (b"\xff\xd8\xff\xe0", ".jpg"), (b"?", ".bin")],
)
def test_sniff_extension(data: bytes, extension: str) -> None:
    assert sniff_extension(data) == extension


def test_a_succeeded_state_becomes_a_result() -> None:
    row = {"generation_id": "g", "status": "succeeded", "model_name": "m", "result_url": "u"}
    result = Result.from_state(OXEN.state(row))
    assert (result.urls, result.model, result.generation_id) == (["u"], "m", "g")


# -- status normalisation (events and rows alike) ------------------------------------------


@pytest.mark.parametrize(
    "record",
    [
        {"generation_id": "g", "status": "succeeded", "model": "m", "url": "u"},
        {"generation_id": "g", "status": "succeeded", "model_name": "m", "result_url": "u"},
    ],
    ids=["event", "row"],
)
def test_event_and_row_field_names_normalise_alike(record: dict[str, str]) -> None:
    state = OXEN.state(record)
    assert (state.status, state.model, state.urls) == (Status.SUCCEEDED, "m", ("u",))


def test_failure_messages_from_either_field() -> None:
    assert OXEN.state({"generation_id": "g", "status": "failed", "error": "e"}).error == "e"
    assert OXEN.state({"generation_id": "g", "status": "failed", "error_message": "e"}).error == "e"


def test_unknown_status_words_are_not_terminal() -> None:
    state = OXEN.state({"generation_id": "g", "status": "warming_up"})
    assert state.status is Status.UNKNOWN and not state.terminal


# -- chunking, errors, atomic writes -------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "limit", "sizes"),
    [(1, 4, [1]), (4, 4, [4]), (10, 4, [4, 4, 2]), (200, 4, [4] * 50), (3, 1, [1, 1, 1])],
)
def test_chunk_sizes(count: int, limit: int, sizes: list[int]) -> None:
    assert chunk_sizes(count, limit) == sizes


def test_transient_poll_errors() -> None:
    assert is_transient(NetworkError("x")) and is_transient(RateLimited("x"))
    assert is_transient(HubError("x", status=503)) and not is_transient(HubError("x", status=401))


def test_the_gone_error_is_distinct() -> None:
    error = gone_error("g")
    assert error.generation_id == "g" and "existed" in str(error) and isinstance(error, LookupError)


def test_the_uncertain_message_says_what_is_known_and_how_to_check() -> None:
    error = _uncertain(
        "the hub answered 502", model_id="m", sent_at=0.0, check="`schemadrive jobs`"
    )
    text = str(error)
    assert (
        "may or may not" in text and "1970-01-01T00:00:00Z" in text and "`schemadrive jobs`" in text
    )
    assert error.model_id == "m" and error.submitted_at == 0.0


def test_write_atomically_checks_the_length_and_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(DownloadError):
        save_file(tmp_path, "a.bin", [b"abc"], expected=10)
    assert list(tmp_path.iterdir()) == []

    def broken() -> object:
        yield b"abc"
        raise OSError("disk on fire")

    with pytest.raises(OSError):
        save_file(tmp_path, "a.bin", broken())  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []
    assert save_file(tmp_path, "a.bin", [b"ab", b"c"], expected=3).read_bytes() == b"abc"
    assert save_file(tmp_path, "a.bin", [b"x"], unique=True).name == "a-1.bin"


# -- progress ------------------------------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_draws_one_line_on_a_terminal() -> None:
    now = [0.0]
    stream = Terminal()
    line = ProgressLine(2, stream=stream, clock=lambda: now[0])
    line.update(JobState("abcdef123456", Status.RUNNING, raw_status="processing"))
    now[0] = 75.0
    line.finished(JobState("abcdef123456", Status.SUCCEEDED, raw_status="succeeded"))
    line.close()
    text = stream.getvalue()
    assert text.count("\n") == 1 and "\r\x1b[K" in text
    assert "abcdef12 succeeded · 1:15 · 1/2 done" in text


def test_progress_is_silent_off_a_terminal() -> None:
    stream = io.StringIO()
    line = ProgressLine(stream=stream)
    line.update(JobState("g", Status.QUEUED))
    line.close()
    assert stream.getvalue() == ""


def test_format_elapsed() -> None:
    assert [format_elapsed(s) for s in (0, 59.9, 61, 3725)] == ["0:00", "0:59", "1:01", "1:02:05"]
