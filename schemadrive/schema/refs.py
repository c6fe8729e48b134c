"""The one ``$ref`` resolver, built on ``referencing`` (the library jsonschema resolves with).

:class:`Refs` indexes one schema: its root, every embedded ``$id`` resource, ``$anchor`` and
``$dynamicAnchor``, plus the drafts' metaschemas and any documents the caller hands in
(``resources``). Nothing is ever fetched: a ``$ref`` to anything else is unresolvable
(:func:`no_remote`). Compile, lint, fuzz and parameters all resolve through it, so they agree
about which references resolve and where they lead.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import Any

from .keywords import DRAFT_URIS
from .walk import Step, Walk

__all__ = ["REF_KEYWORDS", "Refs", "no_remote", "parts", "resolve"]

#: The keywords that point at another schema.
REF_KEYWORDS = ("$ref", "$dynamicRef", "$recursiveRef")
#: Applicators whose subschemas judge the same instance as their parent: a cycle through
#: these alone (``{"not": {"$ref": "#"}}``) never ends, whatever the instance.
_IN_PLACE = frozenset(
    ("allOf", "anyOf", "oneOf", "not", "if", "then", "else", "dependentSchemas", "dependencies")
)


def no_remote(uri: str) -> Any:
    """The registry's retrieve function: remote references are never fetched."""
    from referencing.exceptions import NoSuchResource

    raise NoSuchResource(ref=uri)  # type: ignore[call-arg]


class Refs:
    """Resolve references inside one (normalized) schema; ``dialect`` is its ``$schema`` URI.

    The registry is built on first use: a schema without references is compiled without
    importing ``referencing`` (``problems`` has nothing to look up in it)."""

    def __init__(
        self, root: Any, dialect: str, *, resources: Mapping[str, Any] | None = None
    ) -> None:
        self.root = root
        self._dialect = dialect
        self._resources = dict(resources or {})
        self._built: tuple[Any, str, Any, Any, Any] | None = None

    def _build(self) -> tuple[Any, str, Any, Any, Any]:
        """(spec, base, registry, lookup_registry, resolver), made once (a race builds the
        same thing twice: harmless)."""
        built = self._built
        if built is not None:
            return built
        from jsonschema_specifications import REGISTRY as SPECIFICATIONS
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT202012, specification_with

        root = self.root
        spec: Any = specification_with(
            self._dialect or DRAFT_URIS["draft2020-12"], default=DRAFT202012
        )
        registry: Any = Registry(retrieve=no_remote)  # type: ignore[call-arg]
        for uri, contents in self._resources.items():
            resource = Resource.from_contents(contents, default_specification=spec)
            try:  # each crawled alone: an odd document is left out and spoils no other
                registry = registry.with_resource(uri, resource).crawl()
            except Exception:
                continue
        base = ""
        if isinstance(root, dict):
            raw_id = spec.id_of(root)
            base = raw_id if isinstance(raw_id, str) else ""
            registry = registry.with_resource(base, spec.create_resource(root))
            with contextlib.suppress(Exception):  # a non-schema where one belongs: the metaschema
                registry = registry.crawl()  # check reports it; lookups still work uncrawled
        lookup_registry = SPECIFICATIONS.combine(registry)
        built = (spec, base, registry, lookup_registry, lookup_registry.resolver(base_uri=base))
        self._built = built
        return built

    @property
    def spec(self) -> Any:
        return self._build()[0]

    @property
    def base(self) -> str:
        return self._build()[1]

    @property
    def registry(self) -> Any:
        return self._build()[2]

    @property
    def lookup_registry(self) -> Any:
        return self._build()[3]

    @property
    def resolver(self) -> Any:
        return self._build()[4]

    def enter(self, resolver: Any, schema: Any) -> Any:
        """The resolver inside ``schema`` (a new base URI when it has an ``$id``)."""
        if not isinstance(schema, dict) or not isinstance(self.spec.id_of(schema), str):
            return resolver
        return resolver.in_subresource(self.spec.create_resource(schema))

    def walk(self, walk: Walk) -> Iterator[tuple[Step, Any]]:
        """Each step of ``walk`` with the resolver that applies at it."""
        resolvers: dict[int, Any] = {}
        for step in walk:
            outer = self.resolver if step.parent is None else resolvers[id(step.parent)]
            if step.parent is None and isinstance(step.schema, dict):
                resolver = outer
            else:
                resolver = self.enter(outer, step.schema)
            resolvers[id(step)] = resolver
            yield step, resolver

    def lookup(self, ref: str, resolver: Any | None = None) -> Any | None:
        """The ``Resolved`` target of ``ref`` (``.contents``, ``.resolver``), or None."""
        try:
            return (resolver or self.resolver).lookup(ref)
        except Exception:  # referencing raises several kinds: all mean "unresolvable"
            return None

    def problems(self, walk: Walk) -> tuple[list[str], list[str]]:
        """``(unresolved, loops)``: every reference that does not resolve, and a cycle of
        in-place references (which no validator can finish), as sentences."""
        if not self._resources and not any(
            isinstance(step.schema, dict) and any(k in step.schema for k in REF_KEYWORDS)
            for step in walk
        ):  # nothing to resolve, and no loop without a reference
            return [], []
        bad: list[str] = []
        edges: dict[int, list[int]] = {}
        nodes: dict[int, str] = {}
        for step, resolver in self.walk(walk):
            schema = step.schema
            if not isinstance(schema, dict):
                continue
            here = id(schema)
            nodes[here] = step.pointer
            if step.parent is not None and step.keyword in _IN_PLACE:
                edges.setdefault(id(step.parent.schema), []).append(here)
            for keyword in REF_KEYWORDS:
                ref = schema.get(keyword)
                if not isinstance(ref, str):
                    continue
                target = self.lookup(ref, resolver)
                if target is None:
                    remote = ref.startswith(("http://", "https://"))
                    why = "remote references are never fetched" if remote else "no such target"
                    bad.append(f"{keyword} {ref!r} cannot be resolved: {why}")
                elif isinstance(target.contents, dict):
                    edges.setdefault(here, []).append(id(target.contents))
        loops = []
        cycle = _cycle(edges)
        if cycle is not None:
            where = nodes.get(cycle, "")
            loops.append(
                f"the subschema at {where or '/'!r} refers back to itself without checking "
                "anything first, so no validator could ever finish"
            )
        return bad, loops


