"""Schema drift: what changed between two versions of a request schema, and what it breaks.

``diff(old, new)`` compares the parameters of two schemas (resolved through ``$ref`` and
``allOf``, recursing into nested objects and array items) and returns :class:`Change` values.
A change is *breaking* when a payload that was valid against ``old`` can be invalid against
``new``; :data:`KINDS` says which kinds break (docs/drift.md explains each one).

Annotations (``x-order`` and every ``x-*``, ``basic``, ``title``, ``$id``, ``$schema``) are
never reported. ``recheck`` re-validates stored payloads against the new schema with
:mod:`schemadrive.schema.compile`, exactly as the client would. Pure: no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from ..exceptions import ConfigurationError, SchemadriveError, SchemaInvalid
from ..schema.compile import CompiledSchema, Unknown, compile_schema
from ..schema.document import Node, SchemaDocument, View, same_value, type_allows
from ..schema.normalize import normalize
from ..schema.problems import Problem, json_path, show

__all__ = ["KINDS", "Change", "PayloadFailure", "diff", "recheck"]

_MAX_DEPTH = 24
_ANNOTATIONS = ("description", "title", "$comment")
_ALL_TYPES = frozenset({"string", "number", "boolean", "object", "array", "null"})
_LOWER = (("minimum", "exclusiveMinimum"), ("minLength", None), ("minItems", None),
          ("minProperties", None))  # fmt: skip
_UPPER = (("maximum", "exclusiveMaximum"), ("maxLength", None), ("maxItems", None),
          ("maxProperties", None))  # fmt: skip


#: Every kind of change, and whether it breaks payloads that were valid.
KINDS: Mapping[str, bool] = MappingProxyType({
    "parameter-removed": True, "required-added": True, "enum-value-removed": True,
    "enum-added": True, "range-narrowed": True, "type-changed": True, "format-added": True,
    "format-changed": True, "pattern-added": True, "pattern-changed": True,
    "additional-closed": True, "constraint-added": True, "constraint-changed": True,
    "parameter-added": False, "required-removed": False, "enum-value-added": False,
    "enum-removed": False, "range-widened": False, "type-widened": False,
    "format-removed": False, "pattern-removed": False, "additional-opened": False,
    "constraint-removed": False, "default-changed": False, "description-changed": False,
})  # fmt: skip


@dataclass(frozen=True)
class Change:
    """One difference between two schemas.

    ``path`` is a JSON path into the payload (``$`` the payload, ``$.duration`` a parameter,
    ``$.frames[*].url`` inside array items); ``old``/``new`` hold the compared values when
    there are any (``None`` when a side has none).
    """

    path: str
    kind: str
    breaking: bool
    message: str
    old: Any = None
    new: Any = None

    def __str__(self) -> str:
        flag = "breaking" if self.breaking else "compatible"
        return f"{self.path}: {self.kind} ({flag}): {self.message}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (used by ``--format json``)."""
        return {
            "path": self.path,
            "kind": self.kind,
            "breaking": self.breaking,
            "message": self.message,
            "old": self.old,
            "new": self.new,
        }


def _document(schema: Any, side: str) -> tuple[SchemaDocument, Node]:
    if isinstance(schema, bool):
        schema = {} if schema else {"not": {}}
    if not isinstance(schema, dict):
        raise SchemaInvalid(f"the {side} schema must be a JSON object, not {type(schema).__name__}")
    try:
        document = SchemaDocument(normalize(schema))
    except RecursionError as exc:
        raise SchemaInvalid(f"the {side} schema nests too deeply to compare") from exc
    return document, document.nodes[0]


def _path(parts: list[str | int]) -> str:
    out = "$"
    for part in parts:
        out += "[*]" if part == "[*]" else json_path([part])[1:]
    return out


def _single(values: list[Any] | None) -> Any:
    """A keyword's value from one part as is; from several parts, the list of them."""
    return values[0] if values is not None and len(values) == 1 else values


def _strip(value: Any, depth: int = 0) -> Any:
    """``value`` without annotations (descriptions, titles, ``x-*``), for comparing constraints."""
    if depth > 64:
        return value
    if isinstance(value, list):
        return [_strip(v, depth + 1) for v in value]
    if isinstance(value, dict):
        return {
            k: _strip(v, depth + 1)
            for k, v in value.items()
            if not (str(k).startswith("x-") or k in _ANNOTATIONS and isinstance(v, str))
        }
    return value


def _types(types: frozenset[str] | None) -> str:
    return "/".join(sorted(types)) if types is not None else "any type"


Parts = list[str | int]


