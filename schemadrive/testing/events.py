"""Server-sent events: a broadcast to the streams open right now, and the wire format.

The hub's stream is user-scoped and has no replay (docs/hub-contract.md §4): an event reaches
only the subscriptions that exist when it is published. Each subscription has its own unbounded
queue, so publishing never blocks; a stream writes what its queue holds and a ``: keep-alive``
comment whenever it has been idle for ``keepalive_seconds`` (real seconds, not the job clock).
"""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

__all__ = ["KEEPALIVE", "Event", "EventBroker", "Subscription", "iter_stream"]

KEEPALIVE = b": keep-alive\n\n"

#: How often an idle stream checks whether its client went away or the hub stopped.
_POLL_SECONDS = 0.2


@dataclass(frozen=True)
class Event:
    """One server-sent event: ``event: <name>`` and one ``data:`` line of compact JSON."""

    name: str
    data: dict[str, Any]

    def encode(self) -> bytes:
        payload = json.dumps(self.data, separators=(",", ":"))
        return f"event: {self.name}\ndata: {payload}\n\n".encode()


class _Closed:
    pass


_CLOSED = _Closed()


class Subscription:
    """One open stream's queue of events."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[Event | _Closed] = queue.SimpleQueue()
        self.closed = False

    def put(self, event: Event) -> None:
        self._queue.put(event)

    def close(self) -> None:
        self.closed = True
        self._queue.put(_CLOSED)

    def get(self, timeout: float) -> Event | None:
        """The next event, None after ``timeout`` seconds; raises EOFError once closed."""
        try:
            item = self._queue.get(timeout=timeout)
        except queue.Empty:
            return None
        if isinstance(item, _Closed):
            raise EOFError
        return item


class EventBroker:
    """The streams open right now; publish to all of them. Thread-safe."""

    def __init__(self) -> None:
        self._subscriptions: list[Subscription] = []
        self._cond = threading.Condition()
        self._published: list[Event] = []

    @property
    def count(self) -> int:
        """How many streams are open."""
        with self._cond:
            return len(self._subscriptions)

    def published(self) -> list[Event]:
        """Every event published so far, streams or not."""
        with self._cond:
            return list(self._published)

    def subscribe(self) -> Subscription:
        subscription = Subscription()
        with self._cond:
            self._subscriptions.append(subscription)
            self._cond.notify_all()
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        with self._cond:
            if subscription in self._subscriptions:
                self._subscriptions.remove(subscription)
                self._cond.notify_all()

    def publish(self, name: str, data: dict[str, Any]) -> int:
        """Send an event to every open stream; return how many streams it reached."""
        event = Event(name, data)
        with self._cond:
            self._published.append(event)
            for subscription in self._subscriptions:
                subscription.put(event)
            return len(self._subscriptions)

    def wait_for_streams(self, count: int, timeout: float) -> bool:
        """Block until at least ``count`` streams are open; False after ``timeout`` seconds."""
        with self._cond:
            return self._cond.wait_for(lambda: len(self._subscriptions) >= count, timeout)

    def wait_for_closed(self, remaining: int, timeout: float) -> bool:
        """Block until at most ``remaining`` streams are open; False after ``timeout`` seconds."""
        with self._cond:
            return self._cond.wait_for(lambda: len(self._subscriptions) <= remaining, timeout)

    def close(self, timeout: float = 5.0) -> None:
        """End every open stream and wait (at most ``timeout`` seconds) until each has
        written its last chunk: the hub is stopping."""
        with self._cond:
            for subscription in self._subscriptions:
                subscription.close()
            self._cond.wait_for(lambda: not self._subscriptions, timeout)


def iter_stream(
    subscription: Subscription,
    *,
    keepalive_seconds: float,
    peer_open: Callable[[], bool],
) -> Iterator[tuple[bytes, bool]]:
    """The bytes of one stream as ``(chunk, is_event)`` until it closes or the peer leaves."""
    last_write = time.monotonic()
    while True:
        idle = time.monotonic() - last_write
        try:
            event = subscription.get(timeout=max(0.0, min(_POLL_SECONDS, keepalive_seconds - idle)))
        except EOFError:
            return
        if event is not None:
            yield event.encode(), True
            last_write = time.monotonic()
        elif time.monotonic() - last_write >= keepalive_seconds:
            yield KEEPALIVE, False
            last_write = time.monotonic()
        elif not peer_open():
            return
