"""The fast path (jsonschema-rs) gives the slow path's verdict (jsonschema) on every payload.

Every bundled fixture schema and a set of hand-written schemas (formats, nullable, $ref with
siblings, anyOf, oneOf, not, if/then/else, pattern, multipleOf, ...) are compiled twice,
``fast=True`` and ``fast=False``, and must agree on documented payloads, on payloads drawn
from a seeded generator, and on Python values that are not plain JSON. The hypothesis version
is tests/property/test_fast_path_differential.py.
"""

from __future__ import annotations

import enum
import json
import math
import random
import sys
from collections import OrderedDict
from decimal import Decimal
from typing import Any

import pytest
from data.documented import DOCUMENTED

from schemadrive import PayloadInvalid, SchemadriveError
from schemadrive.hub.providers import HUB_COMMON_PARAMETERS
from schemadrive.hub.recorded import bundled_dir, read_json_file, schema_of
from schemadrive.schema.compile import CompiledSchema, compile_schema
from schemadrive.schema.fastpath import is_plain

pytest.importorskip("jsonschema_rs")

D2020 = "https://json-schema.org/draft/2020-12/schema"
D7 = "http://json-schema.org/draft-07/schema#"
D4 = "http://json-schema.org/draft-04/schema#"


def fixture_schemas() -> dict[str, dict[str, Any]]:
    """Every bundled request schema (oxen and gmicloud, current and older versions)."""
    found = {}
    for path in sorted(bundled_dir().rglob("*.json")):
        schema = schema_of(read_json_file(path))
        if schema is not None:
            found[str(path.relative_to(bundled_dir()))] = schema
    return found


FIXTURES = fixture_schemas()


