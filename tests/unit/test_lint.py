"""Lint rules: each rule flags a bad schema and passes the fixed one; the recorded fixtures
show the defects the seed schemas really have, and nothing else."""

from __future__ import annotations

import contextlib
import json
import re
from pathlib import Path
from typing import Any

import pytest

from schemadrive.exceptions import ConfigurationError, SchemaInvalid
from schemadrive.hub.recorded import bundled_dir, read_schema_file
from schemadrive.linting import RULES, Finding, lint, rule_for, select_rules

FIXTURES = bundled_dir()
DOCS = Path(__file__).resolve().parents[2] / "docs" / "lint-rules.md"
DRAFT7 = "http://json-schema.org/draft-07/schema#"
DRAFT7_DEFS = {"$schema": DRAFT7, "definitions": {"t": {"type": "string"}}}
WHEN_A = "Required when a is set."


def obj(**properties: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties}


# (code, bad schema, where the finding is, the fixed schema)
CASES: list[tuple[str, Any, str, Any]] = [
    ("SD001", obj(a={"type": "strin"}), "/properties/a/type", obj(a={"type": "string"})),
    ("SD002", obj(n={"type": "integer", "minimum": 1, "default": 0}), "/properties/n/default",
     obj(n={"type": "integer", "minimum": 1, "default": 1})),
    ("SD003", obj(r={"type": "string", "enum": ["a", "b"], "default": "c"}),
     "/properties/r/default", obj(r={"type": "string", "enum": ["a", "b"], "default": "a"})),
    ("SD004", obj(s={"type": "integer", "default": None}), "/properties/s/default",
     obj(s={"type": ["integer", "null"], "default": None})),
    ("SD005", obj(n={"type": "integer", "examples": [1, "two"]}), "/properties/n/examples/1",
     obj(n={"type": "integer", "examples": [1, 2]})),
    ("SD006", {**obj(prompt={"type": "string"}), "required": ["promt"]}, "/required/0",
     {**obj(prompt={"type": "string"}), "required": ["prompt"]}),
    ("SD007", {**obj(a={"type": "string", "default": "x"}), "required": ["a"]}, "/properties/a",
     {**obj(a={"type": "string"}), "required": ["a"]}),
    ("SD008", obj(a={"type": "string", "enum": ["x", "y", "x"]}), "/properties/a/enum/2",
     obj(a={"type": "string", "enum": ["x", "y"]})),
    ("SD009", obj(d={"type": "integer", "enum": [6, "8"]}), "/properties/d/enum",
     obj(d={"type": "integer", "enum": [6, 8]})),
    ("SD010", obj(u={"type": "string", "format": "url"}), "/properties/u/format",
     obj(u={"type": "string", "format": "uri"})),
    ("SD011", obj(n={"type": "integer", "format": "date"}), "/properties/n/format",
     obj(n={"type": "integer", "format": "int64"})),
    ("SD012", obj(n={"type": "integer", "minLength": 1}), "/properties/n/minLength",
     obj(n={"type": "integer", "minimum": 1})),
    ("SD013", obj(n={"type": "integer", "minimun": 1}), "/properties/n/minimun",
     obj(n={"type": "integer", "minimum": 1, "x-minimun": 1, "renderType": "number"})),
    ("SD014", obj(n={"type": "integer", "minimum": 10, "maximum": 5}), "/properties/n",
     obj(n={"type": "integer", "minimum": 5, "maximum": 10})),
    ("SD015", obj(a={"type": "string"}), "",
     {**obj(a={"type": "string"}), "additionalProperties": False}),
    ("SD016", obj(a={"type": "string"}, b={"type": "string", "description": WHEN_A}),
     "/properties/b",
     {**obj(a={"type": "string"}, b={"type": "string", "description": WHEN_A}),
      "dependentRequired": {"a": ["b"]}}),
    ("SD017", {**obj(a={"type": "string"}), "then": {"required": ["a"]}}, "/then",
     {**obj(a={"type": "string"}), "if": {"required": ["a"]}, "then": {"required": ["a"]}}),
    ("SD018", obj(a={"$ref": "#/$defs/missing"}), "/properties/a/$ref",
     {**obj(a={"$ref": "#/$defs/text"}), "$defs": {"text": {"type": "string"}}}),
    ("SD019", obj(tags={"type": "array"}), "/properties/tags",
     obj(tags={"type": "array", "items": {"type": "string"}})),
    ("SD020", obj(s={"type": "string", "pattern": "(?P<w>a+)"}), "/properties/s/pattern",
     obj(s={"type": "string", "pattern": "(a+)"})),
    ("SD021", obj(input_image={"type": "string"}), "/properties/input_image",
     obj(input_image={"type": "string", "format": "uri"})),
    ("SD022", {**DRAFT7_DEFS, **obj(a={"$ref": "#/definitions/t", "maxLength": 3})},
     "/properties/a",
     {**DRAFT7_DEFS, **obj(a={"allOf": [{"$ref": "#/definitions/t"}], "maxLength": 3})}),
    ("SD023", {"anyOf": [obj(n={"default": 1}), obj(n={"default": 2})]}, "/anyOf",
     {"anyOf": [obj(n={"default": 1}), obj(n={"default": 1})]}),
    ("SD024", obj(task={"type": "string", "enum": ["i2v"]}), "/properties/task/enum",
     obj(task={"type": "string", "const": "i2v"})),
    ("SD025", obj(a={"type": "string"}), "/properties/a",
     obj(a={"type": "string", "description": "What a does."})),
    ("SD026", obj(seed={"type": "integer", "description": "If None, a random seed is chosen."}),
     "/properties/seed",
     obj(seed={"type": ["integer", "null"], "description": "If None, a random seed is chosen."})),
    ("SD027", obj(code={"type": "string", "pattern": "^(a+)+$"}), "/properties/code/pattern",
     obj(code={"type": "string", "pattern": "^a+$"})),
]  # fmt: skip


