"""Schema drift: the documented changes between recorded versions, each kind of change and
whether it breaks, and re-validating stored payloads against the new schema."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from schemadrive.exceptions import SchemaInvalid
from schemadrive.hub.recorded import bundled_dir, read_schema_file
from schemadrive.linting.drift import KINDS as KINDS_TABLE
from schemadrive.linting.drift import Change, diff, recheck

OXEN = bundled_dir() / "oxen"


def fixture(name: str) -> dict[str, Any]:
    return read_schema_file(OXEN / name)


def summary(changes: list[Change]) -> list[tuple[str, str, bool]]:
    return [(c.path, c.kind, c.breaking) for c in changes]


def obj(required: list[str] | None = None, **properties: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required is not None:
        schema["required"] = required
    return schema


# -- the recorded drift -------------------------------------------------------------------------


def test_ltx_2_3_pro_june_to_july() -> None:
    changes = diff(fixture("versions/ltx-2-3-pro@2026-06-26.json"), fixture("ltx-2-3-pro.json"))
    assert summary(changes) == [
        ("$.camera_motion", "parameter-removed", True),
        ("$.resolution", "enum-value-added", False),
        ("$.duration", "enum-value-added", False),
    ]
    resolution, duration = changes[1], changes[2]
    assert '"720p"' in resolution.message
    assert duration.old == [6, 8, 10] and duration.new == list(range(1, 11))
    assert duration.message == "newly allowed: 1, 2, 3, 4, 5, 7, 9"


@pytest.mark.parametrize(
    "model", ["ltx-2-3-quality-image-to-video", "ltx-2-3-quality-text-to-video"]
)
def test_quality_models_resolution_enum_and_negative_prompt_default(model: str) -> None:
    changes = diff(fixture(f"versions/{model}@2026-06-26.json"), fixture(f"{model}.json"))
    assert summary(changes) == [
        ("$.resolution", "enum-added", True),
        ("$.negative_prompt", "default-changed", False),
    ]
    assert changes[1].message.startswith("default removed (was ")
    assert changes[1].new is None and changes[1].old.startswith("color distortion")


def test_audio_to_video_strict_variant_adds_a_constraint() -> None:
    old = fixture("versions/ltx-2-3-pro-audio-to-video@2026-06-26.json")
    new = fixture("ltx-2-3-pro-audio-to-video.json")
    assert summary(diff(old, new)) == [("$", "constraint-added", True)]
    assert summary(diff(new, old)) == [("$", "constraint-removed", False)]


def test_identical_and_annotation_only_changes_are_silent() -> None:
    old = fixture("versions/ltx-2-3-pro@2026-06-26.json")
    assert diff(old, old) == []
    new = {**old, "title": "other", "$id": "urn:x", "basic": []}
    new["properties"] = {
        k: {**v, "x-order": 99, "description": "new words"} for k, v in old["properties"].items()
    }
    assert diff(old, new) == []
    described = diff(old, new, descriptions=True)
    assert {c.kind for c in described} == {"description-changed"}
    assert not any(c.breaking for c in described)


# -- each kind -----------------------------------------------------------------------------------


def a(**keywords: Any) -> dict[str, Any]:
    """An object schema whose one parameter ``a`` has these keywords."""
    return obj(a=keywords)


STR, INT = "string", "integer"
CLOSED = {**a(type=STR), "additionalProperties": False}
ANY_A = {**a(type=STR), "anyOf": [{"required": ["a"]}]}
ANY_B = {**a(type=STR), "anyOf": [{"required": ["b"]}]}

KINDS: list[tuple[Any, Any, str, bool]] = [
    (a(type=STR), obj(), "parameter-removed", True),
    (obj(), a(type=STR), "parameter-added", False),
    (obj(), obj(["a"], a={"type": STR}), "required-added", True),
    (a(type=STR), obj(["a"], a={"type": STR}), "required-added", True),
    (obj(["a"], a={"type": STR}), a(type=STR), "required-removed", False),
    (a(enum=["x", "y"]), a(enum=["x"]), "enum-value-removed", True),
    (a(enum=["x"]), a(enum=["x", "y"]), "enum-value-added", False),
    (a(type=STR), a(type=STR, enum=["x"]), "enum-added", True),
    (a(type=STR, enum=["x"]), a(type=STR), "enum-removed", False),
    (a(type=INT, maximum=10), a(type=INT, maximum=5), "range-narrowed", True),
    (a(type=INT, maximum=5), a(type=INT, maximum=10), "range-widened", False),
    (a(type=INT), a(type=INT, minimum=1), "range-narrowed", True),
    (a(type=INT, minimum=1), a(type=INT, exclusiveMinimum=1), "range-narrowed", True),
    (a(type=STR, maxLength=9), a(type=STR), "range-widened", False),
    (a(type=INT, multipleOf=4), a(type=INT, multipleOf=3), "range-narrowed", True),
    (a(type=INT, multipleOf=4), a(type=INT, multipleOf=2), "range-widened", False),
    (a(type=STR), a(type=INT), "type-changed", True),
    (a(type="number"), a(type=INT), "type-changed", True),
    (a(), a(type=STR), "type-changed", True),
    (a(type=INT), a(type="number"), "type-widened", False),
    (a(type=INT), a(type=INT, nullable=True), "type-widened", False),
    (a(type=STR), a(type=STR, format="uri"), "format-added", True),
    (a(type=STR, format="uri"), a(type=STR), "format-removed", False),
    (a(type=STR, format="uri"), a(type=STR, format="date"), "format-changed", True),
    (a(type=STR), a(type=STR, pattern="^a"), "pattern-added", True),
    (a(type=STR, default="x"), a(type=STR, default="y"), "default-changed", False),
    (a(type=STR), a(type=STR, default="y"), "default-changed", False),
    (a(type=STR), CLOSED, "additional-closed", True),
    (CLOSED, a(type=STR), "additional-opened", False),
    (a(type=STR), ANY_A, "constraint-added", True),
    (ANY_A, ANY_B, "constraint-changed", True),
    (ANY_A, a(type=STR), "constraint-removed", False),
    (a(type=STR, pattern="^a"), a(type=STR, pattern="^b"), "pattern-changed", True),
    (a(type=STR, pattern="^a"), a(type=STR), "pattern-removed", False),
    (a(type=STR, description="x"), a(type=STR, description="y"), "description-changed", False),
]


def documented_kinds() -> dict[str, bool]:
    """The kinds and their "breaking" column, from the table in docs/drift.md."""
    table = {}
    for line in (Path(__file__).parents[2] / "docs" / "drift.md").read_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[1] in ("yes", "no") and cells[0].startswith("`"):
            for kind in re.findall(r"`([a-z-]+)`", cells[0]):
                table[kind] = cells[1] == "yes"
    return table


def test_every_kind_is_tested_and_documented() -> None:
    assert {kind for _, _, kind, _ in KINDS} == set(KINDS_TABLE)
    assert documented_kinds() == dict(KINDS_TABLE)


@pytest.mark.parametrize(
    ("old", "new", "kind", "breaking"), KINDS, ids=[f"{k[2]}-{i}" for i, k in enumerate(KINDS)]
)
def test_each_kind_of_change(old: Any, new: Any, kind: str, breaking: bool) -> None:
    changes = diff(old, new, descriptions=True)
    assert [(c.kind, c.breaking) for c in changes] == [(kind, breaking)], changes
    assert changes[0].path == ("$" if kind.startswith(("additional", "constraint")) else "$.a")


def test_parameters_resolve_through_ref_and_allof() -> None:
    old = {
        "$defs": {
            "Base": obj(mode={"$ref": "#/$defs/Mode"}),
            "Mode": {"type": "string", "enum": ["a", "b"]},
        },
        "allOf": [{"$ref": "#/$defs/Base"}],
    }
    new = obj(mode={"allOf": [{"type": "string", "enum": ["a"]}]})
    assert summary(diff(old, new)) == [("$.mode", "enum-value-removed", True)]


def test_nested_objects_and_array_items_recurse() -> None:
    url, weight = {"type": "string"}, {"type": "number"}
    old = obj(
        opts=obj(level={"type": "integer", "maximum": 9}),
        frames={"type": "array", "items": obj(url=url)},
    )
    new = obj(
        opts=obj(level={"type": "integer", "maximum": 5}),
        frames={"type": "array", "items": obj(url=url, weight=weight)},
    )
    assert summary(diff(old, new)) == [
        ("$.opts.level", "range-narrowed", True),
        ("$.frames[*].weight", "parameter-added", False),
    ]


def test_recursive_schemas_terminate() -> None:
    tree = {"$defs": {"Node": obj(child={"$ref": "#/$defs/Node"})}, "$ref": "#/$defs/Node"}
    assert diff(tree, tree) == []


def test_non_schemas_are_schema_invalid() -> None:
    with pytest.raises(SchemaInvalid):
        diff(5, {})
    with pytest.raises(SchemaInvalid):
        diff({}, ["not", "a", "schema"])
    assert diff(True, {}) == []
    assert summary(diff(True, False)) == [("$", "constraint-added", True)]


def test_change_renders_as_dict_and_text() -> None:
    change = diff(obj(a={}), obj())[0]
    assert change.to_dict() == {
        "path": "$.a",
        "kind": "parameter-removed",
        "breaking": True,
        "message": "parameter 'a' removed",
        "old": None,
        "new": None,
    }
    assert str(change) == "$.a: parameter-removed (breaking): parameter 'a' removed"


# -- stored payloads -----------------------------------------------------------------------------


def test_recheck_lists_payloads_the_new_schema_rejects() -> None:
    old, new = fixture("versions/ltx-2-3-pro@2026-06-26.json"), fixture("ltx-2-3-pro.json")
    payloads = [
        {"prompt": "a cat", "camera_motion": "dolly_in"},
        {"prompt": "a dog", "duration": 3},
        {"duration": 6},
    ]
    failures = recheck(payloads, new, old=old)
    assert [(f.index, f.failed_before) for f in failures] == [(0, False), (2, True)]
    assert failures[0].problems[0].path == "$.camera_motion"
    assert recheck(payloads[:2], new, unknown="allow") == []
    assert failures[0].to_dict()["problems"][0]["keyword"] == "unknown"


def test_recheck_of_quality_payloads_after_the_enum() -> None:
    new = fixture("ltx-2-3-quality-text-to-video.json")
    failures = recheck([{"prompt": "x", "resolution": "1280x720"}, {"prompt": "y"}], new)
    assert [f.index for f in failures] == [0]
    assert failures[0].failed_before is None


def test_recheck_with_an_invalid_new_schema_raises_schema_invalid() -> None:
    with pytest.raises(SchemaInvalid):
        recheck([{}], {"type": "strin"})
    with pytest.raises(SchemaInvalid):
        recheck([{}], {"$schema": ["not", "a", "uri"]})
