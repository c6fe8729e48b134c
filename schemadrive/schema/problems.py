"""Problems: what is wrong with a payload, where, and how to fix it.

Turns jsonschema's ``ValidationError`` objects into :class:`Problem` values with a JSON path,
the keyword that failed, a sentence a person understands and a hint. Pure: no I/O.
"""

from __future__ import annotations

import ast
import difflib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

__all__ = ["Problem", "json_path", "json_type", "problems_from_errors", "suggest"]

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a payload.

    ``path`` is a JSON path into the payload (``$`` is the payload itself, ``$.duration`` a
    parameter, ``$.input_image[0]`` an array element); ``keyword`` is the schema keyword that
    failed (``type``, ``enum``, ``required``, ``maximum``, ``format``, ...), or ``unknown`` for
    a parameter the schema does not declare; ``message`` is a sentence; ``hint`` says how to fix
    it when we can tell. ``severity`` is ``error`` or ``warning`` (warnings never block a run).
    """

    path: str
    keyword: str
    message: str
    hint: str | None = None
    severity: str = "error"
    schema_path: str = field(default="", compare=False)

    def __str__(self) -> str:
        text = f"{self.path}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (used by ``--format json``)."""
        return {
            "path": self.path,
            "keyword": self.keyword,
            "message": self.message,
            "hint": self.hint,
            "severity": self.severity,
        }


def json_path(parts: Iterable[Any]) -> str:
    """``["a", 0, "b c"]`` -> ``$.a[0]['b c']`` (keys that are not strings are shown as text:
    a Python dict can have them, JSON cannot)."""
    out = "$"
    for part in parts:
        if isinstance(part, bool) or not isinstance(part, (int, str)):
            part = str(part)
        if isinstance(part, int):
            out += f"[{part}]"
        elif _IDENTIFIER.match(part):
            out += f".{part}"
        else:
            out += "[" + json.dumps(part) + "]"
    return out


def show(value: Any, limit: int = 60) -> str:
    """A short JSON rendering of a value for messages."""
    from ..media.display import display_payload  # a file or data: URI as its type and size

    try:
        text = json.dumps(display_payload(value), ensure_ascii=False, default=repr)
    except (TypeError, ValueError, RecursionError):
        # too deep to render, or an int beyond Python's str() digit limit
        kind = type(value).__name__
        text = f"<{kind} too large to show>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def suggest(word: str, candidates: Iterable[Any], *, cutoff: float = 0.6) -> str | None:
    """The candidate closest to ``word``, if any is close enough."""
    strings = [c for c in candidates if isinstance(c, str)]
    found = difflib.get_close_matches(word, strings, n=1, cutoff=cutoff)
    if found:
        return found[0]
    lowered = {c.lower(): c for c in strings}
    return lowered.get(word.lower())


_TYPE_NAMES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "object": "an object",
    "array": "an array",
    "null": "null",
}


