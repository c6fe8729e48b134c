"""What a table is validated against, in a form that travels to other processes.

A :class:`Target` is plain data: the request schema (a JSON document), the names the hub accepts
besides the schema's own, and whether it stands for a model or a bare schema. It pickles with
the standard library, so Spark executors and Dask workers get it inside their task; each
process compiles it once (:func:`checker_for`, cached by the target's key) and never calls a
hub. Pure: no HTTP, no pyarrow.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from ..exceptions import ConfigurationError, SchemaInvalid

if TYPE_CHECKING:
    from ..client import Client
    from ..schema.compile import CompiledSchema, Unknown
    from ..schema.problems import Problem

__all__ = ["Checker", "Target", "checker_for", "target_for"]


@dataclass(frozen=True)
class Target:
    """A request schema to validate against, as plain data (what is shipped to workers).

    ``kind`` is ``"model"`` (payloads judged as :meth:`schemadrive.Model.validate` judges them,
    with ``common`` the hub's own parameter names) or ``"schema"`` (judged as
    :func:`schemadrive.validate` judges them). ``key`` identifies the content.
    """

    schema: Any
    kind: Literal["model", "schema"]
    common: tuple[str, ...] | None = None
    model_id: str | None = None

    @property
    def key(self) -> str:
        text = json.dumps([self.schema, self.kind, self.common], sort_keys=True, default=repr)
        return hashlib.sha256(text.encode()).hexdigest()


def target_for(model_or_schema: Any, *, client: Client | None = None) -> Target:
    """A :class:`Target` from a Model, a model id (fetched once, here, through ``client`` or a
    new ``Client()``), a CompiledSchema, a schema dict, a path to a schema file (a JSON Schema
    or a recorded model object) or a Target."""
    from ..model import Model
    from ..schema.compile import CompiledSchema

    if isinstance(model_or_schema, Target):
        return model_or_schema
    if isinstance(model_or_schema, str):
        if client is None:
            from ..client import Client

            with Client() as own:
                return target_for(own.model(model_or_schema))
        return target_for(client.model(model_or_schema))
    if isinstance(model_or_schema, Model):
        common = tuple(sorted(model_or_schema.provider.common_parameters))
        return Target(model_or_schema.schema, "model", common, model_or_schema.id)
    if isinstance(model_or_schema, CompiledSchema):
        return Target(model_or_schema.schema, "model", tuple(sorted(model_or_schema.common)))
    if isinstance(model_or_schema, os.PathLike):
        from ..hub.recorded import read_schema_file

        return Target(read_schema_file(os.fspath(model_or_schema)), "schema")
    if isinstance(model_or_schema, (dict, bool)):
        return Target(model_or_schema, "schema")
    raise ConfigurationError(
        "validate a table against a Model, a model id, a CompiledSchema, a schema dict or a "
        f"schema file path, not {type(model_or_schema).__name__}"
    )


class Checker:
    """A compiled :class:`Target`: validates and fills one payload at a time."""

    def __init__(self, target: Target, compiled: CompiledSchema | None = None) -> None:
        from ..schema.compile import compile_schema

        self.target = target
        if compiled is None:
            if target.kind == "model":
                # as Model.compiled: the schema with the hub's common parameters
                common = frozenset(target.common or ())
                compiled = compile_schema(target.schema, common=common)
            else:
                compiled = compile_schema(target.schema)
        self.compiled = compiled
        self.model_id = target.model_id

    @classmethod
    def of(cls, compiled: CompiledSchema) -> Checker:
        """A Checker for a schema compiled already (in this process only)."""
        return cls(Target(compiled.schema, "model", tuple(sorted(compiled.common))), compiled)

    def default_unknown(self) -> Unknown:
        """What ``unknown`` is when not given: as the function this target stands for."""
        from ..model import Model
        from ..schema.compile import validate

        function: Any = Model.validate if self.target.kind == "model" else validate
        default = inspect.signature(function).parameters["unknown"].default
        return default if default in ("error", "warn", "allow") else "error"

    def validate(self, payload: Any, unknown: Unknown) -> list[Problem]:
        return self.compiled.validate(payload, unknown=unknown)

    def fill(self, payload: Any) -> Any:
        return self.compiled.fill_defaults(payload)

    def top_defaults(self) -> dict[str, Any]:
        """The defaults an empty payload gets (the parameter columns a fill may add)."""
        filled = self.compiled.fill_defaults({})
        return filled if isinstance(filled, dict) else {}


# One compiled schema per process and target (Spark and Dask reuse worker processes).
_checkers: dict[str, Checker] = {}
_lock = threading.Lock()


def checker_for(target: Target) -> Checker:
    """The process's Checker for ``target``, compiled on first use."""
    key = target.key
    with _lock:
        found = _checkers.get(key)
    if found is not None:
        return found
    try:
        checker = Checker(target)
    except RecursionError as exc:
        raise SchemaInvalid("the schema nests too deeply to compile") from exc
    with _lock:
        return _checkers.setdefault(key, checker)
