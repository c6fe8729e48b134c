"""Drawing payloads a schema accepts, and the seeded runner (see :mod:`schemadrive.fuzz`)."""

from __future__ import annotations

import base64
import contextlib
import json
import math
import re
import warnings
from collections.abc import Callable, Iterable
from typing import Any

import hypothesis
import hypothesis.strategies as st
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis.errors import Unsatisfiable
from hypothesis_jsonschema import from_schema

from ..schema.compile import CompiledSchema, compile_schema
from ._schema import (
    _INFER,
    _ORDER,
    Schema,
    _expand_types,
    _inline,
    _merge,
    _negate,
    _same,
    _split,
)

__all__ = ["RULES", "RULE_KEYWORDS", "examples", "media_uris", "payloads"]

#: The rules an invalid payload can break, and the Problem keywords that report each.
RULE_KEYWORDS: dict[str, frozenset[str]] = {
    "type": frozenset({"type"}),
    "range": frozenset({"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}),
    "enum": frozenset({"enum", "const"}),
    "required": frozenset({"required"}),
    "unknown": frozenset({"unknown"}),
    "conditional": frozenset({"anyOf", "oneOf", "required", "dependentRequired"}),
}
RULES = tuple(RULE_KEYWORDS)

_LEAF = (*_INFER["number"], *_INFER["string"])
_INT_FORMATS = {"int32": 2**31, "int64": 2**63, "uint32": 2**32}
_MEDIA = {"image": ("png", "jpeg", "webp"), "video": ("mp4", "webm"), "audio": ("mpeg", "wav")}
_EXTENSIONS = {"jpeg": "jpg", "mpeg": "mp3"}  # media subtype -> usual file extension
_HOSTS = ("cdn.example.com", "storage.googleapis.com/fuzz-bucket", "files.example.org")
_ANY = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=6,
)


def media_uris(kind: str | None = None) -> st.SearchStrategy[str]:
    """Realistic ``format: uri`` values: https URLs to media files and small ``data:`` URIs.

    ``kind`` is ``"image"``, ``"video"``, ``"audio"`` or None (any of them).
    """
    kinds = [kind] if kind in _MEDIA else list(_MEDIA)
    media = st.sampled_from([(k, subtype) for k in kinds for subtype in _MEDIA[k]])
    segment = st.text("abcdefghijklmnopqrstuvwxyz0123456789_-", min_size=1, max_size=12)
    https = st.tuples(st.sampled_from(_HOSTS), st.lists(segment, min_size=1, max_size=3), media)
    data = st.tuples(media, st.binary(min_size=1, max_size=48))
    return https.map(_https_url) | data.map(_data_uri)


def _https_url(parts: tuple[str, list[str], tuple[str, str]]) -> str:
    host, path, (_, subtype) = parts
    return f"https://{host}/{'/'.join(path)}.{_EXTENSIONS.get(subtype, subtype)}"


def _data_uri(parts: tuple[tuple[str, str], bytes]) -> str:
    (kind, subtype), raw = parts
    return f"data:{kind}/{subtype};base64,{base64.b64encode(raw).decode()}"


def _custom_formats(hint: str | None) -> dict[str, st.SearchStrategy[str]]:
    uris = media_uris(hint)
    base64_text = st.binary(max_size=24).map(lambda raw: base64.b64encode(raw).decode())
    durations = st.builds("PT{}{}".format, st.integers(1, 600), st.sampled_from("SM"))
    formats = {"uuid": st.uuids().map(str), "duration": durations, "byte": base64_text}
    return {
        **formats,
        **dict.fromkeys(("uri", "uri-reference", "iri", "iri-reference", "url"), uris),
    }


def _media_hint(name: str, schema: Schema) -> str | None:
    render = schema.get("renderType", "") if isinstance(schema, dict) else ""
    text = f"{render} {name}".lower()
    for kind, words in (
        ("video", ("video",)),
        ("audio", ("audio", "voice", "music", "sound")),
        ("image", ("image", "frame", "mask", "photo")),
    ):
        if any(word in text for word in words):
            return kind
    return None


def _one_of(options: Iterable[st.SearchStrategy[Any] | None]) -> st.SearchStrategy[Any] | None:
    alive = [s for s in options if s is not None and not s.is_empty]
    return st.one_of(alive) if alive else None


# -- drawing ---------------------------------------------------------------------------------
class _Builder:
    """Turns prepared schema nodes into strategies; None stands for "no value possible"."""

    def __init__(self, compiled: CompiledSchema) -> None:
        self.compiled = compiled
        self.root: Schema = {"allOf": [_inline(compiled), {"type": "object"}]}
        self._leaves: dict[str, st.SearchStrategy[Any]] = {}

    def check(self, schema: Schema) -> Callable[[Any], bool]:
        """A predicate: does a value satisfy this (inlined) subschema?"""
        is_valid: Callable[[Any], bool] = self.compiled.validator.evolve(schema=schema).is_valid
        return is_valid

    def build(self, node: Schema, hint: str | None = None) -> st.SearchStrategy[Any] | None:
        plain, choices = _split(node)
        return self._choose(plain, choices, hint)

    def _choose(
        self, plain: dict[str, Any] | None, choices: list[tuple[Any, ...]], hint: str | None
    ) -> st.SearchStrategy[Any] | None:
        if plain is None:
            return None
        if not choices:
            return self._plain(plain, hint)
        (kind, *args), rest = choices[0], choices[1:]

        def branch(*parts: Schema) -> st.SearchStrategy[Any] | None:
            merged: dict[str, Any] | None = plain
            more = list(rest)
            for part in parts:
                part_plain, part_choices = _split(part)
                merged, more = _merge(merged, part_plain), more + part_choices
            return self._choose(merged, more, hint)

        if kind in ("anyOf", "oneOf"):
            options = args[0]
            if kind == "oneOf":  # steer away from the other branches when they are simple
                options = [
                    {"allOf": [b, *(_negate(o) for o in options if o is not b)]} for b in options
                ]
            strategy = _one_of(branch(option) for option in options)
            constraint: dict[str, Any] = {kind: args[0]}
        elif kind == "if":
            condition, then, otherwise = args
            strategy = _one_of([branch(condition, then), branch(otherwise, _negate(condition))])
            constraint = {"if": condition, "then": then, "else": otherwise}
        else:
            strategy, constraint = branch(_negate(args[0])), {"not": args[0]}
        return strategy.filter(self.check(constraint)) if strategy is not None else None

    def _plain(self, node: dict[str, Any], hint: str | None) -> st.SearchStrategy[Any] | None:
        excluded = node.get("__exclude__", [])
        if "enum" in node:
            fits = self.check(node)
            values = [v for v in node["enum"] if fits(v) and not any(_same(v, x) for x in excluded)]
            return st.sampled_from(values) if values else None
        declared = node.get("type")
        if declared is not None:
            kinds = _expand_types(declared)
        else:
            kinds = {kind for kind, keys in _INFER.items() if any(key in node for key in keys)}
            kinds |= {"integer"} if "number" in kinds else set()
        options = [self._typed(node, kind, hint) for kind in _ORDER if kind in kinds]
        strategy = _one_of(options) if kinds else _ANY
        if strategy is not None and excluded:
            strategy = strategy.filter(lambda v: not any(_same(v, x) for x in excluded))
        for check in node.get("__checks__", []):
            strategy = strategy.filter(self.check(check)) if strategy is not None else None
        return strategy

    def _typed(self, node: dict[str, Any], kind: str, hint: str | None) -> Any:
        if kind == "object":
            return self._object(node)
        if kind == "array":
            return self._array(node, hint)
        if kind in ("null", "boolean"):
            return st.none() if kind == "null" else st.booleans()
        leaf = {key: node[key] for key in _LEAF if key in node}
        leaf["type"] = kind
        if kind != "string":
            bound = _INT_FORMATS.get(str(leaf.pop("format", "")))
            if bound and kind == "integer":
                low = -bound if bound != 2**32 else 0
                leaf["minimum"] = max(leaf.get("minimum", low), low)
                leaf["maximum"] = min(leaf.get("maximum", bound - 1), bound - 1)
        key = json.dumps([leaf, hint], sort_keys=True)
        if key not in self._leaves:
            with warnings.catch_warnings():  # overriding the built-in "uri" strategy warns
                warnings.simplefilter("ignore")
                formats = _custom_formats(hint) if kind == "string" else None
                self._leaves[key] = from_schema(leaf, custom_formats=formats, allow_x00=False)
        return self._leaves[key]

    def _object(self, node: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]] | None:
        properties, required = node.get("properties") or {}, list(node.get("required", []))
        patterns, extra = (
            node.get("patternProperties") or {},
            node.get("additionalProperties", True),
        )
        absent, depends = set(node.get("__absent__", [])), node.get("dependentRequired") or {}
        values: dict[str, st.SearchStrategy[Any]] = {}
        for name in dict.fromkeys([*properties, *required]):
            parts = [s for p, s in patterns.items() if re.search(p, name)]
            schema = (
                {"allOf": [properties[name], *parts]}
                if name in properties
                else ({"allOf": parts} if parts else extra)
            )
            strategy = (
                None
                if name in absent
                else self.build(schema, _media_hint(name, properties.get(name)))
            )
            if strategy is not None:
                values[name] = strategy

        def closure(names: Iterable[str]) -> list[str] | None:
            found = list(names)
            for name in found:  # grows while iterating: dependencies of dependencies
                found += [d for d in depends.get(name, []) if d not in found]
            return found if all(n in values for n in found) else None

        base = closure(required)
        if base is None:
            return None
        most = node.get("maxProperties", math.inf)
        extras = self.build(extra) if isinstance(extra, dict) else None

        @st.composite
        def draw_object(draw: Any) -> dict[str, Any]:
            out: dict[str, Any] = {}
            for name in values:  # each optional name: a coin, then its value (shrinks well)
                more = closure([*base, *out, name])
                if name in base or (more is not None and len(more) <= most and draw(st.booleans())):
                    out[name] = draw(values[name])
            for name in closure([*base, *out]) or ():  # what the chosen names depend on
                if name not in out:
                    out[name] = draw(values[name])
            out = {name: out[name] for name in values if name in out}
            if extras is not None:
                names = st.text(min_size=1, max_size=12).filter(
                    lambda n: n not in properties and not any(re.search(p, n) for p in patterns)
                )
                out.update(draw(st.dictionaries(names, extras, max_size=2)))
            return out

        return draw_object()

    def _array(self, node: dict[str, Any], hint: str | None) -> st.SearchStrategy[list[Any]] | None:
        items = node.get("items", True)
        prefix, rest = (
            (items, node.get("additionalItems", True))
            if isinstance(items, list)
            else (node.get("prefixItems", []), items)
        )
        heads = [self.build(sub, hint) for sub in prefix]
        tail = self.build(rest, hint)
        most = (
            len(heads)
            if tail is None
            else node.get("maxItems", max(len(heads), node.get("minItems", 0)) + 3)
        )
        if None in heads:
            most = min(most, heads.index(None))
        least = max(node.get("minItems", 0), 1 if node.get("contains") not in (None, True) else 0)
        if least > most:
            return None
        contains = node.get("contains")
        wanted = self.build({"allOf": [rest, contains]}, hint) if contains is not None else None
        unique = bool(node.get("uniqueItems"))

        @st.composite
        def draw_array(draw: Any) -> list[Any]:
            out: list[Any] = []
            for index in range(draw(st.integers(least, most))):
                strategy: Any = heads[index] if index < len(heads) else tail
                if wanted is not None and index == len(heads):
                    strategy = wanted  # one element that satisfies `contains`
                if unique:
                    strategy = strategy.filter(lambda v: all(not _same(v, x) for x in out))
                out.append(draw(strategy))
            return out

        return draw_array()


