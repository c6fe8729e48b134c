"""A live one-line progress display for waits, on a terminal only.

``Job.wait(progress=True)`` and ``client.as_completed(..., progress=True)`` draw one line on
standard error, redrawn in place: the job's status, the time waited (ticking at least once a
second, whatever the way of waiting), how many jobs are done of how many, and what the wait is
doing when it is not simply waiting (the hub unreachable, the event stream reconnecting). On
anything that is not a terminal (a pipe, a log file, CI) nothing is written;
libraries that want to report progress themselves pass ``on_status`` instead. No third-party
dependency.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

from ..hub.status import JobState, Status

__all__ = ["ProgressLine", "format_elapsed"]

#: Called with (bytes so far, total bytes or None) as a download goes.
BytesCallback = Callable[[int, "int | None"], None]

#: Redraw at most this often, in seconds (a redraw for a new status is never skipped).
MIN_REDRAW = 0.2


def format_elapsed(seconds: float) -> str:
    """``75.4`` -> ``"1:15"``; ``3725`` -> ``"1:02:05"``."""
    whole = int(max(0.0, seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _size(count: int) -> str:
    """``1536`` -> ``"1.5 KB"``."""
    value = float(count)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"  # pragma: no cover - the loop returns


def _is_terminal(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


class ProgressLine:
    """One line redrawn in place. Disabled (a no-op) unless ``stream`` is a terminal."""

    def __init__(
        self,
        total: int = 1,
        *,
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
        enabled: bool | None = None,
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = _is_terminal(self.stream) if enabled is None else enabled
        self.total = total
        self.done = 0
        self.failed = 0
        self._clock = clock
        self._started = clock()
        self._last_draw = float("-inf")
        self._state: JobState | None = None
        self._note: str | None = None
        self._width = 0

    def update(self, state: JobState, *, changed: bool = True) -> None:
        """A job was observed: show its status. ``changed`` (decided by the job, see
        :func:`~schemadrive.dispatch.job.status_changed`) forces a redraw."""
        self._state = state
        self._draw(force=changed)

    def note(self, text: str | None) -> None:
        """Show what the wait is doing besides waiting ("hub unreachable since 12:00:03");
        None clears it."""
        self._note = text
        self._draw(force=True)

    def finished(self, state: JobState) -> None:
        """One more job is done (succeeded, failed or cancelled)."""
        self.done += 1
        if state.status is not Status.SUCCEEDED:
            self.failed += 1
        self._state = state
        self._draw(force=True)

    def transfer(self, done: int, total: int | None = None) -> None:
        """A download's progress: ``done`` bytes of ``total`` (None: unknown), shown until
        the next status."""
        size = _size(done) + (f" of {_size(total)}" if total else "")
        self._note = f"downloading {size}"
        self._draw(force=False)

    def tick(self) -> None:
        """Redraw the elapsed time (rate-limited)."""
        self._draw(force=False)

    def line(self) -> str:
        """The text of the line (without control characters)."""
        parts = ["schemadrive"]
        if self._state is not None:
            word = self._state.word
            job = self._state.generation_id[:8] if self.total > 1 else self._state.generation_id
            parts.append(f"{job} {word}" if job else word)
        parts.append(format_elapsed(self._clock() - self._started))
        parts.append(f"{self.done}/{self.total} done")
        if self.failed:
            parts.append(f"{self.failed} not succeeded")
        if self._note:
            parts.append(self._note)
        return " · ".join(parts)

    def _draw(self, *, force: bool) -> None:
        if not self.enabled:
            return
        now = self._clock()
        if not force and now - self._last_draw < MIN_REDRAW:
            return
        self._last_draw = now
        text = self.line()
        # \r and erase-to-end-of-line: no leftovers from a longer previous line
        self.stream.write("\r\x1b[K" + text)
        self.stream.flush()
        self._width = len(text)

    def close(self) -> None:
        """End the line (a newline after the last draw) so later output starts clean."""
        if self.enabled and self._width:
            self._draw(force=True)
            self.stream.write("\n")
            self.stream.flush()
            self._width = 0