def _obj(properties: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {"$schema": D2020, "type": "object", "properties": properties, **more}


PROMPT = {"type": "string"}
# fmt: off
HAND: dict[str, dict[str, Any]] = {
    "formats": _obj({
        "image": {"type": "string", "format": "uri"}, "ref": {"format": "uri-reference"},
        "mail": {"type": "string", "format": "email"}, "day": {"type": "string", "format": "date"},
        "when": {"type": "string", "format": "date-time"}, "ip": {"format": "ipv4"},
        "rx": {"format": "regex"}, "id": {"type": "string", "format": "uuid"},
        "odd": {"type": "string", "format": "made-up"},
    }),
    "nullable": _obj({
        "oas": {"type": "integer", "nullable": True, "minimum": 0},
        "oas-enum": {"type": "string", "enum": ["a", "b"], "nullable": True},
        "oas-untyped": {"nullable": True, "minimum": 1},
        "anyof": {"anyOf": [{"type": "number"}, {"type": "null"}], "default": None},
        "list": {"type": ["array", "null"], "items": {"type": "string"}},
    }),
    "ref-siblings-2020": _obj(
        {"res": {"$ref": "#/$defs/Res", "default": "1080p"},
         "steps": {"$ref": "#/$defs/N", "maximum": 30}},
        **{"$defs": {"Res": {"enum": ["720p", "1080p"]}, "N": {"type": "integer", "minimum": 1}}},
    ),
    "ref-siblings-draft7": {
        "$schema": D7, "type": "object",
        "properties": {"steps": {"$ref": "#/definitions/N", "maximum": 30}, "p": PROMPT},
        "definitions": {"N": {"type": "integer", "minimum": 1}},
    },
    "root-ref-draft7": {
        "$schema": D7, "$ref": "#/definitions/In",
        "definitions": {"In": {"type": "object", "properties": {"p": PROMPT, "n": {}}}},
    },
    "anyof-object-or-string": _obj({"size": {
        "anyOf": [{"type": "object", "properties": {"w": {"type": "integer", "default": 512}}},
                  {"type": "string", "enum": ["square", "wide"]}],
        "default": "square",
    }}),
    "oneof-not-if": _obj(
        {"mode": {"enum": ["text", "image"]}, "p": PROMPT, "img": PROMPT, "n": {"type": "number"}},
        oneOf=[{"required": ["p"]}, {"required": ["img"]}],
        **{"not": {"properties": {"n": {"type": "number", "maximum": 0}}, "required": ["n"]},
           "if": {"properties": {"mode": {"const": "image"}}, "required": ["mode"]},
           "then": {"required": ["img"]}},
    ),
    "not-number": _obj({"x": {"not": {"type": "number"}}, "y": {"not": {"type": "array"}}}),
    "patterns": _obj(
        {"a": {"pattern": "^[a-z]+$"}, "d": {"pattern": "^\\d+$"}, "s": {"pattern": "^\\s*$"}},
        propertyNames={"pattern": "^[a-z]+$"},
    ),
    "multiple-of": _obj({"f": {"multipleOf": 0.1}, "i": {"type": "integer", "multipleOf": 8}}),
    "unique-items": _obj({"u": {"uniqueItems": True}, "c": {"const": [1, {"a": 1.0}]}}),
    "bounds": _obj({"n": {"maximum": 5, "exclusiveMinimum": -5},
                    "f": {"type": "number", "exclusiveMaximum": 1e15}}),
    "closed": _obj({"p": PROMPT}, additionalProperties=False),
    "unevaluated": _obj({"p": PROMPT}, allOf=[{"properties": {"q": {}}}],
                        unevaluatedProperties=False),
    "arrays": _obj({
        "pair": {"type": "array", "prefixItems": [{"type": "integer"}, PROMPT], "items": False},
        "some": {"type": "array", "contains": PROMPT, "maxContains": 1},
    }),
    "dependent": _obj({"a": {}, "b": {}}, dependentRequired={"a": ["b"]}),
    # (a boolean exclusiveMinimum fails the draft-04 metaschema after normalize(): reported)
    "draft4": {"$schema": D4, "type": "object",
               "properties": {"n": {"type": "number", "minimum": 0, "maximum": 9}, "p": PROMPT}},
    "pattern-properties": _obj({}, patternProperties={"^x-": {"type": "string"}}),
    "big-numbers": _obj({"n": {"maximum": 2**60}}),
}
# fmt: on


class Color(enum.Enum):
    RED = "red"


class Size(enum.IntEnum):
    ONE = 1


class Word(str, enum.Enum):
    TEXT = "text"


#: Python values the two libraries could read differently; none may change a verdict.
EXOTIC: list[Any] = [
    (1, 2), ("a",), Decimal("1"), Decimal("1.5"), Color.RED, Size.ONE, Word.TEXT,
    math.nan, math.inf, -math.inf, 2**53 + 1, 2**63, 2**70, -(2**64), 1e300, "\ud800",
    OrderedDict(w=1), {1: 2}, set(), b"x", [[[[[]]]]], {"a": (1,)},
]  # fmt: skip
STRINGS = [
    "", "a", "abc", "abc\n", "٣", "123", " ", "\ufeff", "text", "image", "red", "square",
    "https://example.com/a.png", "http://x y", "not a uri", "data:image/png;base64,AAAA",
    "x@example.com", "2024-02-30", "2024-02-29", "1.2.3.4", "999.1.1.1", "[", "720p",
    "1080p", "low", "landscape_16_9", "image_to_video", "9:16", "16:9", "/relative/path",
]  # fmt: skip


def _walk(schema: Any) -> list[Any]:
    """Every value inside ``schema``, containers and leaves."""
    found, stack = [], [schema]
    while stack:
        node = stack.pop()
        found.append(node)
        stack += node.values() if isinstance(node, dict) else node if isinstance(node, list) else []
    return found


def schema_numbers(schema: Any) -> list[Any]:
    """The schema's numbers and their neighbours, plus generic boundary values."""
    out: list[Any] = [0, -1, 1, 0.5, 0.3, 0.7000000000000001, 1e15, -0.0, 2**53, 2**53 + 1]
    for n in sorted({n for n in _walk(schema) if type(n) in (int, float) and abs(n) < 1e9}):
        out += [n, n - 1, n + 1, n + 0.5, n - 0.001, float(n)]
    return out


def schema_names(schema: Any) -> list[str]:
    nodes = [node.get("properties") for node in _walk(schema) if isinstance(node, dict)]
    return sorted({name for props in nodes if isinstance(props, dict) for name in props})


def _likely_valid(compiled: CompiledSchema, node: Any, rng: random.Random) -> Any:
    """A value the (resolved) subschema probably accepts."""
    node = compiled._resolve(node)
    if not isinstance(node, dict):
        return None
    for key in ("anyOf", "oneOf", "allOf"):
        if node.get(key) and rng.random() < 0.5:
            return _likely_valid(compiled, rng.choice(node[key]), rng)
    if "default" in node and rng.random() < 0.5:
        return node["default"]
    if node.get("enum"):
        return rng.choice(node["enum"])
    if "const" in node:
        return node["const"]
    kind = node.get("type")
    kind = rng.choice(kind) if isinstance(kind, list) else kind
    low, high = node.get("minimum", node.get("exclusiveMinimum", 0)), node.get("maximum", 100)
    if kind == "integer":
        return rng.randint(int(low) + 1, max(int(low) + 1, int(high) - 1))
    if kind == "number":
        return rng.uniform(low, high)
    if kind == "boolean":
        return rng.random() < 0.5
    if kind == "null":
        return None
    if kind == "array":
        return [
            _likely_valid(compiled, node.get("items", {}), rng) for _ in range(rng.randrange(1, 3))
        ]
    if kind == "object":
        props = node.get("properties") or {}
        return {k: _likely_valid(compiled, v, rng) for k, v in props.items() if rng.random() < 0.5}
    if node.get("format") in ("uri", "uri-reference"):
        return rng.choice(["https://example.com/a.png", "data:image/png;base64,AAAA"])
    return rng.choice(["a cat", "text", "x"])


def random_payloads(schema: Any, rng: random.Random, count: int) -> list[Any]:
    """Mostly valid objects, each changed in 0-2 places: the schema's names, common and unknown
    names, and values of every kind (boundary numbers, enum values, formats, exotic values)."""
    names = schema_names(schema) + sorted(HUB_COMMON_PARAMETERS)[:2] + ["promt", "extra"]
    numbers = schema_numbers(schema)
    enums = [v for node in _walk(schema) if isinstance(node, dict) for v in node.get("enum") or []]
    compiled = CompiledSchema(schema, fast=False)

    def value(depth: int = 0) -> Any:
        kind = rng.randrange(10 if depth < 2 else 7)
        if kind == 0:
            return rng.choice([None, True, False])
        if kind in (1, 2):
            return rng.choice(numbers)
        if kind in (3, 4):
            return rng.choice(STRINGS + [str(e) for e in enums])
        if kind == 5:
            return rng.choice(enums) if enums else rng.choice(STRINGS)
        if kind == 6:
            return rng.choice(EXOTIC) if rng.random() < 0.3 else rng.choice(numbers)
        if kind in (7, 8):
            return [value(depth + 1) for _ in range(rng.randrange(4))]
        return {rng.choice(names + ["w", "a"]): value(depth + 1) for _ in range(rng.randrange(3))}

    root = compiled._resolve(compiled.normalized)
    properties = root.get("properties", {}) if isinstance(root, dict) else {}
    required = set(root.get("required", [])) if isinstance(root, dict) else set()
    payloads: list[Any] = []
    for _ in range(count):
        payload = {
            name: _likely_valid(compiled, sub, rng)
            for name, sub in properties.items()
            if name in required or rng.random() < 0.3
        }
        for _ in range(rng.choice([0, 0, 1, 1, 2])):
            if payload and rng.random() < 0.2:
                del payload[rng.choice(sorted(payload))]
            else:
                payload[rng.choice(names)] = value()
        payloads.append(payload)
    payloads += [rng.choice([[], "x", 3, None, (), Color.RED]) for _ in range(count // 20)]
    return payloads


def outcome(compiled: CompiledSchema, payload: Any, unknown: Any) -> tuple[Any, ...]:
    """What validate, is_valid and prepare say, comparable between the two paths."""
    try:
        problems = [
            (p.path, p.keyword, p.message, p.severity)
            for p in compiled.validate(payload, unknown=unknown)
        ]
        verdict: tuple[Any, ...] = ("ok", problems, compiled.is_valid(payload, unknown=unknown))
    except SchemadriveError as exc:
        verdict = ("raises", type(exc).__name__)
    try:
        prepared: tuple[Any, ...] = ("ok", compiled.prepare(payload, unknown=unknown))
    except PayloadInvalid as exc:
        prepared = ("invalid", [(p.path, p.keyword) for p in exc.problems])
    except SchemadriveError as exc:
        prepared = ("raises", type(exc).__name__)
    return verdict, prepared


def assert_same_verdicts(schema: Any, payloads: list[Any]) -> None:
    fast, slow = CompiledSchema(schema, fast=True), CompiledSchema(schema, fast=False)
    assert not slow.fast
    for index, payload in enumerate(payloads):
        # "warn" and "allow" share one fast check: every third payload is enough for them.
        for unknown in ("error", "warn", "allow") if index % 3 == 0 else ("error",):
            assert outcome(fast, payload, unknown) == outcome(slow, payload, unknown), (
                payload,
                unknown,
            )


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_every_fixture_uses_the_fast_path_and_agrees(name: str) -> None:
    schema = FIXTURES[name]
    assert CompiledSchema(schema).fast, CompiledSchema(schema).fallback_reason
    documented = DOCUMENTED.get(name.removeprefix("oxen/"), {"valid": [], "invalid": []})
    payloads = list(documented["valid"]) + [case[0] for case in documented["invalid"]]
    payloads += random_payloads(schema, random.Random(name), 150)
    payloads += [{"prompt": "x", key: value} for key in schema_names(schema) for value in EXOTIC]
    assert_same_verdicts(schema, payloads)


@pytest.mark.parametrize("name", sorted(HAND))
def test_hand_written_schemas_agree(name: str) -> None:
    schema = HAND[name]
    payloads = random_payloads(schema, random.Random(name), 150)
    values = EXOTIC + STRINGS + schema_numbers(schema)
    payloads += [{key: value} for key in schema_names(schema) for value in values]
    assert_same_verdicts(schema, payloads)


def test_schemas_the_two_libraries_could_judge_differently_stay_on_the_slow_path() -> None:
    assert "2**53" in (CompiledSchema(HAND["big-numbers"]).fallback_reason or "")
    assert CompiledSchema(True).fallback_reason
    assert CompiledSchema({"$schema": "http://json-schema.org/draft-03/schema#"}).fast is False
    # patternProperties stays fast: both paths match regexes with one engine (schema/patterns.py)
    for name in sorted(set(HAND) - {"big-numbers"}):
        assert CompiledSchema(HAND[name]).fast, (name, CompiledSchema(HAND[name]).fallback_reason)


def test_the_slow_path_can_be_forced(monkeypatch: pytest.MonkeyPatch) -> None:
    schema = FIXTURES["oxen/ltx-2-3-pro.json"]
    assert compile_schema(schema).fast
    assert not compile_schema(schema, fast=False).fast
    monkeypatch.setenv("SCHEMADRIVE_FAST", "0")
    assert not compile_schema(schema).fast
    assert compile_schema(schema, fast=True).fast


def test_without_jsonschema_rs_the_slow_path_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "jsonschema_rs", None)  # makes the import fail
    compiled = CompiledSchema(FIXTURES["oxen/ltx-2-3-pro.json"])
    assert not compiled.fast and "not installed" in (compiled.fallback_reason or "")
    assert compiled.validate({"prompt": "x"}) == []
    assert [p.keyword for p in compiled.validate({"prompt": 1})] == ["type"]


def test_problems_are_built_only_for_rejected_payloads(monkeypatch: pytest.MonkeyPatch) -> None:
    compiled = CompiledSchema(FIXTURES["oxen/ltx-2-3-quality-text-to-video.json"], strict=True)
    calls: list[Any] = []
    original = compiled.explain
    monkeypatch.setattr(compiled, "explain", lambda p, **kw: calls.append(p) or original(p, **kw))
    assert compiled.validate({"prompt": "x", "num_frames": 121}) == []
    assert compiled.prepare({"prompt": "x"})["num_frames"] == 121
    assert calls == []
    assert [p.keyword for p in compiled.validate({"prompt": "x", "num_frame": 121})] == ["unknown"]
    assert len(calls) == 1


def test_flat_defaults_merge_equals_the_plan() -> None:
    for schema in [*FIXTURES.values(), *HAND.values()]:
        compiled = CompiledSchema(schema)
        for payload in random_payloads(schema, random.Random(0), 50):
            assert compiled.fill_defaults(payload) == compiled.plan.apply(payload)


@pytest.mark.parametrize(
    ("value", "plain"),
    [
        ({"a": "x", "b": [1, 2.5, None, True], "c": {"d": -3}}, True),
        ({"a": (1,)}, False), ({"a": Decimal(1)}, False), ({"a": Color.RED}, False),
        ({"a": math.nan}, False), ({"a": [math.inf]}, False), ({"a": 2**53 + 1}, False),
        (OrderedDict(a=1), True), ("x", True), (Size.ONE, False), (object(), False),
    ],
)  # fmt: skip
def test_is_plain(value: Any, plain: bool) -> None:
    assert is_plain(value) is plain


def test_too_deep_payloads_go_to_the_slow_path() -> None:
    deep: Any = "x"
    for _ in range(100):
        deep = [deep]
    assert not is_plain({"a": deep})
    assert_same_verdicts(
        {"properties": {"a": {"items": {"$ref": "#/properties/a"}}}}, [{"a": deep}]
    )


def test_batch_gives_validate_verdicts_in_order(tmp_path: Any) -> None:
    """schemadrive.schema.batch: validate()'s verdicts in bulk, in order, with and without
    processes."""
    from schemadrive.schema.batch import Counts, iter_validate_file, iter_validate_lines

    schema = FIXTURES["oxen/ltx-2-3-quality-text-to-video.json"]
    compiled = compile_schema(schema)
    payloads = [p for p in random_payloads(schema, random.Random(3), 300) if is_plain(p)]
    text = "".join(json.dumps(p) + "\n" for p in payloads) + "\n{not json\n" + "\n"
    path = tmp_path / "payloads.jsonl"
    path.write_text(text)
    expected = [(n, compiled.validate(p)) for n, p in enumerate(payloads, 1)]
    expected.append((len(payloads) + 2, "malformed"))
    for jobs, only in [(1, False), (2, False), (2, True), (1, True)]:
        counts = Counts()
        found = [
            (r.line, "malformed" if r.malformed else r.problems)
            for r in iter_validate_file(path, compiled, jobs=jobs, only_problems=only,
                                        chunk_bytes=997, counts=counts)
        ]  # fmt: skip
        assert found == [e for e in expected if e[1] or not only], (jobs, only)
        assert counts == Counts(len(payloads) + 1, sum(bool(e[1]) for e in expected), 1)
    lines = text.encode().splitlines(keepends=True)
    filled = list(iter_validate_lines(lines, compiled, fill=True, jobs=2, chunk_lines=7))
    valid = [p for p, (_, problems) in zip(payloads, expected[:-1], strict=True) if not problems]
    assert [r.payload for r in filled if r.valid] == [compiled.fill_defaults(p) for p in valid]


def test_json_lines_with_values_jsonschema_rs_misreads_get_jsonschema_verdicts() -> None:
    """A JSON Lines payload skips the Python walk for plain JSON (schemadrive.schema.batch),
    yet the lines jsonschema-rs reads otherwise than jsonschema get jsonschema's verdicts:
    NaN and Infinity (JSON has no such numbers; jsonschema-rs lets them pass ``maximum`` and
    ``not: {type: number}``), in every unknown-name mode. Numbers beyond 2**53 and nesting
    beyond 64 levels go the slow way too, with the same verdicts."""
    from schemadrive.schema.batch import iter_validate_lines

    schema = {
        "type": "object",
        "properties": {
            "n": {"maximum": 10**15},
            "gone": {"not": {"type": "number"}},
            "deep": {"$ref": "#/$defs/nest"},
        },
        "$defs": {"nest": {"type": ["array", "string"], "items": {"$ref": "#/$defs/nest"}}},
    }
    deep = "[" * 70 + '"x"' + "]" * 70
    lines = [
        '{"n": 1, "gone": "x"}',  # valid
        '{"n": NaN}',
        '{"gone": Infinity}',
        '{"n": [-Infinity]}',
        '{"n": 9007199254740993}',
        '{"deep": ' + deep + "}",  # valid
        '{"deep": ' + deep.replace('"x"', "1") + "}",  # 1 is neither array nor string
    ]
    for strict, unknown in [(True, "error"), (False, None), (True, "warn"), (True, "allow")]:
        compiled = CompiledSchema(schema, strict=strict)
        results = list(iter_validate_lines(lines, compiled, unknown=unknown))  # type: ignore[arg-type]
        found = [[(p.path, p.message) for p in r.problems] for r in results]
        assert found[:4] == [
            [],
            [("$.n", "nan is not a JSON number")],
            [("$.gone", "inf is not a JSON number")],
            [("$.n[0]", "-inf is not a JSON number")],
        ], (strict, unknown)
        assert [p.keyword for p in results[4].problems] == ["maximum"]
        assert found[5] == [] and len(found[6]) == 1, (strict, unknown)


def test_what_jsonschema_rs_raises_means_not_judged_but_an_interrupt_goes_through() -> None:
    """A jsonschema-rs call that raises (any Exception, or pyo3's PanicException, which
    derives from BaseException) leaves the verdict to jsonschema; Ctrl-C is not swallowed."""
    from schemadrive.schema.fastpath import BranchCheck, rs_verdict

    class PanicException(BaseException):  # pyo3_runtime's, by name
        pass

    def raising(kind: type[BaseException]) -> Any:
        def check(value: Any) -> bool:
            raise kind("from jsonschema-rs")

        return check

    class Python:
        def is_valid(self, value: Any) -> bool:
            return value == "ok"

    for kind in (ValueError, PanicException):
        assert rs_verdict(raising(kind), "x") is None
        branch = BranchCheck(raising(kind), Python)
        assert branch.is_valid("ok") and not branch.is_valid("no")
        assert branch.judge("ok", True) and not branch.judge("no", True)
    with pytest.raises(KeyboardInterrupt):
        rs_verdict(raising(KeyboardInterrupt), "x")
    with pytest.raises(KeyboardInterrupt):
        BranchCheck(raising(KeyboardInterrupt), Python).judge("ok", True)
