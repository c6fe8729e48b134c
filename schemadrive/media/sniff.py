"""A file's media type from its first bytes (its signature), not from its name. Pure.

A table of signatures, tested one by one (tests/unit/test_media_sniff.py), rather than a
dependency: the kinds a generative model takes (images, audio, video) need about thirty
entries, and the core install stays light. Formats the table does not know give ``None``;
the caller then falls back to the file name's extension (see :func:`media_type_of`).
"""

from __future__ import annotations

import mimetypes

__all__ = ["HEAD_BYTES", "kind_of", "media_type_of", "sniff"]

#: How many leading bytes :func:`sniff` needs to decide.
HEAD_BYTES = 512

# (offset, signature, media type): the first match wins, so longer and more specific
# signatures come before shorter ones they share a prefix with.
_SIGNATURES: tuple[tuple[int, bytes, str], ...] = (
    (0, b"\x89PNG\r\n\x1a\n", "image/png"),
    (0, b"\xff\xd8\xff", "image/jpeg"),
    (0, b"GIF87a", "image/gif"),
    (0, b"GIF89a", "image/gif"),
    (0, b"II*\x00", "image/tiff"),
    (0, b"MM\x00*", "image/tiff"),
    (0, b"\x00\x00\x01\x00", "image/x-icon"),
    (0, b"ID3", "audio/mpeg"),
    (0, b"fLaC", "audio/flac"),
    (0, b"#!AMR", "audio/amr"),
    (0, b"MThd", "audio/midi"),
    (0, b"\x1aE\xdf\xa3", "video/x-matroska"),  # EBML; WebM is told apart below
    (0, b"%PDF-", "application/pdf"),
)

# RIFF and FORM containers: the form type at offset 8
_RIFF = {b"WEBP": "image/webp", b"WAVE": "audio/wav", b"AVI ": "video/x-msvideo"}
_FORM = {b"AIFF": "audio/aiff", b"AIFC": "audio/aiff"}

# ISO base media (MP4 family): the major brand of the ftyp box at offset 8
_BRANDS = {
    b"avif": "image/avif", b"avis": "image/avif",
    b"heic": "image/heic", b"heix": "image/heic", b"heim": "image/heic", b"heis": "image/heic",
    b"mif1": "image/heif", b"msf1": "image/heif",
    b"M4A ": "audio/mp4", b"M4B ": "audio/mp4", b"M4P ": "audio/mp4", b"F4A ": "audio/mp4",
    b"qt  ": "video/quicktime",
    b"3gp4": "video/3gpp", b"3gp5": "video/3gpp", b"3gp6": "video/3gpp", b"3g2a": "video/3gpp2",
}  # fmt: skip


def _mpeg_audio(head: bytes) -> str | None:
    """An MPEG audio frame header (MP3 without ID3 tag) or an AAC ADTS header."""
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return None
    layer = (head[1] >> 1) & 0b11
    if layer == 0b00:  # the layer bits are 00 only in ADTS (AAC)
        return "audio/aac" if head[1] & 0xF6 == 0xF0 else None
    bitrate, rate = head[2] >> 4, (head[2] >> 2) & 0b11
    if (head[1] >> 3) & 0b11 == 0b01 or bitrate in (0, 0b1111) or rate == 0b11:
        return None  # reserved version, free or bad bitrate, reserved sample rate
    return "audio/mpeg"


def _ogg(head: bytes) -> str:
    if b"theora" in head[:128] or b"\x80theora" in head:
        return "video/ogg"
    return "audio/ogg"


def sniff(head: bytes) -> str | None:
    """The media type that ``head`` (a file's first :data:`HEAD_BYTES` bytes) starts like,
    or None when no signature matches."""
    for offset, signature, media_type in _SIGNATURES:
        if head.startswith(signature, offset):
            if media_type == "video/x-matroska" and b"webm" in head[:64]:
                return "video/webm"
            return media_type
    if head[:4] == b"RIFF" and len(head) >= 12:
        return _RIFF.get(head[8:12])
    if head[:4] == b"FORM" and len(head) >= 12:
        return _FORM.get(head[8:12])
    if head[:4] == b"OggS":
        return _ogg(head)
    if head[4:8] == b"ftyp" and len(head) >= 12:
        return _BRANDS.get(head[8:12], "video/mp4")  # isom, mp41, mp42, avc1, dash, ...
    if head[:2] == b"BM" and len(head) >= 18 and head[6:10] == b"\x00\x00\x00\x00":
        return "image/bmp"  # "BM" alone is too common: the reserved bytes must be zero
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"<svg") or (text.startswith(b"<?xml") and b"<svg" in text):
        return "image/svg+xml"
    return _mpeg_audio(head)


def media_type_of(head: bytes, name: str | None = None) -> tuple[str, bool]:
    """``(media type, sniffed)``: from the bytes when a signature matches (``sniffed`` True),
    else from ``name``'s extension, else ``application/octet-stream``."""
    found = sniff(head)
    if found is not None:
        return found, True
    if name:
        guessed, _ = mimetypes.guess_type(name, strict=False)
        if guessed:
            return guessed, False
    return "application/octet-stream", False


def kind_of(media_type: str) -> str | None:
    """``image``, ``audio`` or ``video`` for a media type of one of those kinds, else None."""
    major = media_type.split("/", 1)[0].strip().lower()
    return major if major in ("image", "audio", "video") else None
