"""What the hub remembers of a batch's jobs: adopting jobs whose id a crash lost, and the
actual cost of a finished one.

A row caught in ``submitting`` was being POSTed when the process died: the hub may or may
not have created its job. The hub's lists echo each job's request parameters and its
enqueue time (docs/hub-contract.md §3.2-3.4; GMI Cloud's records carry the ``payload`` and
``created_at``), so a job is adopted when its model and every parameter sent match the row's
payload, it was enqueued between :data:`CLOCK_SKEW` seconds before the row's intent and
:data:`WINDOW` seconds after it, and no other row of the journal already owns it. Rows that
match no job, or cannot be told apart (identical payloads with more or fewer candidates than
rows), are left undecided: the runner marks them ``uncertain``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..exceptions import SchemadriveError

if TYPE_CHECKING:
    from ..client import Client

__all__ = ["CLOCK_SKEW", "WINDOW", "Pending", "actual_costs", "adopt", "hub_rows"]

log = logging.getLogger("schemadrive")

#: How long (seconds) after the row's intent its job may have been enqueued (a POST can take
#: up to the submit timeout, and a hub may act on it late)...
WINDOW = 300.0
#: ...and how long before: a job cannot be enqueued before its intent was committed, but the
#: hub's clock and ours may differ by this much.
CLOCK_SKEW = 60.0


@dataclass(frozen=True)
class Pending:
    """A row to reconcile: its journal row number, the payload sent, and the intent's time."""

    row: int
    payload: Mapping[str, Any]
    since: float


def hub_rows(client: Client, model_id: str, since: float) -> list[Mapping[str, Any]]:
    """The hub's records of ``model_id``'s jobs, newest first, back to about ``since``: its
    history (``client.generations``), and the queue list of active jobs beside it."""
    rows: list[Mapping[str, Any]] = []
    for generation in client.generations(model=model_id):
        record = generation.state.raw
        rows.append(record)
        when = _enqueued_at(record)
        if when is not None and when < since - CLOCK_SKEW:
            break  # newest first: the rest are older still
    try:
        rows.extend(state.raw for state in client.jobs(model=model_id))
    except SchemadriveError as exc:  # the history is the main source
        log.debug("listing active jobs failed: %s", exc)
    return rows


def _enqueued_at(row: Mapping[str, Any]) -> float | None:
    for key in ("enqueued_at", "queued_at", "created_at"):
        value = row.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    return None


def _generation_id(row: Mapping[str, Any]) -> str | None:
    for key in ("generation_id", "request_id", "id"):
        value = row.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def _matches(row: Mapping[str, Any], model_id: str, payload: Mapping[str, Any]) -> bool:
    model = row.get("model_name", row.get("model"))
    if model is not None and model != model_id:
        return False
    echo = row.get("payload") if isinstance(row.get("payload"), Mapping) else row
    assert isinstance(echo, Mapping)
    return all(key in echo and echo[key] == value for key, value in payload.items())


def adopt(
    records: Sequence[Mapping[str, Any]],
    model_id: str,
    pending: Sequence[Pending],
    owned: set[str],
) -> dict[int, str]:
    """Row -> generation id for the rows whose job is found, and found unambiguously.

    Rows with the same payload share their candidates: they are adopted (oldest job to the
    earliest intent) only when there are exactly as many candidates as rows.
    """
    groups: dict[str, list[Pending]] = {}
    for item in pending:
        groups.setdefault(_key(item.payload), []).append(item)
    adopted: dict[int, str] = {}
    seen: set[str] = set()
    for items in groups.values():
        low = min(item.since for item in items) - CLOCK_SKEW
        high = max(item.since for item in items) + WINDOW
        candidates: dict[str, float] = {}
        for record in records:
            generation_id = _generation_id(record)
            when = _enqueued_at(record)
            if generation_id is None or generation_id in owned or generation_id in seen:
                continue
            if when is None or not low <= when <= high:
                continue
            if _matches(record, model_id, items[0].payload):
                candidates[generation_id] = when
        if candidates and len(candidates) == len(items):
            ordered = sorted(candidates, key=lambda gid: candidates[gid])
            for item, generation_id in zip(
                sorted(items, key=lambda i: i.since), ordered, strict=False
            ):
                adopted[item.row] = generation_id
                seen.add(generation_id)
    return adopted


def _key(payload: Mapping[str, Any]) -> str:
    from .rows import hash_payload

    return hash_payload(payload)


def actual_costs(client: Client, model_id: str, wanted: Mapping[str, float]) -> dict[str, Decimal]:
    """What the hub charged for finished jobs (generation id -> cost), from its history:
    one page of up to 1,000 rows per request, newest first, back to the oldest of ``wanted``
    (generation id -> when it was submitted). Jobs the history shows without a cost yet,
    and hubs with no history (GMI Cloud), are left out."""
    if client.provider.history_path is None or not wanted:
        return {}
    oldest = min(wanted.values()) - CLOCK_SKEW
    found: dict[str, Decimal] = {}
    try:
        for generation in client.generations(model=model_id, page_size=1000):
            if generation.generation_id in wanted and generation.cost is not None:
                found[generation.generation_id] = generation.cost
                if len(found) == len(wanted):
                    break
            when = _enqueued_at(generation.state.raw)
            if when is not None and when < oldest:
                break  # newest first: the rest are older still
    except SchemadriveError as exc:  # the cost is a courtesy; the outputs are the job
        log.debug("no costs from the history: %s", exc)
    return found
