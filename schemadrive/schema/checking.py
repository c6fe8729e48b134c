"""Checking payloads with a compiled schema: the one fast-path check, the slow path that
explains, defaults, and ``prepare``. The mixin behind
:class:`~schemadrive.schema.compile.CompiledSchema` (which builds the validator, the plan and
the fast path these methods read).
"""

from __future__ import annotations

import math
from typing import Any, Literal

from ..exceptions import ConfigurationError, PayloadInvalid, SchemadriveError, SchemaInvalid
from .fastpath import FastPath, is_plain
from .problems import Problem, json_path, problems_from_errors, suggest

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
    _strict: Any

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
            is_valid = self.validator.is_valid
            if is_valid(payload) and not is_valid(filled):
                return self.plan.apply_guarded(payload, is_valid)
        return filled

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
            except Exception:  # not judged: jsonschema decides below
                pass
            except BaseException as exc:  # pyo3's PanicException is not an Exception
                if type(exc).__name__ != "PanicException":
                    raise
        elif self._fast is not None and self._fast.accepts(payload, names=mode == "error"):
            return [] if mode == "error" else self._unknown(payload, mode)
        return self.explain(payload, unknown=mode)

    def explain(self, payload: Any, *, unknown: Unknown | None = None) -> list[Problem]:
        """:meth:`validate` by jsonschema alone (the slow path, which builds the problems)."""
        mode = self._unknown_mode(unknown)
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
        root = self._resolve(self.normalized)
        problems = problems_from_errors(errors, root if isinstance(root, dict) else None)
        return problems + non_finite(payload) + self._unknown(payload, mode)

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
