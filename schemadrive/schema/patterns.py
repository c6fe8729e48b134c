"""Regular expressions of ``pattern`` and ``patternProperties``: one linear-time engine.

A hub's schema is input we do not control, and Python's backtracking ``re`` takes exponential
time on patterns like ``^(a+)+$``. So every pattern schemadrive evaluates (the slow path's
``pattern``/``patternProperties``, the ``regex`` format of the metaschema check) goes through
:func:`search`, which uses jsonschema-rs's engine (Rust ``regex``: linear time, ECMA-262
syntax such as ``\\p{Letter}``; its backtracking fallback for backreferences and lookaround
has a step limit). The fast path evaluates patterns in that same engine, so the two paths
cannot disagree about a string. Without jsonschema-rs (the core install), Python's ``re`` is
used with one bound: a string longer than :data:`RE_MAX_TEXT` is never matched against a
pattern :func:`catastrophic` flags (the check says it could not be checked, and why).

:func:`catastrophic` is the heuristic behind lint rule SD031: a quantified group that itself
contains a quantifier (``(a+)+``, ``(\\w*\\s?)*``), the shape of nearly every ReDoS.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

__all__ = ["RE_MAX_TEXT", "catastrophic", "engine", "pattern_error", "search"]

#: Without jsonschema-rs: the longest string matched against a catastrophic-looking pattern.
RE_MAX_TEXT = 16
_QUANTIFIER = r"(?:[+*]|\{\d*,\d*\})"
_NESTED = re.compile(rf"\((?:[^()\\]|\\.)*{_QUANTIFIER}(?:[^()\\]|\\.)*\){_QUANTIFIER}")


def engine() -> str:
    """``"jsonschema-rs"`` or ``"re"``: the engine :func:`search` uses."""
    return "jsonschema-rs" if _rs() is not None else "re"


@functools.lru_cache(maxsize=1)
def _rs() -> Any:
    try:
        import jsonschema_rs
    except ImportError:
        return None
    return jsonschema_rs


def catastrophic(pattern: str) -> bool:
    """True for a pattern with a nested quantifier, which backtracking engines take
    exponential time on (``^(a+)+$``). A heuristic: it may miss some, it flags no plain ones."""
    return bool(_NESTED.search(pattern))


@functools.lru_cache(maxsize=4096)
def _matcher(pattern: str) -> Callable[[str], bool] | str:
    """A match function for ``pattern``, or why the engine refuses it."""
    rs = _rs()
    if rs is not None:
        try:
            return rs.validator_for({"pattern": pattern}).is_valid  # type: ignore[no-any-return]
        except Exception as exc:  # ValidationError: not a regex this engine accepts
            return str(exc).splitlines()[0][:200]
    try:
        compiled = re.compile(pattern)
    except (re.error, OverflowError, RecursionError) as exc:
        return str(exc)[:200]
    if catastrophic(pattern):
        return lambda text: _bounded(compiled, text)
    return lambda text: compiled.search(text) is not None


def _bounded(compiled: re.Pattern[str], text: str) -> bool:
    if len(text) > RE_MAX_TEXT:
        raise ValueError(
            f"the pattern {compiled.pattern!r} takes exponential time in Python's re; "
            "install jsonschema-rs (schemadrive[fast]) to check it"
        )
    return compiled.search(text) is not None


def pattern_error(pattern: str) -> str | None:
    """Why ``pattern`` is not a regular expression the engine accepts, or None."""
    found = _matcher(pattern)
    return found if isinstance(found, str) else None


def search(pattern: str, text: str) -> bool:
    """True when ``pattern`` matches somewhere in ``text`` (JSON Schema's ``pattern``).

    Raises ValueError for a pattern the engine refuses (the metaschema check reports those
    before any payload is checked).
    """
    found = _matcher(pattern)
    if isinstance(found, str):
        raise ValueError(f"{pattern!r} is not a regular expression: {found}")
    return found(text)


# -- jsonschema keyword functions on this engine ----------------------------------------------
def pattern_keyword(validator: Any, pattern: Any, instance: Any, schema: Any) -> Any:
    """jsonschema's ``pattern``, matched by :func:`search`."""
    if validator.is_type(instance, "string") and not search(pattern, instance):
        from jsonschema.exceptions import ValidationError

        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def pattern_properties_keyword(validator: Any, patterns: Any, instance: Any, schema: Any) -> Any:
    """jsonschema's ``patternProperties``, matched by :func:`search`."""
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        for name, value in instance.items():
            if search(pattern, name):
                yield from validator.descend(value, subschema, path=name, schema_path=pattern)


def is_regex(value: object) -> bool:
    """The ``regex`` format: a pattern the engine accepts (non-strings pass, as in jsonschema)."""
    return not isinstance(value, str) or pattern_error(value) is None


def additional_properties_keyword(validator: Any, extra: Any, instance: Any, schema: Any) -> Any:
    """jsonschema's ``additionalProperties``, with ``patternProperties`` matched by
    :func:`search` (jsonschema joins the patterns into one ``re`` search)."""
    if not validator.is_type(instance, "object"):
        return
    from jsonschema.exceptions import ValidationError

    properties = schema.get("properties", {})
    patterns = list(schema.get("patternProperties", {}))
    extras = [
        name
        for name in instance
        if name not in properties and not any(search(p, name) for p in patterns)
    ]
    if validator.is_type(extra, "object"):
        for name in extras:
            yield from validator.descend(instance[name], extra, path=name)
    elif not extra and extras:
        shown = ", ".join(repr(name) for name in sorted(extras, key=str))
        verb = "was" if len(extras) == 1 else "were"
        yield ValidationError(f"Additional properties are not allowed ({shown} {verb} unexpected)")


#: The keyword functions that replace jsonschema's ``re``-based ones.
KEYWORDS = {
    "pattern": pattern_keyword,
    "patternProperties": pattern_properties_keyword,
    "additionalProperties": additional_properties_keyword,
}
