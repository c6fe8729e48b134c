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
:mod:`schemadrive.recorded`). ``model_id@DATE`` picks an older recorded version.

Importing this module is cheap: hypothesis is imported when a strategy is built.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from ..exceptions import ModelNotFound, SchemaUnavailable
from ..recorded import (
    find_model_object,
    load_model_objects,
    read_json_file,
    schema_of,
    version_files,
)

__all__ = ["payloads_for", "recorded_schema", "set_default_fixtures"]

PROVIDERS = ("oxen", "gmicloud")
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


def _recorded_ids(provider: str, directories: tuple[Path, ...]) -> list[str]:
    ids: list[str] = []
    for directory in (*directories, None):
        ids += [i for i in load_model_objects(directory, provider=provider) if i not in ids]
    return ids


def _not_found(model_id: str, provider: str, directories: tuple[Path, ...]) -> ModelNotFound:
    elsewhere = [
        p for p in PROVIDERS if p != provider and model_id in _recorded_ids(p, directories)
    ]
    if elsewhere:  # the right id under the wrong provider: say so rather than suggest others
        detail = f"it is recorded for provider {elsewhere[0]!r}"
        return ModelNotFound(model_id, status=None, detail=detail)
    known = _recorded_ids(provider, directories)
    close = difflib.get_close_matches(model_id.split("@")[0], known, n=3, cutoff=0.6)
    detail = f"no recorded {provider} model has this id"
    return ModelNotFound(model_id, suggestions=close, status=None, detail=detail)


def recorded_schema(
    model_id: str, *, provider: str = "oxen", fixtures: str | Path | None = None
) -> dict[str, Any]:
    """The request schema recorded for ``model_id`` (``id@DATE`` for an older version).

    Searches ``fixtures`` (else the session default) first, then the bundled fixtures. Raises
    :class:`~schemadrive.exceptions.ModelNotFound` with close ids as ``suggestions``, or
    :class:`~schemadrive.exceptions.SchemaUnavailable` for a model without a request schema.
    """
    directories = _directories(fixtures)
    base, _, date = model_id.partition("@")
    model: dict[str, Any] | None = None
    if date:
        for directory in (*directories, None):
            matches = [
                p for p in version_files(base, directory, provider=provider) if p.stem == model_id
            ]
            if matches:
                model = read_json_file(matches[0])
                break
    else:
        model = find_model_object(model_id, provider=provider, directories=directories)
    if model is None:
        raise _not_found(model_id, provider, directories)
    schema = schema_of(model)
    if schema is None:
        raise SchemaUnavailable(f"{model_id} publishes no request schema", model_id=model_id)
    return schema


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
