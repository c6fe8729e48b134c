"""Validate payloads against a request schema and fill their defaults. Pure: no HTTP.

A schema is compiled once (:func:`compile_schema`) into a :class:`CompiledSchema` that keeps
its validator, the names it declares and a plan for its defaults, so checking a payload does
not walk the schema again.

Rules, as documented in docs/validation.md:

* The dialect comes from ``$schema`` (Draft 2020-12 when absent). ``format`` is asserted for
  the formats jsonschema can check (``uri`` included); unknown formats are ignored.
* OpenAPI 3.0's ``nullable: true`` and boolean ``exclusiveMinimum``/``exclusiveMaximum`` are
  translated to their JSON Schema forms before compiling.
* ``$ref`` resolves inside the schema (``$defs``, ``definitions``, ``components``, embedded
  ``$id`` resources); a remote ``$ref`` is never fetched and makes the schema invalid.
* Top-level names the schema does not declare are reported (``unknown="error"``), reported as
  warnings (``"warn"``) or accepted (``"allow"``); the hub's common parameters are always known.
* Defaults are filled only where a key is absent, recursively through objects, arrays,
  ``$ref`` and ``allOf``; for ``anyOf``/``oneOf`` only from the first branch the payload already
  satisfies. A default that is invalid against its own subschema is never filled. Filling
  returns a new dict and never changes the caller's.
"""

from __future__ import annotations

import json
import math
import threading
import warnings
from collections.abc import Mapping
from typing import Any, Literal

from cachetools import LRUCache

from ..exceptions import PayloadInvalid, SchemadriveError, SchemaInvalid
from .defaults import IMMUTABLE, DefaultPlan
from .fastpath import FastPath, compile_fast, env_allows_fast, is_plain
from .normalize import child_subschemas, iter_subschemas, metaschema_errors, no_remote, normalize
from .problems import Problem, json_path, problems_from_errors, suggest

__all__ = [
    "HUB_COMMON_PARAMETERS",
    "CompiledSchema",
    "Problem",
    "compile_schema",
    "fill_defaults",
    "prepare",
    "validate",
]

Unknown = Literal["error", "warn", "allow"]
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
_DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"

#: Parameters every media endpoint of the hub accepts besides the model's own (docs/hub-contract.md §1, §3.1).
HUB_COMMON_PARAMETERS = frozenset(
    {
        "model",
        "num_generations",
        "target_namespace",
        "target_repo",
        "target_directory",
        "response_format",
    }
)


