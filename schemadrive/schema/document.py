"""A request schema seen as a document: every subschema with its JSON pointer, ``$ref``
resolution inside the document, and merged views through ``$ref`` and ``allOf``.

Shared by :mod:`schemadrive.linting` (which reports at pointers) and
:mod:`schemadrive.linting.drift` (which compares merged views). Pure: no I/O, and nothing here
raises on odd input: an unresolvable reference resolves to ``None``, a non-schema value is
skipped. The subschemas are the ones the schema's draft defines
(:mod:`schemadrive.schema.keywords`), found by the one bounded walker
(:mod:`schemadrive.schema.walk`); references resolve through the one resolver
(:mod:`schemadrive.schema.refs`, on ``referencing``), as the validator resolves them.

OpenAPI 3.0 forms are understood where they matter: ``nullable: true`` adds ``null`` to the
types, a boolean ``exclusiveMinimum``/``exclusiveMaximum`` makes ``minimum``/``maximum``
exclusive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin

from .keywords import draft_of
from .problems import json_type
from .refs import Refs
from .walk import Walk

__all__ = ["MAX_DEPTH", "MAX_NODES", "Node", "SchemaDocument", "View", "json_type", "same_value"]

MAX_NODES = 20_000
MAX_DEPTH = 200
MAX_PARTS = 64

#: Applicators that apply their subschemas to the same instance as the parent.
IN_PLACE = ("allOf", "anyOf", "oneOf", "not", "if", "then", "else")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_TRUE: dict[str, Any] = {}
_FALSE: dict[str, Any] = {"not": {}}


def escape(token: str) -> str:
    """One JSON pointer reference token (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")


def _canon(value: Any, depth: int = 0) -> Any:
    if depth > 50:
        return ("deep", id(value))
    if isinstance(value, bool) or value is None:
        return ("b", value)
    if isinstance(value, (int, float)):
        return ("n", value)
    if isinstance(value, list):
        return ("a", tuple(_canon(v, depth + 1) for v in value))
    if isinstance(value, dict):
        return ("o", tuple(sorted((str(k), _canon(v, depth + 1)) for k, v in value.items())))
    return ("s", str(value))


def same_value(a: Any, b: Any) -> bool:
    """JSON equality: ``1 == 1.0`` but ``1 != true``; objects compare by content."""
    return bool(_canon(a) == _canon(b))


def type_allows(types: frozenset[str] | None, kind: str) -> bool:
    """Whether a set of declared types (``None``: any) admits a value of JSON type ``kind``."""
    if types is None:
        return True
    return kind in types or (kind == "integer" and "number" in types)


@dataclass(frozen=True, eq=False)
class Node:
    """One subschema: where it is (``pointer``), its base URI, and how it was reached."""

    pointer: str
    schema: dict[str, Any]
    base: str = ""
    keyword: str = ""
    name: str | None = None
    parent: Node | None = field(default=None, repr=False)


@dataclass
class View:
    """What a subschema says once its ``$ref`` and ``allOf`` parts are merged."""

    types: frozenset[str] | None = None
    enum: list[Any] | None = None
    format: str | None = None
    has_default: bool = False
    default: Any = None
    description: str | None = None
    title: str | None = None
    properties: dict[str, Node] = field(default_factory=dict)
    required: list[str] = field(default_factory=list)
    items: Node | None = None
    additional: Any = None  # None (absent), a bool, or a Node
    bounds: dict[str, Any] = field(default_factory=dict)  # minimum, maxLength, ...: tightest
    patterns: list[str] = field(default_factory=list)
    composites: dict[str, list[Any]] = field(default_factory=dict)
    keys: set[str] = field(default_factory=set)


_LOWER = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties", "minContains")
_UPPER = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties", "maxContains")
_COMPOSITES = ("anyOf", "oneOf", "not", "if", "then", "else", "dependentRequired",
               "dependentSchemas", "dependencies")  # fmt: skip


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def declared_types(schema: dict[str, Any]) -> frozenset[str] | None:
    """The ``type`` keyword of one schema as a set (``nullable: true`` adds null)."""
    raw = schema.get("type")
    if isinstance(raw, str):
        names = {raw}
    elif isinstance(raw, list) and all(isinstance(t, str) for t in raw):
        names = set(raw)
    else:
        return None
    if schema.get("nullable") is True:
        names.add("null")
    return frozenset(names)


def _intersect(a: frozenset[str] | None, b: frozenset[str] | None) -> frozenset[str] | None:
    if a is None or b is None:
        return a if b is None else b
    out = set(a & b)
    if "integer" in a and "number" in b or "integer" in b and "number" in a:
        out.add("integer")
    return frozenset(out)


class SchemaDocument:
    """Index one schema: its subschemas by pointer, its ``$id`` resources and anchors."""

    def __init__(self, root: Any) -> None:
        self.root = root
        self.nodes: list[Node] = []
        self.by_pointer: dict[str, Node] = {}
        self.resources: dict[str, Node] = {}
        self.by_id: dict[int, Node] = {}
        self.truncated = False
        self._refs: Refs | None = None
        if isinstance(root, dict):
            self._walk(root)

    # -- indexing -------------------------------------------------------------------------
    def _walk(self, root: dict[str, Any]) -> None:
        self.draft = draft_of(root)
        walk = Walk(root, draft=self.draft, max_nodes=MAX_NODES, max_depth=MAX_DEPTH)
        made: dict[int, Node] = {}  # step id -> node (a step's parent is walked before it)
        for step in walk:
            schema = step.schema
            parent = made.get(id(step.parent)) if step.parent is not None else None
            base = parent.base if parent is not None else ""
            own_id = schema.get("id" if self.draft == "draft4" else "$id")
            if isinstance(own_id, str) and own_id:
                base = self.join(base, own_id).partition("#")[0]
            node = Node(step.pointer, schema, base, step.keyword, step.name, parent)
            made[id(step)] = node
            self.nodes.append(node)
            self.by_pointer[node.pointer] = node
            self.by_id.setdefault(id(schema), node)
            if isinstance(own_id, str) and own_id or not node.pointer:
                self.resources.setdefault(base, node)
        self.truncated = walk.truncated

    @staticmethod
    def join(base: str, ref: str) -> str:
        """Resolve ``ref`` against ``base`` (also for ``urn:`` bases, which urljoin ignores)."""
        if ref.startswith("#"):
            return base.partition("#")[0] + ref
        if _SCHEME.match(ref) or not base:
            return ref
        try:
            return urljoin(base, ref)
        except ValueError:
            return ref

    # -- references -----------------------------------------------------------------------
    @property
    def refs(self) -> Refs:
        """The resolver of this document (built on first use)."""
        if self._refs is None:
            dialect = self.root.get("$schema") if isinstance(self.root, dict) else None
            self._refs = Refs(self.root, dialect if isinstance(dialect, str) else "")
        return self._refs

    def resolve(self, ref: str, base: str = "") -> tuple[str, Node | None]:
        """Resolve a ``$ref``: ``("ok", node)``, ``("missing", None)`` or ``("remote", None)``."""
        target = self.join(base, ref)
        try:
            uri, fragment = urldefrag(target)
            found = self.refs.lookup(ref, self.refs.lookup_registry.resolver(base_uri=base))
        except Exception:  # a malformed URI: nothing it could name
            return "missing", None
        if found is None:
            if uri not in self.resources and (
                uri.lower().startswith(("http://", "https://", "ftp://", "file:"))
                or (uri and not _SCHEME.match(uri))
            ):
                return "remote", None
            return "missing", None
        contents = found.contents
        known = self.by_id.get(id(contents))
        if known is not None:
            return "ok", known
        return "ok", self.node_for(contents, self._pointer(uri, fragment), uri, "$ref")

    def _pointer(self, uri: str, fragment: str) -> str:
        """The JSON pointer (from the root) of ``uri#fragment``, as well as it is known."""
        resource = self.resources.get(uri)
        if resource is None or not fragment.startswith("/"):
            return resource.pointer if resource is not None else ""
        tokens = [
            unquote(raw).replace("~1", "/").replace("~0", "~") for raw in fragment[1:].split("/")
        ]
        return resource.pointer + "".join("/" + escape(token) for token in tokens)

    def node_for(self, value: Any, pointer: str, base: str = "", keyword: str = "") -> Node | None:
        """The indexed node at ``pointer``, else a new one for ``value`` (booleans as schemas)."""
        found = self.by_pointer.get(pointer)
        if found is not None and found.schema is value:
            return found
        if value is True:
            return Node(pointer, _TRUE, base, keyword)
        if value is False:
            return Node(pointer, _FALSE, base, keyword)
        if isinstance(value, dict):
            return Node(pointer, value, base, keyword)
        return None

    def child(self, node: Node, keyword: str, key: str | int | None = None) -> Node | None:
        """The subschema ``node[keyword]`` or ``node[keyword][key]`` as a node."""
        value = node.schema.get(keyword)
        pointer = f"{node.pointer}/{escape(keyword)}"
        if key is not None:
            if isinstance(value, dict) and isinstance(key, str):
                value = value.get(key)
            elif isinstance(value, list) and isinstance(key, int) and 0 <= key < len(value):
                value = value[key]
            else:
                return None
            pointer += f"/{escape(str(key))}"
        return self.node_for(value, pointer, node.base, keyword)

    def parts(self, node: Node) -> list[Node]:
        """``node`` and every schema it is made of through ``$ref`` and ``allOf`` (bounded)."""
        out: list[Node] = []
        seen: set[int] = set()
        queue = [node]
        while queue and len(out) < MAX_PARTS:
            current = queue.pop(0)
            if id(current.schema) in seen:
                continue
            seen.add(id(current.schema))
            out.append(current)
            ref = current.schema.get("$ref")
            if isinstance(ref, str):
                status, target = self.resolve(ref, current.base)
                if target is not None:
                    queue.append(target)
            branches = current.schema.get("allOf")
            if isinstance(branches, list):
                for index in range(len(branches)):
                    sub = self.child(current, "allOf", index)
                    if sub is not None:
                        queue.append(sub)
        return out

    # -- merged views ---------------------------------------------------------------------
    def view(self, node: Node) -> View:
        """Merge the parts of ``node``: types and enums intersect, bounds take the tightest,
        ``required`` and ``properties`` unite, annotations come from the first part."""
        out = View()
        for part in self.parts(node):
            schema = part.schema
            out.keys.update(str(k) for k in schema)
            out.types = _intersect(out.types, declared_types(schema))
            values: list[Any] | None = None
            if isinstance(schema.get("enum"), list):
                values = list(schema["enum"])
                if schema.get("nullable") is True and not any(v is None for v in values):
                    values.append(None)
            if "const" in schema:
                values = (
                    [schema["const"]]
                    if values is None
                    else [v for v in values if same_value(v, schema["const"])]
                )
            if values is not None:
                out.enum = (
                    values
                    if out.enum is None
                    else [v for v in out.enum if any(same_value(v, w) for w in values)]
                )
            for key in ("format", "description", "title"):
                if isinstance(schema.get(key), str) and getattr(out, key) is None:
                    setattr(out, key, schema[key])
            if "default" in schema and not out.has_default:
                out.has_default, out.default = True, schema["default"]
            properties = schema.get("properties")
            if isinstance(properties, dict):
                for name in properties:
                    sub = self.child(part, "properties", str(name))
                    if sub is not None:
                        out.properties.setdefault(str(name), sub)
            required = schema.get("required")
            if isinstance(required, list):
                out.required += [
                    n for n in required if isinstance(n, str) and n not in out.required
                ]
            if out.items is None and isinstance(schema.get("items"), (dict, bool)):
                out.items = self.child(part, "items")
            if out.additional is None and isinstance(
                schema.get("additionalProperties"), (dict, bool)
            ):
                extra = schema["additionalProperties"]
                out.additional = (
                    extra if isinstance(extra, bool) else self.child(part, "additionalProperties")
                )
            if isinstance(schema.get("pattern"), str):
                out.patterns.append(schema["pattern"])
            for key in _COMPOSITES:
                if key in schema:
                    out.composites.setdefault(key, []).append(schema[key])
            self._merge_bounds(out.bounds, schema)
        return out

    @staticmethod
    def _merge_bounds(bounds: dict[str, Any], schema: dict[str, Any]) -> None:
        own = {k: schema[k] for k in (*_LOWER, *_UPPER, "multipleOf") if _number(schema.get(k))}
        for bound, exclusive in (("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum")):
            if schema.get(exclusive) is True and bound in own:  # OpenAPI 3.0 boolean form
                own[exclusive] = own.pop(bound)
        for key, value in own.items():
            if key not in bounds or key == "multipleOf":
                bounds.setdefault(key, value)
            elif key in _LOWER:
                bounds[key] = max(bounds[key], value)
            else:
                bounds[key] = min(bounds[key], value)
