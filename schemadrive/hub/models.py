"""Model objects over HTTP: one model (conditionally, for the schema store), and the model list.
The provider says where they are and how a list reply reads (docs/hub-contract.md §6).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..exceptions import HubError, ModelNotFound, SchemadriveError
from .store import Fetched

if TYPE_CHECKING:
    from .providers import Provider
    from .transport import Transport

__all__ = ["close_model_ids", "fetch_model", "list_model_ids"]


def fetch_model(
    transport: Transport,
    provider: Provider,
    model_id: str,
    conditional: dict[str, str],
    *,
    known_ids: Callable[[], list[str]],
) -> Fetched:
    """``GET`` one model object; a 304 is ``Fetched(304)``. ModelNotFound on 404, with close
    matches among ``known_ids()`` (called only then); HubError for a reply that is not a JSON
    object, or one nested too deeply to read."""
    path = provider.path(provider.model_path, model_id=model_id)
    response = transport.send("GET", path, headers=conditional)
    if response.status_code == 304:
        return Fetched(304)
    if response.status_code == 404:
        suggestions = close_model_ids(model_id, known_ids)
        raise ModelNotFound(model_id, suggestions=suggestions, url=transport.url(path))
    try:
        info = transport.json(response)
    except RecursionError:  # "[[[[..." 100,000 deep: an unreadable reply, not a crash
        raise HubError(
            f"the model object for {model_id!r} nests too deeply to read",
            status=response.status_code,
            url=transport.url(path),
        ) from None
    if not isinstance(info, dict):
        raise HubError(
            f"the model object for {model_id!r} is not a JSON object", url=transport.url(path)
        )
    return Fetched(
        200,
        info,
        etag=response.headers.get("ETag"),
        last_modified=response.headers.get("Last-Modified"),
    )


def list_model_ids(transport: Transport, provider: Provider) -> list[str]:
    """The ids of every model the hub lists."""
    return provider.parse_model_list(transport.request_json("GET", provider.models_path))


def close_model_ids(model_id: str, known_ids: Callable[[], list[str]]) -> list[str]:
    """Up to three ids close to ``model_id``; none when the list cannot be had (suggestions are
    a courtesy: the 404 is the error)."""
    try:
        ids = known_ids()
    except SchemadriveError:
        return []
    return difflib.get_close_matches(model_id, ids, n=3, cutoff=0.5)