class CompiledSchema:
    """A request schema compiled for repeated use: validate, fill defaults, prepare.

    Thread-safe and immutable after construction. Build with :func:`compile_schema`.

    ``fast`` chooses the validator of valid payloads: jsonschema-rs when installed and when it
    judges this schema as jsonschema does (schemadrive/fastpath.py), else jsonschema. ``None``
    (the default) uses it unless ``SCHEMADRIVE_FAST=0``; ``False`` forces jsonschema. Either
    way the verdict is the same, and problems are always built by jsonschema.
    ``fallback_reason`` says why the fast path is not used, when it is not.
    """

    def __init__(
        self,
        schema: Any,
        *,
        common: frozenset[str] = HUB_COMMON_PARAMETERS,
        fast: bool | None = None,
    ) -> None:
        if not isinstance(schema, (dict, bool)):
            raise SchemaInvalid(f"a schema must be a JSON object, not {type(schema).__name__}")
        from jsonschema import Draft202012Validator
        from jsonschema.validators import validator_for
        from referencing import Registry
        from referencing.jsonschema import DRAFT202012, specification_with

        self.schema = schema
        self.normalized = normalize(schema)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            declared = self.normalized.get("$schema") if isinstance(self.normalized, dict) else None
            if declared is None or isinstance(declared, str):
                cls = validator_for(self.normalized, default=Draft202012Validator)
            else:  # a "$schema" that is not a string: the metaschema check reports it
                cls = Draft202012Validator
        self.dialect: str = getattr(cls, "META_SCHEMA", {}).get("$schema", "")
        errors = metaschema_errors(cls, self.normalized)
        if errors:
            raise SchemaInvalid("the schema fails its metaschema", errors=errors)
        self._spec: Any = DRAFT202012
        registry: Any = Registry(retrieve=no_remote)  # type: ignore[call-arg]
        if isinstance(self.normalized, dict):
            spec = specification_with(self.dialect or _DRAFT_2020_12, default=DRAFT202012)
            resource = spec.create_resource(self.normalized)
            self._spec = spec
            registry = registry.with_resource(self.normalized.get("$id", ""), resource).crawl()
        self._registry = registry
        self._cls = cls
        checker = cls.FORMAT_CHECKER
        self.validator = cls(self.normalized, registry=registry, format_checker=checker)
        # jsonschema keeps its resolver private; lookups here follow the validator's own rules
        self._resolver: Any = getattr(self.validator, "_resolver")  # noqa: B009
        self._check_refs()
        self.common = common
        self.known: frozenset[str] | None = self._known_names()
        self.plan = self._plan_for(self.normalized, depth=0)
        self._conditional = any(
            key in node
            for node in iter_subschemas(self.normalized)
            for key in _CONDITIONAL_KEYWORDS
        )
        # with conditionals, filling goes through fill_defaults' guard, never the flat merge
        self._flat_defaults = None if self._conditional else self.plan.flat()
        self._fast: FastPath | None = None
        self.fallback_reason: str | None = "the slow path was asked for"
        if fast is None:
            fast = env_allows_fast()
        if fast:
            self._fast, self.fallback_reason = compile_fast(
                self.normalized, self.validator, known=self.known, common=common
            )
        # The one call that judges most payloads (unknown="error"), kept at hand.
        self._strict = self._fast.strict if self._fast is not None else None

    @property
    def fast(self) -> bool:
        """True when jsonschema-rs judges payloads of this schema."""
        return self._fast is not None

    # -- references ---------------------------------------------------------------------
    def _resolve(self, node: Any) -> Any:
        """Follow ``$ref`` chains from the root's base URI (local and embedded refs only)."""
        seen = 0
        while isinstance(node, dict) and isinstance(node.get("$ref"), str) and seen < 32:
            try:
                target = self._resolver.lookup(node["$ref"]).contents
            except Exception:  # a ref relative to an embedded $id: jsonschema resolves it
                return {k: v for k, v in node.items() if k != "$ref"}
            if len(node) > 1:  # 2020-12: siblings of $ref apply too
                merged = dict(target) if isinstance(target, dict) else {}
                merged.update({k: v for k, v in node.items() if k != "$ref"})
                return merged
            node = target
            seen += 1
        return node

    def _check_refs(self) -> None:
        """Every ``$ref`` must resolve, from the base URI of the resource it is in."""
        bad = []
        root = self.normalized
        stack: list[tuple[Any, Any]] = [(root, self._resolver)]
        while stack:
            node, resolver = stack.pop()
            if not isinstance(node, dict):
                continue
            if node is not root and isinstance(node.get("$id"), str):
                resolver = resolver.in_subresource(self._spec.create_resource(node))
            ref = node.get("$ref")
            if isinstance(ref, str):
                try:
                    resolver.lookup(ref)
                except Exception:  # referencing raises several kinds; all mean "unresolvable"
                    remote = ref.startswith(("http://", "https://"))
                    why = "remote references are never fetched" if remote else "no such target"
                    bad.append(f"$ref {ref!r} cannot be resolved: {why}")
            stack += [(child, resolver) for child in child_subschemas(node)]
        if bad:
            raise SchemaInvalid("the schema has unresolvable references", errors=bad)

    def _parts(self, node: Any, depth: int = 0) -> list[dict[str, Any]]:
        """The node and every schema it is made of through ``$ref`` and ``allOf``."""
        node = self._resolve(node)
        if not isinstance(node, dict) or depth > 16:
            return []
        parts = [node]
        for sub in node.get("allOf") or []:
            parts += self._parts(sub, depth + 1)
        return parts

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
                names.update(properties)
            for key in ("allOf", "anyOf", "oneOf"):
                pending += [s for s in node.get(key) or [] if isinstance(s, dict)]
            for key in ("then", "else"):
                if isinstance(node.get(key), dict):
                    pending.append(node[key])
            if isinstance(node.get("dependentSchemas"), dict):
                pending += [s for s in node["dependentSchemas"].values() if isinstance(s, dict)]
        return frozenset(names)

    # -- defaults -------------------------------------------------------------------------
    def _plan_for(self, node: Any, depth: int) -> DefaultPlan:
        plan = DefaultPlan()
        if depth > 8:
            return plan
        for part in self._parts(node):
            properties = part.get("properties")
            if isinstance(properties, dict):
                for name, sub in properties.items():
                    resolved = self._resolve(sub)
                    if isinstance(resolved, dict) and "default" in resolved:
                        default = resolved["default"]
                        if self._default_is_valid(sub, default):
                            mutable = not isinstance(default, IMMUTABLE)
                            plan.defaults.append((name, default, mutable))
                    child = self._plan_for(sub, depth + 1)
                    if not child.empty():
                        plan.children[name] = child
            items = part.get("items")
            if isinstance(items, dict):
                child = self._plan_for(items, depth + 1)
                if not child.empty():
                    plan.items = child
            for key in ("anyOf", "oneOf"):
                for branch in part.get(key) or []:
                    child = self._plan_for(branch, depth + 1)
                    if not child.empty():
                        plan.branches.append((self._sub_validator(branch), child))
        return plan

    def _sub_validator(self, subschema: Any) -> Any:
        return self.validator.evolve(schema=subschema)

    def _default_is_valid(self, subschema: Any, default: Any) -> bool:
        try:
            return bool(self._sub_validator(subschema).is_valid(default))
        except Exception:
            return False

    def fill_defaults(self, payload: Any) -> Any:
        """A new payload with every absent default filled (the input is never changed)."""
        flat = self._flat_defaults
        if flat is not None and type(payload) is dict:
            return {**flat, **payload}
        filled = self.plan.apply(payload)
        if self._conditional and filled != payload:
            is_valid = self.validator.is_valid
            if is_valid(payload) and not is_valid(filled):
                return self.plan.apply_guarded(payload, is_valid)
        return filled

    # -- validation -----------------------------------------------------------------------
    def _unknown(self, payload: Any, unknown: Unknown) -> list[Problem]:
        if unknown == "allow" or self.known is None or not isinstance(payload, dict):
            return []
        problems = []
        for name in payload:
            if name in self.known or name in self.common:
                continue
            close = suggest(str(name), self.known)
            hint = f"did you mean {close!r}?" if close else "the schema does not declare it"
            problems.append(
                Problem(
                    json_path([str(name)]),
                    "unknown",
                    f"{str(name)!r} is not a parameter of this model",
                    hint,
                    severity="error" if unknown == "error" else "warning",
                )
            )
        return problems

    def validate(self, payload: Any, *, unknown: Unknown = "error") -> list[Problem]:
        """Every problem with ``payload`` (errors and, with ``unknown="warn"``, warnings)."""
        strict = self._strict
        if strict is not None and unknown == "error":  # the common case: one jsonschema-rs call
            try:
                if strict(payload) and is_plain(payload):
                    return []
            except Exception:  # not judged: jsonschema decides below
                pass
        elif self._fast is not None:
            if unknown == "error":
                if self._fast.accepts(payload):
                    return []
            elif (unknown == "warn" or unknown == "allow") and self._fast.accepts(
                payload, names=False
            ):
                return self._unknown(payload, unknown)
        return self.explain(payload, unknown=unknown)

    def explain(self, payload: Any, *, unknown: Unknown = "error") -> list[Problem]:
        """:meth:`validate` by jsonschema alone (the slow path, which builds the problems)."""
        if unknown not in ("error", "warn", "allow"):
            from ..exceptions import ConfigurationError

            raise ConfigurationError(f"unknown must be 'error', 'warn' or 'allow', not {unknown!r}")
        try:
            errors = list(self.validator.iter_errors(payload))
        except SchemadriveError:
            raise
        except RecursionError as exc:
            raise SchemaInvalid("the payload or schema nests too deeply to check") from exc
        except (TypeError, ValueError, ArithmeticError) as exc:
            # the payload, not the schema: e.g. an int beyond Python's 4300-digit str() limit,
            # or a non-JSON value (Decimal, set) a keyword cannot handle
            message = f"the payload could not be checked: {str(exc)[:120]}"
            return [Problem("$", "value", message, "send plain JSON values")]
        except Exception as exc:  # a schema jsonschema cannot apply (e.g. a bad regex)
            raise SchemaInvalid(f"the schema could not be applied: {exc}") from exc
        root = self._resolve(self.normalized)
        problems = problems_from_errors(errors, root if isinstance(root, dict) else None)
        return problems + _non_finite(payload) + self._unknown(payload, unknown)

    def is_valid(self, payload: Any, *, unknown: Unknown = "error") -> bool:
        """True when ``validate`` would report no error."""
        fast = self._fast
        if (
            fast is not None
            and unknown in ("error", "warn", "allow")
            and fast.accepts(payload, names=unknown == "error")
        ):
            return True
        return not any(p.severity == "error" for p in self.validate(payload, unknown=unknown))

    def prepare(
        self, payload: Any, *, unknown: Unknown = "error", model_id: str | None = None
    ) -> dict[str, Any]:
        """Fill defaults, validate, return the new payload; raise PayloadInvalid if not valid."""
        if payload is None:
            payload = {}
        flat = self._flat_defaults
        if flat is not None and type(payload) is dict:
            # The defaults are plain JSON (the fast path refuses schemas with odd numbers), so
            # only the caller's values need the plain-JSON check.
            filled: Any = {**flat, **payload}
            guarded = payload
        else:
            filled = guarded = self.fill_defaults(payload)
        strict, fast = self._strict, self._fast
        if strict is not None and unknown == "error" and type(filled) is dict:  # as in validate()
            try:
                if strict(filled) and is_plain(guarded):
                    return filled
            except Exception:  # not judged: jsonschema decides below
                pass
        elif fast is not None and type(filled) is dict:
            if unknown == "error":
                if fast.accepts(filled):
                    return filled
            elif (unknown == "warn" or unknown == "allow") and fast.accepts(filled, names=False):
                return filled
        problems = [p for p in self.validate(filled, unknown=unknown) if p.severity == "error"]
        if problems:
            raise PayloadInvalid(problems, model_id=model_id)
        if not isinstance(filled, dict):  # only reachable with a schema that allows non-objects
            kind = type(filled).__name__
            raise PayloadInvalid(
                [Problem("$", "type", f"a payload must be a JSON object, not {kind}")],
                model_id=model_id,
            )
        return filled