def _compiled(schema: Any) -> CompiledSchema:
    # fuzzing makes request payloads: judged as a model's are (unknown names, formats)
    return schema if isinstance(schema, CompiledSchema) else compile_schema(schema, strict=True)


def _accepts(compiled: CompiledSchema) -> Callable[[Any], bool]:
    return lambda payload: not compiled.validate(payload, unknown="error")


def payloads(schema: Any, *, fill_defaults: bool = False) -> st.SearchStrategy[dict[str, Any]]:
    """A strategy of payloads that ``schema`` accepts, unknown names never included.

    ``schema`` is a request schema (or a :class:`CompiledSchema`); it is compiled now, so an
    invalid schema raises :class:`~schemadrive.exceptions.SchemaInvalid` here. With
    ``fill_defaults`` the payloads have their defaults filled. Every payload passes
    ``compile_schema(schema).validate(payload, unknown="error")``; a schema nothing satisfies
    gives an empty strategy (hypothesis then reports it as unsatisfiable).
    """
    compiled = _compiled(schema)
    builder = _Builder(compiled)
    strategy = builder.build(builder.root)
    if strategy is None:
        return st.nothing()
    if fill_defaults:
        strategy = strategy.map(compiled.fill_defaults)
    return strategy.filter(_accepts(compiled))


def examples(strategy: st.SearchStrategy[Any], count: int, *, seed: int | None = None) -> list[Any]:
    """Up to ``count`` distinct values of ``strategy``, in the order hypothesis drew them.

    The same ``seed`` with the same schema, schemadrive and hypothesis versions gives the same
    list; None lets hypothesis choose. Fewer come back when the strategy has fewer distinct
    values, none when nothing satisfies it. No example database is used and nothing is
    printed. For scripts and the CLI: inside a ``@given`` test, draw with ``st.data()``.
    """
    found: dict[str, Any] = {}

    class Enough(Exception):
        pass

    @settings(
        parent=settings.get_profile("default"),
        database=None,
        derandomize=False,
        max_examples=max(10 * count, 100),
        phases=[Phase.generate],
        deadline=None,
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
        print_blob=False,
    )
    @given(strategy)
    def collect(value: Any) -> None:
        if len(found) < count:
            found.setdefault(json.dumps(value, sort_keys=True), value)
        if len(found) >= count:
            raise Enough

    if seed is not None:
        collect = hypothesis.seed(seed)(collect)
    if count > 0:
        with contextlib.suppress(Enough, Unsatisfiable):
            collect()
    return list(found.values())
