"""Test against a hub without paying for it: :class:`LocalHub` serves the hub's HTTP contract
on 127.0.0.1, quirks, faults and legacy forms included (docs/testing-with-localhub.md).

Names are imported on first use, so loading the pytest plugin stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .clock import Clock, ManualClock, RealClock
    from .events import Event
    from .faults import Fault, Faults, Legacy
    from .hub import LocalHub
    from .jobs import Job
    from .media import CDN
    from .recording import RecordedRequest, RequestLog
    from .strategies import payloads_for

__all__ = [
    "CDN",
    "Clock",
    "Event",
    "Fault",
    "Faults",
    "Job",
    "Legacy",
    "LocalHub",
    "ManualClock",
    "RealClock",
    "RecordedRequest",
    "RequestLog",
    "payloads_for",
]

_WHERE = {
    "CDN": "media",
    "Clock": "clock",
    "Event": "events",
    "Fault": "faults",
    "Faults": "faults",
    "Job": "jobs",
    "Legacy": "faults",
    "LocalHub": "hub",
    "ManualClock": "clock",
    "RealClock": "clock",
    "RecordedRequest": "recording",
    "RequestLog": "recording",
    "payloads_for": "strategies",  # needs hypothesis: imported only when asked for
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
