"""``key=value`` on the command line, typed by the model's schema (``run``, describe's
``Try:`` line): ``num_frames=121`` is an integer, ``generate_audio=false`` a boolean, arrays and
objects are JSON, one value for an array is a one-item list, anything else a string.

The typing itself is :mod:`schemadrive.schema.coerce` (shared with batch CSV input); this
module splits the arguments and builds the payload.
"""

from __future__ import annotations

from ..schema.coerce import ValueTypeError, coerce, types_of
from ._validate_options import UsageError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up)
if TYPE_CHECKING:
    from typing import Any

    from ..schema.parameters import Parameter

__all__ = ["ValueTypeError", "build_payload", "coerce", "split_assignments", "types_of"]


def split_assignments(items: list[str]) -> list[tuple[str, str]]:
    """``["a=1", "b=x=y"]`` -> ``[("a", "1"), ("b", "x=y")]``; UsageError without ``=``."""
    pairs = []
    for item in items:
        key, equals, value = item.partition("=")
        if not equals or not key:
            raise UsageError(f"schemadrive run: expected key=value, got {item!r}")
        pairs.append((key, value))
    return pairs


def build_payload(
    parameters: list[Parameter],
    assignments: list[tuple[str, str]],
    base: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A new payload: ``base`` with each assignment typed by its parameter."""
    declared = {p.name: p.type for p in parameters}
    payload = dict(base or {})
    for key, raw in assignments:
        payload[key] = coerce(key, raw, declared.get(key))
    return payload
