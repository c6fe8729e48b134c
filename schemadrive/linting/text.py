"""The keyword, format and prose checks behind :mod:`schemadrive.linting`.

Typos in keywords, unknown formats, keywords that do not apply to the declared type, regular
expressions that only Python understands, media inputs without a ``format``, and the two
description heuristics: a conditional requirement stated only in prose, and a value said to
accept null that the schema rejects. Same contract as :mod:`schemadrive.linting.rules`.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator

from ..schema.document import Node
from ..schema.patterns import catastrophic
from .rules import _CONDITIONAL_PLACES, Hit, LintContext, _where

__all__ = ["DIALECT_KEYWORDS", "EXTENSION_KEYWORDS", "KNOWN_FORMATS"]

#: Formats the JSON Schema drafts define, OpenAPI's data-type formats, and the hub's ``hidden``.
KNOWN_FORMATS = frozenset({
    "date-time", "date", "time", "duration", "email", "idn-email", "hostname", "idn-hostname",
    "ipv4", "ipv6", "uri", "uri-reference", "iri", "iri-reference", "uuid", "uri-template",
    "json-pointer", "relative-json-pointer", "regex",
    "int32", "int64", "float", "double", "byte", "binary", "password", "hidden",
})  # fmt: skip
_NUMERIC_FORMATS = frozenset({"int32", "int64", "float", "double"})

#: Draft 2020-12 keywords: the names a typo is compared with.
DIALECT_KEYWORDS = frozenset({
    "$schema", "$id", "$ref", "$anchor", "$dynamicRef", "$dynamicAnchor", "$vocabulary",
    "$comment", "$defs", "allOf", "anyOf", "oneOf", "not", "if", "then", "else",
    "dependentSchemas", "prefixItems", "items", "contains", "properties", "patternProperties",
    "additionalProperties", "propertyNames", "unevaluatedItems", "unevaluatedProperties", "type",
    "enum", "const", "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum",
    "maxLength", "minLength", "pattern", "maxItems", "minItems", "uniqueItems", "maxContains",
    "minContains", "maxProperties", "minProperties", "required", "dependentRequired", "format",
    "contentEncoding", "contentMediaType", "contentSchema", "title", "description", "default",
    "deprecated", "readOnly", "writeOnly", "examples",
})  # fmt: skip
#: Older drafts' keywords, OpenAPI's schema keywords and the hubs' own: known, never reported.
EXTENSION_KEYWORDS = frozenset({
    "definitions", "dependencies", "additionalItems", "id", "$recursiveRef", "$recursiveAnchor",
    "disallow", "divisibleBy", "extends", "nullable", "discriminator", "xml", "externalDocs",
    "example", "components", "openapi", "info", "paths", "servers", "basic", "renderType",
})  # fmt: skip

_APPLIES_TO = {
    "string": ("minLength", "maxLength", "pattern"),
    "number": ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"),
    "array": ("items", "prefixItems", "additionalItems", "minItems", "maxItems", "uniqueItems",
              "contains", "minContains", "maxContains", "unevaluatedItems"),
    "object": ("properties", "patternProperties", "additionalProperties", "required",
               "minProperties", "maxProperties", "dependentRequired", "dependentSchemas",
               "propertyNames", "unevaluatedProperties", "dependencies"),
}  # fmt: skip


# -- SD010, SD011, SD012, SD013, SD020 ---------------------------------------------------------
def unknown_format(ctx: LintContext) -> Iterator[Hit]:
    known = KNOWN_FORMATS | ctx.extra_formats
    for node in ctx.doc.nodes:
        fmt = node.schema.get("format")
        if isinstance(fmt, str) and fmt not in known:
            close = difflib.get_close_matches(fmt, sorted(known), n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}?" if close else "use a standard format, or allow it"
            yield (
                _where(node, "format"),
                f"format {fmt!r} is unknown: the client does not check it and fuzzing ignores it",
                hint + " (--allow-format NAME accepts a hub's own format)",
            )


def format_type_mismatch(ctx: LintContext) -> Iterator[Hit]:
    for node in ctx.doc.nodes:
        fmt, types = node.schema.get("format"), ctx.view(node).types
        if not isinstance(fmt, str) or types is None or "string" in types:
            continue
        if fmt in _NUMERIC_FORMATS and types & {"integer", "number"}:
            continue
        yield (
            _where(node, "format"),
            f"format {fmt!r} applies to strings, but the type is {'/'.join(sorted(types))}",
            "remove the format, or make the type string",
        )


def inapplicable_keyword(ctx: LintContext) -> Iterator[Hit]:
    for node in ctx.doc.nodes:
        types = ctx.view(node).types
        if types is None or not types:
            continue
        for family, keywords in _APPLIES_TO.items():
            if family in types or family == "number" and "integer" in types:
                continue
            for keyword in keywords:
                if keyword in node.schema:
                    yield (
                        _where(node, keyword),
                        f"{keyword!r} applies to {family} values, but the type is "
                        f"{'/'.join(sorted(types))}: it is ignored",
                        f"remove {keyword!r}, or fix the type",
                    )


def unknown_keyword(ctx: LintContext) -> Iterator[Hit]:
    targets = sorted(DIALECT_KEYWORDS)
    lowered = {k.lower(): k for k in targets}
    for node in ctx.doc.nodes:
        for key in node.schema:
            key = str(key)
            if key in DIALECT_KEYWORDS or key in EXTENSION_KEYWORDS or key.startswith("x-"):
                continue
            close = lowered.get(key.lower()) or next(
                iter(difflib.get_close_matches(key, targets, n=1, cutoff=0.8)), None
            )
            if close:
                yield (
                    _where(node, key),
                    f"unknown keyword {key!r} looks like a typo of {close!r}; it is ignored",
                    f"rename it to {close!r} (or prefix a deliberate extension with x-)",
                )


_PYTHON_ONLY = (
    (re.compile(r"\(\?P[<=]"), "Python named groups (?P<...>)"),
    (re.compile(r"\(\?[aiLmsux]+[):]"), "inline flags such as (?i)"),
    (re.compile(r"\(\?>"), "atomic groups (?>...)"),
    (re.compile(r"(?<!\\)(?:[*+?}])\+"), "possessive quantifiers"),
    (re.compile(r"\\[AZ]"), "\\A or \\Z anchors"),
    (re.compile(r"\(\?#"), "(?#...) comments"),
)


def pattern_portability(ctx: LintContext) -> Iterator[Hit]:
    for node in ctx.doc.nodes:
        found = []
        if isinstance(node.schema.get("pattern"), str):
            found.append((_where(node, "pattern"), node.schema["pattern"]))
        if isinstance(node.schema.get("patternProperties"), dict):
            found += [
                (_where(node, "patternProperties", str(k)), str(k))
                for k in node.schema["patternProperties"]
            ]
        for pointer, pattern in found:
            for probe, what in _PYTHON_ONLY:
                if probe.search(pattern):
                    yield (
                        pointer,
                        f"the pattern uses {what}, which ECMA-262 (JavaScript) regular expressions "
                        "lack: a hub validating with a JavaScript engine reads it differently",
                        "rewrite it with syntax both engines share (use ^ and $ for anchors)",
                    )
                    break


def pattern_catastrophic(ctx: LintContext) -> Iterator[Hit]:
    for node in ctx.doc.nodes:
        found = []
        if isinstance(node.schema.get("pattern"), str):
            found.append((_where(node, "pattern"), node.schema["pattern"]))
        if isinstance(node.schema.get("patternProperties"), dict):
            found += [
                (_where(node, "patternProperties", str(k)), str(k))
                for k in node.schema["patternProperties"]
            ]
        for pointer, pattern in found:
            if catastrophic(pattern):
                yield (
                    pointer,
                    f"the pattern {pattern!r} nests one quantifier inside another: a "
                    "backtracking engine (Python's re, most hubs' validators) can take minutes "
                    "on a short string that does not match",
                    "quantify once (e.g. ^a+$ instead of ^(a+)+$)",
                )


# -- SD016, SD021, SD025, SD026 ------------------------------------------------------------------
_CONDITIONAL = re.compile(
    r"\b(?:required|mandatory)\s+(?:only\s+)?(?:if|when|whenever|unless)\b"
    r"|\b(?:must|should|has\s+to|needs?\s+to)\s+be\s+(?:provided|set|given|specified|supplied|"
    r"present|included)\s+(?:only\s+)?(?:if|when|whenever|unless)\b"
    r"|\bif\b[^.;]*\bnot\b[^.;]*\b(?:provided|given|set|specified|supplied|present)\b[^.;]*"
    r"\b(?:is|are|becomes?)\s+(?:required|mandatory)\b"
    r"|\b(?:either|at\s+least\s+one\s+of)\b[^.;]*\b(?:is|are|must\s+be)\s+(?:required|provided|given|set)\b",
    re.IGNORECASE,
)
_NEGATED = re.compile(r"\b(?:not|unless|absent|missing|without|either|at\s+least)\b", re.IGNORECASE)
_NULL = r"(?:None|null|NULL|Null)"
_NULL_PROSE = re.compile(
    rf"\b(?:[Ii]f|[Ww]hen)\s+(?:it\s+is\s+|this\s+is\s+|left\s+(?:as\s+)?|set\s+to\s+)?{_NULL}\b"
    rf"|\b(?:[Cc]an|[Mm]ay|[Cc]ould)\s+be\s+{_NULL}\b"
    rf"|\b(?:[Ss]et|[Ll]eave)\s+(?:it\s+|this\s+)?(?:to|as)\s+{_NULL}\b"
    rf"|\b(?:[Uu]se|[Pp]ass)\s+{_NULL}\s+(?:to|for)\b"
    r"|\b(?:None|null)\s+(?:means|to\s+use|will|disables?|uses?)\b"
    rf"|\b[Dd]efaults?(?:\s+value)?(?:\s+to|:)\s+{_NULL}\b"
    r"|\bOptional\["
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_MEDIA = {"image", "images", "img", "audio", "video", "videos", "mask"}
_NOT_MEDIA = {
    "prompt", "description", "caption", "text", "quality", "size", "format", "type", "mode",
    "style", "strength", "ratio", "count", "num", "id", "name", "duration", "resolution",
    "width", "height", "fps", "scale", "weight", "guidance", "seed", "steps", "enabled", "enable",
    "language", "model", "length", "codec", "bitrate", "volume", "position",
}  # fmt: skip
_GENERIC = {
    "input",
    "output",
    "first",
    "last",
    "frame",
    "url",
    "uri",
    "file",
    "data",
    "type",
    "mode",
}


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text) if s.strip()]


def _conditional_names(ctx: LintContext) -> set[str]:
    """Every property name a conditional construct of the schema mentions."""
    names: set[str] = set()
    inside: dict[int, bool] = {}
    for node in ctx.doc.nodes:
        parent = inside.get(id(node.parent)) if node.parent is not None else False
        flag = bool(parent) or node.keyword in _CONDITIONAL_PLACES
        inside[id(node)] = flag
        required = node.schema.get("required")
        if flag and isinstance(required, list):
            names.update(n for n in required if isinstance(n, str))
        for key in ("dependentRequired", "dependencies", "dependentSchemas"):
            value = node.schema.get(key)
            if isinstance(value, dict):
                for name, needs in value.items():
                    names.add(str(name))
                    if isinstance(needs, list):
                        names.update(n for n in needs if isinstance(n, str))
    return names


def _mentioned(sentence: str, siblings: list[str]) -> list[str]:
    words = set(re.findall(r"[a-z0-9_]+", sentence.lower()))
    exact = [s for s in siblings if s.lower() in words]
    if exact:
        return exact
    return [s for s in siblings if any(
        len(t) >= 4 and t not in _GENERIC and t in words for t in re.split(r"[_\-\s]+", s.lower())
    )]  # fmt: skip


def _properties(ctx: LintContext) -> Iterator[tuple[Node, str, list[str]]]:
    for node in ctx.doc.nodes:
        if node.keyword == "properties" and node.name is not None and node.parent is not None:
            siblings = [n for n in ctx.view(node.parent).properties if n != node.name]
            yield node, node.name, siblings


def conditional_in_description(ctx: LintContext) -> Iterator[Hit]:
    encoded: set[str] | None = None
    for node, name, siblings in _properties(ctx):
        description = ctx.view(node).description or ""
        sentence = next((s for s in _sentences(description) if _CONDITIONAL.search(s)), None)
        if sentence is None:
            continue
        others = _mentioned(sentence, siblings)
        encoded = _conditional_names(ctx) if encoded is None else encoded
        if name in encoded or any(o in encoded for o in others):
            continue
        other = others[0] if others else "<other>"
        if _NEGATED.search(sentence):
            example = f'"anyOf": [{{"required": ["{name}"]}}, {{"required": ["{other}"]}}]'
        else:
            example = f'"dependentRequired": {{"{other}": ["{name}"]}} (or if/then)'
        yield (
            node.pointer,
            f"the description of {name!r} states a conditional requirement the schema does not "
            f'encode, so the client cannot check it: "{sentence[:160]}"',
            f"encode it on the object, e.g. {example}",
        )


def _media_reason(node: Node, name: str) -> str | None:
    render = node.schema.get("renderType")
    if isinstance(render, str) and any(m in render.lower() for m in ("image", "audio", "video")):
        return f"renderType {render!r}"
    tokens = [t for t in re.split(r"[_\-\s]+|(?<=[a-z])(?=[A-Z])", name) if t]
    lowered = [t.lower() for t in tokens]
    if lowered and _MEDIA & set(lowered) and lowered[-1] not in _NOT_MEDIA:
        return f"the name {name!r}"
    return None


def media_input_unmarked(ctx: LintContext) -> Iterator[Hit]:
    for node, name, _ in _properties(ctx):
        reason = _media_reason(node, name)
        view = ctx.view(node)
        if reason is None or view.enum is not None or view.types is None:
            continue
        target = view
        if "array" in view.types and "string" not in view.types and view.items is not None:
            target = ctx.view(view.items)
        if target.types is None or "string" not in target.types or target.enum is not None:
            continue
        if target.format or {"contentMediaType", "contentEncoding"} & target.keys:
            continue
        yield (
            node.pointer,
            f"{name!r} looks like a media input ({reason}) but has no format: the client cannot "
            "tell a URL from inline data",
            'add "format": "uri" (or "contentMediaType" for inline data)',
        )


def missing_description(ctx: LintContext) -> Iterator[Hit]:
    for node, name, _ in _properties(ctx):
        view = ctx.view(node)
        if not view.description and not view.title:
            yield (
                node.pointer,
                f"{name!r} has no description",
                "say what it does, its unit and its default",
            )


def _null_in_context(ctx: LintContext, node: Node) -> bool:
    current = node
    while current.parent is not None and current.keyword in ("anyOf", "oneOf", "allOf"):
        via, current = current.keyword, current.parent
        if via != "allOf" and ctx.allows(current, "null"):
            return True
    return False


def null_in_description(ctx: LintContext) -> Iterator[Hit]:
    for node in ctx.doc.nodes:
        description = node.schema.get("description")
        if not isinstance(description, str):
            continue
        sentence = next((s for s in _sentences(description) if _NULL_PROSE.search(s)), None)
        if sentence is None or ctx.allows(node, "null") or _null_in_context(ctx, node):
            continue
        types = ctx.view(node).types
        kind = f"the type {'/'.join(sorted(types))}" if types else "the schema"
        label = f"{node.name}: null" if node.keyword == "properties" else "null"
        yield (
            node.pointer,
            f'the description says the value may be null ("{sentence[:120]}"), but {kind} does '
            f"not accept null: a payload with {label} is rejected",
            f'allow null ("type": {json.dumps([*sorted(types or {"..."}), "null"])}) or reword '
            'the description (e.g. "leave it out for ...")',
        )
