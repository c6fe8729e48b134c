"""GMI Cloud's request queue, as the :data:`~schemadrive.hub.providers.GMICLOUD` provider reads
and writes it (docs/hub-schemas.md §5). Pure: no HTTP.

* submit ``POST .../requests`` with ``{"model": id, "payload": {...}}`` (one job per request);
  the reply is ``{"request_id", "model", "status", ...}``;
* status ``GET .../requests/<request_id>``: the whole record, results in ``outcome``
  (``{"video_url", "thumbnail_image_url"}`` for video, ``{"media_urls": [{"id", "url"}]}``
  for other models), the failure message in ``error`` (GMI documents none: LocalHub's choice);
* list ``GET .../requests?model_id=&status=&page_size=``: ``{"requests": [...], "total"}``,
  finished jobs included;
* models ``GET .../models`` (``{"model_ids": [...]}``) and ``.../models/<id>``, whose
  ``parameters`` list is translated to JSON Schema by :mod:`schemadrive.hub.providers.paramlist`.

Status words: ``queued`` and ``dispatched`` are queued, ``processing`` running, ``success``
succeeded, then ``failed`` and ``cancelled``; any other word is not terminal (GMI's own pages
disagree on the list). There is no event stream and no sync endpoint.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...exceptions import HubError
from ..recorded import schema_of
from ..status import JobState, Status, Submitted, status_from_word
from .paramlist import schema_from_parameters

__all__ = [
    "PREFIX",
    "STATUS_WORDS",
    "list_query",
    "next_list_query",
    "outcome_urls",
    "parse_job",
    "parse_job_list",
    "parse_model_list",
    "parse_submit",
    "schema_from_model",
    "submit_body",
    "sync_endpoint",
]

PREFIX = "/api/v1/ie/requestqueue/apikey"

#: ``dispatched`` means handed to a worker, not yet processing.
STATUS_WORDS: Mapping[str, Status] = {
    "queued": Status.QUEUED,
    "dispatched": Status.QUEUED,
    "processing": Status.RUNNING,
    "success": Status.SUCCEEDED,
    "failed": Status.FAILED,
    "cancelled": Status.CANCELLED,
}

#: Rows asked for per list request. GMI documents no page size (third-party clients send 20);
#: more rows mean fewer status requests when many jobs are waited on together.
PAGE_SIZE = 100


def schema_from_model(model: dict[str, Any]) -> dict[str, Any] | None:
    """The request schema of a model object: a recorded ``json_request_schema`` when it has
    one (the bundled fixture does, with the guide's prose rule encoded), else its
    ``parameters`` list translated; None when it has neither."""
    recorded = schema_of(model)
    if recorded is not None:
        return recorded
    parameters = model.get("parameters")
    if not isinstance(parameters, list):
        return None
    model_id = model.get("model")
    title = f"{model_id} payload" if isinstance(model_id, str) and model_id else None
    return schema_from_parameters(parameters, title=title)


def sync_endpoint(model: dict[str, Any]) -> str | None:
    """None: GMI's queue is the only way to run a model (``Client.run`` submits and waits)."""
    return None


def submit_body(model_id: str, payload: dict[str, Any], count: int) -> dict[str, Any]:
    """The submit envelope. GMI takes one payload per request, so ``count`` is always 1
    (the provider's ``max_per_submit``)."""
    return {"model": model_id, "payload": payload}


def parse_submit(reply: Any) -> list[Submitted]:
    """The one job a submit created; HubError when the reply has no ``request_id``."""
    request_id = reply.get("request_id") if isinstance(reply, dict) else None
    if not isinstance(request_id, str) or not request_id:
        raise HubError("the hub's submit reply has no request_id", body=reply)
    return [Submitted(request_id, str(reply.get("status") or ""))]


def outcome_urls(outcome: Any) -> tuple[str, ...]:
    """``outcome.video_url``, then each ``outcome.media_urls[].url`` (thumbnails left out)."""
    if not isinstance(outcome, Mapping):
        return ()
    urls: list[str] = []
    video = outcome.get("video_url")
    if isinstance(video, str) and video:
        urls.append(video)
    media = outcome.get("media_urls")
    for item in media if isinstance(media, list) else []:
        url = item.get("url") if isinstance(item, Mapping) else item
        if isinstance(url, str) and url and url not in urls:
            urls.append(url)
    return tuple(urls)


def _error(record: Mapping[str, Any]) -> str | None:
    """``error`` (a string, or an object with ``message``), on the record or its outcome."""
    for holder in (record, record.get("outcome")):
        error = holder.get("error") if isinstance(holder, Mapping) else None
        if isinstance(error, Mapping):
            error = error.get("message")
        if isinstance(error, str) and error:
            return error
    return None


def parse_job(record: Mapping[str, Any], words: Mapping[str, Status]) -> JobState:
    """A request record (a status reply or a list row) as a JobState."""
    raw_status = record.get("status")
    model = record.get("model")
    return JobState(
        generation_id=str(record.get("request_id") or ""),
        status=status_from_word(raw_status, words),
        raw_status=str(raw_status or ""),
        model=model if isinstance(model, str) and model else None,
        urls=outcome_urls(record.get("outcome")),
        error=_error(record),
        raw=dict(record),
    )


def parse_model_list(reply: Any) -> list[str]:
    """The ids in ``{"model_ids": [...]}``."""
    ids = reply.get("model_ids") if isinstance(reply, dict) else None
    return [i for i in ids if isinstance(i, str)] if isinstance(ids, list) else []


def list_query(status: str | None, model: str | None) -> dict[str, str]:
    """Query parameters of the list request."""
    query = {"page_size": str(PAGE_SIZE)}
    if status:
        query["status"] = status
    if model:
        query["model_id"] = model
    return query


#: the most pages one listing reads (PAGE_SIZE rows each): a bound, should a hub never stop
MAX_PAGES = 1000


def next_list_query(query: Mapping[str, str], reply: Any, seen: int) -> dict[str, str] | None:
    """The query of the page after ``reply``, or None when ``seen`` rows cover ``total``.

    GMI documents neither pages nor the list's shape (docs/hub-schemas.md §5); the reply
    carries ``total``, and we ask for ``page`` 2, 3, ... (1-based) until every row is read.
    """
    total = reply.get("total") if isinstance(reply, dict) else None
    if isinstance(total, bool) or not isinstance(total, int) or seen >= total:
        return None
    page = int(query.get("page", "1")) if str(query.get("page", "1")).isdigit() else 1
    if page >= MAX_PAGES:
        return None
    return {**query, "page": str(page + 1)}


def parse_job_list(reply: Any) -> list[Mapping[str, Any]]:
    """The rows of ``{"requests": [...], "total": n}``."""
    rows = reply.get("requests") if isinstance(reply, dict) else None
    return [row for row in rows if isinstance(row, dict)] if isinstance(rows, list) else []