def codes(findings: list[Finding]) -> set[str]:
    return {f.code for f in findings}


def test_every_rule_has_a_case() -> None:
    assert sorted({case[0] for case in CASES}) == sorted(RULES)


@pytest.mark.parametrize(("code", "bad", "where", "good"), CASES, ids=[c[0] for c in CASES])
def test_rule_flags_the_bad_schema_and_passes_the_fixed_one(
    code: str, bad: Any, where: str, good: Any
) -> None:
    found = [f for f in lint(bad, enable=[code]) if f.code == code]
    assert [f.path for f in found] == [where], found
    assert found[0].name == RULES[code].name
    assert found[0].severity == RULES[code].severity
    assert found[0].message and found[0].hint
    assert lint(good, enable=[code]) == []


@pytest.mark.parametrize(("code", "bad", "where", "good"), CASES, ids=[c[0] for c in CASES])
def test_rule_can_be_switched_off_by_code_and_by_name(
    code: str, bad: Any, where: str, good: Any
) -> None:
    for key in (code, RULES[code].name, code.lower()):
        assert code not in codes(lint(bad, enable=[code], disable=[key]))


# -- the recorded fixtures ---------------------------------------------------------------------


def fixture(name: str) -> dict[str, Any]:
    return read_schema_file(FIXTURES / "oxen" / name)


def test_audio_to_video_as_served_states_its_rule_only_in_prose() -> None:
    found = lint(fixture("versions/ltx-2-3-pro-audio-to-video@2026-06-26.json"))
    assert [(f.code, f.path) for f in found] == [
        ("SD016", "/properties/input_image"),
        ("SD016", "/properties/prompt"),
    ]
    prompt = found[1]
    assert "Required if image is not provided" in prompt.message
    assert '"anyOf": [{"required": ["prompt"]}, {"required": ["input_image"]}]' in (
        prompt.hint or ""
    )


def test_strict_audio_to_video_encodes_the_rule_so_nothing_is_reported() -> None:
    assert lint(fixture("ltx-2-3-pro-audio-to-video.json")) == []
    gmi = read_schema_file(FIXTURES / "gmicloud" / "ltx-2-pro-audio-to-video.json")
    assert lint(gmi) == []


@pytest.mark.parametrize(
    "name",
    [
        "ltx-2-3-quality-image-to-video.json",
        "ltx-2-3-quality-text-to-video.json",
        "versions/ltx-2-3-quality-image-to-video@2026-06-26.json",
        "versions/ltx-2-3-quality-text-to-video@2026-06-26.json",
    ],
)
def test_quality_models_seed_says_none_but_is_typed_integer(name: str) -> None:
    found = lint(fixture(name))
    assert [(f.code, f.name, f.path) for f in found] == [
        ("SD026", "null-in-description", "/properties/seed")
    ]
    assert "If None, a random seed is chosen." in found[0].message


