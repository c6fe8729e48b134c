"""Drawing payloads a schema must reject, each with the rule it breaks (see
:mod:`schemadrive.fuzz`)."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable
from typing import Any

import hypothesis.strategies as st

from ..exceptions import ConfigurationError
from ..schema.problems import json_type
from ._schema import (
    _ANNOTATIONS,
    _LOWER,
    Schema,
    _expand_types,
    _split,
)
from ._valid import RULE_KEYWORDS, RULES, _accepts, _Builder, _compiled, payloads

__all__ = ["invalid_payloads"]


_WRONG: tuple[Any, ...] = ("12", 7, 2.5, True, None, ["text"], {"key": "value"})
_BOUNDS = ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum")
Mutator = Callable[[Any], dict[str, Any]]  # draw -> a payload that breaks one rule
Change = Callable[[Any, str, dict[str, Any]], Any]  # draw, name, payload -> the new value


def _near_misses(allowed: list[Any]) -> list[Any]:
    """Values a person might write instead of an allowed one ("1080P", "6", 11)."""
    found: list[Any] = ["none", 0]
    for value in allowed:
        if isinstance(value, bool):
            found.append(not value)
        elif isinstance(value, str):
            found += [value.upper(), f"{value}x", value.replace("_", "-"), f" {value}"]
        elif isinstance(value, (int, float)):
            found += [value + 1, value - 1, str(value)]
    return list({json.dumps(v): v for v in found}.values())


def _typos(name: str) -> list[str]:
    middle = len(name) // 2
    return [name[:middle] + name[middle + 1 :], f"{name}s", name.replace("_", "-"), name.upper()]


def _required_only(schema: Schema) -> bool:
    return isinstance(schema, dict) and set(schema) - set(_ANNOTATIONS) == {"required"}


def invalid_payloads(
    schema: Any, *, rules: Iterable[str] = RULES
) -> st.SearchStrategy[tuple[dict[str, Any], str]]:
    """A strategy of ``(payload, rule)``: payloads ``schema`` rejects, and the rule each breaks.

    Each is a valid payload with one mutation at the top level: ``type`` (a value of the wrong
    JSON type), ``range`` (below a minimum or above a maximum), ``enum`` (a near miss such as
    ``"1080P"`` or ``"6"``), ``required`` (a required name removed), ``unknown`` (an
    undeclared name, often a typo of a declared one), ``conditional`` (an anyOf or oneOf of
    required names, an if/then requirement or a dependentRequired broken). Every pair is
    re-checked: schemadrive reports a Problem whose keyword is in ``RULE_KEYWORDS[rule]``.
    ``rules`` narrows the choice; a schema with nothing to break gives an empty strategy.
    """
    wanted = set(rules)
    if wanted - set(RULES):
        raise ConfigurationError(f"unknown rules {sorted(wanted - set(RULES))}; use {list(RULES)}")
    compiled = _compiled(schema)
    builder = _Builder(compiled)
    plain, choices = _split(builder.root)
    valid = payloads(compiled)
    if plain is None or valid.is_empty:
        return st.nothing()
    properties: dict[str, Any] = plain.get("properties") or {}
    simple = {}  # properties whose schema is plain (no anyOf...): a mutation has one outcome
    for name, sub in properties.items():
        view, more = _split(sub)
        if view is not None and not more:
            simple[name] = view
    misses = {
        name: [v for v in _near_misses(view["enum"]) if not builder.check(properties[name])(v)]
        for name, view in simple.items()
        if "enum" in view
    }
    typos: dict[str, str] = {}
    if compiled.known is not None:
        taken = compiled.known | compiled.common
        candidates = [(t, n) for n in sorted(compiled.known) for t in _typos(n)]
        typos = {t: n for t, n in [*candidates, ("unknown_parameter", "")] if t and t not in taken}

    def wrong_type(draw: Any, name: str, payload: dict[str, Any]) -> Any:
        allowed = _expand_types(simple[name]["type"])
        return draw(st.sampled_from([w for w in _WRONG if json_type(w) not in allowed]))

    def out_of_range(draw: Any, name: str, payload: dict[str, Any]) -> Any:
        view, step = simple[name], draw(st.integers(1, 1000))
        side = draw(st.sampled_from([k for k in _BOUNDS if k in view]))
        exclusive = side.startswith("exclusive")
        if side in _LOWER:
            return math.floor(view[side]) - step + exclusive
        return math.ceil(view[side]) + step - exclusive

    numeric = {"integer", "number"}
    ranged = [
        n
        for n, v in simple.items()
        if "enum" not in v
        and set(v) & set(_BOUNDS)
        and numeric & _expand_types(v.get("type", numeric))
    ]
    changes: dict[str, tuple[Iterable[str], Change]] = {
        "type": ([n for n, v in simple.items() if "type" in v and "enum" not in v], wrong_type),
        "range": (ranged, out_of_range),
        "enum": (
            [n for n, found in misses.items() if found],
            lambda d, n, p: d(st.sampled_from(misses[n])),
        ),
        "unknown": (typos, lambda d, n, p: p.get(typos[n], "x")),
    }
    mutators: list[tuple[str, Mutator]] = []
    for rule, (names, change) in changes.items():
        if rule in wanted and names:
            mutators.append((rule, _set_one(valid, sorted(names), change)))
    if "required" in wanted and plain.get("required"):
        mutators.append(("required", _drop_one(valid, plain["required"])))
    if "conditional" in wanted:
        mutators += [
            ("conditional", m) for m in _conditional_mutators(builder, plain, choices, valid)
        ]
    if not mutators:
        return st.nothing()

    @st.composite
    def draw_invalid(draw: Any) -> tuple[dict[str, Any], str]:
        rule, mutate = draw(st.sampled_from(mutators))
        return mutate(draw), rule

    def rejected(pair: tuple[dict[str, Any], str]) -> bool:
        problems = compiled.validate(pair[0], unknown="error")
        return any(p.keyword in RULE_KEYWORDS[pair[1]] and p.severity == "error" for p in problems)

    return draw_invalid().filter(rejected)


def _set_one(valid: Any, names: list[str], change: Change) -> Mutator:
    def mutate(draw: Any) -> dict[str, Any]:
        payload = dict(draw(valid))
        name = draw(st.sampled_from(names))
        payload[name] = change(draw, name, payload)
        return payload

    return mutate


def _drop_one(
    base: Any, names: list[str], *, adding: Iterable[str] = (), values: Any = None
) -> Mutator:
    """A payload from ``base`` with the names in ``adding`` present and one of ``names`` gone."""

    def mutate(draw: Any) -> dict[str, Any]:
        payload = dict(draw(base))
        for name in adding:
            payload.setdefault(name, draw(values[name]))
        if names:
            payload.pop(draw(st.sampled_from(names)), None)
        return payload

    return mutate


def _drop_all(base: Any, names: list[str]) -> Mutator:
    return lambda draw: {k: v for k, v in draw(base).items() if k not in names}


def _conditional_mutators(
    builder: _Builder, plain: dict[str, Any], choices: list[tuple[Any, ...]], valid: Any
) -> list[Mutator]:
    """Break an anyOf or oneOf of required names, an if/then requirement, a dependentRequired."""
    found: list[Mutator] = []
    required = plain.get("required", [])
    values = {name: builder.build(sub) for name, sub in (plain.get("properties") or {}).items()}
    for kind, *args in choices:
        if kind in ("anyOf", "oneOf") and all(_required_only(branch) for branch in args[0]):
            names = sorted({name for branch in args[0] for name in branch["required"]})
            if kind == "anyOf":  # none of the alternatives: all of them removed
                found.append(_drop_all(valid, names))
            elif all(values.get(name) is not None for name in names):  # all of them at once
                found.append(_drop_one(valid, [], adding=names, values=values))
        elif kind == "if":  # a payload on the `then` side, without one name `then` requires
            condition, then = args[0], args[1]
            needed = [n for n in (_split(then)[0] or {}).get("required", []) if n not in required]
            base = builder.build({"allOf": [builder.root, condition, then]})
            if needed and base is not None:
                found.append(_drop_one(base.filter(_accepts(builder.compiled)), needed))
    for trigger, needed in (plain.get("dependentRequired") or {}).items():
        if values.get(trigger) is not None and needed:
            found.append(_drop_one(valid, list(needed), adding=[trigger], values=values))
    return found
