"""Default plans: how to fill a schema's defaults, computed once per schema. Pure.

A plan lists, for one object schema, the defaults of its properties, the plans of nested
objects and array items, and the ``anyOf``/``oneOf`` branches that carry defaults of their own
(filled only from the first branch the payload already satisfies).

:func:`build_plan` makes one plan per distinct subschema (memoised by identity), so building
takes time linear in the schema's size even when ``$ref`` makes it recursive (a schema that
refers to the draft-07 metaschema builds a few hundred plans, not billions); a recursive
schema gets a cyclic plan, which :meth:`DefaultPlan.apply` follows only as deep as the payload
goes (at most :data:`MAX_APPLY_DEPTH` levels).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .fastpath import is_plain

__all__ = ["IMMUTABLE", "MAX_APPLY_DEPTH", "DefaultPlan", "build_plan", "plan_size"]

IMMUTABLE = (str, int, float, bool, type(None))
#: Defaults are filled at most this deep into a payload.
MAX_APPLY_DEPTH = 64


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

    def apply(self, value: Any, depth: int = 0) -> Any:
        if depth > MAX_APPLY_DEPTH:
            return value
        if isinstance(value, list):
            if self.items is None:
                return value
            return [self.items.apply(v, depth + 1) for v in value]
        if not isinstance(value, dict):
            return value
        out = dict(value)
        for name, default, mutable in self.defaults:
            if name not in out:
                out[name] = copy.deepcopy(default) if mutable else default
        for name, child in self.children.items():
            if name in out:
                out[name] = child.apply(out[name], depth + 1)
        plain: bool | None = None  # the same for every branch: found once (is_plain walks)
        for validator, plan in self.branches:
            judge = getattr(validator, "judge", None)
            if judge is None:
                accepted = validator.is_valid(value)
            else:
                if plain is None:
                    plain = is_plain(value)
                accepted = judge(value, plain)
            if accepted:
                out = plan.apply(out, depth + 1)
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


def build_plan(
    root: Any,
    parts: Callable[[Any], list[dict[str, Any]]],
    resolve: Callable[[Any], Any],
    branch_validator: Callable[[Any], Any],
    default_is_valid: Callable[[Any, Any], bool],
) -> DefaultPlan:
    """The plan of ``root``: one :class:`DefaultPlan` per distinct subschema, never more.

    ``parts(node)`` lists a node and what it is made of (``$ref``, ``allOf``); ``resolve``
    follows one node's ``$ref``; ``branch_validator(branch)`` judges which ``anyOf``/``oneOf``
    branch a payload satisfies; ``default_is_valid(subschema, value)`` keeps invalid defaults
    out. Iterative: plans still being built are reused by identity (a cycle), never rebuilt.
    """
    plans: dict[int, DefaultPlan] = {}
    keep: list[Any] = []  # the nodes planned, kept alive so their ids stay unique

    def plan_of(node: Any) -> tuple[DefaultPlan, bool]:
        # keyed by the node as written (a part of the schema), not by its resolved form,
        # which a $ref with siblings makes anew on each resolution
        key = id(node)
        if key in plans:
            return plans[key], False
        keep.append(node)
        plans[key] = DefaultPlan()
        pending.append((node, plans[key]))
        return plans[key], True

    pending: list[tuple[Any, DefaultPlan]] = []
    top, _ = plan_of(root)
    links: list[tuple[DefaultPlan, str, Any, DefaultPlan]] = []  # parent, where, key, child
    while pending:
        node, plan = pending.pop()
        for part in parts(node):
            properties = part.get("properties")
            if isinstance(properties, dict):
                for name, sub in properties.items():
                    resolved = resolve(sub)
                    if isinstance(resolved, dict) and "default" in resolved:
                        default = resolved["default"]
                        if default_is_valid(sub, default):
                            mutable = not isinstance(default, IMMUTABLE)
                            plan.defaults.append((name, default, mutable))
                    links.append((plan, "children", name, plan_of(sub)[0]))
            items = part.get("items")
            if isinstance(items, dict):
                links.append((plan, "items", None, plan_of(items)[0]))
            for key in ("anyOf", "oneOf"):
                for branch in part.get(key) or []:
                    links.append((plan, "branches", branch, plan_of(branch)[0]))
    # link only the plans that fill something, as a recursive build would have
    useful = _useful(links)
    for parent, where, key, child in links:
        if id(child) not in useful:
            continue
        if where == "children":
            parent.children.setdefault(key, child)
        elif where == "items":
            parent.items = parent.items or child
        else:
            parent.branches.append((branch_validator(key), child))
    return top


def _useful(links: list[tuple[DefaultPlan, str, Any, DefaultPlan]]) -> set[int]:
    """The plans that fill a default themselves or through a plan they link to."""
    useful = set()
    parents: dict[int, list[DefaultPlan]] = {}
    pending = []
    for parent, _, _, child in links:
        parents.setdefault(id(child), []).append(parent)
        for plan in (parent, child):
            if plan.defaults and id(plan) not in useful:
                useful.add(id(plan))
                pending.append(plan)
    while pending:
        plan = pending.pop()
        for parent in parents.get(id(plan), []):
            if id(parent) not in useful:
                useful.add(id(parent))
                pending.append(parent)
    return useful


def plan_size(plan: DefaultPlan) -> int:
    """How many distinct plans ``plan`` links to, itself included (a measure of work)."""
    seen: set[int] = set()
    pending = [plan]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        pending += list(current.children.values()) + [p for _, p in current.branches]
        pending += [current.items] if current.items is not None else []
    return len(seen)