@pytest.mark.parametrize(
    "name",
    [
        "ltx-2-3-pro.json",
        "versions/ltx-2-3-pro@2026-06-26.json",
        "black-forest-labs-flux-2-klein-4b.json",
    ],
)
def test_clean_fixtures_have_no_findings(name: str) -> None:
    assert lint(fixture(name)) == []


# -- through references and compositions ---------------------------------------------------------


def test_rules_see_through_components_allof_and_ref() -> None:
    schema = {
        "components": {"schemas": {"choices": {"type": "string", "enum": ["a", "b"]}}},
        "type": "object",
        "properties": {
            "mode": {"allOf": [{"$ref": "#/components/schemas/choices"}], "default": "c"}
        },
    }
    assert [(f.code, f.path) for f in lint(schema)] == [("SD003", "/properties/mode/default")]


def test_rules_reach_nested_objects_array_items_and_defs() -> None:
    schema = {
        "type": "object",
        "$defs": {"Size": obj(w={"type": "integer", "minimum": 9, "maximum": 1})},
        "properties": {
            "size": {"$ref": "#/$defs/Size"},
            "frames": {"type": "array", "items": obj(url={"type": "string", "fromat": "uri"})},
            "opts": obj(level={"type": "string", "enum": ["lo", "hi"], "default": "mid"}),
        },
    }
    assert [(f.code, f.path) for f in lint(schema)] == [
        ("SD014", "/$defs/Size/properties/w"),
        ("SD013", "/properties/frames/items/properties/url/fromat"),
        ("SD003", "/properties/opts/properties/level/default"),
    ]


def test_bounds_merged_through_allof_are_checked() -> None:
    schema = obj(n={"allOf": [{"type": "integer", "minimum": 10}, {"maximum": 5}]})
    found = lint(schema)
    assert [(f.code, f.path) for f in found] == [("SD014", "/properties/n")]
    assert "after merging" in found[0].message


def test_ref_rule_reports_remote_and_cyclic_references() -> None:
    remote = lint(obj(a={"$ref": "https://example.com/a.json"}))
    assert [(f.code, f.path) for f in remote] == [("SD018", "/properties/a/$ref")]
    assert "never fetched" in remote[0].message
    cyclic = {"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"allOf": [{"$ref": "#/$defs/a"}]}}}
    assert {f.code for f in lint(cyclic)} == {"SD018"}


def test_conditional_prose_is_quiet_when_encoded_with_if_then() -> None:
    schema = {
        **obj(mode={"type": "string"}, mask={"type": "string", "format": "uri",
                                                "description": "Required when mode is inpaint."}),
        "if": {"properties": {"mode": {"const": "inpaint"}}},
        "then": {"required": ["mask"]},
    }  # fmt: skip
    assert lint(schema) == []


def test_null_prose_is_quiet_for_nullable_encodings() -> None:
    text = "If None, a random seed is chosen."
    assert (
        lint(obj(seed={"anyOf": [{"type": "integer"}, {"type": "null"}], "description": text}))
        == []
    )
    assert lint(obj(seed={"type": "integer", "nullable": True, "description": text})) == []
    assert lint(obj(camera={"type": "string", "description": "Use 'none' for no motion."})) == []


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("Required if image is not provided.", True),
        ("If not provided, prompt is required.", True),
        ("Must be set when mode is inpaint.", True),
        ("Either prompt or image must be provided.", True),
        ("When provided, the video interpolates between the frames.", False),
        ("If provided, prompt describes how it should be animated.", False),
        ("This field is required.", False),
        ("Only supported by ltx-2-3 models.", False),
    ],
)
def test_conditional_prose_phrasings(text: str, flagged: bool) -> None:
    schema = obj(
        prompt={"type": "string"}, image={"type": "string", "format": "uri", "description": text}
    )
    assert ("SD016" in codes(lint(schema))) is flagged


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("If None, a random seed is chosen.", True),
        ("Set to null to disable.", True),
        ("Use None for a random seed.", True),
        ("Can be null.", True),
        ("Defaults to None.", True),
        ("Use 'none' for no camera motion.", False),
        ("None of these values are saved.", False),
        ("A nullable-looking word.", False),
    ],
)
def test_null_prose_phrasings(text: str, flagged: bool) -> None:
    schema = obj(seed={"type": "integer", "description": text})
    assert ("SD026" in codes(lint(schema))) is flagged