def _cycle(edges: dict[int, list[int]]) -> int | None:
    """A node on a cycle of ``edges`` (iterative depth-first search), or None."""
    state: dict[int, int] = {}  # 1: on the current path, 2: done
    for start in edges:
        if state.get(start):
            continue
        stack = [(start, iter(edges.get(start, ())))]
        state[start] = 1
        while stack:
            node, pending = stack[-1]
            for nxt in pending:
                mark = state.get(nxt)
                if mark == 1:
                    return nxt
                if mark is None:
                    state[nxt] = 1
                    stack.append((nxt, iter(edges.get(nxt, ()))))
                    break
            else:
                state[node] = 2
                stack.pop()
    return None


def resolve(refs: Refs, node: Any, *, siblings: bool = True) -> Any:
    """``node`` with its ``$ref`` chain followed from the root's base URI (bounded).

    With ``siblings`` (Draft 2019-09 on), keywords beside a ``$ref`` are merged over its
    target. A reference that does not resolve from the root (one relative to an embedded
    ``$id``) leaves the node's other keywords.
    """
    seen = 0
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and seen < 32:
        target = refs.lookup(node["$ref"])
        if target is None:
            return {k: v for k, v in node.items() if k != "$ref"}
        if len(node) > 1 and siblings:
            merged = dict(target.contents) if isinstance(target.contents, dict) else {}
            merged.update({k: v for k, v in node.items() if k != "$ref"})
            return merged
        node = target.contents
        seen += 1
    return node


def parts(refs: Refs, node: Any, *, limit: int = 64) -> list[dict[str, Any]]:
    """``node`` and every schema it is made of through ``$ref`` and ``allOf`` (bounded,
    breadth first, each schema once)."""
    out: list[dict[str, Any]] = []
    seen: set[int] = set()
    queue = [node]
    while queue and len(out) < limit:
        current = resolve(refs, queue.pop(0))
        if not isinstance(current, dict) or id(current) in seen:
            continue
        seen.add(id(current))
        out.append(current)
        queue += [sub for sub in current.get("allOf") or [] if isinstance(sub, dict)]
    return out
