"""The compiled fast path: jsonschema-rs gives the verdict, jsonschema explains a rejection.

:class:`~schemadrive.schema.compile.CompiledSchema` asks :func:`compile_fast` for a
:class:`FastPath` once per schema. A payload the fast path accepts is valid; anything else
(rejected, or a value the fast path cannot judge) goes to the pure-Python path, which builds the
detailed problems. So the fast path must never accept a payload the slow path rejects. Where the
two libraries could judge differently, we either hand the keyword back to Python or do not use
jsonschema-rs:

* ``format`` and ``multipleOf`` are evaluated by jsonschema's own functions, called from
  jsonschema-rs as custom keywords (format checkers and float division differ between the two
  libraries); regular expressions are jsonschema-rs's on both paths
  (:mod:`schemadrive.schema.patterns`), so ``pattern`` stays native;
* a schema with a number beyond +/-2**53 (float and integer comparisons differ there), or one
  jsonschema-rs cannot compile (draft 3, a custom ``$schema``) stays on the slow path;
  ``fallback_reason`` says why;
* a payload is judged by jsonschema-rs only if it is plain JSON (:func:`is_plain`): ``dict``,
  ``list``, ``str``, ``bool``, ``None`` and finite numbers within +/-2**53, nested at most
  64 deep. jsonschema-rs reads tuples as arrays, ``Decimal`` as a number and ``Enum`` members
  as their values, where jsonschema does not;
* any exception from jsonschema-rs means "not judged" (e.g. a lone surrogate in a string).

Unknown top-level names are checked by jsonschema-rs too: the "strict" variant adds every known
and common name to the root's ``properties`` and sets ``additionalProperties: false``.

``SCHEMADRIVE_FAST=0`` (or ``CompiledSchema(schema, fast=False)``) forces the slow path.
jsonschema-rs is imported here only when a schema is compiled, never at ``import schemadrive``.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = [
    "BranchCheck",
    "Dialect",
    "FastPath",
    "compile_branch",
    "compile_fast",
    "env_allows_fast",
    "is_plain",
    "not_judged",
    "parsed_bounds",
    "rs_verdict",
]

#: Numbers beyond this magnitude are compared differently by the two libraries.
NUMBER_LIMIT = 2**53
#: Deeper payloads go to jsonschema, which decides whether it can check them.
MAX_DEPTH = 64
#: Keywords evaluated by jsonschema's own code even on the fast path.
PYTHON_KEYWORDS = ("format", "multipleOf")

_LOW, _HIGH = -NUMBER_LIMIT, NUMBER_LIMIT
#: jsonschema's validator classes that jsonschema-rs has a namesake of (not draft 3).
_DIALECTS = frozenset(f"Draft{n}Validator" for n in ("4", "6", "7", "201909", "202012"))


def env_allows_fast() -> bool:
    """False when ``SCHEMADRIVE_FAST`` is set to 0, false, no or off."""
    value = os.environ.get("SCHEMADRIVE_FAST", "").strip().lower()
    return value not in ("0", "false", "no", "off")


def not_judged(exc: BaseException) -> bool:
    """Whether ``exc``, raised by a jsonschema-rs call, means "not judged" (the slow path
    decides): any Exception (a lone surrogate, an unsupported type) or pyo3's
    PanicException, which derives from BaseException; not KeyboardInterrupt or SystemExit."""
    return isinstance(exc, Exception) or type(exc).__name__ == "PanicException"


def is_plain(value: Any, depth: int = 0) -> bool:
    """True for a value both libraries read the same way (see the module docstring)."""
    # Ordered for the common case, a dict of strings and small numbers: this runs per payload.
    if type(value) is dict:
        items: Any = value.values()
    elif type(value) is list:
        items = value
    else:
        kind = type(value)
        if kind is str or kind is bool or value is None:
            return True
        if kind is int or kind is float:
            return bool(_LOW <= value <= _HIGH)  # also False for NaN and infinities
        if isinstance(value, dict):  # subclasses: both libraries read them as objects
            items = value.values()
        elif isinstance(value, list):
            items = value
        else:
            return False
    if depth >= MAX_DEPTH:
        return False
    for item in items:
        kind = type(item)
        if kind is str:
            continue
        if kind is int or kind is float:
            if _LOW <= item <= _HIGH:
                continue
            return False
        if kind is bool or item is None:
            continue
        if not is_plain(item, depth + 1):
            return False
    return True


_bounds: list[Callable[[Any], bool] | None] = []


def parsed_bounds() -> Callable[[Any], bool] | None:
    """jsonschema-rs's stand-in for :func:`is_plain` on what ``json.loads`` returns, when the
    text held no ``NaN`` or ``Infinity`` (the caller watches for those with
    ``parse_constant``: jsonschema-rs lets them pass ``maximum`` and ``not``). Such a value
    holds only dicts, lists, strings, numbers, booleans and None, so what is left to check is
    the numbers' range and the nesting, and one jsonschema-rs call does both faster than
    Python walks the value: a chain of 65 schemas, one a level, the last taking no container.
    None without jsonschema-rs."""
    if not _bounds:
        try:
            import jsonschema_rs
        except ImportError:
            _bounds.append(None)
            return None
        levels: dict[str, Any] = {}
        for depth in range(MAX_DEPTH):
            inner = {"$ref": f"#/$defs/d{depth + 1}"}
            levels[f"d{depth}"] = {
                "maximum": NUMBER_LIMIT,
                "minimum": -NUMBER_LIMIT,
                "items": inner,
                "additionalProperties": inner,
            }
        levels[f"d{MAX_DEPTH}"] = {
            "type": ["string", "number", "boolean", "null"],
            "maximum": NUMBER_LIMIT,
            "minimum": -NUMBER_LIMIT,
        }
        schema = {"$defs": levels, "$ref": "#/$defs/d0"}
        _bounds.append(jsonschema_rs.Draft202012Validator(schema).is_valid)
    return _bounds[0]


@dataclass(frozen=True)
class FastPath:
    """jsonschema-rs checks of one schema.

    ``loose`` is the schema's own check; ``strict`` also rejects top-level names outside
    ``allowed`` (``None`` when those names are checked in Python instead; ``allowed`` is
    ``None`` when the schema itself decides about extra names). ``errors`` is the schema's own
    ``iter_errors`` (schemadrive/schema/rserrors.py builds problems from them).
    """

    loose: Callable[[Any], bool]
    strict: Callable[[Any], bool] | None
    allowed: frozenset[str] | None
    errors: Callable[[Any], Any] | None = None

    def accepts(self, payload: Any, *, names: bool = True) -> bool:
        """True when ``payload`` is certainly valid; False means "ask jsonschema".

        With ``names``, a top-level name the schema does not declare makes it not valid.
        """
        try:
            if names and self.strict is not None:
                return bool(self.strict(payload)) and is_plain(payload)
            if not self.loose(payload):
                return False
            allowed = self.allowed if names else None
            if (
                allowed is not None
                and isinstance(payload, dict)
                and not allowed.issuperset(payload)
            ):
                return False
            return is_plain(payload)
        except BaseException as exc:
            if not not_judged(exc):
                raise
            return False


def _numbers_and_keys(schema: Any) -> tuple[set[str], bool]:
    keys: set[str] = set()
    big = False
    stack = [schema]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            keys.update(k for k in current if isinstance(k, str))
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)
        elif isinstance(current, (int, float)) and not isinstance(current, bool):
            big = big or not (_LOW <= current <= _HIGH)
    return keys, big


@dataclass(frozen=True)
class Dialect:
    """What the fast path needs of a schema's draft: jsonschema's class name for it, whether
    ``format`` asserts, and the jsonschema validator whose keyword functions evaluate
    :data:`PYTHON_KEYWORDS` (a callable, so that jsonschema is imported only when one of
    them first meets a value)."""

    name: str
    formats: bool
    validator: Callable[[], Any]


def _python_keyword(name: str, validator: Callable[[], Any]) -> type:
    """A jsonschema-rs custom keyword class that runs jsonschema's implementation of it."""

    class PythonKeyword:
        def __init__(self, parent_schema: Any, value: Any, schema_path: Any) -> None:
            self.parent = parent_schema
            self.value = value

        def validate(self, instance: Any) -> None:
            if type(instance) is float and not (_LOW <= instance <= _HIGH):
                # jsonschema-rs hands over integers beyond 64 bits as floats (is_plain keeps
                # such payloads from a fast verdict anyway): never judge them here.
                raise ValueError("number out of the exactly comparable range")
            python = validator()
            function = type(python).VALIDATORS[name]
            for error in function(python, self.value, instance, self.parent):
                raise ValueError(error.message)

    return PythonKeyword


