"""Validate payloads against a schema and fill their defaults. Pure: no HTTP.

A schema is compiled once (:func:`compile_schema`) into a :class:`CompiledSchema` that keeps
its validator, the names it declares and a plan for its defaults, so checking a payload does
not walk the schema again. Rules (docs/models-and-validation.md):

* The dialect comes from ``$schema`` (Draft 2020-12 when absent). A bare schema means what the
  JSON Schema specification says; ``strict=True`` (what :class:`~schemadrive.model.Model`
  uses) also reports top-level names the schema does not declare and asserts ``format`` in
  every draft (:mod:`schemadrive.schema.validators`).
* OpenAPI 3.0's ``nullable: true`` and boolean ``exclusiveMinimum``/``exclusiveMaximum`` are
  translated to their JSON Schema forms before compiling.
* ``$ref`` resolves inside the schema (``$defs``, ``definitions``, ``components``, embedded
  ``$id`` resources, anchors, dynamic anchors) and to documents passed as ``resources``; a
  remote ``$ref`` is never fetched and makes the schema invalid.
* Defaults are filled only where a key is absent, recursively through objects, arrays,
  ``$ref`` and ``allOf``; for ``anyOf``/``oneOf`` only from the first branch the payload already
  satisfies. A default that is invalid against its own subschema is never filled. Filling
  returns a new dict and never changes the caller's.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from functools import cached_property
from typing import Any

from cachetools import LRUCache

from ..exceptions import SchemaInvalid
from .checking import Checking, Unknown
from .defaults import build_plan
from .dialects import certainly_valid, dialect_name
from .fastpath import (
    BranchCheck,
    Dialect,
    compile_branch,
    compile_fast,
    env_allows_fast,
    rs_verdict,
)
from .normalize import normalize
from .problems import Problem
from .refs import Refs, parts, resolve
from .validators import dialect_class, formats_assert, make_validator, metaschema_errors
from .walk import Walk

__all__ = [
    "CompiledSchema",
    "Problem",
    "Unknown",
    "compile_schema",
    "fill_defaults",
    "prepare",
    "validate",
]

_EXTRA_NAME_KEYWORDS = ("additionalProperties", "unevaluatedProperties", "patternProperties")
#: keywords whose verdict a filled default can change (fill_defaults then fills guardedly)
_CONDITIONAL_KEYWORDS = (
    "dependentRequired",
    "dependentSchemas",
    "dependencies",
    "if",
    "not",
    "oneOf",
)


class CompiledSchema(Checking):
    """A schema compiled for repeated use: validate, fill defaults, prepare.

    Thread-safe and immutable after construction; picklable (it is rebuilt from the schema
    on the other side). Build with :func:`compile_schema`.

    ``strict`` (default False: the specification) reports top-level names the schema does not
    declare as errors and asserts ``format`` in every draft; ``common`` names parameters that
    are never "unknown" (a hub's own, given by its provider). ``fast`` chooses the validator
    of valid payloads: jsonschema-rs when installed and when it judges this schema as
    jsonschema does (schemadrive/schema/fastpath.py), else jsonschema. ``None`` (the default)
    uses it unless ``SCHEMADRIVE_FAST=0``; ``False`` forces jsonschema. Either way the verdict
    is the same. ``resources`` maps URIs to documents a ``$ref`` may name (never fetched).
    """

    def __init__(
        self,
        schema: Any,
        *,
        common: frozenset[str] = frozenset(),
        fast: bool | None = None,
        strict: bool = False,
        resources: Mapping[str, Any] | None = None,
    ) -> None:
        if not isinstance(schema, (dict, bool)):
            raise SchemaInvalid(f"a schema must be a JSON object, not {type(schema).__name__}")
        self.schema = schema
        self.strict = strict
        self._mode = "error" if strict else "allow"
        self.common = frozenset(common)
        self.resources = dict(resources or {})
        self.normalized = normalize(schema)
        if fast is None:
            fast = env_allows_fast()
        # jsonschema is imported only where it must answer (schemadrive/schema/dialects.py):
        # an uncertain draft or metaschema verdict, an invalid payload, the slow path
        known_dialect = dialect_name(self.normalized)
        if not (fast and certainly_valid(self.normalized)):
            errors = metaschema_errors(dialect_class(self.normalized), self.normalized)
            if errors:
                raise SchemaInvalid("the schema fails its metaschema", errors=errors)
        if known_dialect is None:
            cls = self._cls
            known_dialect = (cls.__name__, getattr(cls, "META_SCHEMA", {}).get("$schema", ""))
        self.dialect: str = known_dialect[1]
        self._draft = Dialect(
            known_dialect[0],
            formats_assert(known_dialect[0], strict=strict),
            lambda: self.validator,
        )
        self.refs = Refs(self.normalized, self.dialect, resources=self.resources)
        walk = Walk(self.normalized)
        bad, loops = self.refs.problems(walk)
        if walk.truncated:
            raise SchemaInvalid("the schema is too large or nests too deeply to compile")
        if bad:
            raise SchemaInvalid("the schema has unresolvable references", errors=bad + loops)
        if loops:
            raise SchemaInvalid("the schema refers to itself in an endless loop", errors=loops)
        self.known: frozenset[str] | None = self._known_names()
        self._known_problems: dict[Any, list[Problem]] = {}  # see problems_in_any_order
        self._unknown_problems: dict[tuple[str, str], Problem] = {}  # see Checking._unknown
        self._fast: Any = None
        self.fallback_reason: str | None = "the slow path was asked for"
        self._fast_requested = fast
        if fast:
            self._fast, self.fallback_reason = compile_fast(
                self.normalized, self._draft, known=self.known, common=self.common
            )
        self._root = self._resolve(self.normalized)  # where explain's problems start
        # The one call that judges most payloads (unknown="error"), kept at hand.
        self._strict = self._fast.strict if self._fast is not None else None
        self.plan = build_plan(
            self.normalized,
            self.parts,
            self._resolve,
            self._branch_check,
            self._default_is_valid,
        )
        self._conditional = any(
            key in node for node in self._subschemas() for key in _CONDITIONAL_KEYWORDS
        )
        # with conditionals, filling goes through fill_defaults' guard, never the flat merge
        self._flat_defaults = None if self._conditional else self.plan.flat()

    def __reduce__(self) -> tuple[Any, ...]:
        # rebuilt from the schema on the other side (validators and jsonschema-rs objects do
        # not pickle); the compile cache makes that cheap in a worker that has seen it before
        options = {
            "common": self.common,
            "fast": self._fast_requested,
            "strict": self.strict,
            "resources": self.resources or None,
        }
        return (_rebuild, (self.schema, options))

    @cached_property
    def _cls(self) -> Any:
        """jsonschema's class for the schema's draft."""
        return dialect_class(self.normalized)

    @cached_property
    def validator(self) -> Any:
        """jsonschema's validator of the schema: the slow path, which explains problems
        (built on first use)."""
        return make_validator(self._cls, self.normalized, self.refs, strict=self.strict)

    @property
    def fast(self) -> bool:
        """True when jsonschema-rs judges payloads of this schema."""
        return self._fast is not None

    # -- references ---------------------------------------------------------------------
    def _subschemas(self) -> list[Any]:
        return [step.schema for step in Walk(self.normalized)]

    def _resolve(self, node: Any) -> Any:
        """Follow ``$ref`` chains from the root's base URI (local and embedded refs only)."""
        return resolve(self.refs, node)

    def parts(self, node: Any) -> list[dict[str, Any]]:
        """The node and every schema it is made of through ``$ref`` and ``allOf``."""
        return parts(self.refs, node)

    # -- names ----------------------------------------------------------------------------
    def _known_names(self) -> frozenset[str] | None:
        names: set[str] = set()
        pending = [self.normalized]
        visited = 0
        while pending and visited < 256:
            visited += 1
            node = self._resolve(pending.pop())
            if not isinstance(node, dict):
                continue
            if any(k in node for k in _EXTRA_NAME_KEYWORDS):
                return None  # the schema decides about extra names itself
            properties = node.get("properties")
            if isinstance(properties, dict):
                names.update(str(name) for name in properties)
            for key in ("allOf", "anyOf", "oneOf"):
                pending += [s for s in node.get(key) or [] if isinstance(s, dict)]
            for key in ("then", "else"):
                if isinstance(node.get(key), dict):
                    pending.append(node[key])
            for key in ("dependentSchemas", "dependencies"):
                if isinstance(node.get(key), dict):
                    pending += [s for s in node[key].values() if isinstance(s, dict)]
        return frozenset(names)

    # -- defaults -------------------------------------------------------------------------
    def _sub_validator(self, subschema: Any) -> Any:
        return self.validator.evolve(schema=subschema)

    def _branch_check(self, subschema: Any) -> Any:
        """What judges which ``anyOf``/``oneOf`` branch a payload satisfies (its defaults are
        filled): jsonschema-rs when the branch stands alone, else jsonschema."""
        if self._fast is None:
            return self._sub_validator(subschema)
        rs = compile_branch(subschema, self._draft)
        return BranchCheck(rs, lambda: self._sub_validator(subschema))

    def _default_is_valid(self, subschema: Any, default: Any) -> bool:
        if self._fast is not None:  # jsonschema-rs's verdict where it is jsonschema's
            rs = compile_branch(subschema, self._draft)
            verdict = None if rs is None else rs_verdict(rs, default)
            if verdict is not None:
                return verdict
        try:
            return bool(self._sub_validator(subschema).is_valid(default))
        except Exception:
            return False


def _rebuild(schema: Any, options: dict[str, Any]) -> CompiledSchema:
    return compile_schema(schema, **options)


_compiled: LRUCache[str, CompiledSchema] = LRUCache(maxsize=256)
_compiled_lock = threading.Lock()


def compile_schema(
    schema: Any,
    *,
    common: frozenset[str] = frozenset(),
    fast: bool | None = None,
    strict: bool = False,
    resources: Mapping[str, Any] | None = None,
) -> CompiledSchema:
    """Compile ``schema`` (memoised by content, so repeated calls are cheap).

    ``strict``: also report undeclared top-level names and assert ``format`` in every draft
    (False: the JSON Schema specification alone); ``common`` names parameters that are never
    "unknown"; ``fast`` and ``resources`` are as for :class:`CompiledSchema`. Raises
    SchemaInvalid for a schema that is not valid JSON Schema.
    """
    if fast is None:
        fast = env_allows_fast()
    try:
        key = json.dumps(
            [schema, sorted(common), fast, strict, resources], sort_keys=True, default=repr
        )
    except (TypeError, ValueError) as exc:
        raise SchemaInvalid(f"the schema is not JSON: {exc}") from exc
    except RecursionError as exc:
        raise SchemaInvalid("the schema nests too deeply to compile") from exc
    with _compiled_lock:
        found = _compiled.get(key)
    if found is not None:
        return found
    try:
        compiled = CompiledSchema(
            schema, common=common, fast=fast, strict=strict, resources=resources
        )
    except RecursionError as exc:
        raise SchemaInvalid("the schema nests too deeply to compile") from exc
    with _compiled_lock:
        _compiled[key] = compiled
    return compiled


#: The module-level functions' memo: (id(schema), strict) -> (schema, a copy of its
#: containers, compiled). The copy shares the schema's strings and numbers, so checking that
#: the schema is unchanged since it was compiled (``==``) compares containers and identities
#: only: cheaper than the JSON key compile_schema builds, and still exact.
_recent: dict[tuple[int, bool], tuple[Any, Any, CompiledSchema]] = {}
_RECENT = 64


_LEAVES = frozenset({str, int, float, bool, type(None)})


def _containers(value: Any) -> Any:
    kind = type(value)
    if kind is dict:
        return {key: _containers(item) for key, item in value.items()}
    if kind is list:
        return [_containers(item) for item in value]
    if kind in _LEAVES:
        return value
    raise TypeError(kind)  # another container could change unseen: no memo for it


def _compiled_for(schema: Any, strict: bool) -> CompiledSchema:
    """``compile_schema(schema, strict=strict)``, answered from a memo of the last schemas
    seen when this very object is unchanged. ``SCHEMADRIVE_FAST`` is read when a schema is
    compiled, not on every call (it never changes a verdict, only its speed)."""
    key = (id(schema), strict)
    found = _recent.get(key)
    if found is not None and found[0] is schema and found[1] == schema:
        return found[2]
    compiled = compile_schema(schema, strict=strict)
    try:
        snapshot = _containers(schema)
    except (RecursionError, TypeError):
        return compiled
    if len(_recent) >= _RECENT:
        _recent.clear()
    _recent[key] = (schema, snapshot, compiled)  # holds schema: its id stays its own
    return compiled


def validate(
    schema: Mapping[str, Any] | bool,
    payload: Any,
    *,
    unknown: Unknown | None = None,
    strict: bool = False,
) -> list[Problem]:
    """Every problem with ``payload`` under ``schema``; an empty list means valid.

    By the JSON Schema specification alone; ``strict=True`` also reports top-level names the
    schema does not declare and asserts ``format`` (``unknown`` overrides the names' handling:
    ``"error"``, ``"warn"`` or ``"allow"``).
    """
    return _compiled_for(schema, strict).validate(payload, unknown=unknown)


def fill_defaults(schema: Mapping[str, Any] | bool, payload: Any) -> Any:
    """A new payload with the schema's defaults filled where keys are absent."""
    return _compiled_for(schema, False).fill_defaults(payload)


def prepare(
    schema: Mapping[str, Any] | bool,
    payload: Any,
    *,
    unknown: Unknown | None = None,
    strict: bool = False,
) -> dict[str, Any]:
    """Fill defaults and validate; return the new payload or raise PayloadInvalid."""
    return _compiled_for(schema, strict).prepare(payload, unknown=unknown)
