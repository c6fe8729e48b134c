"""Lint a request schema: find what makes it wrong, ambiguous or unusable by a client.

``lint(schema)`` returns :class:`Finding` values, each with a stable code (``SD002``), a
name (``default-invalid``), a severity, a JSON pointer into the schema as given
(``/properties/seed``; ``""`` is the schema itself), a sentence and a fix hint. The rules are
listed in :data:`RULES` and documented, with a bad and a fixed example each, in
docs/lint-rules.md. Every rule can be switched off per run (by code or name); the rules marked
off by default are switched on with ``enable``.

Rules see through ``$ref`` (``$defs``, ``definitions``, OpenAPI ``components``, embedded
``$id`` resources), ``allOf``, ``anyOf``/``oneOf`` branches, nested objects and arrays.
Pure: no I/O. On any input, ``lint`` returns findings or raises
:class:`~schemadrive.exceptions.SchemaInvalid` (for example when a schema nests too deeply to
walk); it raises :class:`~schemadrive.exceptions.ConfigurationError` for an unknown rule.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from ..exceptions import ConfigurationError, SchemadriveError, SchemaInvalid
from ..schema.problems import suggest
from . import rules as lint_rules
from . import structure as lint_structure
from . import text as lint_text
from .rules import Hit, LintContext

__all__ = ["RULES", "SEVERITIES", "Finding", "Rule", "lint", "rule_for", "select_rules"]

Severity = Literal["error", "warning", "info"]
Check = Callable[[LintContext], Iterable[Hit]]
#: Severities, most severe first.
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")


@dataclass(frozen=True)
class Finding:
    """One problem in a schema.

    ``path`` is a JSON pointer into the schema exactly as given (``""`` is the whole schema,
    ``/properties/seed`` a parameter, ``/$defs/served/properties/prompt`` a parameter defined
    under ``$defs``); ``hint`` says how to fix it.
    """

    code: str
    name: str
    severity: Severity
    path: str
    message: str
    hint: str | None = None

    def __str__(self) -> str:
        text = f"{self.path or '/'}: {self.severity} {self.code} {self.name}: {self.message}"
        return text + (f" ({self.hint})" if self.hint else "")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (used by ``--format json``)."""
        return {
            "code": self.code,
            "name": self.name,
            "severity": self.severity,
            "path": self.path,
            "message": self.message,
            "hint": self.hint,
        }


@dataclass(frozen=True)
class Rule:
    """A lint rule: stable ``code`` and ``name``, default ``severity``, one-line ``summary``;
    ``enabled`` says whether it runs by default; ``check`` finds ``(path, message, hint)``."""

    code: str
    name: str
    severity: Severity
    summary: str
    enabled: bool = True
    check: Check = field(default=lambda ctx: (), repr=False, compare=False)


def _rules() -> Iterator[Rule]:
    r, st, t = lint_rules, lint_structure, lint_text
    table: list[tuple[str, str, Severity, bool, Check, str]] = [
        ("SD001", "metaschema", "error", True, r.metaschema,
         "the schema fails its dialect's metaschema"),
        ("SD002", "default-invalid", "error", True, r.default_invalid,
         "a default is invalid against its own subschema"),
        ("SD003", "default-not-in-enum", "error", True, r.default_not_in_enum,
         "a default is not one of the enum (or const) values"),
        ("SD004", "default-null-not-nullable", "error", True, r.default_null,
         "default: null on a field that does not accept null"),
        ("SD005", "example-invalid", "warning", True, r.example_invalid,
         "an example (examples, example) is invalid against its schema"),
        ("SD006", "required-not-in-properties", "error", True, r.required_not_in_properties,
         "a required name is not declared in properties"),
        ("SD007", "required-with-default", "warning", True, r.required_with_default,
         "a property is both required and defaulted"),
        ("SD008", "duplicate-enum-value", "warning", True, r.duplicate_enum_value,
         "the same value appears twice in an enum"),
        ("SD009", "enum-type-mismatch", "error", True, r.enum_type_mismatch,
         "enum values do not match the type, mix types, or the enum is empty"),
        ("SD010", "unknown-format", "warning", True, t.unknown_format,
         "a format the client does not know (and so never checks)"),
        ("SD011", "format-type-mismatch", "warning", True, t.format_type_mismatch,
         "a string format on a non-string type"),
        ("SD012", "inapplicable-keyword", "warning", True, t.inapplicable_keyword,
         "a keyword that does not apply to the declared type"),
        ("SD013", "unknown-keyword", "warning", True, t.unknown_keyword,
         "an unknown keyword that looks like a typo of a real one"),
        ("SD014", "unsatisfiable-bounds", "error", True, st.unsatisfiable_bounds,
         "bounds no value can meet (minimum above maximum, ...)"),
        ("SD015", "additional-properties-unset", "info", False, st.additional_properties_unset,
         "an object accepts undeclared names silently"),
        ("SD016", "conditional-in-description", "warning", True, t.conditional_in_description,
         "a description states a conditional requirement the schema does not encode"),
        ("SD017", "conditional-misuse", "warning", True, st.conditional_misuse,
         "then/else without if, or if without then/else"),
        ("SD018", "bad-ref", "error", True, st.bad_ref,
         "a $ref that is dangling, remote, or loops back on itself"),
        ("SD019", "array-without-items", "warning", True, st.array_without_items,
         "an array type with no items schema"),
        ("SD020", "pattern-portability", "warning", True, t.pattern_portability,
         "a pattern using Python-only regular expression syntax"),
        ("SD021", "media-input-unmarked", "warning", True, t.media_input_unmarked,
         "an image, audio or video input string with no format"),
        ("SD022", "ref-siblings", "warning", True, st.ref_siblings,
         "keywords beside $ref that draft-07 and OpenAPI 3.0 ignore"),
        ("SD023", "defaults-ambiguous-composition", "warning", True, st.defaults_ambiguous,
         "anyOf/oneOf branches give one value different defaults"),
        ("SD024", "enum-single-value", "info", False, st.enum_single_value,
         "a single-value enum (a constant)"),
        ("SD025", "missing-description", "info", False, t.missing_description,
         "a property with no description or title"),
        ("SD026", "null-in-description", "warning", True, t.null_in_description,
         "a description says null is accepted but the type does not allow null"),
        ("SD027", "pattern-catastrophic", "warning", True, t.pattern_catastrophic,
         "a pattern with nested quantifiers, exponential for backtracking engines"),
    ]  # fmt: skip
    for code, name, severity, enabled, check, summary in table:
        yield Rule(code, name, severity, summary, enabled, check)