def _strict_schema(schema: dict[str, Any], allowed: frozenset[str]) -> dict[str, Any]:
    """The root schema that also rejects top-level names outside ``allowed``."""
    strict = copy.deepcopy(schema)
    properties = dict(strict.get("properties") or {})
    for name in sorted(allowed - set(properties)):
        properties[name] = {}
    strict["properties"] = properties
    strict["additionalProperties"] = False
    return strict


def rs_verdict(check: Callable[[Any], bool], value: Any) -> bool | None:
    """jsonschema-rs's verdict on a plain JSON ``value``; None when it cannot be taken (the
    value is not plain, or jsonschema-rs raised): then jsonschema decides."""
    try:
        if not is_plain(value):
            return None
        return bool(check(value))
    except BaseException as exc:
        if not not_judged(exc):
            raise
        return None


class BranchCheck:
    """``is_valid`` of one subschema (an ``anyOf``/``oneOf`` branch whose defaults are filled):
    jsonschema-rs's verdict (``rs``, None when it cannot judge the subschema) for plain JSON
    values, else jsonschema's, whose validator ``python()`` builds when first needed."""

    __slots__ = ("_make", "_python", "_rs")

    def __init__(self, rs: Callable[[Any], bool] | None, python: Callable[[], Any]) -> None:
        self._rs, self._make = rs, python
        self._python: Any = None

    def _slow(self, value: Any) -> bool:
        if self._python is None:
            self._python = self._make()
        return bool(self._python.is_valid(value))

    def is_valid(self, value: Any) -> bool:
        verdict = None if self._rs is None else rs_verdict(self._rs, value)
        return self._slow(value) if verdict is None else verdict

    def judge(self, value: Any, plain: bool) -> bool:
        """:meth:`is_valid`, told whether ``value`` is plain JSON (``is_plain``)."""
        if plain and self._rs is not None:
            try:
                return bool(self._rs(value))
            except BaseException as exc:  # not judged by jsonschema-rs: jsonschema decides
                if not not_judged(exc):
                    raise
        return self._slow(value)


