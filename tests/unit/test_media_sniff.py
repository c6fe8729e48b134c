"""Media types from a file's first bytes: every signature of the table, and what is not one."""

from __future__ import annotations

import pytest

from schemadrive.media.sniff import kind_of, media_type_of, sniff
from schemadrive.testing.inputs import mp3_bytes, wav_bytes
from schemadrive.testing.media import mp4_bytes, png_bytes

# One head per signature, written out by hand from each format's specification.
HEADS = [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "image/jpeg"),
    (b"GIF87a\x01\x00", "image/gif"),
    (b"GIF89a\x01\x00", "image/gif"),
    (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "image/webp"),
    (b"II*\x00\x08\x00\x00\x00", "image/tiff"),
    (b"MM\x00*\x00\x00\x00\x08", "image/tiff"),
    (b"BM\x36\x00\x0c\x00\x00\x00\x00\x00\x36\x00\x00\x00\x28\x00\x00\x00", "image/bmp"),
    (b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00", "image/avif"),
    (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00", "image/heic"),
    (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>', "image/svg+xml"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "image/svg+xml"),
    (b"ID3\x04\x00\x00\x00\x00\x00\x00", "audio/mpeg"),
    (b"\xff\xfb\x90\xc4\x00\x00", "audio/mpeg"),  # MPEG-1 layer III frame, no tag
    (b"\xff\xf3\x64\xc4\x00\x00", "audio/mpeg"),  # MPEG-2 layer III
    (b"\xff\xf1\x50\x80\x02\x1f\xfc", "audio/aac"),  # ADTS
    (b"RIFF\x24\x00\x00\x00WAVEfmt ", "audio/wav"),
    (b"OggS\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x01\x1eOpusHead", "audio/ogg"),
    (b"OggS\x00\x02" + bytes(22) + b"\x80theora", "video/ogg"),
    (b"fLaC\x00\x00\x00\x22", "audio/flac"),
    (b"FORM\x00\x00\x00\x00AIFFCOMM", "audio/aiff"),
    (b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00", "audio/mp4"),
    (b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00", "video/mp4"),
    (b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00", "video/mp4"),
    (b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00", "video/quicktime"),
    (b"\x1aE\xdf\xa3\x9fB\x86\x81\x01B\xf7\x81\x01B\xf2\x81\x04B\xf3\x81\x08B\x82\x84webm",
     "video/webm"),
    (b"\x1aE\xdf\xa3\xa3B\x86\x81\x01B\x82\x88matroska", "video/x-matroska"),
    (b"RIFF\x24\x00\x00\x00AVI LIST", "video/x-msvideo"),
    (b"%PDF-1.7\n", "application/pdf"),
]  # fmt: skip


@pytest.mark.parametrize(("head", "expected"), HEADS, ids=[e for _, e in HEADS])
def test_each_signature_gives_its_media_type(head: bytes, expected: str) -> None:
    assert sniff(head) == expected


@pytest.mark.parametrize(
    "head",
    [
        b"",
        b"hello, world",
        b"BM not a bitmap at all",  # "BM" alone is not enough
        b"\xff\xff\xff\xff",  # all ones: reserved MPEG version and bitrate
        b"\xff\xfb\xf0\x00",  # bad bitrate index
        b"RIFF\x24\x00\x00\x00XXXX",
        b'{"a": 1}',
    ],
)
def test_other_bytes_match_no_signature(head: bytes) -> None:
    assert sniff(head) is None


def test_the_files_tests_generate_are_recognised() -> None:
    assert sniff(png_bytes()[:512]) == "image/png"
    assert sniff(mp4_bytes()[:512]) == "video/mp4"
    assert sniff(mp3_bytes()[:512]) == "audio/mpeg"
    assert sniff(mp3_bytes(tag=False)[:512]) == "audio/mpeg"
    assert sniff(wav_bytes()[:512]) == "audio/wav"


def test_the_bytes_win_over_the_name() -> None:
    assert media_type_of(png_bytes()[:512], "song.mp3") == ("image/png", True)


def test_the_name_is_the_fallback_and_says_so() -> None:
    assert media_type_of(b"unknown bytes", "notes.txt") == ("text/plain", False)
    assert media_type_of(b"unknown bytes", "clip.mp3") == ("audio/mpeg", False)
    assert media_type_of(b"unknown bytes", None) == ("application/octet-stream", False)
    assert media_type_of(b"unknown bytes", "no-extension") == ("application/octet-stream", False)


def test_kind_of() -> None:
    assert kind_of("image/png") == "image"
    assert kind_of("audio/mpeg") == "audio"
    assert kind_of("video/mp4") == "video"
    assert kind_of("application/pdf") is None
