"""The event-stream decoder: pure, bytes in and events out."""

from __future__ import annotations

import json

import pytest

from schemadrive.dispatch.sse import Event, EventDecoder, iter_events

HUB_STREAM = (
    b": keep-alive\n\n"
    b"event: deployment_status_changed\n"
    b'data: {"deployment":"x","status":"active"}\n\n'
    b"event: media_generation_completed\n"
    b'data: {"generation_id":"g1","status":"succeeded","model":"m","url":"https://cdn/x.mp4"}\n\n'
    b": keep-alive\n\n"
    b"event: media_generation_completed\n"
    b'data: {"generation_id":"g2","status":"failed","error":"Insufficient credits"}\n\n'
)


def decode_all(chunks: list[bytes | str]) -> list[Event]:
    return list(iter_events(chunks))


def test_the_hubs_documented_stream() -> None:
    events = decode_all([HUB_STREAM])
    assert [e.event for e in events] == [
        "deployment_status_changed",
        "media_generation_completed",
        "media_generation_completed",
    ]
    assert json.loads(events[1].data)["url"] == "https://cdn/x.mp4"
    assert json.loads(events[2].data)["error"] == "Insufficient credits"


@pytest.mark.parametrize("size", [1, 2, 3, 7, 64])
def test_any_chunking_gives_the_same_events(size: int) -> None:
    whole = decode_all([HUB_STREAM])
    pieces = [HUB_STREAM[i : i + size] for i in range(0, len(HUB_STREAM), size)]
    assert decode_all(pieces) == whole


@pytest.mark.parametrize("newline", [b"\n", b"\r\n", b"\r"])
def test_line_endings(newline: bytes) -> None:
    raw = HUB_STREAM.replace(b"\n", newline)
    assert decode_all([raw]) == decode_all([HUB_STREAM])
    # and split exactly between the CR and the LF of a CRLF
    assert decode_all([raw[i : i + 1] for i in range(len(raw))]) == decode_all([HUB_STREAM])


def test_data_with_and_without_the_space() -> None:
    events = decode_all([b"event:x\ndata:{}\n\nevent: x\ndata: {}\n\n"])
    assert events == [Event("x", "{}"), Event("x", "{}")]


def test_only_one_leading_space_is_dropped() -> None:
    (event,) = decode_all([b"data:   three\n\n"])
    assert event.data == "  three"


def test_multi_line_data_is_joined_with_newlines() -> None:
    (event,) = decode_all([b'event: e\ndata: {\ndata:  "a": 1\ndata: }\n\n'])
    assert event.data == '{\n "a": 1\n}'
    assert json.loads(event.data) == {"a": 1}


def test_comments_and_keep_alives_are_skipped() -> None:
    assert decode_all([b": keep-alive\n\n:\n\n: anything at all\n\n"]) == []


def test_an_event_without_data_is_not_dispatched() -> None:
    assert decode_all([b"event: lonely\n\n"]) == []


def test_the_default_event_name_is_message() -> None:
    (event,) = decode_all([b"data: hi\n\n"])
    assert event.event == "message"


def test_id_carries_over_and_retry_is_read() -> None:
    decoder = EventDecoder()
    events = decoder.feed(b"id: 7\nretry: 1500\ndata: a\n\ndata: b\n\nretry: x\n\n")
    assert [(e.data, e.id, e.retry) for e in events] == [("a", "7", 1500), ("b", "7", None)]
    assert decoder.last_id == "7"
    assert decoder.retry == 1500  # an invalid retry is ignored


def test_unknown_fields_and_a_line_without_colon_are_ignored() -> None:
    (event,) = decode_all([b"foo: bar\ndata\ndata: x\n\n"])
    # "data" without a colon is a field named data with an empty value
    assert event.data == "\nx"


def test_an_event_cut_by_the_end_of_the_stream_is_dropped() -> None:
    decoder = EventDecoder()
    assert decoder.feed(b'event: media_generation_completed\ndata: {"generation_id"') == []
    assert decoder.close() == []


def test_utf8_split_across_chunks_and_a_bom() -> None:
    raw = "\ufeffdata: café ☕\n\n".encode()
    pieces = [raw[i : i + 1] for i in range(len(raw))]
    (event,) = decode_all(pieces)
    assert event.data == "café ☕"


def test_text_chunks_work_too() -> None:
    assert decode_all(["data: a\n", "\n"]) == [Event("message", "a")]