def json_type(value: Any) -> str:
    """The JSON type of a Python value (``1.0`` is an integer, as in JSON Schema).

    A value JSON cannot hold gets its Python type name.
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _got(value: Any) -> str:
    kind = json_type(value)
    return kind if kind in ("null",) else f"{kind} {show(value)}"


def _expected(types: Any) -> str:
    names = [types] if isinstance(types, str) else list(types or [])
    words = [_TYPE_NAMES.get(name, name) for name in names]
    return " or ".join(words) if words else "another type"


def _type_hint(value: Any, types: Any) -> str | None:
    names = {types} if isinstance(types, str) else set(types or [])
    if value is None:
        return "this parameter does not accept null: leave it out to use the default"
    if isinstance(value, str):
        text = value.strip()
        if names & {"integer", "number"}:
            try:
                number = float(text)
            except ValueError:
                return None
            if "integer" in names and number.is_integer():
                return f"write {int(number)} without quotes"
            if "number" in names:
                return f"write {text} without quotes"
        if "boolean" in names and text.lower() in ("true", "false"):
            return f"write {text.lower()} without quotes"
    if isinstance(value, (int, float)) and not isinstance(value, bool) and "string" in names:
        return f'write "{value}" in quotes'
    if isinstance(value, float) and "integer" in names:
        return "use a whole number"
    return None


def _enum_hint(value: Any, allowed: Sequence[Any]) -> str:
    listing = ", ".join(show(v, 30) for v in allowed[:12])
    if len(allowed) > 12:
        listing += f", ... ({len(allowed)} in all)"
    hint = f"allowed: {listing}"
    if isinstance(value, str):
        if value.strip() in [str(v) for v in allowed if not isinstance(v, str)]:
            return f"write {value.strip()} without quotes; {hint}"
        close = suggest(value, allowed)
        if close is not None:
            return f"did you mean {show(close)}? {hint}"
    elif isinstance(value, (int, float)) and str(value) in [
        v for v in allowed if isinstance(v, str)
    ]:
        return f'write "{value}" in quotes; {hint}'
    return hint


def _range_hint(schema: dict[str, Any]) -> str | None:
    low = schema.get("minimum", schema.get("exclusiveMinimum"))
    high = schema.get("maximum", schema.get("exclusiveMaximum"))
    if isinstance(low, (int, float)) and isinstance(high, (int, float)):
        return f"allowed range: {show(low)} to {show(high)}"
    return None


def _missing_name(error: Any) -> str | None:
    match = re.match(r"^(.*) is a required property$", error.message, re.S)
    if match:
        try:
            name = ast.literal_eval(match.group(1))
        except (ValueError, SyntaxError):
            return None
        return name if isinstance(name, str) else None
    return None


def _describe_property(root_schema: dict[str, Any] | None, name: str) -> str | None:
    if not isinstance(root_schema, dict):
        return None
    prop = (root_schema.get("properties") or {}).get(name)
    if not isinstance(prop, dict):
        return None
    kind = prop.get("type")
    text = f"{name!r}"
    if isinstance(kind, str):
        text += f" ({kind})"
    description = prop.get("description")
    if isinstance(description, str) and description:
        short = description.split(". ")[0].rstrip(".")
        text += f": {short[:80]}"
    return f"add {text}"


def _is_required_only(branches: Any) -> list[str] | None:
    """For ``anyOf: [{required: [a]}, {required: [b]}]`` return ``[a, b]``."""
    if not isinstance(branches, list) or not branches:
        return None
    names: list[str] = []
    for branch in branches:
        if not isinstance(branch, dict) or set(branch) - {"required", "description", "title"}:
            return None
        required = branch.get("required")
        if not isinstance(required, list) or not required:
            return None
        names.append(" and ".join(repr(n) for n in required))
    return names


def _problem(error: Any, root_schema: dict[str, Any] | None) -> list[Problem]:
    keyword = str(error.validator)
    path_parts = list(error.absolute_path)
    path = json_path(path_parts)
    value = error.instance
    schema = error.schema if isinstance(error.schema, dict) else {}
    schema_path = "/".join(str(p) for p in error.absolute_schema_path)

    def one(message: str, hint: str | None = None, where: str = path) -> list[Problem]:
        return [Problem(where, keyword, message, hint, schema_path=schema_path)]

    if keyword == "required":
        name = _missing_name(error)
        if name is None:
            return one(error.message)
        where = json_path([*path_parts, name])
        parent = root_schema if not path_parts else schema
        return one(f"missing required parameter {name!r}", _describe_property(parent, name), where)
    if keyword == "type":
        return one(
            f"expected {_expected(error.validator_value)}, got {_got(value)}",
            _type_hint(value, error.validator_value),
        )
    if keyword == "enum":
        allowed = list(error.validator_value or [])
        return one(f"{show(value)} is not an allowed value", _enum_hint(value, allowed))
    if keyword == "const":
        return one(
            f"{show(value)} is not allowed here",
            f"the only allowed value is {show(error.validator_value)}",
        )
    if keyword in ("minimum", "exclusiveMinimum"):
        word = "below the minimum" if keyword == "minimum" else "not above the exclusive minimum"
        return one(f"{show(value)} is {word} {show(error.validator_value)}", _range_hint(schema))
    if keyword in ("maximum", "exclusiveMaximum"):
        word = "above the maximum" if keyword == "maximum" else "not below the exclusive maximum"
        return one(f"{show(value)} is {word} {show(error.validator_value)}", _range_hint(schema))
    if keyword == "multipleOf":
        return one(f"{show(value)} is not a multiple of {show(error.validator_value)}")
    if keyword == "minLength":
        return one(f"text is shorter than {error.validator_value} characters")
    if keyword == "maxLength":
        return one(f"text is longer than {error.validator_value} characters ({len(value)} given)")
    if keyword == "pattern":
        return one(f"{show(value)} does not match the pattern {error.validator_value!r}")
    if keyword == "format":
        fmt = error.validator_value
        hint = None
        if fmt in ("uri", "uri-reference", "iri", "url"):
            hint = "give a full URL such as https://example.com/input.png; data: URIs also work"
        return one(f"{show(value)} is not a valid {fmt}", hint)
    if keyword in ("minItems", "maxItems"):
        bound = "at least" if keyword == "minItems" else "at most"
        return one(f"expected {bound} {error.validator_value} items, got {len(value)}")
    if keyword == "uniqueItems":
        return one("items must be unique")
    if keyword in ("additionalProperties", "unevaluatedProperties") and isinstance(value, dict):
        declared = set((schema.get("properties") or {}).keys())
        extras = re.findall(r"'([^']*)'", error.message.split("(")[-1]) or []
        extras = [e for e in extras if e in value and e not in declared] or [
            k for k in value if k not in declared
        ]
        problems = []
        for extra in extras:
            close = suggest(extra, declared)
            problems.append(
                Problem(
                    json_path([*path_parts, extra]),
                    keyword,
                    f"{extra!r} is not a parameter of this schema",
                    f"did you mean {close!r}?" if close else None,
                    schema_path=schema_path,
                )
            )
        return problems or one(error.message)
    if keyword in ("anyOf", "oneOf"):
        alternatives = _is_required_only(error.validator_value)
        if alternatives is not None and keyword == "anyOf":
            return one(
                "provide at least one of " + ", ".join(alternatives),
                "the schema requires one of these parameters to be present",
            )
        if keyword == "oneOf" and not error.context:
            return one(
                "matches more than one of the allowed alternatives; it must match exactly one"
            )
        branch_types = [
            b.get("type") for b in error.validator_value if isinstance(b, dict) and "type" in b
        ]
        context = list(error.context or [])
        if context and all(c.validator == "type" and not c.relative_path for c in context):
            types: list[str] = []
            for t in branch_types:
                types += [t] if isinstance(t, str) else list(t or [])
            return one(
                f"expected {_expected(types)}, got {_got(value)}",
                _type_hint(value, types),
            )
        if context:
            # Report the branch the value was meant for: the ones whose type matched.
            branches: dict[Any, list[Any]] = {}
            for sub in context:
                # a false branch reports with an empty schema path: one branch of its own
                branch = sub.relative_schema_path[0] if sub.relative_schema_path else id(sub)
                branches.setdefault(branch, []).append(sub)
            shaped = [
                errs
                for errs in branches.values()
                if not any(e.validator == "type" and not e.relative_path for e in errs)
            ]
            if len(shaped) == 1:
                out: list[Problem] = []
                for sub in shaped[0]:
                    out += _problem(sub, root_schema)
                return out
            from jsonschema.exceptions import best_match

            best = best_match(context)
            if best is not None:
                return _problem(best, root_schema)
        return one(f"{show(value)} does not match any of the allowed alternatives")
    if keyword == "not":
        return one(f"{show(value)} is not allowed here")
    if keyword == "dependentRequired":
        return one(error.message.replace("is a dependency of", "is required when providing"))
    if keyword == "false":
        return one("no value is allowed here")
    return one(error.message if len(error.message) < 200 else error.message[:197] + "...")


def _merge_type_and_enum(problems: list[Problem]) -> list[Problem]:
    """A value that breaks both ``type`` and ``enum`` is one problem, not two."""
    by_path: dict[str, dict[str, Problem]] = {}
    for problem in problems:
        by_path.setdefault(problem.path, {})[problem.keyword] = problem
    out = []
    for problem in problems:
        same = by_path[problem.path]
        if problem.keyword == "type" and ("enum" in same or "const" in same):
            continue
        if problem.keyword in ("enum", "const") and "type" in same:
            type_hint = same["type"].hint
            if type_hint and "null" in type_hint:
                problem = replace(problem, hint=f"{type_hint}; {problem.hint}")
        out.append(problem)
    return out


def problems_from_errors(
    errors: Iterable[Any], root_schema: dict[str, Any] | None
) -> list[Problem]:
    """Every error as Problems, sorted by path then keyword, duplicates removed."""
    seen: set[tuple[str, str, str]] = set()
    out: list[Problem] = []
    for error in errors:
        for problem in _problem(error, root_schema):
            key = (problem.path, problem.keyword, problem.message)
            if key not in seen:
                seen.add(key)
                out.append(problem)
    out = _merge_type_and_enum(out)
    out.sort(key=lambda p: (p.path, p.keyword))
    return out