class _Differ:
    def __init__(self, old: SchemaDocument, new: SchemaDocument, *, descriptions: bool) -> None:
        self.old, self.new = old, new
        self.descriptions = descriptions
        self.changes: list[Change] = []
        self.seen: set[tuple[int, int]] = set()

    def add(self, parts: Parts, kind: str, message: str, old: Any = None, new: Any = None) -> None:
        self.changes.append(Change(_path(parts), kind, KINDS[kind], message, old, new))

    def compare(self, parts: Parts, old_node: Node, new_node: Node) -> None:
        key = (id(old_node.schema), id(new_node.schema))
        if key in self.seen or len(parts) > _MAX_DEPTH:
            return
        self.seen.add(key)
        ov, nv = self.old.view(old_node), self.new.view(new_node)
        self._types(parts, ov, nv)
        self._enum(parts, ov, nv)
        self._bounds(parts, ov, nv)
        self._text(parts, "format", ov.format, nv.format)
        self._text(parts, "pattern", _first(ov.patterns), _first(nv.patterns))
        if ov.has_default != nv.has_default or not same_value(ov.default, nv.default):
            if not nv.has_default:
                what = f"removed (was {show(ov.default)})"
            elif ov.has_default:
                what = f"changed from {show(ov.default)} to {show(nv.default)}"
            else:
                what = f"added: {show(nv.default)}"
            self.add(parts, "default-changed", f"default {what}", ov.default, nv.default)
        if self.descriptions and (ov.description or "") != (nv.description or ""):
            self.add(
                parts, "description-changed", "description changed", ov.description, nv.description
            )
        self._composites(parts, ov, nv)
        self._properties(parts, ov, nv)
        if ov.items is not None and nv.items is not None:
            self.compare([*parts, "[*]"], ov.items, nv.items)

    def _types(self, parts: Parts, ov: View, nv: View) -> None:
        if ov.types == nv.types:
            return
        lost = sorted(t for t in ov.types or _ALL_TYPES if not type_allows(nv.types, t))
        message = f"type changed from {_types(ov.types)} to {_types(nv.types)}"
        old, new = ov.types and sorted(ov.types), nv.types and sorted(nv.types)
        if lost:
            self.add(
                parts, "type-changed", f"{message} ({', '.join(lost)} no longer accepted)", old, new
            )
        else:
            self.add(parts, "type-widened", message, old, new)

    def _enum(self, parts: Parts, ov: View, nv: View) -> None:
        if ov.enum is None and nv.enum is None:
            return
        if ov.enum is None or nv.enum is None:
            if ov.enum is None:
                self.add(parts, "enum-added", "now limited to " + _listing(nv.enum), None, nv.enum)
            else:
                self.add(parts, "enum-removed", "no longer limited to a list of values", ov.enum)
            return
        removed = [v for v in ov.enum if not any(same_value(v, w) for w in nv.enum)]
        added = [v for v in nv.enum if not any(same_value(v, w) for w in ov.enum)]
        if removed:
            self.add(
                parts,
                "enum-value-removed",
                "no longer allowed: " + _listing(removed),
                ov.enum,
                nv.enum,
            )
        if added:
            self.add(
                parts, "enum-value-added", "newly allowed: " + _listing(added), ov.enum, nv.enum
            )

    def _bounds(self, parts: Parts, ov: View, nv: View) -> None:
        for family, sign in ((_LOWER, 1), (_UPPER, -1)):
            for inclusive, exclusive in family:
                old = _bound(ov.bounds, inclusive, exclusive, sign)
                new = _bound(nv.bounds, inclusive, exclusive, sign)
                if old == new:
                    continue
                label = inclusive if exclusive is None else ("minimum" if sign == 1 else "maximum")
                narrowed = (
                    old is None
                    or new is not None
                    and (sign * new[0], new[1]) > (sign * old[0], old[1])
                )
                kind = "range-narrowed" if narrowed else "range-widened"
                text = f"{label} {_show_bound(old)} -> {_show_bound(new)}"
                self.add(parts, kind, text, old and old[0], new and new[0])
        old_m, new_m = ov.bounds.get("multipleOf"), nv.bounds.get("multipleOf")
        if old_m != new_m:
            narrowed = new_m is not None and (old_m is None or not _multiple(old_m, new_m))
            kind = "range-narrowed" if narrowed else "range-widened"
            self.add(parts, kind, f"multipleOf {show(old_m)} -> {show(new_m)}", old_m, new_m)

    def _text(self, parts: Parts, keyword: str, old: str | None, new: str | None) -> None:
        if old == new:
            return
        if old is None:
            self.add(
                parts,
                f"{keyword}-added",
                f"{keyword} {new!r} added: values must now match it",
                None,
                new,
            )
        elif new is None:
            self.add(parts, f"{keyword}-removed", f"{keyword} {old!r} removed", old)
        else:
            self.add(
                parts, f"{keyword}-changed", f"{keyword} changed from {old!r} to {new!r}", old, new
            )

    def _composites(self, parts: Parts, ov: View, nv: View) -> None:
        for keyword in dict.fromkeys([*ov.composites, *nv.composites]):
            old = _strip(_single(ov.composites.get(keyword)))
            new = _strip(_single(nv.composites.get(keyword)))
            if old is None:
                self.add(
                    parts,
                    "constraint-added",
                    f"new {keyword} constraint: {show(new, 120)}",
                    None,
                    new,
                )
            elif new is None:
                self.add(parts, "constraint-removed", f"{keyword} constraint removed", old)
            elif not same_value(old, new):
                self.add(
                    parts,
                    "constraint-changed",
                    f"{keyword} constraint changed to {show(new, 120)}",
                    old,
                    new,
                )
        if (ov.additional is False) != (nv.additional is False):
            if nv.additional is False:
                self.add(
                    parts,
                    "additional-closed",
                    "undeclared names are now rejected (additionalProperties: false)",
                )
            else:
                self.add(parts, "additional-opened", "undeclared names are now accepted")

    def _properties(self, parts: Parts, ov: View, nv: View) -> None:
        for name in ov.properties:
            if name not in nv.properties:
                self.add([*parts, name], "parameter-removed", f"parameter {name!r} removed")
        for name, node in nv.properties.items():
            if name in ov.properties:
                self.compare([*parts, name], ov.properties[name], node)
            elif name in nv.required:
                self.add([*parts, name], "required-added", f"new required parameter {name!r}")
            else:
                self.add([*parts, name], "parameter-added", f"new optional parameter {name!r}")
        for name in nv.required:
            if name not in ov.required and (name in ov.properties or name not in nv.properties):
                self.add([*parts, name], "required-added", f"{name!r} is now required")
        for name in ov.required:
            if name not in nv.required:
                self.add([*parts, name], "required-removed", f"{name!r} is no longer required")


