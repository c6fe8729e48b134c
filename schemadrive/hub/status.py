"""Job status values and the normalised view of a job. Pure: no HTTP.

Hubs name the same things differently (Oxen's queue rows say ``model_name``, ``result_url``
and ``error_message``; its events say ``model``, ``url`` and ``error``; GMI Cloud says
``success`` and puts results in ``outcome``). A provider turns each reply into a
:class:`JobState`, so the rest of schemadrive sees one shape.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["JobState", "Status", "Submitted", "status_from_word"]


class Status(str, enum.Enum):
    """Where a job is. ``UNKNOWN`` is any word a hub sends that we do not know: not terminal."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    UNKNOWN = "unknown"

    @property
    def terminal(self) -> bool:
        """True for succeeded, failed and cancelled."""
        return self in (Status.SUCCEEDED, Status.FAILED, Status.CANCELLED)

    def __str__(self) -> str:
        return self.value


def status_from_word(word: Any, words: Mapping[str, Status]) -> Status:
    """Map a hub's status word (case-insensitive); unknown words are ``UNKNOWN``, not terminal."""
    if not isinstance(word, str):
        return Status.UNKNOWN
    return words.get(word.strip().lower(), Status.UNKNOWN)


@dataclass(frozen=True)
class JobState:
    """One observation of a job, normalised across hubs and reply shapes.

    ``raw_status`` is the hub's own word (shown to people); ``urls`` the result URLs (empty
    until the job succeeds); ``error`` the hub's failure message; ``raw`` the reply itself.
    """

    generation_id: str
    status: Status
    raw_status: str = ""
    model: str | None = None
    urls: tuple[str, ...] = ()
    error: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def terminal(self) -> bool:
        return self.status.terminal

    @property
    def word(self) -> str:
        """The status as people should see it: the hub's own word, else ours."""
        return self.raw_status or str(self.status)


@dataclass(frozen=True)
class Submitted:
    """One job created by a submit: its id and the status word the hub gave it."""

    generation_id: str
    raw_status: str
