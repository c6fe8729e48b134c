"""Problems from jsonschema-rs errors: the full problem list of an invalid payload without
running jsonschema (pure Python, about ten times slower) over it.

jsonschema-rs errors carry the instance path, the schema path and the failing keyword; this
module presents each one as the few attributes of a jsonschema ``ValidationError`` that
:func:`~schemadrive.schema.problems.problems_from_errors` reads (the keyword and its value, the
instance, the schema node holding the keyword, the paths, the sub-errors of ``oneOf`` and
``anyOf``), so both libraries' errors become the very same problems. Where the two could
word a problem differently, :func:`rs_errors` returns None and the caller asks jsonschema:

* a keyword outside :data:`SUPPORTED` (``format`` and ``multipleOf`` run jsonschema's own code
  as custom keywords, ``$ref`` paths, ``unevaluated*``, false schemas, ``dependentRequired``...);
* a ``oneOf``/``anyOf`` whose sub-errors tie for jsonschema's ``best_match`` within one branch
  (the two libraries order a branch's errors differently; ties between branches are settled
  by branch order, the same in both);
* (in problems.py, :func:`~schemadrive.schema.problems.problems_in_any_order`) two different
  problems of one keyword at one place: problems.py keeps the first, and the libraries emit
  errors in different orders;
* any exception from jsonschema-rs.

tests/property/test_fast_path_differential.py and tests/unit/test_rs_problems.py hold the
two paths to the same problems (path, keyword, message, hint) on fixtures, the conditional
benchmark schema and hypothesis-drawn schemas and payloads.
"""

from __future__ import annotations

from typing import Any

from .fastpath import not_judged

__all__ = ["SUPPORTED", "raw_errors", "rs_errors", "signature"]

#: Keywords whose problem is built from the keyword's value and the instance alone (never from
#: jsonschema's message text, which jsonschema-rs words differently).
SUPPORTED = frozenset(
    {
        "type",
        "enum",
        "const",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "minLength",
        "maxLength",
        "pattern",
        "minItems",
        "maxItems",
        "uniqueItems",
        "required",
        "additionalProperties",
        "not",
        "oneOf",
        "anyOf",
    }
)
#: jsonschema-rs error kinds, by the keyword they report (a kind may serve one keyword only).
_KINDS = {
    "Type": "type",
    "Enum": "enum",
    "Constant": "const",
    "Minimum": "minimum",
    "Maximum": "maximum",
    "ExclusiveMinimum": "exclusiveMinimum",
    "ExclusiveMaximum": "exclusiveMaximum",
    "MinLength": "minLength",
    "MaxLength": "maxLength",
    "Pattern": "pattern",
    "MinItems": "minItems",
    "MaxItems": "maxItems",
    "UniqueItems": "uniqueItems",
    "Required": "required",
    "AdditionalProperties": "additionalProperties",
    "Not": "not",
    "OneOfNotValid": "oneOf",
    "OneOfMultipleValid": "oneOf",
    "AnyOf": "anyOf",
}
_REFS = frozenset({"$ref", "$dynamicRef", "$recursiveRef"})
#: Keywords whose problem depends only on the place, the schema and the (scalar) value.
_BY_VALUE = SUPPORTED - {"required", "additionalProperties", "oneOf", "anyOf"}
_HASHABLE = frozenset({str, int, float, bool, type(None)})


_BRANCHES = ("OneOfNotValid", "AnyOf")


