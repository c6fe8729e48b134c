"""What differs between hubs, as data: paths, request envelopes, field names, status words,
where the schema comes from and which wait modes exist.

The rest of schemadrive asks the :class:`Provider` and never tests a provider's name. Two
instances: :data:`OXEN` (docs/hub-contract.md) and :data:`GMICLOUD` (GMI Cloud's request queue,
docs/hub-schemas.md §5). A new hub is a new instance (docs/providers.md says what one needs).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any
from urllib.parse import quote

from ...exceptions import ConfigurationError, HubError, JobNotFound
from ..outputs import SyncOutputs, parse_sync_reply
from ..recorded import schema_of
from ..status import JobState, Status, Submitted, parse_status, status_from_word
from . import gmicloud

__all__ = [
    "DEFAULT_PROVIDER",
    "GMICLOUD",
    "HUB_COMMON_PARAMETERS",
    "OXEN",
    "PROVIDERS",
    "Provider",
    "Submitted",
    "SyncParser",
    "get_provider",
    "path_segment",
    "provider_names",
]


def path_segment(value: str) -> str:
    """Percent-encode one path segment: ``/``, ``?``, ``#``, spaces and dot-segments included.

    ``..`` becomes ``%2E%2E`` so no HTTP layer can collapse it into a parent directory.
    """
    encoded = quote(value, safe="")
    if encoded in (".", ".."):
        encoded = encoded.replace(".", "%2E")
    return encoded


#: A sync reply -> its outputs (the dispatch layer builds the Result from them).
SyncParser = Callable[[Any], SyncOutputs]


@dataclass(frozen=True)
class Provider:
    """A hub's API, described. Paths are relative to the base URL and use ``{model_id}`` /
    ``{generation_id}`` placeholders, filled with :func:`path_segment`-encoded values.

    Wait modes: an event stream when ``events_path`` is set (its ``completion_event`` ends a
    wait), polling always; sync runs through ``sync_endpoint`` + ``sync_body`` +
    ``parse_sync``, or, with ``run_via_queue``, by submitting one job and waiting for it.
    """

    name: str
    default_base_url: str
    api_key_env: str
    model_path: str
    models_path: str
    search_path: str | None
    submit_path: str
    status_path: str
    cancel_method: str
    cancel_path: str
    list_path: str
    events_path: str | None
    max_per_submit: int
    common_parameters: frozenset[str]
    status_words: Mapping[str, Status]
    #: the model object -> its request schema (or None: the model publishes none)
    schema_from_model: Callable[[dict[str, Any]], dict[str, Any] | None]
    #: the model object -> the sync endpoint path (or None: no sync mode)
    sync_endpoint: Callable[[dict[str, Any]], str | None]
    #: (model id, prepared payload, count) -> the submit request body
    submit_body: Callable[[str, dict[str, Any], int], dict[str, Any]]
    #: the submit reply -> the jobs it created
    parse_submit: Callable[[Any], list[Submitted]]
    #: a status reply or event payload -> JobState
    parse_job: Callable[[Mapping[str, Any], Mapping[str, Status]], JobState]
    #: the model-list reply -> model ids
    parse_model_list: Callable[[Any], list[str]]
    #: query parameters for listing jobs, given (status, model)
    list_query: Callable[[str | None, str | None], dict[str, str]]
    #: a list reply -> the rows in it
    parse_job_list: Callable[[Any], list[Mapping[str, Any]]]
    #: the list without a status filter shows finished jobs too (they are then left out, so
    #: ``Client.jobs()`` means "active jobs" on every hub)
    list_includes_finished: bool = False
    #: the event that announces a job's end on the stream (None: no stream)
    completion_event: str | None = None
    #: (model id, prepared payload) -> a sync request's body (None: no sync endpoint)
    sync_body: Callable[[str, dict[str, Any]], dict[str, Any]] | None = None
    #: a sync reply -> its outputs (None: no sync endpoint)
    parse_sync: SyncParser | None = None
    #: no sync endpoint: ``Client.run`` submits one job and waits for it
    run_via_queue: bool = False
    #: a finished job may answer 404 (a legacy form): a 404 on a job we created means
    #: "finished and gone", and a 404 after a cancel means it ended
    legacy_404_when_finished: bool = False
    #: where else a key can come from, for error messages ("" when only the variable)
    key_sources: str = ""
    #: (query sent, reply, rows read so far) -> the next page's query, or None: the last page
    next_list_query: Callable[[Mapping[str, str], Any, int], dict[str, str] | None] = (
        lambda query, reply, seen: None
    )
    #: the paginated job history with costs (docs/hub-contract.md §3.4); None: the hub has
    #: none, and ``Client.generations`` reads the job list (finished jobs included) instead
    history_path: str | None = None
    #: False when the hub documents no cancel endpoint (ours is a guess): a 404 from it then
    #: says nothing about the job, and the error must say so
    cancel_documented: bool = True

    @property
    def has_events(self) -> bool:
        """True when the hub has an event stream that announces a job's end."""
        return self.events_path is not None and self.completion_event is not None

    def path(self, template: str, **values: str) -> str:
        return template.format(**{key: path_segment(value) for key, value in values.items()})

    def state(self, record: Mapping[str, Any]) -> JobState:
        """Normalise a status reply or event payload."""
        return self.parse_job(record, self.status_words)

    def query_word(self, status: str | Status) -> str:
        """The hub's word for a status given in schemadrive's vocabulary or as any hub's
        synonym (``running`` and ``processing`` alike). ConfigurationError for other words."""
        wanted = parse_status(status)
        for word, value in self.status_words.items():
            if value is wanted:
                return word
        raise ConfigurationError(f"the {self.name} hub has no word for the status {wanted}")

    def cancel_not_found(self, generation_id: str, *, url: str, state: JobState | None) -> HubError:
        """The error for a 404 from the cancel endpoint; ``state`` is what a status request
        said afterwards (None: it answered 404 too).

        On a hub whose cancel endpoint is documented a 404 means "no such job". Where it is
        our guess (GMI Cloud), a 404 only says the endpoint is missing: what is known about
        the job comes from the status request (made only then), and the message says which
        is which (docs/hub-contract.md §3.5).
        """
        if self.cancel_documented:
            return JobNotFound(generation_id, url=url)
        method = self.cancel_method
        if state is None:
            return JobNotFound(
                generation_id,
                url=url,
                message=f"cannot cancel {generation_id}: {method} {url} answered 404 (the "
                f"{self.name} hub documents no cancel endpoint), and a status request answered "
                "404 too: the hub knows no job with this id",
            )
        return HubError(
            f"cannot cancel {generation_id}: {method} {url} answered 404, and the {self.name} "
            f"hub documents no cancel endpoint, so it may not support cancelling; the job "
            f"still exists (status: {state.status_word}) and may still run and be billed",
            status=404,
            url=url,
        )


