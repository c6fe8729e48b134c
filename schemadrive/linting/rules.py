"""The lint context and the value checks behind :mod:`schemadrive.linting`: the metaschema,
defaults, examples, ``required`` and enums (SD001-SD009). Bounds, references and compositions
are checked in :mod:`schemadrive.linting.structure`; keywords, formats and prose in
:mod:`schemadrive.linting.text`.

Each check takes a :class:`LintContext` and yields ``(pointer, message, hint)``: a JSON
pointer into the schema as given, a sentence, and how to fix it. Severity, code and name
are added by the engine. Checks read the schema; they never change it.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import Any

from ..schema.document import (
    Node,
    SchemaDocument,
    View,
    declared_types,
    escape,
    json_type,
    same_value,
    type_allows,
)
from ..schema.normalize import normalize
from ..schema.problems import show, suggest
from ..schema.validators import build_validator, dialect_class

__all__ = ["Hit", "LintContext"]

Hit = tuple[str, str, "str | None"]
_UNSET: Any = object()
#: Where a subschema applies only under a condition (a branch, a dependency).
_CONDITIONAL_PLACES = ("anyOf", "oneOf", "not", "if", "then", "else", "dependentSchemas",
                       "dependencies")  # fmt: skip


class LintContext:
    """One lint run over one schema: the indexed document and a lazily built validator."""

    def __init__(
        self, schema: Any, *, formats: frozenset[str] = frozenset(), strict: bool = False
    ) -> None:
        self.schema = schema
        self.strict = strict
        self.doc = SchemaDocument(schema)
        self.extra_formats = formats
        self._normalized: Any = _UNSET
        self._validator: Any = _UNSET
        self._views: dict[int, View] = {}

    @property
    def normalized(self) -> Any:
        """The schema with OpenAPI 3.0 forms translated, as the client compiles it."""
        if self._normalized is _UNSET:
            self._normalized = normalize(self.schema)
        return self._normalized

    def view(self, node: Node) -> View:
        """The merged view of ``node`` (memoised per run)."""
        key = id(node.schema)
        if key not in self._views:
            self._views[key] = self.doc.view(node)
        return self._views[key]

    def validator_class(self) -> Any:
        """The jsonschema class for the dialect in ``$schema`` (Draft 2020-12 by default)."""
        return dialect_class(self.normalized)

    def _build_validator(self) -> Any:
        return build_validator(self.normalized, strict=self.strict).validator

    def check_value(self, pointer: str, value: Any) -> list[str] | None:
        """Why ``value`` fails the subschema at ``pointer`` ([] if valid, None if unknowable)."""
        if self._validator is _UNSET:
            try:
                self._validator = self._build_validator()
            except Exception:  # a schema jsonschema cannot even load: other rules say why
                self._validator = None
        if self._validator is None:
            return None
        sub: Any = self.normalized
        for token in pointer.split("/")[1:]:
            token = token.replace("~1", "/").replace("~0", "~")
            if isinstance(sub, dict) and token in sub:
                sub = sub[token]
            elif isinstance(sub, list) and token.isdigit() and int(token) < len(sub):
                sub = sub[int(token)]
            else:
                return None
        try:
            from jsonschema.exceptions import best_match

            errors = list(
                itertools.islice(self._validator.evolve(schema=sub).iter_errors(value), 20)
            )
            best = best_match(errors)
        except Exception:  # unresolvable $ref, bad regex, too deep: reported by other rules
            return None
        return [] if best is None else [best.message[:200]]

    def allows(self, node: Node, kind: str, depth: int = 0) -> bool:
        """Whether ``node`` can accept some value of JSON type ``kind`` (a conservative yes)."""
        for part in self.doc.parts(node):
            schema = part.schema
            if not type_allows(declared_types(schema), kind):
                return False
            enum = schema.get("enum")
            nullable = kind == "null" and schema.get("nullable") is True
            if isinstance(enum, list) and not nullable and not any(_of_kind(v, kind) for v in enum):
                return False
            if "const" in schema and json_type(schema["const"]) != kind:
                return False
            if schema.get("not") in ({}, True):
                return False
            for key in ("anyOf", "oneOf"):
                branches = schema.get(key)
                if isinstance(branches, list) and branches and depth < 8:
                    subs = [self.doc.child(part, key, i) for i in range(len(branches))]
                    if not any(s is not None and self.allows(s, kind, depth + 1) for s in subs):
                        return False
        return True

    def owner(self, node: Node) -> Node | None:
        """The object schema whose properties a ``required`` list in ``node`` names."""
        current: Node | None = node
        while current is not None:
            if self.view(current).properties or "object" in (self.view(current).types or ()):
                return current
            if current.keyword not in (*_CONDITIONAL_PLACES, "allOf"):
                return None
            current = current.parent
        return None


def _of_kind(value: Any, kind: str) -> bool:
    return json_type(value) == kind or kind == "number" and json_type(value) == "integer"


def _where(node: Node, *keys: str | int) -> str:
    return node.pointer + "".join(f"/{escape(str(k))}" for k in keys)


# -- SD001 ---------------------------------------------------------------------------------
def metaschema(ctx: LintContext) -> Iterator[Hit]:
    cls = ctx.validator_class()
    version = cls.__name__.removeprefix("Draft").removesuffix("Validator")
    dialect = f"Draft {version[:4]}-{version[4:]}" if len(version) == 6 else f"Draft {version}"
    checker = cls(cls.META_SCHEMA, format_checker=cls.FORMAT_CHECKER)
    for error in itertools.islice(checker.iter_errors(ctx.normalized), 50):
        pointer = "".join(f"/{escape(str(p))}" for p in error.absolute_path)
        yield (
            pointer,
            f"the schema fails its metaschema ({dialect}): {error.message[:200]}",
            "fix the keyword's value; the client refuses a schema that fails its metaschema",
        )


# -- SD002, SD003, SD004, SD005 ---------------------------------------------------------------
def _default_special(ctx: LintContext, node: Node) -> str | None:
    default = node.schema["default"]
    view = ctx.view(node)
    if default is None and not ctx.allows(node, "null"):
        return "SD004"
    if view.enum is not None and not any(same_value(default, v) for v in view.enum):
        return "SD003"
    return None


def default_invalid(ctx: LintContext) -> Iterator[Hit]:
    for node in ctx.doc.nodes:
        if "default" not in node.schema or _default_special(ctx, node):
            continue
        errors = ctx.check_value(node.pointer, node.schema["default"])
        if errors:
            yield (
                _where(node, "default"),
                f"the default {show(node.schema['default'])} is invalid against its own schema: "
                f"{errors[0]}",
                "change the default to a valid value (the client never fills an invalid default)",
            )


def default_not_in_enum(ctx: LintContext) -> Iterator[Hit]:
    for node in ctx.doc.nodes:
        if "default" in node.schema and _default_special(ctx, node) == "SD003":
            allowed = ", ".join(show(v, 30) for v in (ctx.view(node).enum or [])[:12]) or "none"
            yield (
                _where(node, "default"),
                f"the default {show(node.schema['default'])} is not one of the allowed values",
                f"allowed: {allowed}; set the default to one of them, or add it to the enum",
            )


def default_null(ctx: LintContext) -> Iterator[Hit]:
    for node in ctx.doc.nodes:
        if "default" in node.schema and _default_special(ctx, node) == "SD004":
            yield (
                _where(node, "default"),
                "the default is null but the schema does not accept null",
                'drop the default (leaving the key out), or allow null: "type": ["<type>", "null"]',
            )


def example_invalid(ctx: LintContext) -> Iterator[Hit]:
    for node in ctx.doc.nodes:
        samples: list[tuple[str, Any]] = []
        if isinstance(node.schema.get("examples"), list):
            samples += [
                (_where(node, "examples", i), v) for i, v in enumerate(node.schema["examples"])
            ]
        if "example" in node.schema:
            samples.append((_where(node, "example"), node.schema["example"]))
        for pointer, sample in samples:
            errors = ctx.check_value(node.pointer, sample)
            if errors:
                yield (
                    pointer,
                    f"the example {show(sample)} is invalid: {errors[0]}",
                    "fix or remove the example",
                )


# -- SD006, SD007, SD008, SD009 ---------------------------------------------------------------
def _covered(view: View, owner: Node, name: str) -> bool:
    if name in view.properties or isinstance(view.additional, Node):
        return True
    patterns = owner.schema.get("patternProperties")
    for pattern in patterns if isinstance(patterns, dict) else ():
        try:
            if re.search(str(pattern), name):
                return True
        except re.error:
            continue
    return False


def required_not_in_properties(ctx: LintContext) -> Iterator[Hit]:
    for node in ctx.doc.nodes:
        required = node.schema.get("required")
        owner = ctx.owner(node) if isinstance(required, list) else None
        if owner is None or not isinstance(required, list):
            continue
        view = ctx.view(owner)
        for index, name in enumerate(required):
            if isinstance(name, str) and not _covered(view, owner, name):
                close = suggest(name, view.properties)
                hint = f"did you mean {close!r}?" if close else f"declare {name!r} under properties"
                yield (
                    _where(node, "required", index),
                    f"{name!r} is required but not declared",
                    hint,
                )


def required_with_default(ctx: LintContext) -> Iterator[Hit]:
    for node in ctx.doc.nodes:
        required = node.schema.get("required")
        if not isinstance(required, list) or node.keyword in _CONDITIONAL_PLACES:
            continue  # a required list in a branch is a condition, not a plain requirement
        properties = ctx.view(node).properties
        for name in dict.fromkeys(n for n in required if isinstance(n, str)):
            prop = properties.get(name)
            if prop is not None and ctx.view(prop).has_default:
                yield (
                    prop.pointer,
                    f"{name!r} is required and also has a default: the default is never used",
                    "drop it from required (the default then applies), or drop the default",
                )


def duplicate_enum_value(ctx: LintContext) -> Iterator[Hit]:
    for node in ctx.doc.nodes:
        enum = node.schema.get("enum")
        if isinstance(enum, list):
            for index, value in enumerate(enum):
                if any(same_value(value, earlier) for earlier in enum[:index]):
                    yield (
                        _where(node, "enum", index),
                        f"{show(value)} appears twice in the enum",
                        "remove the duplicate",
                    )


def enum_type_mismatch(ctx: LintContext) -> Iterator[Hit]:
    for node in ctx.doc.nodes:
        enum = node.schema.get("enum")
        if not isinstance(enum, list):
            continue
        if not enum:
            yield (
                _where(node, "enum"),
                "the enum is empty: no value is allowed",
                "list the allowed values, or remove enum",
            )
            continue
        types = ctx.view(node).types
        if types is not None:
            bad = [
                v
                for v in enum
                if not type_allows(types, json_type(v))
                and not (v is None and node.schema.get("nullable") is True)
            ]
            if bad:
                listing = ", ".join(show(v, 30) for v in bad[:8])
                yield (
                    _where(node, "enum"),
                    f"enum values {listing} do not match the type {'/'.join(sorted(types))}",
                    'make the values and the type agree (6 and "6" are different values)',
                )
            continue
        kinds = {
            "number" if json_type(v) == "integer" else json_type(v) for v in enum if v is not None
        }
        if len(kinds) > 1:
            yield (
                _where(node, "enum"),
                f"the enum mixes value types ({', '.join(sorted(kinds))})",
                "use one type for every value and declare it with type",
            )
