"""``data:`` URIs: built from a file in chunks, and read back. Pure (no HTTP).

:func:`encode_data_uri` never holds the whole file: it reads it in chunks and appends each
chunk's base64 to the URI, so the peak is the URI itself (4/3 of the file) and one chunk, about
1.4 times the file, against 2.7 for ``"data:...," + base64.b64encode(path.read_bytes()).decode()``
(measured by tests/benchmarks/bench_files.py).
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import BinaryIO

__all__ = [
    "CHUNK_BYTES",
    "DataURIError",
    "check_data_uri",
    "decode_data_uri",
    "encode_data_uri",
    "encoded_length",
    "split_data_uri",
]

#: Bytes read per step: a multiple of 3, so each chunk encodes without padding.
CHUNK_BYTES = 3 * 256 * 1024

_HEADER = re.compile(r"data:([\w.+-]+/[\w.+-]+)?((?:;[\w.+-]+=[^;,]*)*)(;base64)?,", re.ASCII)
_BASE64_TEXT = re.compile(r"[A-Za-z0-9+/]*={0,2}", re.ASCII)


class DataURIError(ValueError):
    """A ``data:`` URI that cannot be decoded (the header, or its base64)."""


def encoded_length(size: int, media_type: str) -> int:
    """The length of the ``data:`` URI of ``size`` bytes of ``media_type``."""
    return len(f"data:{media_type};base64,") + 4 * ((size + 2) // 3)


def encode_data_uri(file: BinaryIO, media_type: str, size: int) -> str:
    """The ``data:<media_type>;base64,...`` URI of the next ``size`` bytes of ``file``.

    Raises OSError when the file ends early or cannot be read.
    """
    # ``text += piece`` on a local str nothing else refers to grows it in place in CPython
    # (realloc, which moves no bytes for large blocks): no second copy of the URI is made, as
    # "".join(pieces) or bytearray.decode() would. The loop is ``while True`` because CPython
    # 3.11 only specialises code that loops through a plain backward jump. Elsewhere the result
    # is the same, only slower.
    text = f"data:{media_type};base64,"
    left = size
    while True:
        if left <= 0:
            break
        chunk = file.read(min(CHUNK_BYTES, left))
        if not chunk:
            raise OSError(f"the file ended after {size - left} of {size} bytes")
        left -= len(chunk)
        while len(chunk) % 3 and left > 0:  # a short read mid-file: top it up to a multiple of 3
            extra = file.read(min(3 - len(chunk) % 3, left))
            if not extra:
                raise OSError(f"the file ended after {size - left} of {size} bytes")
            chunk += extra
            left -= len(extra)
        text += base64.b64encode(chunk).decode("ascii")
    return text


def split_data_uri(text: str) -> tuple[str, bool, int]:
    """``(media type, is_base64, offset of the data)`` of a ``data:`` URI's header;
    DataURIError when the header is malformed."""
    match = _HEADER.match(text, 0, 512)
    if match is None:
        raise DataURIError("the data: URI's header is not data:<type>/<subtype>[;base64],")
    return (match.group(1) or "text/plain").lower(), bool(match.group(3)), match.end()


def check_data_uri(text: str) -> str:
    """The media type of a well-formed base64 ``data:`` URI; DataURIError otherwise.
    Linear in the URI's length, and copies none of it (one regular expression from the
    data's offset)."""
    media_type, is_base64, start = split_data_uri(text)
    if not is_base64:
        raise DataURIError("the data: URI is not base64 (;base64, is missing)")
    if (len(text) - start) % 4 or _BASE64_TEXT.fullmatch(text, start) is None:
        raise DataURIError("the data: URI's base64 is malformed")
    return media_type


def decode_data_uri(text: str) -> tuple[str, bytes]:
    """``(media type, bytes)`` of a base64 ``data:`` URI; DataURIError when malformed."""
    media_type = check_data_uri(text)
    _, _, start = split_data_uri(text)
    try:
        return media_type, base64.b64decode(text[start:], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise DataURIError(f"the data: URI's base64 is malformed ({exc})") from None