#: Every rule by code, in code order.
RULES: Mapping[str, Rule] = MappingProxyType({rule.code: rule for rule in _rules()})
_BY_NAME = {rule.name: rule for rule in RULES.values()}


def rule_for(key: str) -> Rule:
    """The rule with this code (``SD016``, any case) or name (``conditional-in-description``)."""
    key = str(key)
    found = RULES.get(key.strip().upper()) or _BY_NAME.get(key.strip().lower())
    if found is None:
        close = suggest(key, [*RULES, *_BY_NAME])
        hint = (
            f"; did you mean {close!r}?"
            if close
            else "; `schemadrive lint --list-rules` lists them"
        )
        raise ConfigurationError(f"unknown lint rule {key!r}{hint}")
    return found


def _keys(keys: Iterable[str] | str | None) -> list[str]:
    """Rule keys as a list of strings; one string is one key, not its characters."""
    if keys is None:
        return []
    if isinstance(keys, str):
        return [keys]
    return [str(key) for key in keys]


def select_rules(enable: Iterable[str] = (), disable: Iterable[str] = ()) -> list[Rule]:
    """The rules a run uses: the default ones, plus ``enable``, minus ``disable``.

    Both take codes or names; ``"all"`` in ``enable`` switches every rule on.
    """
    enable, disable = _keys(enable), _keys(disable)
    on = {code for code, rule in RULES.items() if rule.enabled}
    if any(key.strip().lower() == "all" for key in enable):
        on = set(RULES)
    on |= {rule_for(key).code for key in enable if key.strip().lower() != "all"}
    on -= {rule_for(key).code for key in disable}
    return [rule for code, rule in RULES.items() if code in on]


def lint(
    schema: Any,
    *,
    disable: Iterable[str] = (),
    enable: Iterable[str] = (),
    severity: Mapping[str, Severity] | None = None,
    formats: Iterable[str] = (),
    strict: bool = False,
) -> list[Finding]:
    """Every finding in ``schema``, sorted by path then code.

    ``disable`` and ``enable`` take rule codes or names; ``severity`` overrides a rule's
    severity (``{"SD016": "error"}``); ``formats`` names extra formats SD010 accepts.
    ``strict`` checks defaults and examples as a model payload is checked (``format``
    asserted in every draft); by default they are checked by the JSON Schema specification.
    """
    overrides: dict[str, Severity] = {}
    for key, level in (severity or {}).items():
        if level not in SEVERITIES:
            raise ConfigurationError(f"severity for {key!r} must be one of {', '.join(SEVERITIES)}")
        overrides[rule_for(key).code] = level
    rules = select_rules(enable, disable)
    try:
        context = LintContext(schema, formats=frozenset(_keys(formats)), strict=strict)
    except RecursionError as exc:
        raise SchemaInvalid("the schema nests too deeply to lint") from exc
    findings: set[Finding] = set()
    for rule in rules:
        if rule.code != "SD001" and not isinstance(schema, dict):
            continue  # a non-object is only a metaschema failure; true/false have nothing to lint
        try:
            hits = list(rule.check(context))
        except SchemadriveError:
            raise
        except RecursionError as exc:
            raise SchemaInvalid("the schema nests too deeply to lint") from exc
        except Exception as exc:  # a bug in a rule must not look like a crash of the caller
            raise SchemaInvalid(f"lint rule {rule.code} failed on this schema: {exc!r}") from exc
        level = overrides.get(rule.code, rule.severity)
        for path, message, hint in hits:
            findings.add(Finding(rule.code, rule.name, level, path, message, hint))
    return sorted(findings, key=lambda f: (f.path, f.code, f.message))
