"""A model's parameters as a flat, ordered list: what ``describe`` shows. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .compile import CompiledSchema
from .problems import json_type

__all__ = ["MISSING", "Parameter", "parameters_of"]


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


#: The default of a parameter that has none (``None`` is a real default).
MISSING: Any = _Missing()


@dataclass(frozen=True)
class Parameter:
    """One top-level parameter of a request schema.

    ``type`` is a display string (``integer``, ``string (uri)``, ``array<string>``,
    ``object | string``, ``integer | null``); ``default`` is :data:`MISSING` when there is none.
    """

    name: str
    type: str
    required: bool = False
    default: Any = MISSING
    enum: tuple[Any, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    description: str | None = None
    format: str | None = None
    nullable: bool = False
    order: float | None = None

    @property
    def has_default(self) -> bool:
        return self.default is not MISSING

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "required": self.required,
            "default": self.default if self.has_default else None,
            "has_default": self.has_default,
            "enum": list(self.enum) if self.enum is not None else None,
            "minimum": self.minimum,
            "maximum": self.maximum,
            "description": self.description,
            "format": self.format,
        }


def _merged(compiled: CompiledSchema, node: Any) -> dict[str, Any]:
    """A property's keywords merged through ``$ref`` and ``allOf`` (the wrapper's own win)."""
    merged: dict[str, Any] = {}
    for part in reversed(compiled.parts(node)):
        merged.update({k: v for k, v in part.items() if k not in ("allOf", "$ref")})
    return merged


def _type_of(compiled: CompiledSchema, prop: dict[str, Any]) -> tuple[str, bool]:
    kind = prop.get("type")
    names: list[str] = [kind] if isinstance(kind, str) else list(kind or [])
    for key in ("anyOf", "oneOf"):
        for branch in prop.get(key) or []:
            merged = _merged(compiled, branch)
            sub, _ = _type_of(compiled, merged)
            names += [n for n in sub.split(" | ") if n and n not in names]
    if not names and "enum" in prop:
        names = sorted({json_type(v) for v in prop["enum"]})
    if not names and "const" in prop:
        names = [json_type(prop["const"])]
    nullable = "null" in names
    shown = []
    for name in names:
        if name == "array" and isinstance(prop.get("items"), dict):
            item_type, _ = _type_of(compiled, _merged(compiled, prop["items"]))
            name = f"array<{item_type or 'any'}>"
        elif name == "string" and isinstance(prop.get("format"), str):
            name = f"string ({prop['format']})"
        if name not in shown:
            shown.append(name)
    non_null = [n for n in shown if n != "null"]
    text = " | ".join(non_null + (["null"] if nullable else []))
    return text, nullable


def _number(value: Any) -> float | None:
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def parameters_of(compiled: CompiledSchema) -> list[Parameter]:
    """The top-level parameters, ordered by ``x-order`` and then by declaration."""
    properties: dict[str, Any] = {}
    required: set[str] = set()
    for part in compiled.parts(compiled.normalized):
        if isinstance(part.get("properties"), dict):
            for name, sub in part["properties"].items():
                properties.setdefault(name, sub)
        if isinstance(part.get("required"), list):
            required.update(n for n in part["required"] if isinstance(n, str))
    found = []
    for index, (name, sub) in enumerate(properties.items()):
        prop = _merged(compiled, sub)
        kind, nullable = _type_of(compiled, prop)
        enum = prop.get("enum")
        if enum is None and "const" in prop:
            enum = [prop["const"]]
        order = _number(prop.get("x-order"))
        found.append(
            (
                (0 if order is not None else 1, order or 0, index),
                Parameter(
                    name=name,
                    type=kind or "any",
                    required=name in required,
                    default=prop.get("default", MISSING),
                    enum=tuple(enum) if isinstance(enum, list) else None,
                    minimum=_number(prop.get("minimum", prop.get("exclusiveMinimum"))),
                    maximum=_number(prop.get("maximum", prop.get("exclusiveMaximum"))),
                    description=prop.get("description") or prop.get("title"),
                    format=prop.get("format") if isinstance(prop.get("format"), str) else None,
                    nullable=nullable,
                    order=order,
                ),
            )
        )
    return [parameter for _, parameter in sorted(found, key=lambda pair: pair[0])]
