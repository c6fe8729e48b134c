"""What a sync endpoint's reply produced, read from any of its forms (docs/hub-contract.md §5,
§10): plain data, so the hub layer never builds the dispatch layer's ``Result``.

Sync replies list their outputs as ``{"videos"|"images"|"audios": [{"url": …}]}`` or, with
``response_format="b64_json"``, ``[{"b64_json": …}]``; older replies had ``video_url`` /
``image_url``. :func:`parse_sync_reply` reads every form into one :class:`SyncOutputs`.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..exceptions import HubError

__all__ = ["SyncOutputs", "parse_sync_reply"]

#: Keys of sync replies that hold lists of outputs, in the order they are read.
_OUTPUT_LISTS = ("videos", "images", "audios", "data", "outputs", "output")
#: Legacy single-output keys (docs/hub-contract.md §10).
_LEGACY_KEYS = ("video_url", "image_url", "audio_url", "result_url")


@dataclass
class SyncOutputs:
    """The outputs of one sync reply: ``urls`` to download, ``data`` that came inline
    (decoded), the ``model`` the reply names (None if it names none), the ``raw`` reply."""

    urls: list[str] = field(default_factory=list)
    data: list[bytes] = field(default_factory=list)
    model: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict)


def _decode_b64(value: str) -> bytes:
    text = value.split(",", 1)[1] if value.startswith("data:") else value
    try:
        return base64.b64decode(text, validate=False)
    except (binascii.Error, ValueError) as exc:
        raise HubError(f"the reply's b64_json output is not valid base64: {exc}") from None


def parse_sync_reply(reply: Any) -> SyncOutputs:
    """The outputs of a sync endpoint's reply (any documented or legacy form); HubError when
    the reply is not a JSON object."""
    if not isinstance(reply, dict):
        raise HubError("the hub's reply is not a JSON object", body=reply)
    urls: list[str] = []
    data: list[bytes] = []
    for key in _OUTPUT_LISTS:
        items = reply.get(key)
        if not isinstance(items, list):
            continue
        for item in items:
            if isinstance(item, str) and item.startswith(("http://", "https://")):
                urls.append(item)
            elif isinstance(item, dict):
                if isinstance(item.get("url"), str) and item["url"]:
                    urls.append(item["url"])
                elif isinstance(item.get("b64_json"), str):
                    data.append(_decode_b64(item["b64_json"]))
    for key in _LEGACY_KEYS:
        value = reply.get(key)
        if isinstance(value, str) and value and value not in urls:
            urls.append(value)
    model = reply.get("model") if isinstance(reply.get("model"), str) else None
    return SyncOutputs(urls=urls, data=data, model=model, raw=reply)
