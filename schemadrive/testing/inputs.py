"""The files a LocalHub receives in ``data:`` URIs, and small real media files for tests.

The hub decodes each ``data:`` URI it is sent, in any top-level parameter or array item:
malformed base64, or a media type the parameter cannot take (its kind read as the client
reads it, schemadrive/media/params.py), fails the job as a schema problem does (a 400 from a
sync endpoint; a failed job with the 422 message from the queue). What it decoded is kept,
so a test can compare the bytes: ``hub.received_files``.
"""

from __future__ import annotations

import io
import struct
import threading
import wave
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..media.encode import DataURIError, decode_data_uri
from ..media.params import file_parameters, takes
from ..schema.compile import compile_schema
from ..schema.problems import Problem, json_path

__all__ = ["ReceivedFile", "ReceivedFiles", "mp3_bytes", "wav_bytes"]

#: a MPEG-1 Layer III frame header: 128 kbit/s, 44.1 kHz, no padding, mono
_MP3_HEADER = b"\xff\xfb\x90\xc4"
_MP3_FRAME = 417  # 144 * 128000 / 44100, rounded down


def mp3_bytes(seconds: float = 2.0, *, tag: bool = True) -> bytes:
    """A valid MP3 stream of silent frames (26 ms each), with an ID3v2 tag unless ``tag`` is
    False. Real decoders read it; its duration is ``seconds``."""
    frames = max(1, round(seconds / 0.026122))
    frame = _MP3_HEADER + bytes(_MP3_FRAME - len(_MP3_HEADER))
    header = b"ID3\x04\x00\x00\x00\x00\x00\x00" if tag else b""
    return header + frame * frames


def wav_bytes(seconds: float = 2.0, *, rate: int = 8000) -> bytes:
    """A mono 16-bit PCM WAV file of a 440 Hz square wave."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        period = rate // 440
        count = int(seconds * rate)
        samples = (8000 if (i % period) < period // 2 else -8000 for i in range(count))
        out.writeframes(b"".join(struct.pack("<h", s) for s in samples))
    return buffer.getvalue()


@dataclass(frozen=True)
class ReceivedFile:
    """A file the hub decoded from a ``data:`` URI of job ``generation_id``'s ``parameter``
    (item ``index`` of an array parameter)."""

    generation_id: str
    parameter: str
    index: int | None
    media_type: str
    data: bytes

    def __repr__(self) -> str:
        return (
            f"ReceivedFile({self.generation_id!r}, {self.parameter!r}, index={self.index}, "
            f"media_type={self.media_type!r}, {len(self.data)} bytes)"
        )


class ReceivedFiles:
    """Every file received, in order; thread-safe."""

    def __init__(self) -> None:
        self._files: list[ReceivedFile] = []
        self._lock = threading.Lock()

    def all(self) -> list[ReceivedFile]:
        with self._lock:
            return list(self._files)

    def receive(
        self, generation_id: str, model: Mapping[str, Any], schema: Any, params: dict[str, Any]
    ) -> tuple[dict[str, Any], list[Problem]]:
        """Decode the ``data:`` URIs of ``params``: ``(params with each replaced by a short
        one of the same media type, for the schema check; the problems found)``."""
        problems: list[Problem] = []
        if not any(_is_data(v) for v in _flat(params)):
            return params, problems
        try:
            parameters = file_parameters(compile_schema(schema), model)
        except Exception:  # the schema check that follows reports an unusable schema
            parameters = {}
        checked: dict[str, Any] = {}
        for name, value in params.items():
            items = value if isinstance(value, list) else [value]
            out = []
            for position, item in enumerate(items):
                index = position if isinstance(value, list) else None
                if not _is_data(item):
                    out.append(item)
                    continue
                path = json_path([name] if index is None else [name, index])
                try:
                    media_type, data = decode_data_uri(item)
                except DataURIError as exc:
                    problems.append(Problem(path, "format", f"invalid data: URI: {exc}"))
                    out.append(item)
                    continue
                with self._lock:
                    self._files.append(ReceivedFile(generation_id, name, index, media_type, data))
                parameter = parameters.get(name)
                if parameter is not None and not takes(parameter, media_type):
                    wanted = " or ".join(sorted(parameter.kinds))
                    text = f"{media_type} is not {wanted} ({name} takes {wanted})"
                    problems.append(Problem(path, "media", text))
                out.append(f"data:{media_type};base64,AAAA")
            checked[name] = out if isinstance(value, list) else out[0]
        return checked, problems


def _flat(params: Mapping[str, Any]) -> list[Any]:
    values: list[Any] = []
    for value in params.values():
        values += value if isinstance(value, list) else [value]
    return values


def _is_data(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("data:")
