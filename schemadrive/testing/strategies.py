"""Hypothesis strategies for a model id, from recorded fixtures: no network, no API key.

::

    from hypothesis import given
    from schemadrive.testing import payloads_for

    @given(payloads_for("ltx-2-3-pro"))
    def test_my_builder_keeps_payloads_valid(payload):
        ...

The schema comes from the bundled fixtures, or from a fixture directory of your own
(``fixtures=DIR``, or ``pytest --schemadrive-fixtures DIR`` for a whole session). A directory
holds ``<provider>/<anything>.json`` model objects as the hub returns them (see
:mod:`schemadrive.hub.recorded`). ``model_id@DATE`` picks an older recorded version.

Importing this module is cheap: hypothesis is imported when a strategy is built.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..hub.recorded import recorded_schema as _recorded_schema

__all__ = ["payloads_for", "recorded_schema", "set_default_fixtures"]

_default_fixtures: Path | None = None


def set_default_fixtures(directory: str | Path | None) -> None:
    """Make ``directory`` the fixture directory ``payloads_for`` searches when given none.

    The pytest plugin calls this for ``--schemadrive-fixtures DIR``; None restores the default
    (bundled fixtures only).
    """
    global _default_fixtures
    _default_fixtures = Path(directory) if directory is not None else None


def _directories(fixtures: str | Path | None) -> tuple[Path, ...]:
    chosen = fixtures if fixtures is not None else _default_fixtures
    return (Path(chosen),) if chosen is not None else ()


def recorded_schema(
    model_id: str, *, provider: str = "oxen", fixtures: str | Path | None = None
) -> dict[str, Any]:
    """The request schema recorded for ``model_id`` (``id@DATE`` for an older version).

    Searches ``fixtures`` (else the session default) first, then the bundled fixtures; see
    :func:`schemadrive.hub.recorded.recorded_schema`.
    """
    return _recorded_schema(model_id, provider=provider, directories=_directories(fixtures))


def payloads_for(
    model_id: str,
    *,
    provider: str = "oxen",
    fixtures: str | Path | None = None,
    fill_defaults: bool = False,
    invalid: bool = False,
) -> Any:
    """A hypothesis strategy of payloads for a recorded model, offline.

    Valid payloads (with their defaults filled when ``fill_defaults``), or with ``invalid``
    ``(payload, rule)`` pairs that the schema rejects (see
    :func:`schemadrive.fuzz.invalid_payloads`). The lookup happens now, so an unknown id fails
    when the test module is collected, with suggestions.
    """
    schema = recorded_schema(model_id, provider=provider, fixtures=fixtures)
    from .. import fuzz  # imports hypothesis: only when a strategy is asked for

    if invalid:
        return fuzz.invalid_payloads(schema)
    return fuzz.payloads(schema, fill_defaults=fill_defaults)