def _rs_options(keys: set[str], dialect: Dialect) -> dict[str, Any]:
    # where format is an annotation (drafts 2019-09 and 2020-12 unless strict), jsonschema's
    # format keyword does nothing, and neither does jsonschema-rs's by default
    keywords = {
        name: _python_keyword(name, dialect.validator)
        for name in PYTHON_KEYWORDS
        if name in keys and (name != "format" or dialect.formats)
    }
    options: dict[str, Any] = {"retriever": _no_retrieval}
    if keywords:
        options["keywords"] = keywords
    return options


_REFERENCES = ("$ref", "$dynamicRef", "$recursiveRef", "$id", "$anchor", "$dynamicAnchor")


def compile_branch(subschema: Any, dialect: Dialect) -> Callable[[Any], bool] | None:
    """jsonschema-rs's ``is_valid`` of a subschema that stands alone (an ``anyOf``/``oneOf``
    branch whose defaults are filled when a payload satisfies it), with the same Python
    keywords as the whole schema; None when jsonschema must judge it (a reference, which
    would need the whole document; a big number; no jsonschema-rs)."""
    if not isinstance(subschema, dict) or dialect.name not in _DIALECTS:
        return None
    keys, big = _numbers_and_keys(subschema)
    if big or any(key in keys for key in _REFERENCES):
        return None
    try:
        import jsonschema_rs

        rs_cls = getattr(jsonschema_rs, dialect.name)
        options = _rs_options(keys, dialect)
        return rs_cls(copy.deepcopy(subschema), **options).is_valid  # type: ignore[no-any-return]
    except Exception:
        return None


def _no_retrieval(uri: str) -> Any:
    raise ValueError(f"remote references are never fetched: {uri}")


def compile_fast(
    normalized: Any,
    dialect: Dialect,
    *,
    known: frozenset[str] | None,
    common: frozenset[str],
) -> tuple[FastPath | None, str | None]:
    """The fast path for an already compiled (normalized, metaschema-checked) schema.

    ``dialect`` names jsonschema's class for the draft and gives the slow path's validator,
    whose keyword functions evaluate :data:`PYTHON_KEYWORDS`. Returns ``(fast_path, None)``
    or ``(None, why_not)``.
    """
    try:
        import jsonschema_rs
    except ImportError:
        return None, "jsonschema-rs is not installed (pip install 'schemadrive[fast]')"
    if not isinstance(normalized, dict):
        return None, "boolean schemas are judged by jsonschema"
    rs_name = dialect.name
    if rs_name not in _DIALECTS:
        return None, f"jsonschema-rs does not support the dialect of {rs_name}"
    keys, big = _numbers_and_keys(normalized)
    if big:
        return None, "the schema has numbers beyond +/-2**53, compared differently by the two"
    rs_cls = getattr(jsonschema_rs, rs_name)
    options = _rs_options(keys, dialect)
    # Up to draft 7, keywords beside a $ref are ignored: the names are then checked in Python.
    ref_hides_siblings = rs_name in ("Draft4Validator", "Draft6Validator", "Draft7Validator")
    try:
        own = rs_cls(copy.deepcopy(normalized), **options)
        loose, errors = own.is_valid, own.iter_errors
        if known is None:
            return FastPath(loose, loose, None, errors), None
        if ref_hides_siblings and "$ref" in normalized:
            return FastPath(loose, None, known | common, errors), None
        strict = rs_cls(_strict_schema(normalized, known | common), **options).is_valid
    except Exception as exc:  # a schema jsonschema accepts but jsonschema-rs cannot compile
        return None, f"jsonschema-rs cannot compile the schema: {str(exc)[:200]}"
    return FastPath(loose, strict, known | common, errors), None
