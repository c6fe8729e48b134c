"""Reading what the hub sent back: JSON that cannot crash the reader (no RecursionError from a
``[[[[…`` reply), the message in either error envelope, ``Retry-After``, a one-line excerpt,
and the API key kept out of every text we keep (docs/hub-contract.md §7).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["excerpt", "hub_message", "loads", "parse_json", "parse_retry_after", "redactor"]


def excerpt(text: str, limit: int = 160) -> str:
    """One line, at most ``limit`` characters, of a reply body (HTML tags dropped)."""
    import re

    from ..media.display import display_value  # a data: URI echoed back: its type and size

    flat = re.sub(r"<[^>]+>", " ", text)
    flat = re.sub(r"data:[^,\s]{0,200},[A-Za-z0-9+/=]{64,}", lambda m: display_value(m[0]), flat)
    flat = " ".join(flat.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def hub_message(body: Any) -> str | None:
    """The message in either of the hub's error envelopes (docs/hub-contract.md §7)."""
    if not isinstance(body, dict):
        return None
    error = body.get("error")
    if isinstance(error, dict):
        for key in ("message", "detail", "title"):
            if isinstance(error.get(key), str) and error[key]:
                detail = error.get("detail")
                if key == "title" and isinstance(detail, str) and detail:
                    return f"{error[key]}: {detail}"
                return str(error[key])
        if isinstance(error.get("type"), str):
            return str(error["type"])
    if isinstance(error, str):
        return error
    for key in ("message", "status_description", "status_message", "detail"):
        if isinstance(body.get(key), str) and body[key]:
            return str(body[key])
    return None


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header: delta-seconds or an HTTP-date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    import datetime

    now = datetime.datetime.now(tz=when.tzinfo or datetime.timezone.utc)
    return max(0.0, (when - now).total_seconds())


def loads(data: bytes | str) -> Any:
    """JSON from a reply; ValueError for anything unreadable, nesting too deep included (a
    ``[[[[…`` reply must never raise RecursionError in the caller)."""
    import json

    try:
        return json.loads(data)
    except RecursionError:
        raise ValueError("the reply is nested too deeply to read") from None
    except UnicodeDecodeError as exc:
        raise ValueError(f"the reply is not UTF-8 ({exc.reason})") from None


def parse_json(text: str) -> Any:
    """The JSON in ``text``, or None when it is not JSON (or nested too deeply)."""
    if not text:
        return None
    try:
        return loads(text)
    except ValueError:
        return None


def redactor(api_key: str | None) -> Callable[[str], str]:
    """A function that replaces the API key in a text by ``***``."""
    if not api_key:
        return lambda text: text

    def redact(text: str) -> str:
        return text.replace(api_key, "***") if api_key in text else text

    return redact
