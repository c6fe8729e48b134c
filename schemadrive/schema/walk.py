"""The one schema walker: every subschema of a schema, iteratively and within bounds.

:func:`walk` reads the keyword table of the schema's draft (:mod:`schemadrive.schema.keywords`)
and yields a :class:`Step` per subschema, depth first in document order, the root first. It
never recurses in Python, so a schema nested a million levels deep cannot exhaust the stack;
past :data:`MAX_NODES` subschemas or :data:`MAX_DEPTH` levels it stops and marks the walk
``truncated`` (callers that must see everything, like the compiler, then refuse the schema).
Values (``enum``, ``const``, ``default``, ``examples``) are never entered.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .keywords import Keywords, children, draft_of, keywords_for

__all__ = ["MAX_DEPTH", "MAX_NODES", "Step", "Walk", "pointer_of", "subschemas", "walk"]

#: The most subschemas one walk visits.
MAX_NODES = 50_000
#: The deepest nesting one walk enters (JSON Schema documents in the wild stay far below).
MAX_DEPTH = 200
#: Keywords whose subschemas are numbered, not named.
_POSITIONAL = frozenset(("allOf", "anyOf", "oneOf", "prefixItems", "items"))


def escape(token: str) -> str:
    """One JSON pointer reference token (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")


def pointer_of(path: tuple[str, ...]) -> str:
    """The JSON pointer of a path of keys: ``("properties", "a/b")`` -> ``/properties/a~1b``."""
    return "".join("/" + escape(token) for token in path)


@dataclass(frozen=True, eq=False)
class Step:
    """One subschema: its ``path`` of keys from the root, the ``schema`` itself (a dict or a
    boolean), the ``keyword`` that holds it ("" for the root) and its ``parent`` step."""

    path: tuple[str, ...]
    schema: Any
    keyword: str = ""
    parent: Step | None = field(default=None, repr=False)
    depth: int = 0
    #: the property (or definition) name under a map keyword, else None
    name: str | None = None

    @property
    def pointer(self) -> str:
        return pointer_of(self.path)


class Walk:
    """An iterable walk; ``truncated`` is True once a bound cut it short."""

    def __init__(
        self,
        root: Any,
        *,
        draft: str | None = None,
        booleans: bool = False,
        max_nodes: int = MAX_NODES,
        max_depth: int = MAX_DEPTH,
    ) -> None:
        self.root = root
        self.table: Keywords = keywords_for(draft or draft_of(root))
        self.booleans = booleans
        self.max_nodes = max_nodes
        self.max_depth = max_depth
        self.truncated = False

    def __iter__(self) -> Iterator[Step]:
        if not isinstance(self.root, dict) and not (self.booleans and isinstance(self.root, bool)):
            return
        stack = [Step((), self.root)]
        seen = 0
        table, booleans = self.table, self.booleans
        while stack:
            step = stack.pop()
            if seen >= self.max_nodes or step.depth > self.max_depth:
                self.truncated = True
                continue
            seen += 1
            yield step
            if not isinstance(step.schema, dict):
                continue
            found = [
                Step(
                    (*step.path, *where),
                    sub,
                    where[0],
                    step,
                    step.depth + 1,
                    where[-1] if len(where) > 1 and where[0] not in _POSITIONAL else None,
                )
                for where, sub in children(step.schema, table)
                if isinstance(sub, dict) or (booleans and isinstance(sub, bool))
            ]
            stack.extend(reversed(found))


def walk(root: Any, *, draft: str | None = None, booleans: bool = False) -> Walk:
    """Every subschema of ``root`` as :class:`Step` values (see :class:`Walk`)."""
    return Walk(root, draft=draft, booleans=booleans)


def subschemas(root: Any, *, draft: str | None = None) -> list[dict[str, Any]]:
    """Every dict subschema of ``root``, the root first (bounded like :func:`walk`)."""
    return [step.schema for step in Walk(root, draft=draft)]
