"""Validation in one process, on the flat schema (a seed model's) and the conditional one
(tests/benchmarks/conditional_schema.json), over valid, mixed (10% invalid) and invalid
payloads: Model.validate against bare jsonschema-rs and jsonschema's iter_errors (full problem
lists), Model.prepare and fill_defaults on the conditional schema against the flat one, and the
module-level schemadrive.validate/fill_defaults/prepare(schema, payload) against a Model.
fastjsonschema (first error only) is printed beside them for scale.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .common import RUNS, Figure, Rate, Sample, compare, in_turns, report, require
from .workloads import (
    conditional_model,
    conditional_payloads,
    conditional_schema,
    flat_model,
    invalid_conditional,
    invalid_flat,
    mixed,
    payloads,
)

NAME = "validate"
COMMAND = "python tests/benchmarks/run.py validate"
UNIT = "payloads/s"

# re-exported: older benchmarks import the flat payloads from here
__all__ = ["payloads", "run"]


def _swallow(function: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``function`` with PayloadInvalid caught (prepare raises it on invalid payloads)."""
    from schemadrive.exceptions import PayloadInvalid

    def call(payload: Any) -> Any:
        try:
            return function(payload)
        except PayloadInvalid:
            return None

    return call


def run(figures: list[Figure], *, quick: bool = False) -> None:
    import jsonschema

    import schemadrive

    rs = require(NAME, "jsonschema_rs", "jsonschema-rs", figures)
    fjs = require(NAME, "fastjsonschema", "fastjsonschema", figures)
    seconds = 0.04 if quick else 0.12
    count = 300 if quick else 1000
    models = {"flat": flat_model(), "conditional": conditional_model()}
    schemas = {"flat": models["flat"].schema, "conditional": conditional_schema()}
    work: dict[str, dict[str, list[Any]]] = {
        "flat": {
            "valid": payloads(count),
            "invalid": invalid_flat(count // 5),
            "distinct": invalid_flat(count // 5, distinct=True),
        },
        "conditional": {
            "valid": conditional_payloads(count),
            "invalid": invalid_conditional(count // 5),
            "distinct": invalid_conditional(count // 5, distinct=True),
        },
    }
    for kind, sets in work.items():
        sets["mixed"] = mixed(sets["valid"], sets["invalid"])
        model = models[kind]
        assert all(model.validate(p) == [] for p in sets["valid"]), f"{kind}: valid payloads"
        assert all(model.validate(p) for p in sets["invalid"]), f"{kind}: invalid payloads"
        assert all(model.validate(p) for p in sets["distinct"]), f"{kind}: distinct payloads"

    def measures(kind: str) -> dict[str, Callable[[], float]]:
        model, schema, sets = models[kind], schemas[kind], work[kind]
        cls = jsonschema.validators.validator_for(schema)
        python = cls(schema, format_checker=cls.FORMAT_CHECKER)
        out: dict[str, Callable[[], float]] = {}

        def add(name: str, function: Callable[[Any], Any], items: list[Any]) -> None:
            out[name] = Rate(function, items, seconds=seconds)

        for variant in ("valid", "mixed", "invalid", "distinct"):
            items = sets[variant]
            if variant == "distinct":
                # a Rate repeats its items: the memos are emptied before each payload, so
                # no problem is reused (the cost of emptying them is counted against us)
                add("validate/distinct", _forgetful(model), items)
                add("iter_errors/distinct", lambda p: list(python.iter_errors(p)), items)
                continue
            add(f"validate/{variant}", model.validate, items)
            add(f"iter_errors/{variant}", lambda p: list(python.iter_errors(p)), items)
            if variant != "invalid":
                add(f"prepare/{variant}", _swallow(model.prepare), items)
                add(f"fill/{variant}", model.fill_defaults, items)
                add(f"module.validate/{variant}", lambda p: schemadrive.validate(schema, p), items)
            if rs is not None:
                add(f"rs/{variant}", rs.validator_for(schema).is_valid, items)
            if fjs is not None:
                add(f"fjs/{variant}", _first_error(fjs.compile(schema)), items)
        valid = sets["valid"]
        add("module.fill/valid", lambda p: schemadrive.fill_defaults(schema, p), valid)
        add("module.prepare/valid", lambda p: schemadrive.prepare(schema, p), valid)
        return out

    measured: dict[str, dict[str, Sample]] = {}
    for kind in ("flat", "conditional"):
        measured[kind] = in_turns(measures(kind), runs=RUNS)
    flat, cond = measured["flat"], measured["conditional"]

    def figure(
        what: str, ours: Sample, anchor: str, theirs: Sample, limit: float | None = None
    ) -> None:
        report(
            compare(
                NAME, what, ours, UNIT, anchor, theirs, better="higher", limit=limit,
                command=COMMAND,
            ),
            figures,
        )  # fmt: skip

    for kind, m in (("flat", flat), ("conditional", cond)):
        for variant in ("valid", "mixed"):
            if "rs/" + variant in m:
                limit = 0.60 if variant == "valid" else None
                figure(
                    f"Model.validate, {kind} schema, {variant} payloads",
                    m[f"validate/{variant}"], "bare jsonschema-rs is_valid (verdict only)",
                    m[f"rs/{variant}"], limit,
                )  # fmt: skip
        for variant in ("invalid", "mixed"):
            figure(
                f"Model.validate (full problem lists), {kind} schema, {variant} payloads",
                m[f"validate/{variant}"], "jsonschema iter_errors (cached validator)",
                m[f"iter_errors/{variant}"], 2.0 if variant == "invalid" else None,
            )  # fmt: skip
            if variant == "invalid":
                figure(
                    f"Model.validate (full problem lists), {kind} schema, invalid payloads, "
                    "every wrong value new (no problem built before)",
                    m["validate/distinct"], "jsonschema iter_errors (cached validator)",
                    m["iter_errors/distinct"],
                )  # fmt: skip
            if f"fjs/{variant}" in m:
                figure(
                    f"Model.validate (full problem lists), {kind} schema, {variant} payloads",
                    m[f"validate/{variant}"], "fastjsonschema (first error only)",
                    m[f"fjs/{variant}"],
                )  # fmt: skip
    for variant in ("valid", "mixed"):
        figure(
            f"Model.prepare, conditional schema, {variant} payloads",
            cond[f"prepare/{variant}"], f"Model.prepare, flat schema, {variant} payloads",
            flat[f"prepare/{variant}"], 0.25 if variant == "valid" else None,
        )  # fmt: skip
        figure(
            f"Model.fill_defaults, conditional schema, {variant} payloads",
            cond[f"fill/{variant}"], f"Model.prepare, conditional schema, {variant} payloads",
            cond[f"prepare/{variant}"], 1.0 if variant == "valid" else None,
        )  # fmt: skip
    for kind, m in (("flat", flat), ("conditional", cond)):
        for function, key, anchor_key in (
            ("validate", "module.validate/valid", "validate/valid"),
            ("fill_defaults", "module.fill/valid", "fill/valid"),
            ("prepare", "module.prepare/valid", "prepare/valid"),
        ):
            figure(
                f"schemadrive.{function}(schema, payload), {kind} schema, valid payloads",
                m[key], f"Model.{function}(payload)", m[anchor_key], 1 / 1.5,
            )  # fmt: skip
        figure(
            f"schemadrive.validate(schema, payload), {kind} schema, mixed payloads",
            m["module.validate/mixed"], "Model.validate(payload)", m["validate/mixed"],
        )  # fmt: skip


def _forgetful(model: Any) -> Callable[[Any], Any]:
    """``model.validate`` with every problem memo emptied first."""
    from schemadrive.schema.problems import _closest

    compiled = model.compiled
    known, unknown = compiled._known_problems, compiled._unknown_problems

    def validate(payload: Any) -> Any:
        known.clear()
        unknown.clear()
        _closest.cache_clear()
        return model.validate(payload)

    return validate


def _first_error(check: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def call(payload: Any) -> Any:
        try:
            return check(payload)
        except Exception as exc:  # fastjsonschema raises on the first error
            return exc

    return call
