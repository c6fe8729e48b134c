"""Checking payloads with a compiled schema: the one fast-path check, the slow path that
explains, defaults, and ``prepare``. The mixin behind
:class:`~schemadrive.schema.compile.CompiledSchema` (which builds the validator, the plan and
the fast path these methods read).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Literal

from ..exceptions import ConfigurationError, PayloadInvalid, SchemadriveError, SchemaInvalid
from . import rserrors
from .explain import problems_from_errors, problems_in_any_order
from .fastpath import FastPath, is_plain, not_judged, parsed_bounds, rs_verdict
from .problems import Problem, json_path, suggest

__all__ = ["Checking", "Unknown", "non_finite"]

Unknown = Literal["error", "warn", "allow"]
_UNKNOWN = ("error", "warn", "allow")


class Checking:
    """Payload checks over the attributes a compiled schema sets (see CompiledSchema)."""

    strict: bool
    _mode: Unknown  #: what an undeclared name is unless a call says (error when strict)
    known: frozenset[str] | None
    common: frozenset[str]
    normalized: Any
    validator: Any
    plan: Any
    _conditional: bool
    _flat_defaults: dict[str, Any] | None
    _fast: FastPath | None
    _known_problems: dict[Any, list[Problem]]
    _strict: Any
    _root: Any  #: the root schema, its $ref followed
    _unknown_problems: dict[tuple[str, str], Problem]  #: by name and severity

    def _resolve(self, node: Any) -> Any:
        raise NotImplementedError

    def _unknown_mode(self, unknown: Unknown | None) -> Unknown:
        if unknown is None:
            return "error" if self.strict else "allow"
        if unknown not in _UNKNOWN:
            raise ConfigurationError(f"unknown must be 'error', 'warn' or 'allow', not {unknown!r}")
        return unknown

    def fill_defaults(self, payload: Any) -> Any:
        """A new payload with every absent default filled (the input is never changed)."""
        flat = self._flat_defaults
        if flat is not None and type(payload) is dict:
            return {**flat, **payload}
        filled = self.plan.apply(payload)
        if self._conditional and filled != payload:
            # the filled payload is judged first: valid (the common case), it is the answer
            is_valid = self._schema_accepts
            if not is_valid(filled) and is_valid(payload):
                return self.plan.apply_guarded(payload, is_valid)
        return filled

    def _schema_accepts(self, value: Any) -> bool:
        """The schema's own verdict (no names check): jsonschema-rs's for plain JSON."""
        fast = self._fast
        if fast is not None:
            verdict = rs_verdict(fast.loose, value)
            if verdict is not None:
                return verdict
        return bool(self.validator.is_valid(value))

    def _unknown(self, payload: Any, unknown: Unknown) -> list[Problem]:
        known = self.known
        if unknown == "allow" or known is None or not isinstance(payload, dict):
            return []
        if known.issuperset(payload):  # the common case, in one C call
            return []
        severity = "error" if unknown == "error" else "warning"
        made = self._unknown_problems
        problems = []
        for name in payload:
            if name in known or name in self.common:
                continue
            problem = made.get((name, severity)) if type(name) is str else None
            if problem is None:
                close = suggest(str(name), known)
                hint = f"did you mean {close!r}?" if close else "the schema does not declare it"
                problem = Problem(
                    json_path([str(name)]),
                    "unknown",
                    f"{str(name)!r} is not a parameter of this model",
                    hint,
                    severity=severity,
                )
                if type(name) is str and len(name) <= 256:  # a name's problem, built once
                    if len(made) >= 4096:
                        made.clear()
                    made[name, severity] = problem
            problems.append(problem)
        return problems

    def validate(
        self, payload: Any, *, unknown: Unknown | None = None, _unplain: Any = None
    ) -> list[Problem]:
        """Every problem with ``payload`` (errors and, with ``unknown="warn"``, warnings).

        ``unknown`` says what an undeclared top-level name is: ``"error"``, ``"warn"`` or
        ``"allow"``; by default an error for a strict schema, allowed otherwise. The one place
        the fast path's verdict is taken (prepare, is_valid and batches come through here).
        """
        mode = self._mode if unknown is None else self._unknown_mode(unknown)
        strict = self._strict
        if strict is not None and mode == "error":  # the common case: one jsonschema-rs call
            try:
                # prepare passes the caller's dict as _unplain: the defaults merged under it are
                # plain JSON already (the fast path refuses schemas with odd numbers)
                if strict(payload) and is_plain(payload if _unplain is None else _unplain):
                    return []
            except BaseException as exc:  # not judged: jsonschema decides below
                if not not_judged(exc):
                    raise
        elif self._fast is not None and self._fast.accepts(payload, names=mode == "error"):
            return [] if mode == "error" else self._unknown(payload, mode)
        return self.explain(payload, unknown=mode)

    def parsed_checker(self, unknown: Unknown | None = None) -> Callable[[Any], list[Problem]]:
        """:meth:`validate` for payloads ``json.loads`` made from text with no ``NaN`` or
        ``Infinity`` (JSON Lines, files): the fast verdict without walking the payload in
        Python (:func:`~schemadrive.schema.fastpath.parsed_bounds`). The same problems."""
        mode = self._unknown_mode(unknown)
        fast, bounded, explain, names = self._fast, parsed_bounds(), self.explain, self._unknown
        if mode == "error":
            judge = self._strict
        elif fast is not None:
            judge = fast.loose  # names are not the schema's to judge: _unknown says
        else:
            judge = None
        if judge is None or bounded is None:

            def check(payload: Any) -> list[Problem]:
                return self.validate(payload, unknown=mode)

            return check

        def check_parsed(payload: Any) -> list[Problem]:
            try:
                if judge(payload) and bounded(payload):
                    return [] if mode != "warn" else names(payload, mode)
            except BaseException as exc:  # not judged: jsonschema decides below
                if not not_judged(exc):
                    raise
            return explain(payload, unknown=mode)

        return check_parsed

    def explain(self, payload: Any, *, unknown: Unknown | None = None) -> list[Problem]:
        """:meth:`validate` by jsonschema alone (the slow path, which builds the problems)."""
        mode = self._mode if unknown is None else self._unknown_mode(unknown)
        root = self._root
        fast = self._fast
        if fast is not None and fast.errors is not None and is_plain(payload):
            # jsonschema-rs's errors, presented as jsonschema's (schemadrive/schema/rserrors.py):
            # the same problems, sooner; None where only jsonschema gives jsonschema's problems.
            # A plain payload holds no NaN or infinity: non_finite has nothing to add.
            known = self._known_problems
            raw = rserrors.raw_errors(fast.errors, payload)
            keys = None if raw is None else rserrors.signature(raw, payload)
            # a payload's whole explanation depends on its errors' keys alone: kept under them
            explained = None if keys is None else ("explained", keys)
            seen = None if explained is None else known.get(explained)
            if seen is not None:
                return seen + self._unknown(payload, mode)
            found = None
            if raw is not None:
                types = type(self.validator).TYPE_CHECKER
                found = rserrors.rs_errors(raw, payload, self.normalized, types)
            if found is not None:
                shown = problems_in_any_order(
                    found, root if isinstance(root, dict) else None, known
                )
                if shown is not None:
                    if explained is not None:
                        if len(known) >= 4096:
                            known.clear()
                        known[explained] = shown
                    return shown + self._unknown(payload, mode)
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
        except Exception as exc:  # a schema jsonschema cannot apply
            raise SchemaInvalid(f"the schema could not be applied: {str(exc)[:200]}") from exc
        problems = problems_from_errors(errors, root if isinstance(root, dict) else None)
        bad = non_finite(payload)
        if bad:  # a NaN's other problems (its type, its range) all say the same thing once more
            places = {problem.path for problem in bad}
            problems = [problem for problem in problems if problem.path not in places]
        return problems + bad + self._unknown(payload, mode)

    def is_valid(self, payload: Any, *, unknown: Unknown | None = None) -> bool:
        """True when ``validate`` would report no error."""
        return not any(p.severity == "error" for p in self.validate(payload, unknown=unknown))

    def prepare(
        self, payload: Any, *, unknown: Unknown | None = None, model_id: str | None = None
    ) -> dict[str, Any]:
        """Fill defaults, validate, return the new payload; raise PayloadInvalid if not valid."""
        if payload is None:
            payload = {}
        flat = self._flat_defaults
        if flat is not None and type(payload) is dict:
            filled: Any = {**flat, **payload}
            found = self.validate(filled, unknown=unknown, _unplain=payload)
        else:
            # fill_defaults' guard (a default that breaks a condition stays out) matters only
            # when the plainly filled payload is not valid: judged first, it is the answer
            filled = self.plan.apply(payload)
            unplain = payload if type(payload) is dict else None  # the defaults are plain
            found = self.validate(filled, unknown=unknown, _unplain=unplain)
            if found and self._conditional:
                filled = self.fill_defaults(payload)
                found = self.validate(filled, unknown=unknown)
        if not found and type(filled) is dict:  # the common case: valid
            return filled
        problems = [p for p in found if p.severity == "error"]
        if problems:
            raise PayloadInvalid(problems, model_id=model_id)
        if not isinstance(filled, dict):  # only reachable with a schema that allows non-objects
            kind = type(filled).__name__
            raise PayloadInvalid(
                [Problem("$", "type", f"a payload must be a JSON object, not {kind}")],
                model_id=model_id,
            )
        return filled


def non_finite(value: Any, path: tuple[str | int, ...] = (), depth: int = 0) -> list[Problem]:
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
        return [p for k, v in value.items() for p in non_finite(v, (*path, str(k)), depth + 1)]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in non_finite(v, (*path, i), depth + 1)]
    return []
