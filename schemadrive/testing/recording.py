"""The record of every request a LocalHub (or its CDN) received, for tests to inspect."""

from __future__ import annotations

import fnmatch
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

__all__ = ["RecordedRequest", "RequestLog"]


@dataclass(frozen=True)
class RecordedRequest:
    """One request as it arrived.

    ``path`` is the raw path, exactly as sent (percent-encoding kept, no query); ``query``
    maps each query parameter to its last value; ``body`` is the parsed JSON body, else the
    raw bytes, else None. ``headers`` never hold the ``Authorization`` value: the record says
    only whether one arrived (``has_authorization``) and whether it was ``Bearer <the key>``
    (``authorized``). ``fault`` names the scripted fault applied to it, if any.
    """

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    authorized: bool
    has_authorization: bool
    fault: str | None = None
    raw_body: bytes = field(default=b"", repr=False)


class RequestLog:
    """A thread-safe, append-only list of :class:`RecordedRequest`."""

    def __init__(self) -> None:
        self._items: list[RecordedRequest] = []
        self._cond = threading.Condition()

    def append(self, request: RecordedRequest) -> None:
        with self._cond:
            self._items.append(request)
            self._cond.notify_all()

    def clear(self) -> None:
        with self._cond:
            self._items.clear()

    def __len__(self) -> int:
        with self._cond:
            return len(self._items)

    def __iter__(self) -> Iterator[RecordedRequest]:
        with self._cond:
            return iter(list(self._items))

    def __getitem__(self, index: int) -> RecordedRequest:
        with self._cond:
            return self._items[index]

    def filter(self, method: str | None = None, path: str | None = None) -> list[RecordedRequest]:
        """The requests with this method and a path matching this shell-style pattern."""
        return [r for r in self if _matches(r, method, path)]

    def wait_for(
        self,
        method: str | None = None,
        path: str | None = None,
        *,
        count: int = 1,
        where: Callable[[RecordedRequest], bool] | None = None,
        timeout: float = 10.0,
    ) -> list[RecordedRequest]:
        """Block until ``count`` matching requests have arrived; return them.

        Raises TimeoutError after ``timeout`` seconds.
        """

        def found() -> list[RecordedRequest]:
            return [
                r for r in self._items if _matches(r, method, path) and (where is None or where(r))
            ]

        with self._cond:
            if not self._cond.wait_for(lambda: len(found()) >= count, timeout):
                raise TimeoutError(
                    f"{len(found())} of {count} requests {method or '*'} {path or '*'} "
                    f"arrived within {timeout} s"
                )
            return found()


def _matches(request: RecordedRequest, method: str | None, path: str | None) -> bool:
    if method is not None and request.method != method.upper():
        return False
    return path is None or fnmatch.fnmatchcase(request.path, path)
