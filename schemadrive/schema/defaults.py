"""Default plans: how to fill a schema's defaults, computed once per schema. Pure.

A plan lists, for one object schema, the defaults of its properties, the plans of nested
objects and array items, and the ``anyOf``/``oneOf`` branches that carry defaults of their own
(filled only from the first branch the payload already satisfies).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["IMMUTABLE", "DefaultPlan"]

IMMUTABLE = (str, int, float, bool, type(None))


@dataclass
class DefaultPlan:
    """How to fill the defaults of one object schema, computed once."""

    defaults: list[tuple[str, Any, bool]] = field(default_factory=list)  # name, value, mutable
    children: dict[str, DefaultPlan] = field(default_factory=dict)
    items: DefaultPlan | None = None
    branches: list[tuple[Any, DefaultPlan]] = field(default_factory=list)  # (validator, plan)

    def empty(self) -> bool:
        return not (self.defaults or self.children or self.items or self.branches)

    def flat(self) -> dict[str, Any] | None:
        """The defaults as one dict to merge under a payload, when that is the whole plan."""
        if self.children or self.items or self.branches or any(m for _, _, m in self.defaults):
            return None
        merged: dict[str, Any] = {}
        for name, default, _ in self.defaults:
            merged.setdefault(name, default)  # the first declaration wins, as in apply()
        return merged

    def apply(self, value: Any) -> Any:
        if isinstance(value, list):
            if self.items is None:
                return value
            return [self.items.apply(v) for v in value]
        if not isinstance(value, dict):
            return value
        out = dict(value)
        for name, default, mutable in self.defaults:
            if name not in out:
                out[name] = copy.deepcopy(default) if mutable else default
        for name, child in self.children.items():
            if name in out:
                out[name] = child.apply(out[name])
        for validator, plan in self.branches:
            if validator.is_valid(value):
                out = plan.apply(out)
                break
        return out

    def apply_guarded(self, value: Any, accepts: Callable[[Any], bool]) -> Any:
        """Fill top-level defaults one at a time, keeping each only if ``accepts`` the result.

        For schemas with conditionals (``dependentRequired``, ``if``/``then``, ``not``,
        ``oneOf``): a default that switches a condition on must not turn a valid payload into
        an invalid one. Nested plans are applied whole, under the same test.
        """
        if not isinstance(value, dict):
            return value
        out = dict(value)
        for name, default, mutable in self.defaults:
            if name not in out:
                candidate = {**out, name: copy.deepcopy(default) if mutable else default}
                if accepts(candidate):
                    out = candidate
        for name, child in self.children.items():
            if name in out:
                candidate = {**out, name: child.apply(out[name])}
                if accepts(candidate):
                    out = candidate
        return out
