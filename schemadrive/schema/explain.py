"""jsonschema's ``ValidationError`` objects turned into :class:`~.problems.Problem` values:
the sentence a person understands and the hint, for each keyword. Pure: no I/O.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from .problems import _TYPE_NAMES, Problem, json_path, json_type, show, suggest

__all__ = ["problems_from_errors", "problems_in_any_order"]


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


#: id(an enum's list in a schema) -> (that list, a copy, its listing): each enum is rendered
#: once, not once per problem (the copy notices a list changed in place since)
_listings: dict[int, tuple[Any, list[Any], str]] = {}


def _render(values: Sequence[Any]) -> str:
    listing = ", ".join(show(v, 30) for v in values[:12])
    if len(values) > 12:
        listing += f", ... ({len(values)} in all)"
    return listing


def _listing(allowed: list[Any]) -> str:
    found = _listings.get(id(allowed))
    if found is not None and found[0] is allowed and found[1] == allowed:
        return found[2]
    listing = _render(allowed)
    if len(_listings) >= 1024:
        _listings.clear()
    _listings[id(allowed)] = (allowed, list(allowed), listing)  # holds it: its id stays its own
    return listing


def _enum_hint(value: Any, allowed: Sequence[Any], source: Any = None) -> str:
    """``source`` is the schema's own list (``allowed`` may be a copy): its listing is kept."""
    listing = _listing(source) if type(source) is list else _render(allowed)
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


_SIMPLE_REQUIRED = re.compile(r"'([^'\\\n]*)' is a required property")


def _missing_name(error: Any) -> str | None:
    simple = _SIMPLE_REQUIRED.fullmatch(error.message)
    if simple:  # what literal_eval gives for a quoted name without quotes or escapes in it
        return simple.group(1)
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
    schema_path = "/".join(map(str, error.absolute_schema_path))

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
        listed = _enum_hint(value, allowed, error.validator_value)
        return one(f"{show(value)} is not an allowed value", listed)
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
    return _collect(errors, root_schema)[0]


def problems_in_any_order(
    errors: Iterable[Any], root_schema: Any, known: dict[Any, list[Problem]] | None = None
) -> list[Problem] | None:
    """:func:`problems_from_errors`, or None when the result depends on the errors' order:
    two different problems of one keyword at one path (the first is kept, or merged).
    For errors whose order is not jsonschema's (schemadrive/schema/rserrors.py).

    ``known`` keeps the problems of errors that carry a ``cache_key`` (one schema's, the same
    keyword at the same place with the same value: the same problems, built once)."""
    problems, clash = _collect(errors, root_schema, known)
    return None if clash else problems


def _collect(
    errors: Iterable[Any], root_schema: Any, known: dict[Any, list[Problem]] | None = None
) -> tuple[list[Problem], bool]:
    seen: set[tuple[str, str, str]] = set()
    shown: dict[tuple[str, str], Problem] = {}
    clash = False
    out: list[Problem] = []
    for error in errors:
        key = getattr(error, "cache_key", None) if known is not None else None
        built = None if key is None else known.get(key)  # type: ignore[union-attr]
        if built is None:
            built = _problem(error, root_schema)
            if key is not None:
                if len(known) >= 4096:  # type: ignore[arg-type]
                    known.clear()  # type: ignore[union-attr]
                known[key] = built  # type: ignore[index]
        for problem in built:
            key = (problem.path, problem.keyword, problem.message)
            place = (problem.path, problem.keyword)
            if shown.setdefault(place, problem) != problem:
                clash = True
            if key not in seen:
                seen.add(key)
                out.append(problem)
    out = _merge_type_and_enum(out)
    out.sort(key=lambda p: (p.path, p.keyword))
    return out, clash