# -- Oxen (docs/hub-contract.md) -------------------------------------------------------------

#: Parameters every Oxen media endpoint accepts besides the model's own (docs/hub-contract.md
#: §1, §3.1): ``OXEN.common_parameters``, accepted by ``Model.validate`` only.
HUB_COMMON_PARAMETERS = frozenset(
    {
        "model",
        "num_generations",
        "target_namespace",
        "target_repo",
        "target_directory",
        "response_format",
    }
)

_OXEN_WORDS = {
    "queued": Status.QUEUED,
    "pending": Status.QUEUED,
    "processing": Status.RUNNING,
    "running": Status.RUNNING,
    "succeeded": Status.SUCCEEDED,
    "failed": Status.FAILED,
    "cancelled": Status.CANCELLED,
    "canceled": Status.CANCELLED,
}


def _modalities(value: Any) -> set[str]:
    """``capabilities.input``/``output`` as a set of words, whatever its shape: a list of
    words, a single word, or a list of objects such as ``{"type": "text"}`` (docs/hub-contract.md
    §6.3). Anything else contributes nothing."""
    if isinstance(value, str):
        return {value.lower()}
    found: set[str] = set()
    for item in value if isinstance(value, list) else []:
        if isinstance(item, dict):
            item = item.get("type") or item.get("modality") or item.get("name")
        if isinstance(item, str) and item:
            found.add(item.lower())
    return found


def _oxen_sync_endpoint(model: dict[str, Any]) -> str | None:
    """The sync path as Oxen's docs generator picks it (docs/hub-contract.md §9)."""
    capabilities = model.get("capabilities")
    if not isinstance(capabilities, dict):
        capabilities = {}
    inputs = _modalities(capabilities.get("input"))
    outputs = _modalities(capabilities.get("output"))
    if outputs:
        if "audio" in inputs and outputs == {"text"}:
            return "/api/ai/audio/transcriptions"
        if "audio" in outputs:
            return "/api/ai/audio/speech"
        if "video" in outputs:
            return "/api/ai/videos/generate"
        if "image" in outputs:
            return "/api/ai/images/edit" if "image" in inputs else "/api/ai/images/generate"
        return "/api/ai/chat/completions"
    endpoint = model.get("endpoint")
    if isinstance(endpoint, str) and endpoint.startswith("/"):
        return endpoint if endpoint.startswith("/api/") else "/api/ai" + endpoint
    return None


def _oxen_submit_body(model_id: str, payload: dict[str, Any], count: int) -> dict[str, Any]:
    body = {**payload, "model": model_id}
    if count != 1 or "num_generations" in payload:
        body["num_generations"] = count
    return body


def _oxen_sync_body(model_id: str, payload: dict[str, Any]) -> dict[str, Any]:
    return {**payload, "model": model_id}


def _oxen_parse_submit(reply: Any) -> list[Submitted]:
    rows = reply.get("generations") if isinstance(reply, dict) else None
    if not isinstance(rows, list):
        raise HubError("the hub's enqueue reply has no 'generations' list", body=reply)
    out = []
    for row in rows:
        if not isinstance(row, dict) or not isinstance(row.get("generation_id"), str):
            raise HubError("the hub's enqueue reply has a row without a generation_id", body=reply)
        out.append(Submitted(row["generation_id"], str(row.get("status") or "")))
    return out


