"""asyncio support: :class:`AsyncClient` on the same code path as :class:`~schemadrive.Client`
(docs/async.md)."""

from __future__ import annotations

from .client import AsyncClient
from .job import AsyncJob, AsyncResult

__all__ = ["AsyncClient", "AsyncJob", "AsyncResult"]
