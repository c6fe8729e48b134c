"""The one validator factory: the jsonschema class of a schema's draft, its format checker,
its ``referencing`` registry (nothing fetched) and the metaschema check.

Compile, lint and fuzz all build their validators here, so they judge a schema alike:

* the draft comes from ``$schema`` (Draft 2020-12 when absent);
* ``pattern``, ``patternProperties`` (and the names ``additionalProperties`` sees through
  them) and the ``regex`` format use one linear-time engine (:mod:`schemadrive.schema.patterns`);
* ``strict=True`` asserts ``format`` in every draft (what a model payload needs: a bad URL is
  caught before paying); ``strict=False`` follows the specification: ``format`` is an
  annotation in Draft 2019-09 and 2020-12, and asserted in drafts 4 to 7.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .patterns import KEYWORDS, is_regex
from .problems import json_path
from .refs import Refs
from .walk import Walk

__all__ = [
    "Built",
    "build_validator",
    "dialect_class",
    "format_checker",
    "formats_assert",
    "make_validator",
    "metaschema_errors",
]

#: Drafts where ``format`` is only an annotation unless a caller asks for assertion.
_ANNOTATION_ONLY = ("Draft201909Validator", "Draft202012Validator")


@dataclass(frozen=True)
class Built:
    """A schema's validator and what it was made from."""

    cls: Any  #: jsonschema's own class for the draft (e.g. Draft7Validator)
    validator: Any  #: an instance of the extended class, on the schema
    refs: Refs
    dialect: str  #: the draft's metaschema URI


def dialect_class(schema: Any) -> Any:
    """The jsonschema class for the dialect in ``$schema`` (Draft 2020-12 by default)."""
    from jsonschema import Draft202012Validator
    from jsonschema.validators import validator_for

    if not isinstance(schema, dict) or not isinstance(schema.get("$schema", ""), str):
        return Draft202012Validator  # a "$schema" that is not a string: the metaschema says so
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return validator_for(schema, default=Draft202012Validator)


@functools.lru_cache(maxsize=16)
def _extended(cls: Any) -> Any:
    from jsonschema.validators import extend

    keywords = {name: function for name, function in KEYWORDS.items() if name in cls.VALIDATORS}
    return extend(cls, keywords)


@functools.lru_cache(maxsize=32)
def format_checker(cls: Any, *, strict: bool = True) -> Any:
    """The format checker for ``cls``: None where formats are annotations (see module doc)."""
    from jsonschema import FormatChecker

    if not strict and cls.__name__ in _ANNOTATION_ONLY:
        return None
    checker = FormatChecker(formats=())
    checker.checkers = dict(cls.FORMAT_CHECKER.checkers)
    checker.checkers["regex"] = (is_regex, ())
    return checker


def metaschema_errors(cls: Any, schema: Any) -> list[str]:
    """Why ``schema`` fails the metaschema of ``cls`` (regexes judged by the one engine).

    OpenAPI's ``components/schemas`` are not keywords of any draft, so the metaschema does not
    look inside; each of them is checked as a schema of its own.
    """
    checker = format_checker(cls, strict=True)
    meta = _extended(cls)(cls.META_SCHEMA, format_checker=checker)
    documents: list[tuple[tuple[str, ...], Any]] = [((), schema)]
    for step in Walk(schema):
        components = step.schema.get("components")
        if isinstance(components, dict) and isinstance(components.get("schemas"), dict):
            for name, sub in components["schemas"].items():
                documents.append(((*step.path, "components", "schemas", str(name)), sub))
    errors = []
    for prefix, document in documents:
        for error in meta.iter_errors(document):
            where = json_path([*prefix, *error.absolute_path])
            errors.append(f"{where}: {error.message[:200]}")
    return list(dict.fromkeys(errors))  # the 2020-12 metaschema reports some errors twice


def build_validator(
    normalized: Any, *, strict: bool, resources: Mapping[str, Any] | None = None
) -> Built:
    """The validator of an already normalized schema (not checked against its metaschema:
    call :func:`metaschema_errors` first). ``resources``: documents ``$ref`` may name by URI."""
    cls = dialect_class(normalized)
    dialect: str = getattr(cls, "META_SCHEMA", {}).get("$schema", "")
    refs = Refs(normalized, dialect, resources=resources)
    return Built(cls, make_validator(cls, normalized, refs, strict=strict), refs, dialect)


def make_validator(cls: Any, normalized: Any, refs: Refs, *, strict: bool) -> Any:
    """jsonschema's validator of ``normalized`` (``cls`` its draft's class), resolving
    through ``refs``."""
    return _extended(cls)(
        normalized, registry=refs.registry, format_checker=format_checker(cls, strict=strict)
    )


def formats_assert(class_name: str, *, strict: bool) -> bool:
    """Whether ``format`` asserts in the draft of jsonschema's class ``class_name`` (see the
    module docstring): :func:`format_checker` is None exactly when this is False."""
    return strict or class_name not in _ANNOTATION_ONLY
