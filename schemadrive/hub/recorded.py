"""Recorded model objects: the fixtures bundled in the wheel, and directories of your own.

A fixture is a model object exactly as ``GET /api/ai/models/<id>`` returns it (GMI Cloud:
as ``GET .../apikey/models/<id>`` returns it), stored as JSON. A fixture directory holds
``<provider>/<anything>.json`` (current versions) and ``<provider>/versions/<id>@<date>.json``
(older versions, for drift checks); a flat directory of ``*.json`` model objects also works.
The model id is read from the object (``id``, else ``model``, else ``name``), never from the
file name, so any id can be stored under a safe file name.

Pure file reading: no HTTP, no client.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..exceptions import ConfigurationError, ModelNotFound, SchemaInvalid, SchemaUnavailable

__all__ = [
    "bundled_dir",
    "find_model_object",
    "iter_model_files",
    "load_model_objects",
    "model_id_of",
    "read_json_file",
    "read_schema_file",
    "recorded_providers",
    "recorded_schema",
    "schema_of",
    "version_files",
]

SCHEMA_KEYS = ("json_request_schema", "request_schema")


def bundled_dir() -> Path:
    """The fixtures shipped inside the package."""
    return Path(__file__).parent.parent / "fixtures"


def model_id_of(model_object: dict[str, Any]) -> str | None:
    """The id a model object declares (``id``, ``model`` for GMI Cloud, ``name`` for rows)."""
    for key in ("id", "model", "name"):
        value = model_object.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def schema_of(model_object: dict[str, Any]) -> dict[str, Any] | None:
    """The request schema in a model object: ``json_request_schema``, else ``request_schema``."""
    for key in SCHEMA_KEYS:
        value = model_object.get(key)
        if isinstance(value, dict):
            return value
    return None


def read_json_file(path: str | Path) -> Any:
    """Read a JSON file; a missing or malformed file is a ConfigurationError naming it."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError:
        raise ConfigurationError(f"{path}: not a UTF-8 text file") from None
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise ConfigurationError(
            f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from exc
    except ValueError as exc:  # NaN / Infinity
        raise ConfigurationError(f"{path}: not valid JSON ({exc})") from exc
    except RecursionError:
        raise ConfigurationError(f"{path}: nests too deeply to read") from None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def read_schema_file(path: str | Path) -> dict[str, Any]:
    """Read a schema from a file holding either a bare JSON Schema or a recorded model object."""
    document = read_json_file(path)
    if not isinstance(document, dict):
        raise SchemaInvalid(
            f"{path}: a schema must be a JSON object, not {type(document).__name__}"
        )
    if any(key in document for key in SCHEMA_KEYS):
        schema = schema_of(document)
        if schema is None:
            raise SchemaInvalid(f"{path}: the model object has no request schema")
        return schema
    return document


def _provider_dirs(directory: Path, provider: str) -> list[Path]:
    nested = directory / provider
    return [nested] if nested.is_dir() else [directory]


def iter_model_files(
    directory: str | Path | None = None, *, provider: str = "oxen"
) -> Iterator[Path]:
    """Current-version fixture files of one provider, sorted by name."""
    base = Path(directory) if directory is not None else bundled_dir()
    for folder in _provider_dirs(base, provider):
        yield from sorted(p for p in folder.glob("*.json") if p.is_file())


def version_files(
    model_id: str, directory: str | Path | None = None, *, provider: str = "oxen"
) -> list[Path]:
    """Older recorded versions of one model (``versions/<id>@<date>.json``), oldest first."""
    base = Path(directory) if directory is not None else bundled_dir()
    found: list[Path] = []
    for folder in _provider_dirs(base, provider):
        found += [
            p for p in (folder / "versions").glob("*.json") if p.name.startswith(f"{model_id}@")
        ]
    return sorted(found)


def load_model_objects(
    directory: str | Path | None = None, *, provider: str = "oxen"
) -> dict[str, dict[str, Any]]:
    """Every current-version model object of a provider, keyed by model id.

    Files that are not JSON objects with an id are skipped: a fixture directory may hold
    other files (payload examples, notes).
    """
    models: dict[str, dict[str, Any]] = {}
    for path in iter_model_files(directory, provider=provider):
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(document, dict) and (model_id := model_id_of(document)):
            models[model_id] = document
    return models


def find_model_object(
    model_id: str,
    *,
    provider: str = "oxen",
    directories: tuple[str | Path, ...] = (),
    bundled: bool = True,
) -> dict[str, Any] | None:
    """The recorded model object for ``model_id``: the given directories first, then bundled."""
    search: list[str | Path | None] = list(directories)
    if bundled:
        search.append(None)
    for directory in search:
        found = load_model_objects(directory, provider=provider).get(model_id)
        if found is not None:
            return found
    return None


def recorded_providers(directories: tuple[str | Path, ...] = ()) -> list[str]:
    """The providers that have fixtures (a ``<provider>/`` folder) in ``directories`` or in
    the bundled fixtures: read from the files, so no list of provider names is kept here
    (the registry is :data:`schemadrive.hub.providers.PROVIDERS`)."""
    names: list[str] = []
    for base in (*map(Path, directories), bundled_dir()):
        try:
            folders = sorted(p for p in base.iterdir() if p.is_dir() and any(p.glob("*.json")))
        except OSError:
            continue
        names += [folder.name for folder in folders if folder.name not in names]
    return names


def _recorded_ids(provider: str, directories: tuple[str | Path, ...]) -> list[str]:
    ids: list[str] = []
    for directory in (*directories, None):
        ids += [i for i in load_model_objects(directory, provider=provider) if i not in ids]
    return ids


def _not_found(model_id: str, provider: str, directories: tuple[str | Path, ...]) -> ModelNotFound:
    elsewhere = [
        p
        for p in recorded_providers(directories)
        if p != provider and model_id in _recorded_ids(p, directories)
    ]
    if elsewhere:  # the right id under the wrong provider: say so rather than suggest others
        detail = f"it is recorded for provider {elsewhere[0]!r}"
        return ModelNotFound(model_id, status=None, detail=detail)
    known = _recorded_ids(provider, directories)
    close = difflib.get_close_matches(model_id.split("@")[0], known, n=3, cutoff=0.6)
    detail = f"no recorded {provider} model has this id"
    return ModelNotFound(model_id, suggestions=close, status=None, detail=detail)


def recorded_schema(
    model_id: str, *, provider: str = "oxen", directories: tuple[str | Path, ...] = ()
) -> dict[str, Any]:
    """The request schema recorded for ``model_id`` (``id@DATE`` for an older version).

    Searches ``directories`` first, then the bundled fixtures. Raises
    :class:`~schemadrive.exceptions.ModelNotFound` with close ids as ``suggestions``, or
    :class:`~schemadrive.exceptions.SchemaUnavailable` for a model without a request schema.
    """
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
