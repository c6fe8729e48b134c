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
from types import MappingProxyType
from typing import Any

from ..exceptions import ConfigurationError

__all__ = [
    "STATUS_SYNONYMS",
    "STATUS_WORDS",
    "JobState",
    "Status",
    "Submitted",
    "parse_status",
    "status_choices",
    "status_from_word",
]


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


#: schemadrive's status vocabulary, in and out: what is printed, what filters take.
STATUS_WORDS: tuple[str, ...] = ("queued", "running", "succeeded", "failed", "cancelled")

#: the hubs' own words, accepted wherever a status is given (docs/hub-contract.md §3.2, §5 of
#: docs/hub-schemas.md): Oxen's ``processing``, GMI Cloud's ``success`` and ``dispatched``...
STATUS_SYNONYMS: Mapping[str, Status] = MappingProxyType(
    {
        "pending": Status.QUEUED,
        "dispatched": Status.QUEUED,
        "processing": Status.RUNNING,
        "success": Status.SUCCEEDED,
        "canceled": Status.CANCELLED,
    }
)


def status_choices() -> tuple[str, ...]:
    """Every word :func:`parse_status` accepts: ours first, then the hubs' synonyms."""
    return STATUS_WORDS + tuple(STATUS_SYNONYMS)


def parse_status(word: str | Status) -> Status:
    """A status given by a person or a caller: one of :data:`STATUS_WORDS`, or a hub's word
    for it (``processing`` is ``running``, ``success`` is ``succeeded``), in any case.

    Raises ConfigurationError (a ValueError) naming the accepted words otherwise.
    """
    if isinstance(word, Status) and word is not Status.UNKNOWN:
        return word
    text = word.strip().lower() if isinstance(word, str) else ""
    if text in STATUS_WORDS:
        return Status(text)
    if text in STATUS_SYNONYMS:
        return STATUS_SYNONYMS[text]
    raise ConfigurationError(
        f"unknown status {word!r}: use one of {', '.join(STATUS_WORDS)} "
        f"(the hubs' {', '.join(STATUS_SYNONYMS)} are accepted too)"
    )


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
        """The hub's own word for the status (``processing``, ``success``), else ours."""
        return self.raw_status or str(self.status)

    @property
    def status_word(self) -> str:
        """The status in schemadrive's one vocabulary (:data:`STATUS_WORDS`): what to show
        people, and what :func:`parse_status` reads back. The hub's word only when we do not
        know it (``unknown``)."""
        if self.status is Status.UNKNOWN and self.raw_status:
            return self.raw_status
        return str(self.status)


@dataclass(frozen=True)
class Submitted:
    """One job created by a submit: its id and the status word the hub gave it."""

    generation_id: str
    raw_status: str