def test_media_rule_ignores_choices_and_numbers_named_after_media() -> None:
    schema = obj(
        image_strength={"type": "number"},
        video_quality={"type": "string", "enum": ["low", "high"]},
        image_description={"type": "string"},
        reference={"type": "array", "items": {"type": "string"}, "renderType": "image-url"},
    )
    assert [(f.code, f.path) for f in lint(schema)] == [("SD021", "/properties/reference")]


def test_typo_rule_ignores_extensions() -> None:
    schema = {**obj(a={"type": "string", "x-order": 0, "nullable": True, "example": "x"}),
              "basic": ["a"], "x-fal-order-properties": ["a"]}  # fmt: skip
    assert lint(schema) == []


# -- options and contract ------------------------------------------------------------------------


def test_off_by_default_rules_need_enable() -> None:
    assert {r.code for r in select_rules()} == set(RULES) - {"SD015", "SD024", "SD025"}
    assert {r.code for r in select_rules(["all"])} == set(RULES)
    assert "SD024" in codes(
        lint(obj(t={"type": "string", "enum": ["x"]}), enable=["enum-single-value"])
    )


def test_unknown_rule_is_a_configuration_error_with_a_suggestion() -> None:
    with pytest.raises(ConfigurationError, match="did you mean 'SD016'"):
        lint({}, disable=["SD16"])
    with pytest.raises(ConfigurationError):
        rule_for("no-such-rule")


def test_severity_override_and_extra_formats() -> None:
    schema = obj(u={"type": "string", "format": "hub-url"})
    assert [f.severity for f in lint(schema, severity={"unknown-format": "error"})] == ["error"]
    assert lint(schema, formats=["hub-url"]) == []
    with pytest.raises(ConfigurationError):
        lint(schema, severity={"SD010": "fatal"})  # type: ignore[dict-item]


@pytest.mark.parametrize("value", [5, "schema", None, [1, 2], 1.5])
def test_a_non_schema_is_a_metaschema_finding(value: Any) -> None:
    assert codes(lint(value)) == {"SD001"}


def test_boolean_schemas_and_empty_schema_are_clean() -> None:
    assert lint(True) == [] and lint(False) == [] and lint({}) == []


def test_deep_nesting_never_crashes() -> None:
    schema: dict[str, Any] = {}
    for _ in range(5000):
        schema = {"items": schema}
    with contextlib.suppress(SchemaInvalid):
        lint(schema)


def test_lint_does_not_change_the_schema() -> None:
    import copy

    schema = fixture("ltx-2-3-pro-audio-to-video.json")
    before = copy.deepcopy(schema)
    lint(schema, enable=["all"])
    assert schema == before


def test_finding_renders_for_people_and_programs() -> None:
    finding = lint(CASES[2][1])[0]
    assert str(finding).startswith("/properties/r/default: error SD003 default-not-in-enum: ")
    assert finding.to_dict()["code"] == "SD003"


def doc_sections() -> dict[str, str]:
    text = DOCS.read_text(encoding="utf-8")
    return {part[:5]: part for part in text.split("\n## ")[1:] if re.match(r"SD\d{3} `", part)}


def test_every_rule_is_documented() -> None:
    sections = doc_sections()
    assert sorted(sections) == sorted(RULES)
    for code, section in sections.items():
        assert section.startswith(f"{code} `{RULES[code].name}`")
        assert f"**{RULES[code].severity}**" in section


@pytest.mark.parametrize("code", sorted(RULES))
def test_documented_examples_are_real(code: str) -> None:
    section = doc_sections()[code]
    bad = json.loads(re.search(r"Bad:\s+```json\n(.*?)\n```", section, re.S).group(1))  # type: ignore[union-attr]
    shown = re.search(r"reports\s+```text\n(.*?)\n```", section, re.S).group(1)  # type: ignore[union-attr]
    fixed = json.loads(re.search(r"Fixed:\s+```json\n(.*?)\n```", section, re.S).group(1))  # type: ignore[union-attr]
    assert [str(f) for f in lint(bad, enable=[code]) if f.code == code] == shown.splitlines()
    assert lint(fixed, enable=[code]) == []
