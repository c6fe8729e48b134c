"""The retry and backoff policy lives in :mod:`schemadrive.hub.retry` (the transport, one layer
down, uses it too); this module keeps the old import path working."""

from __future__ import annotations

from ..hub.retry import Backoff, Deadline, RetryPolicy

__all__ = ["Backoff", "Deadline", "RetryPolicy"]
