"""Generated payloads against schemadrive's own validator, the oracle (STYLE.md principle 13).

Over every recorded fixture and every synthetic feature schema (schemas.py): drawn payloads
validate; invalid ones fail with the problem their rule names; ``fill_defaults`` is idempotent,
never changes its input, never makes a valid payload invalid and never makes an invalid one
valid (except by supplying a missing required name that has a default).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemas import ALL, invalid, valid

from schemadrive.fuzz import RULE_KEYWORDS, examples, invalid_payloads
from schemadrive.hub.providers import HUB_COMMON_PARAMETERS
from schemadrive.schema.compile import compile_schema

NAMES = sorted(ALL)
#: Problems that filling a default may legitimately cure: a missing name that has a default.
CURABLE = {"required", "anyOf", "oneOf", "dependentRequired"}


def scaled(fraction: float) -> settings:
    """A share of the active profile's examples (ci: 40), at least 5."""
    return settings(max_examples=max(5, int(settings.default.max_examples * fraction)))


def check_fill(compiled: Any, payload: dict[str, Any]) -> dict[str, Any]:
    """fill_defaults: idempotent, and the caller's payload is left as it was."""
    before = copy.deepcopy(payload)
    filled = compiled.fill_defaults(payload)
    assert payload == before
    assert compiled.fill_defaults(filled) == filled
    return filled  # type: ignore[no-any-return]


@pytest.mark.parametrize("name", NAMES)
# filter_too_much stays on: the generator builds valid payloads, it does not find them by luck.
@settings(suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_valid_payloads_validate_and_stay_valid_after_fill_defaults(name: str, data: Any) -> None:
    payload = data.draw(valid(name))
    compiled = compile_schema(ALL[name])
    assert isinstance(payload, dict)
    assert compiled.validate(payload, unknown="error") == []
    if compiled.known is not None:  # never an undeclared top-level name
        assert set(payload) <= compiled.known
    filled = check_fill(compiled, payload)
    assert compiled.validate(filled, unknown="error") == []


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
def test_invalid_payloads_fail_as_their_rule_says_and_fill_defaults_keeps_them_invalid(
    name: str, data: Any
) -> None:
    payload, rule = data.draw(invalid(name))
    compiled = compile_schema(ALL[name])
    problems = [p for p in compiled.validate(payload, unknown="error") if p.severity == "error"]
    assert {p.keyword for p in problems} & RULE_KEYWORDS[rule], (rule, [str(p) for p in problems])
    if rule == "unknown":
        assert set(payload) - (compiled.known or set()) - HUB_COMMON_PARAMETERS
    filled = check_fill(compiled, payload)
    if not compiled.validate(filled, unknown="error"):  # cured: only by adding a defaulted name
        assert {p.keyword for p in problems} <= CURABLE, [str(p) for p in problems]
        assert set(filled) > set(payload)


@pytest.mark.parametrize("name", NAMES)
@scaled(0.25)
@given(data=st.data())
def test_the_fill_defaults_option_gives_filled_valid_payloads(name: str, data: Any) -> None:
    payload = data.draw(valid(name, fill_defaults=True))
    compiled = compile_schema(ALL[name])
    assert compiled.validate(payload, unknown="error") == []
    assert compiled.fill_defaults(payload) == payload


@pytest.mark.parametrize("name", NAMES)
@scaled(0.25)
@given(data=st.data())
def test_fast_and_reference_validators_agree_on_drawn_payloads(name: str, data: Any) -> None:
    compiled = compile_schema(ALL[name])
    explain = getattr(compiled, "explain", None)  # the jsonschema-only path, when there is one
    if explain is None:
        pytest.skip("payloads.py has a single validation path")
    payload = data.draw(st.one_of(valid(name), invalid(name).map(lambda pair: pair[0])))
    assert (compiled.validate(payload) == []) == (explain(payload) == [])


#: Rules each schema must be able to break (every rule is reachable somewhere).
REACHABLE = {
    "oxen:black-forest-labs-flux-2-klein-4b": {"type", "range", "enum", "required", "unknown"},
    "oxen:ltx-2-3-pro": {"type", "enum", "required", "unknown"},
    "oxen:ltx-2-3-pro-audio-to-video": {"type", "required", "unknown", "conditional"},
    "gmicloud:ltx-2-pro-audio-to-video": {"type", "enum", "required", "unknown", "conditional"},
    "anyof-required": {"conditional"},
    "oneof-required": {"conditional"},
    "if-then-else": {"conditional", "enum"},
    "dependent-required": {"conditional"},
    "dependent-schemas": {"conditional", "range"},
    "embedded-id": {"conditional", "enum"},
    "const": {"enum"},
    "allof-wrapped-enum": {"enum"},
    "numeric-ranges": {"range"},
    "oas-exclusive-boolean": {"range"},
    "draft07-definitions": {"range"},
}


@pytest.mark.parametrize(
    ("name", "rule"), [(n, r) for n, rules in REACHABLE.items() for r in sorted(rules)]
)
def test_each_rule_is_reachable(name: str, rule: str) -> None:
    found = examples(invalid_payloads(ALL[name], rules=[rule]), 1, seed=0)
    assert [r for _, r in found] == [rule]
