"""What a table is validated against, in a form that travels to other processes.

A :class:`Target` is plain data: the request schema (a JSON document), the names the hub accepts
besides the schema's own, and whether it stands for a model or a bare schema. It pickles with
the standard library, so Spark executors and Dask workers get it inside their task; each
process compiles it once (:func:`checker_for`, cached by the target's key) and never calls a
hub. Pure: no HTTP, no pyarrow.
"""

from __future__ import annotations

import hashlib
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

    ``kind`` is ``"model"`` (rows judged by :meth:`schemadrive.Model.validate` of a Model
    rebuilt on the worker from ``info``, the model object the hub returned, and ``provider``:
    no hub call), ``"compiled"`` (by a CompiledSchema compiled again from ``schema``,
    ``common`` and ``options``) or ``"schema"`` (as :func:`schemadrive.validate` judges).
    ``key`` identifies the content.
    """

    schema: Any
    kind: Literal["model", "compiled", "schema"]
    common: tuple[str, ...] | None = None
    model_id: str | None = None
    info: Any = None
    provider: Any = None
    options: tuple[tuple[str, Any], ...] = ()

    @property
    def key(self) -> str:
        provider = self.provider if isinstance(self.provider, str) else repr(self.provider)
        parts = [self.schema, self.kind, self.common, self.model_id, self.info, provider]
        text = json.dumps([*parts, self.options], sort_keys=True, default=repr)
        return hashlib.sha256(text.encode()).hexdigest()


def target_for(model_or_schema: Any, *, client: Client | None = None) -> Target:
    """A :class:`Target` from a Model, a model id (fetched once, here, through ``client`` or a
    new ``Client()``), a CompiledSchema, a schema dict, a path to a schema file (a JSON Schema
    or a recorded model object) or a Target."""
    from ..hub.providers import PROVIDERS
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
        provider = model_or_schema.provider
        # a registered provider travels by name; another one as itself (it must pickle)
        shipped = provider.name if PROVIDERS.get(provider.name) is provider else provider
        return Target(
            model_or_schema.schema,
            "model",
            tuple(sorted(provider.common_parameters)),
            model_or_schema.id,
            model_or_schema.info,
            shipped,
        )
    if isinstance(model_or_schema, CompiledSchema):
        options = (
            (("strict", model_or_schema.strict),) if hasattr(model_or_schema, "strict") else ()
        )
        common = tuple(sorted(model_or_schema.common))
        return Target(model_or_schema.schema, "compiled", common, options=options)
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
    """A :class:`Target` made ready in this process: validates and fills one payload at a time,
    with the very function the target stands for."""

    def __init__(self, target: Target, compiled: CompiledSchema | None = None) -> None:
        from ..schema.compile import compile_schema

        self.target = target
        self.model_id = target.model_id
        owner: Any
        if compiled is not None:
            owner = compiled
        elif target.kind == "model":
            from ..hub.providers import get_provider
            from ..model import Model

            owner = Model(target.model_id or "", target.info, get_provider(target.provider))
        elif target.kind == "compiled":
            common = frozenset(target.common or ())
            owner = compile_schema(target.schema, common=common, **dict(target.options))
        else:
            owner = compile_schema(target.schema)
        self._validate = owner.validate
        self._fill = owner.fill_defaults

    @classmethod
    def of(cls, compiled: CompiledSchema) -> Checker:
        """A Checker for a schema compiled already (in this process only)."""
        return cls(Target(compiled.schema, "compiled"), compiled)

    def validate(self, payload: Any, unknown: Unknown | None) -> list[Problem]:
        """The problems of ``payload``; ``unknown=None`` leaves the choice to the target."""
        if unknown is None:
            return self._validate(payload)  # type: ignore[no-any-return]
        return self._validate(payload, unknown=unknown)  # type: ignore[no-any-return]

    def fill(self, payload: Any) -> Any:
        return self._fill(payload)

    def top_defaults(self) -> dict[str, Any]:
        """The defaults an empty payload gets (the parameter columns a fill may add)."""
        filled = self.fill({})
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
