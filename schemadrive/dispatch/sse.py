"""Server-sent events, decoded. Pure: bytes in, :class:`Event` values out, no sockets.

The decoder follows the WHATWG event-stream rules (https://html.spec.whatwg.org/multipage/
server-sent-events.html#event-stream-interpretation), which is what makes it tolerant of the
forms hubs and proxies send:

* lines end in LF, CRLF or a lone CR, and a line may be split across any two chunks;
* ``field: value`` and ``field:value`` are the same (one leading space is dropped);
* several ``data:`` lines make one event, joined with ``\\n``;
* lines starting with ``:`` are comments (the hub's ``: keep-alive``) and are skipped;
* a blank line ends an event; an event without data is not dispatched;
* ``id`` is remembered across events (``last_id``); ``retry`` is a reconnection delay in ms;
* an event cut off by the end of the stream is dropped, never half-delivered.

The shared listener that holds the connection lives in :mod:`schemadrive.dispatch.listener`.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

__all__ = ["Event", "EventDecoder", "iter_events"]


@dataclass(frozen=True)
class Event:
    """One dispatched event. ``event`` is ``"message"`` when the stream names none."""

    event: str
    data: str
    id: str | None = None
    retry: int | None = None


class EventDecoder:
    """An incremental decoder: :meth:`feed` chunks as they arrive, get finished events back."""

    def __init__(self) -> None:
        self._text = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._buffer = ""
        self._pending_cr = False  # a chunk ended in CR: a following LF belongs to it
        self._started = False
        self._event = ""
        self._data: list[str] = []
        self._retry: int | None = None
        #: the last ``id`` seen (it carries over to later events, as the standard says)
        self.last_id: str | None = None
        #: the last ``retry`` seen, in milliseconds (a retry-only block sets it too)
        self.retry: int | None = None

    def feed(self, chunk: bytes | str) -> list[Event]:
        """Decode one chunk; return the events it completed (possibly none)."""
        text = self._text.decode(chunk) if isinstance(chunk, bytes) else chunk
        if not self._started and text:
            self._started = True
            if text.startswith("\ufeff"):
                text = text[1:]
        if self._pending_cr and text.startswith("\n"):
            text = text[1:]
        self._pending_cr = False
        self._buffer += text
        events: list[Event] = []
        start = 0
        buffer = self._buffer
        length = len(buffer)
        index = 0
        while index < length:
            char = buffer[index]
            if char == "\n" or char == "\r":
                line = buffer[start:index]
                if char == "\r":
                    if index + 1 < length:
                        if buffer[index + 1] == "\n":
                            index += 1
                    else:
                        self._pending_cr = True
                event = self._line(line)
                if event is not None:
                    events.append(event)
                start = index + 1
            index += 1
        self._buffer = buffer[start:]
        return events

    def close(self) -> list[Event]:
        """End of stream: an unterminated event is dropped (it may be incomplete)."""
        self._buffer = ""
        self._reset_event()
        return []

    def _reset_event(self) -> None:
        self._event = ""
        self._data = []
        self._retry = None

    def _line(self, line: str) -> Event | None:
        if not line:
            return self._dispatch()
        if line.startswith(":"):
            return None
        name, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if name == "event":
            self._event = value
        elif name == "data":
            self._data.append(value)
        elif name == "id":
            if "\0" not in value:
                self.last_id = value
        elif name == "retry" and value.isdigit():
            self._retry = self.retry = int(value)
        # any other field name is ignored, as the standard says
        return None

    def _dispatch(self) -> Event | None:
        if not self._data:
            self._reset_event()
            return None
        event = Event(
            event=self._event or "message",
            data="\n".join(self._data),
            id=self.last_id,
            retry=self._retry,
        )
        self._reset_event()
        return event


def iter_events(chunks: Iterable[bytes | str]) -> Iterator[Event]:
    """Events from an iterable of chunks (``response.iter_content(None)``, a list of lines)."""
    decoder = EventDecoder()
    for chunk in chunks:
        yield from decoder.feed(chunk)
    decoder.close()