def _non_finite(value: Any, path: tuple[str | int, ...] = (), depth: int = 0) -> list[Problem]:
    """NaN and Infinity pass ``type: number`` in Python, but JSON has no such numbers."""
    if isinstance(value, float) and not math.isfinite(value):
        return [
            Problem(
                json_path(path), "type", f"{value!r} is not a JSON number", "use a finite number"
            )
        ]
    if depth > 64:
        return []
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _non_finite(v, (*path, str(k)), depth + 1)]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _non_finite(v, (*path, i), depth + 1)]
    return []


_compiled: LRUCache[str, CompiledSchema] = LRUCache(maxsize=256)
_compiled_lock = threading.Lock()


def compile_schema(
    schema: Any, *, common: frozenset[str] = HUB_COMMON_PARAMETERS, fast: bool | None = None
) -> CompiledSchema:
    """Compile ``schema`` (memoised by content, so repeated calls are cheap).

    ``common`` names the parameters a hub accepts besides the schema's own (never "unknown");
    ``fast`` is as for :class:`CompiledSchema` (``None``: on unless ``SCHEMADRIVE_FAST=0``).
    """
    if fast is None:
        fast = env_allows_fast()
    try:
        key = json.dumps([schema, sorted(common), fast], sort_keys=True, default=repr)
    except (TypeError, ValueError) as exc:
        raise SchemaInvalid(f"the schema is not JSON: {exc}") from exc
    except RecursionError as exc:
        raise SchemaInvalid("the schema nests too deeply to compile") from exc
    with _compiled_lock:
        found = _compiled.get(key)
    if found is not None:
        return found
    try:
        compiled = CompiledSchema(schema, common=common, fast=fast)
    except RecursionError as exc:
        raise SchemaInvalid("the schema nests too deeply to compile") from exc
    with _compiled_lock:
        _compiled[key] = compiled
    return compiled


def validate(
    schema: Mapping[str, Any] | bool, payload: Any, *, unknown: Unknown = "error"
) -> list[Problem]:
    """Every problem with ``payload`` under ``schema``; an empty list means valid."""
    return compile_schema(schema).validate(payload, unknown=unknown)


def fill_defaults(schema: Mapping[str, Any] | bool, payload: Any) -> Any:
    """A new payload with the schema's defaults filled where keys are absent."""
    return compile_schema(schema).fill_defaults(payload)


def prepare(
    schema: Mapping[str, Any] | bool, payload: Any, *, unknown: Unknown = "error"
) -> dict[str, Any]:
    """Fill defaults and validate; return the new payload or raise PayloadInvalid."""
    return compile_schema(schema).prepare(payload, unknown=unknown)
