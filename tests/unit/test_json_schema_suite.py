"""The official JSON Schema Test Suite through ``schemadrive.validate``: a bare schema means
exactly what the specification says (drafts 4, 6, 7, 2019-09, 2020-12; required tests).

The suite is vendored in tests/data/json-schema-test-suite (MIT). Its remote documents are
handed to the compiler as ``resources`` under the suite's ``http://localhost:1234/`` base:
schemadrive never fetches a ``$ref``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import schemadrive
from schemadrive.schema.compile import compile_schema
from schemadrive.schema.keywords import DRAFT_URIS

SUITE = Path(__file__).resolve().parents[1] / "data" / "json-schema-test-suite"
DRAFTS = ("draft4", "draft6", "draft7", "draft2019-09", "draft2020-12")
REMOTE_BASE = "http://localhost:1234/"
#: Tests left out, each with why. jsonschema (the validator schemadrive runs) applies every
#: keyword whatever a custom metaschema's "$vocabulary" switches off; the suite's only such
#: required test is this one, in the two drafts that have vocabularies.
UNSUPPORTED = {
    (draft, "vocabulary", "no validation: invalid number, but it still validates"): (
        "$vocabulary is not honoured: every keyword applies"
    )
    for draft in ("draft2019-09", "draft2020-12")
}


def _remotes() -> dict[str, Any]:
    root = SUITE / "remotes"
    return {
        REMOTE_BASE + path.relative_to(root).as_posix(): json.loads(path.read_text("utf-8"))
        for path in sorted(root.rglob("*.json"))
    }


REMOTES = _remotes()


def _cases() -> list[Any]:
    found = []
    for draft in DRAFTS:
        for path in sorted((SUITE / "tests" / draft).glob("*.json")):
            for index, case in enumerate(json.loads(path.read_text("utf-8"))):
                found.append(
                    pytest.param(draft, path.stem, case, id=f"{draft}/{path.stem}/{index}")
                )
    return found


def _with_dialect(schema: Any, draft: str) -> Any:
    """The suite's schemas are written for one draft; the draft is said in ``$schema``."""
    if isinstance(schema, dict) and "$schema" not in schema:
        return {"$schema": DRAFT_URIS[draft], **schema}
    return schema


def _uses_remotes(schema: Any) -> bool:
    return REMOTE_BASE.rstrip("/") in json.dumps(schema)


@pytest.mark.parametrize(("draft", "name", "case"), _cases())
def test_the_json_schema_test_suite(draft: str, name: str, case: dict[str, Any]) -> None:
    schema = _with_dialect(case["schema"], draft)
    wrong = []
    for test in case["tests"]:
        if (draft, name, test["description"]) in UNSUPPORTED:
            continue
        if _uses_remotes(case["schema"]):
            compiled = compile_schema(schema, resources=REMOTES)
            problems = compiled.validate(test["data"])
        else:
            problems = schemadrive.validate(schema, test["data"])
        valid = not any(p.severity == "error" for p in problems)
        if valid != test["valid"]:
            wrong.append((test["description"], test["valid"], problems))
    assert not wrong, f"{case['description']}: {wrong}"


def test_every_draft_is_there() -> None:
    # the count of required test cases per draft: a vendoring mistake shows here
    counts = {draft: len(list((SUITE / "tests" / draft).glob("*.json"))) for draft in DRAFTS}
    assert all(count >= 30 for count in counts.values()), counts
