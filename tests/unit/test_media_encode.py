"""data: URIs built in chunks, read back, and shown without their content."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemadrive.media import display_payload, display_value, human_size
from schemadrive.media.encode import (
    DataURIError,
    check_data_uri,
    decode_data_uri,
    encode_data_uri,
    encoded_length,
)


@pytest.mark.parametrize("size", [0, 1, 2, 3, 4, 5, 3 * 7 + 1, 1000, 3 * 1024 * 1024 + 2])
def test_the_uri_is_the_standard_base64_of_the_bytes(size: int) -> None:
    data = bytes((i * 7 + 3) % 256 for i in range(size))
    uri = encode_data_uri(io.BytesIO(data), "audio/mpeg", size)
    # the expected value is built by the standard library, not by the code under test
    assert uri == "data:audio/mpeg;base64," + base64.b64encode(data).decode("ascii")
    assert len(uri) == encoded_length(size, "audio/mpeg")
    assert decode_data_uri(uri) == ("audio/mpeg", data)


class ShortReads(io.RawIOBase):
    """A file that returns at most 5 bytes per read (as pipes and sockets may)."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        return self._data.read(min(5, size if size >= 0 else 5))


def test_short_reads_still_encode_correctly() -> None:
    data = bytes(range(256)) * 3
    uri = encode_data_uri(ShortReads(data), "image/png", len(data))  # type: ignore[arg-type]
    assert uri == "data:image/png;base64," + base64.b64encode(data).decode()


def test_a_file_that_ends_early_is_an_oserror() -> None:
    with pytest.raises(OSError, match="ended after 3 of 10 bytes"):
        encode_data_uri(io.BytesIO(b"abc"), "image/png", 10)


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        ("data:image/png;base64,abc", "malformed"),  # length not a multiple of 4
        ("data:image/png;base64,ab!d", "malformed"),
        ("data:image/png;base64,ab=d", "malformed"),
        ("data:image/png,abcd", "not base64"),
        ("data:image/png;base64", "header"),
        ("image/png;base64,abcd", "header"),
        ("data:image/png;base64,é===", "malformed"),
    ],
)
def test_malformed_uris_are_refused(uri: str, message: str) -> None:
    with pytest.raises(DataURIError, match=message):
        decode_data_uri(uri)
    with pytest.raises(DataURIError):
        check_data_uri(uri)


def test_parameters_in_the_header_are_allowed() -> None:
    assert decode_data_uri("data:text/plain;charset=utf-8;base64,aGk=") == ("text/plain", b"hi")


def test_a_data_uri_is_shown_by_its_header_and_size() -> None:
    uri = "data:audio/mpeg;base64," + base64.b64encode(bytes(1_234_567)).decode()
    assert display_value(uri) == "data:audio/mpeg;base64,… (1.2 MB)"
    assert display_value("data:,hi") == "data:,hi"  # short: shown whole
    assert display_value("https://example.com/a.png") == "https://example.com/a.png"


def test_other_blobs_are_shown_without_content() -> None:
    assert display_value(bytes(2500)) == "<2.5 kB of bytes>"
    assert display_value(Path("song.mp3")) == "@song.mp3"
    assert display_value(io.BytesIO(b"x")) == "<file BytesIO>"
    assert display_value(42) == 42


def test_a_payload_is_shown_without_any_blob_at_any_depth() -> None:
    blob = "data:image/png;base64," + "A" * 4000
    shown = display_payload({"prompt": "a cat", "images": [blob], "nested": {"x": blob}})
    assert shown == {
        "prompt": "a cat",
        "images": ["data:image/png;base64,… (3.0 kB)"],
        "nested": {"x": "data:image/png;base64,… (3.0 kB)"},
    }
    assert "AAAA" not in repr(shown)


@pytest.mark.parametrize(
    ("size", "text"),
    [(0, "0 B"), (999, "999 B"), (1000, "1.0 kB"), (1_234_567, "1.2 MB"),
     (999_999_999, "1.0 GB"), (52_428_800, "52.4 MB"), (3 * 10**12, "3.0 TB")],
)  # fmt: skip
def test_human_size(size: int, text: str) -> None:
    assert human_size(size) == text


def test_problems_show_a_data_uri_by_its_type_and_size() -> None:
    from schemadrive import validate

    schema = {"type": "object", "properties": {"n": {"type": "integer"}}}
    blob = "data:audio/mpeg;base64," + "A" * 4000
    (problem,) = validate(schema, {"n": blob})
    assert "data:audio/mpeg;base64,… (3.0 kB)" in problem.message
    assert "AAAA" not in str(problem)


def test_an_excerpt_of_a_hub_reply_shows_an_echoed_data_uri_by_type_and_size() -> None:
    from schemadrive.hub.replies import excerpt

    blob = "data:audio/mpeg;base64," + "QUJD" * 1000
    shown = excerpt(f'{{"error": {{"message": "bad input_audio {blob} (too short)"}}}}')
    assert "data:audio/mpeg;base64,… (3.0 kB) (too short)" in shown
    assert "QUJDQUJD" not in shown


@given(data=st.binary(max_size=5000), chunk=st.integers(min_value=1, max_value=7))
def test_any_bytes_read_in_any_steps_round_trip(data: bytes, chunk: int) -> None:
    class Steps(io.RawIOBase):
        def __init__(self) -> None:
            self._data = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def read(self, size: int = -1) -> bytes:
            return self._data.read(min(chunk, size if size >= 0 else chunk))

    uri = encode_data_uri(Steps(), "application/octet-stream", len(data))  # type: ignore[arg-type]
    assert uri == "data:application/octet-stream;base64," + base64.b64encode(data).decode()
    assert decode_data_uri(uri) == ("application/octet-stream", data)


def test_checking_a_long_data_uri_copies_none_of_it() -> None:
    import tracemalloc

    uri = "data:video/mp4;base64," + "QUJD" * 1_000_000  # 4 MB of text
    tracemalloc.start()
    try:
        assert check_data_uri(uri) == "video/mp4"
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 100_000