def _cache_key(
    keyword: Any,
    schema_path: tuple[Any, ...],
    path: tuple[Any, ...],
    instance: Any,
    kind: Any,
    subs: tuple[Any, ...] | None = (),
) -> Any:
    """What one error's problems depend on, when that is all, or None. For most keywords
    that is the keyword's place and the (scalar) value, for ``required`` the missing name;
    for ``oneOf``/``anyOf`` the keys of the branches' errors (``subs``, None when one has
    none; explain.py builds their problem from those), the value's type (jsonschema's
    ``best_match`` weighs it) and, when every branch failed on its type alone, the value."""
    kind_of = type(instance)
    short = kind_of is not str or len(instance) <= 256
    if keyword == "required":
        name = kind.property
        return (schema_path, path, name) if type(name) is str and len(name) <= 256 else None
    if keyword in _BY_VALUE:
        if kind_of in _HASHABLE and short:
            value = repr(instance) if kind_of is float else instance  # -0.0 == 0.0, shown apart
            return (schema_path, path, kind_of, value)
        if kind_of is dict or kind_of is list:  # e.g. "not" of an object: shown in full
            text = _small_repr(instance)
            return None if text is None else (schema_path, path, kind_of, text)
        return None
    if keyword not in ("oneOf", "anyOf") or subs is None:
        return None
    shape = type(kind).__name__
    if not subs:  # no branch errors: only "more than one branch matched" says no value
        return (schema_path, path, shape) if shape == "OneOfMultipleValid" else None
    if all(sub[0][-1] == "type" and sub[1] == path for sub in subs):  # "expected X, got V"
        if kind_of in _HASHABLE and short:
            return (schema_path, path, shape, subs, kind_of, repr(instance))
        return None
    return (schema_path, path, shape, subs, kind_of)


def _small_repr(value: Any) -> str | None:
    """``repr`` of a small plain container (equal texts: the same value, shown alike), or
    None for a large one: more than 64 values in all, or a string over 256 characters. The
    size is found before anything is rendered, so a large payload costs no more than that."""
    pending, seen = [value], 0
    while pending:
        current = pending.pop()
        seen += 1
        if seen > 64:
            return None
        kind = type(current)
        if kind is dict:
            pending += current.values()
        elif kind is list:
            pending += current
        elif kind not in _HASHABLE or (kind is str and len(current) > 256):
            return None
        elif kind is int and not -(2**53) <= current <= 2**53:
            return None  # repr of a huge int can raise (the digit limit) or take long
    return repr(value)


def _key_of(error: Any, payload: Any) -> Any:
    """:func:`_cache_key` of a jsonschema-rs error, read from it directly."""
    kind = error.kind
    keyword = _KINDS.get(type(kind).__name__)
    schema_path = tuple(error.schema_path)
    if keyword is None or not schema_path or schema_path[-1] != keyword:
        return None
    path = tuple(error.instance_path)
    instance = payload
    try:
        for step in path:
            instance = instance[step]
    except (LookupError, TypeError):
        return None
    subs: tuple[Any, ...] | None = ()
    if type(kind).__name__ in _BRANCHES:
        keys = [_key_of(sub, payload) for branch in kind.context or [] for sub in branch]
        subs = None if None in keys else tuple(keys)
    return _cache_key(keyword, schema_path, path, instance, kind, subs)


def signature(errors: list[Any], payload: Any) -> tuple[Any, ...] | None:
    """The cache keys of jsonschema-rs ``errors`` of ``payload`` (the ``cache_key`` of each
    :class:`RsError` they would make), without making them; None when one has no key. The
    problems of errors with keys depend on the keys alone (explain.problems_in_any_order)."""
    keys = []
    for error in errors:
        key = _key_of(error, payload)
        if key is None:
            return None
        keys.append(key)
    return tuple(keys)


class Unsupported(Exception):
    """An error this module does not present as jsonschema's (the caller asks jsonschema)."""