def _first(values: list[str]) -> str | None:
    return values[0] if values else None


def _listing(values: list[Any] | None) -> str:
    return ", ".join(show(v, 30) for v in values or [])


def _bound(
    bounds: dict[str, Any], inclusive: str, exclusive: str | None, sign: int
) -> tuple[float, bool] | None:
    found = [(bounds[inclusive], False)] if inclusive in bounds else []
    if exclusive is not None and exclusive in bounds:
        found.append((bounds[exclusive], True))
    if not found:
        return None
    return max(found, key=lambda b: (sign * b[0], b[1]))


def _multiple(value: float, factor: float) -> bool:
    """Whether ``value`` is a whole multiple of ``factor`` (False when it cannot be told)."""
    try:
        quotient = value / factor
        return math.isfinite(quotient) and quotient == int(quotient)
    except (ZeroDivisionError, OverflowError, ValueError):
        return False


def _show_bound(bound: tuple[float, bool] | None) -> str:
    if bound is None:
        return "none"
    return show(bound[0]) + (" (exclusive)" if bound[1] else "")


def diff(old: Any, new: Any, *, descriptions: bool = False) -> list[Change]:
    """Every change from ``old`` to ``new``, in schema order; see the module docs for kinds.

    Raises :class:`~schemadrive.exceptions.SchemaInvalid` when a side is not a schema.
    """
    old_document, old_root = _document(old, "old")
    new_document, new_root = _document(new, "new")
    differ = _Differ(old_document, new_document, descriptions=descriptions)
    try:
        differ.compare([], old_root, new_root)
    except RecursionError as exc:
        raise SchemaInvalid("the schemas nest too deeply to compare") from exc
    except Exception as exc:  # a bug here must not look like a crash of the caller
        raise SchemaInvalid(f"the schemas could not be compared: {exc!r}") from exc
    return differ.changes


@dataclass(frozen=True)
class PayloadFailure:
    """A stored payload the new schema rejects: its position, the payload and the problems."""

    index: int
    payload: Any
    problems: tuple[Problem, ...]
    failed_before: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        problems = [p.to_dict() for p in self.problems]
        return {"index": self.index, "payload": self.payload, "problems": problems,
                "failed_before": self.failed_before}  # fmt: skip


def _compiled(schema: Any) -> CompiledSchema:
    try:  # stored payloads are a model's: checked strictly, as the client checks them
        return compile_schema(schema, strict=True)
    except SchemadriveError:
        raise
    except Exception as exc:  # jsonschema cannot load this schema at all
        raise SchemaInvalid(f"the schema could not be compiled: {exc}") from exc


def _problems(compiled: CompiledSchema, payload: Any, unknown: Unknown) -> list[Problem]:
    try:
        found = compiled.validate(payload, unknown=unknown)
    except SchemadriveError:
        raise
    except RecursionError as exc:
        raise SchemaInvalid("the payload nests too deeply to check") from exc
    return [p for p in found if p.severity == "error"]


def recheck(
    payloads: Iterable[Any], new: Any, *, old: Any = None, unknown: Unknown = "error"
) -> list[PayloadFailure]:
    """The stored payloads that ``new`` rejects, validated as the client would.

    With ``old``, each failure also says whether the payload already failed before
    (``failed_before``). ``unknown`` is passed to :func:`schemadrive.schema.compile.validate`: by
    default a parameter the new schema no longer declares is a failure, as in the client.
    """
    if isinstance(payloads, (str, bytes)) or not hasattr(payloads, "__iter__"):
        raise ConfigurationError("recheck needs an iterable of payloads")
    now, then = _compiled(new), None if old is None else _compiled(old)
    failures: list[PayloadFailure] = []
    for index, payload in enumerate(payloads):
        problems = _problems(now, payload, unknown)
        if problems:
            before = None if then is None else bool(_problems(then, payload, unknown))
            failures.append(PayloadFailure(index, payload, tuple(problems), before))
    return failures
