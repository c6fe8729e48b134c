"""Reading a hub's paged lists lazily: the job list and the job history. Pure paging over the
transport; what a page looks like is the :class:`~schemadrive.hub.providers.Provider`'s.

* :func:`iter_job_rows`: the job list (``GET /api/ai/queue``; GMI Cloud's request list,
  which is paged: every page is read, docs/hub-contract.md §3.3);
* :func:`iter_generations`: the history with costs (``GET /api/ai/generations``,
  docs/hub-contract.md §3.4), one page at a time, the next asked for only when the caller
  has consumed the previous one.

A hub that ignores the page parameter and sends the same rows again cannot make either loop
forever: a page with no row not seen before ends the listing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from ..exceptions import ConfigurationError
from .status import JobState, Status

if TYPE_CHECKING:
    from .providers import Provider
    from .transport import Transport

__all__ = ["Generation", "iter_generations", "iter_job_rows"]

#: rows per history page we ask for (the hub allows 1 to 1000; its default is 50)
HISTORY_PAGE_SIZE = 100


def _row_key(row: Mapping[str, Any]) -> Any:
    for key in ("generation_id", "request_id", "id"):
        if isinstance(row.get(key), str):
            return row[key]
    return repr(sorted(row.items(), key=lambda item: str(item[0])))


def _pages(
    transport: Transport,
    path: str,
    query: dict[str, str],
    rows_of: Any,
    next_query: Any,
) -> Iterator[tuple[Any, list[Mapping[str, Any]]]]:
    """(reply, new rows) per page, until ``next_query`` says the last page was read."""
    seen: set[Any] = set()
    count = 0
    while True:
        reply = transport.request_json("GET", path, params=query)
        rows = [row for row in rows_of(reply) if _row_key(row) not in seen]
        seen.update(_row_key(row) for row in rows)
        count += len(rows)
        yield reply, rows
        following = next_query(query, reply, count) if rows else None
        if following is None:
            return
        query = following


def iter_job_rows(
    transport: Transport,
    provider: Provider,
    *,
    status: str | None,
    model: str | None,
    page_size: int | None = None,
) -> Iterator[Mapping[str, Any]]:
    """Every row of the hub's job list (every page), ``status`` being the hub's own word.
    ``page_size`` replaces the provider's on a paged list."""
    query = provider.list_query(status, model)
    if page_size is not None and "page_size" in query:
        query["page_size"] = str(page_size)
    for _, rows in _pages(
        transport, provider.list_path, query, provider.parse_job_list, provider.next_list_query
    ):
        yield from rows


@dataclass(frozen=True)
class Generation:
    """One row of the job history: the job's state, and what it cost.

    ``cost`` is the hub's decimal string as a :class:`~decimal.Decimal` (None while the job
    has none, or on a hub that reports no costs); ``created_at`` the hub's timestamp text.
    """

    state: JobState
    cost: Decimal | None = None
    created_at: str | None = None

    @property
    def generation_id(self) -> str:
        return self.state.generation_id

    @property
    def status(self) -> Status:
        return self.state.status

    @property
    def model(self) -> str | None:
        return self.state.model

    @property
    def urls(self) -> tuple[str, ...]:
        return self.state.urls


def _cost(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    try:
        cost = Decimal(str(value))
    except InvalidOperation:
        return None
    return cost if cost.is_finite() else None


def _created_at(row: Mapping[str, Any]) -> str | None:
    for key in ("enqueued_at", "created_at", "queued_at"):
        value = row.get(key)
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return str(value)
    return None


def _history_next(query: Mapping[str, str], reply: Any, seen: int) -> dict[str, str] | None:
    """The next page of ``GET /api/ai/generations``, or None after ``total_pages``."""
    page = int(query["page"])
    total_pages = reply.get("total_pages") if isinstance(reply, dict) else None
    if isinstance(total_pages, int) and not isinstance(total_pages, bool) and page >= total_pages:
        return None
    return {**query, "page": str(page + 1)}


def iter_generations(
    transport: Transport,
    provider: Provider,
    *,
    status: str | None = None,
    model: str | None = None,
    page_size: int = HISTORY_PAGE_SIZE,
) -> Iterator[Generation]:
    """The job history, newest first, one page per request, fetched as the caller iterates
    (``page_size`` is checked now, before any request).

    ``status`` is the hub's own word. On a hub without a history endpoint (GMI Cloud) this
    is the job list with finished jobs, every page, with no costs.
    """
    if isinstance(page_size, bool) or not isinstance(page_size, int) or not 1 <= page_size <= 1000:
        raise ConfigurationError(f"page_size must be an integer from 1 to 1000, not {page_size!r}")
    return _iter_generations(transport, provider, status, model, page_size)


def _iter_generations(
    transport: Transport, provider: Provider, status: str | None, model: str | None, size: int
) -> Iterator[Generation]:
    if provider.history_path is None:
        for row in iter_job_rows(transport, provider, status=status, model=model, page_size=size):
            yield Generation(provider.state(row), None, _created_at(row))
        return
    query = {**provider.list_query(status, model), "page": "1", "page_size": str(size)}
    pages = _pages(transport, provider.history_path, query, provider.parse_job_list, _history_next)
    for _, rows in pages:
        for row in rows:
            yield Generation(provider.state(row), _cost(row.get("cost")), _created_at(row))