class RsError:
    """The attributes of a jsonschema ValidationError that problems.py reads."""

    __slots__ = (
        "validator",
        "validator_value",
        "instance",
        "schema",
        "absolute_path",
        "relative_path",
        "absolute_schema_path",
        "relative_schema_path",
        "message",
        "context",
        "_types",
        "cache_key",
    )

    def __init__(
        self,
        error: Any,
        root: Any,
        payload: Any,
        types: Any,
        parent_path: int = 0,
        parent_schema: int = 0,
    ) -> None:
        kind = error.kind
        keyword = _KINDS.get(type(kind).__name__)
        schema_path = list(error.schema_path)
        if keyword is None or not schema_path or schema_path[-1] != keyword:
            raise Unsupported(type(kind).__name__)
        node = root
        for step in schema_path[:-1]:
            if step in _REFS:
                raise Unsupported("a $ref on the way")
            node = node[step]  # a dict key or a list index, as the schema has it
        if not isinstance(node, dict):
            raise Unsupported("no schema object")
        instance_path = list(error.instance_path)
        self.validator = keyword
        self.validator_value = node[keyword]
        # the caller's own value (jsonschema-rs's copy may order keys otherwise)
        instance = payload
        for step in instance_path:
            instance = instance[step]
        self.instance = instance
        self.schema = node
        # tuples where jsonschema has deques: problems.py and best_match only read them
        self.absolute_path = tuple(instance_path)
        self.relative_path = self.absolute_path[parent_path:] if parent_path else self.absolute_path
        self.absolute_schema_path = tuple(schema_path)
        self.relative_schema_path = self.absolute_schema_path[parent_schema:]
        if parent_schema and (not self.relative_schema_path or len(instance_path) < parent_path):
            raise Unsupported("a sub-error outside its branch")
        self.context: list[RsError] = []
        self._types = types
        if keyword == "required":
            name = kind.property
            if not isinstance(name, str):
                raise Unsupported("required: a name that is not a string")
            self.message = f"{name!r} is a required property"
        elif keyword == "additionalProperties":
            extras = list(kind.unexpected)
            verb = "was" if len(extras) == 1 else "were"
            names = ", ".join(repr(extra) for extra in extras)
            self.message = f"Additional properties are not allowed ({names} {verb} unexpected)"
        else:
            self.message = ""  # never read for the other supported keywords
        subs: tuple[Any, ...] | None = ()
        if type(kind).__name__ in _BRANCHES:  # jsonschema: no sub-errors
            # when more than one branch matched
            depth, here = len(instance_path), len(schema_path)
            for branch in getattr(kind, "context", None) or []:
                for sub in branch:
                    self.context.append(RsError(sub, root, payload, types, depth, here))
            keys = [sub.cache_key for sub in self.context]
            subs = None if None in keys else tuple(keys)
        # what the problem depends on, when that is all (see problems_in_any_order)
        self.cache_key: Any = _cache_key(
            keyword, self.absolute_schema_path, self.absolute_path, instance, kind, subs
        )

    @property
    def path(self) -> Any:
        """The instance path relative to the parent error (jsonschema's ``path``)."""
        return self.relative_path

    def _matches_type(self) -> bool:
        """jsonschema's rule, read by ``best_match``: the instance has the schema's type."""
        expected = self.schema.get("type")
        if expected is None:
            return False
        if isinstance(expected, str):
            return bool(self._types.is_type(self.instance, expected))
        return any(self._types.is_type(self.instance, kind) for kind in expected)


def raw_errors(iter_errors: Any, payload: Any) -> list[Any] | None:
    """jsonschema-rs's errors of ``payload``; None when it cannot judge it (e.g. a lone
    surrogate in a string)."""
    try:
        return list(iter_errors(payload))
    except BaseException as exc:
        if not not_judged(exc):
            raise
        return None


def rs_errors(errors: list[Any], payload: Any, root: Any, types: Any) -> list[RsError] | None:
    """jsonschema-rs's ``errors`` of ``payload`` (:func:`raw_errors`) as jsonschema's, or
    None when one cannot be presented so (the caller then asks jsonschema). ``root`` is the
    schema jsonschema-rs compiled (the schema paths point into it); ``types`` is the draft's
    jsonschema type checker."""
    try:
        out = [RsError(error, root, payload, types) for error in errors]
    except Unsupported:
        return None
    except Exception:  # e.g. a schema path jsonschema-rs words otherwise
        return None
    try:
        if _tied(out):
            return None
    except Exception:  # e.g. paths jsonschema's relevance cannot order: let it say so itself
        return None
    return out


def _tied(errors: list[RsError]) -> bool:
    """Whether ``best_match`` could pick a different error of some ``oneOf``/``anyOf``'s
    sub-errors than jsonschema's, for their order within a branch differs."""
    if not any(error.context for error in errors):
        return False
    from jsonschema.exceptions import relevance

    pending = list(errors)
    while pending:
        error = pending.pop()
        context = error.context
        pending += context
        if len(context) < 2:
            continue
        keys = [relevance(sub) for sub in context]
        top = max(keys)
        first = keys.index(top)
        branch = context[first].relative_schema_path[0]
        for sub, key in zip(context[first + 1 :], keys[first + 1 :], strict=True):
            if key == top and sub.relative_schema_path[0] == branch:
                return True
    return False