def _first_str(record: Mapping[str, Any], *keys: str) -> str | None:
    for key in keys:
        value = record.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def _oxen_parse_job(record: Mapping[str, Any], words: Mapping[str, Status]) -> JobState:
    raw_status = record.get("status")
    url = _first_str(record, "result_url", "url")
    urls: tuple[str, ...] = (url,) if url else ()
    return JobState(
        generation_id=str(record.get("generation_id") or record.get("id") or ""),
        status=status_from_word(raw_status, words),
        raw_status=str(raw_status or ""),
        model=_first_str(record, "model_name", "model"),
        urls=urls,
        error=_first_str(record, "error_message", "error"),
        raw=dict(record),
    )


def _oxen_parse_model_list(reply: Any) -> list[str]:
    rows = reply.get("data") if isinstance(reply, dict) else None
    if not isinstance(rows, list):
        return []
    return [row["id"] for row in rows if isinstance(row, dict) and isinstance(row.get("id"), str)]


def _oxen_list_query(status: str | None, model: str | None) -> dict[str, str]:
    query = {}
    if status:
        query["status"] = status
    if model:
        query["model"] = model
    return query


def _oxen_parse_job_list(reply: Any) -> list[Mapping[str, Any]]:
    rows = reply.get("generations") if isinstance(reply, dict) else None
    return [row for row in rows if isinstance(row, dict)] if isinstance(rows, list) else []


OXEN = Provider(
    name="oxen",
    default_base_url="https://hub.oxen.ai",
    api_key_env="OXEN_API_KEY",
    key_sources=" or the oxen CLI's config",
    model_path="/api/ai/models/{model_id}",
    models_path="/api/ai/models",
    search_path="/api/ai/models/search",
    submit_path="/api/ai/queue",
    status_path="/api/ai/queue/{generation_id}",
    cancel_method="DELETE",
    cancel_path="/api/ai/queue/{generation_id}",
    list_path="/api/ai/queue",
    events_path="/api/events",
    max_per_submit=4,
    common_parameters=HUB_COMMON_PARAMETERS,
    status_words=_OXEN_WORDS,
    schema_from_model=schema_of,
    sync_endpoint=_oxen_sync_endpoint,
    submit_body=_oxen_submit_body,
    parse_submit=_oxen_parse_submit,
    parse_job=_oxen_parse_job,
    parse_model_list=_oxen_parse_model_list,
    list_query=_oxen_list_query,
    parse_job_list=_oxen_parse_job_list,
    completion_event="media_generation_completed",
    history_path="/api/ai/generations",
    sync_body=_oxen_sync_body,
    parse_sync=parse_sync_reply,
    legacy_404_when_finished=True,
)


# -- GMI Cloud (docs/hub-schemas.md §5; the hooks are in gmicloud.py) -------------------------

GMICLOUD = Provider(
    name="gmicloud",
    default_base_url="https://console.gmicloud.ai",
    api_key_env="GMI_API_KEY",
    model_path=gmicloud.PREFIX + "/models/{model_id}",
    models_path=gmicloud.PREFIX + "/models",
    search_path=None,
    submit_path=gmicloud.PREFIX + "/requests",
    status_path=gmicloud.PREFIX + "/requests/{generation_id}",
    # not documented by GMI: the endpoint LocalHub serves (docs/testing-with-localhub.md)
    cancel_method="POST",
    cancel_path=gmicloud.PREFIX + "/requests/{generation_id}/cancel",
    list_path=gmicloud.PREFIX + "/requests",
    events_path=None,
    max_per_submit=1,
    common_parameters=frozenset(),
    status_words=gmicloud.STATUS_WORDS,
    schema_from_model=gmicloud.schema_from_model,
    sync_endpoint=gmicloud.sync_endpoint,
    submit_body=gmicloud.submit_body,
    parse_submit=gmicloud.parse_submit,
    parse_job=gmicloud.parse_job,
    parse_model_list=gmicloud.parse_model_list,
    list_query=gmicloud.list_query,
    parse_job_list=gmicloud.parse_job_list,
    list_includes_finished=True,
    next_list_query=gmicloud.next_list_query,
    cancel_documented=False,
    run_via_queue=True,
)

#: THE registry of providers, by name: the one place a provider's name is known.
PROVIDERS: Mapping[str, Provider] = MappingProxyType({p.name: p for p in (OXEN, GMICLOUD)})
#: the provider used when none is given (argument, ``--provider``, ``$SCHEMADRIVE_PROVIDER``)
DEFAULT_PROVIDER = OXEN.name


def provider_names() -> tuple[str, ...]:
    """The names :func:`get_provider` knows (for ``--provider`` choices and messages)."""
    return tuple(PROVIDERS)


def get_provider(name: str | Provider) -> Provider:
    """The provider called ``name`` (a Provider instance is returned as is)."""
    if isinstance(name, Provider):
        return name
    try:
        return PROVIDERS[name]
    except KeyError:
        known = ", ".join(sorted(PROVIDERS))
        raise ConfigurationError(f"unknown provider {name!r}; known: {known}") from None
