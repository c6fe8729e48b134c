"""The package keeps its shape: imports run one way, modules stay small, the public names are the
ones written down here, and nothing in the repository points at documents outside it.

The layers (docs/architecture.md), top to bottom; a module imports only from layers below its own:

    cli -> client/model -> dispatch -> hub -> schema -> base (exceptions, _files)

linting/ and fuzz/ stand beside the core and use schema only; testing/ (LocalHub, the other side
of the wire) uses hub, schema and fuzz, never client or dispatch. Imports inside functions count
(they run, only later). Imports under ``if TYPE_CHECKING:`` never run: they may point anywhere,
and the ones that cross a layer are reported as a warning instead of failing.
"""

from __future__ import annotations

import ast
import importlib
import json
import subprocess
import sys
import warnings
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

import schemadrive

PACKAGE = Path(schemadrive.__file__).resolve().parent
REPOSITORY = PACKAGE.parent
#: the checkout these tests belong to (CI installs the package, so PACKAGE may be elsewhere)
CHECKOUT = Path(__file__).resolve().parents[2]

# Where each module sits: the longest matching prefix wins ("schemadrive" is the package's
# __init__ alone, whose public names are imported lazily, not a prefix).
LAYER_OF = {
    "schemadrive": "api",
    "schemadrive._moved": "api",
    "schemadrive._files": "base",  # the one atomic-write helper, for every layer
    "schemadrive.pricing": "schema",  # pure: a pricing object and a payload in, an estimate out
    "schemadrive.media": "schema",  # pure: files sniffed, encoded and bound to a schema's URIs
    "schemadrive.__main__": "entry",
    "schemadrive.cli": "cli",
    "schemadrive.ui": "ui",  # the playground page (docs/ui.md): above client, beside cli
    "schemadrive.tables": "tables",
    "schemadrive.spark": "tables",  # tables on Spark
    "schemadrive.dask": "tables",  # tables on Dask
    "schemadrive.batches": "batches",  # runs through a Client it is handed, never imports one
    "schemadrive.aio": "aio",  # asyncio over a Client it wraps (docs/async.md)
    "schemadrive.client": "client",
    "schemadrive.model": "client",
    "schemadrive.settings": "client",
    "schemadrive.dispatch": "dispatch",
    "schemadrive.hub": "hub",
    "schemadrive.schema": "schema",
    "schemadrive.linting": "linting",
    "schemadrive.fuzz": "fuzz",
    "schemadrive.testing": "testing",
    "schemadrive.testing.pytest_plugin": "plugin",  # fixtures hand users a Client on a LocalHub
    "schemadrive.exceptions": "base",
}

# What each layer may import besides itself. Written out, not derived, so that the rule reads
# the same here as in docs/architecture.md. "base" is the bottom: exceptions and helpers that
# import nothing of ours above them.
MAY_IMPORT = {
    "entry": {"cli"},
    "cli": {"api", "tables", "client", "batches", "dispatch", "hub", "schema", "linting", "fuzz",
            "testing", "base", "ui"},
    "ui": {"client", "dispatch", "hub", "schema", "base"},
    "api": {"aio", "client", "dispatch", "hub", "schema", "linting", "base"},
    "aio": {"client", "batches", "dispatch", "hub", "schema", "base"},
    "tables": {"client", "hub", "schema", "base"},
    "client": {"batches", "dispatch", "hub", "schema", "linting", "fuzz", "base"},
    "batches": {"dispatch", "hub", "schema", "base"},
    "dispatch": {"hub", "schema", "base"},
    "hub": {"schema", "base"},
    "schema": {"base"},
    "base": set(),
    "linting": {"schema", "base"},
    "fuzz": {"schema", "base"},
    "testing": {"hub", "schema", "fuzz", "base"},
    "plugin": {"testing", "client", "hub", "schema", "fuzz", "base"},
}

# Known violations, being removed by the issue-12 work in progress. This list only SHRINKS: a new
# violation fails the test, and an entry that no longer occurs fails it too (delete the entry).
# Each is an import (importer, imported) that runs, inside a function or at module level.
KNOWN_VIOLATIONS: dict[tuple[str, str], str] = {
    # cli/__init__ runs cli._main, whose _context takes the exit codes from cli/__init__
    ("schemadrive.cli._context", "schemadrive.cli"): "cycle",
}

MAX_LINES = 400
# Modules over MAX_LINES today, being split by their owners. Only shrinks, like the list above.
KNOWN_LONG_MODULES: set[str] = set()


@dataclass(frozen=True)
class Edge:
    importer: str
    imported: str
    line: int
    type_only: bool


def module_names(package: Path) -> dict[str, Path]:
    """Dotted name -> file, for every module of the package."""
    names = {}
    for path in sorted(package.rglob("*.py")):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def import_nodes(
    body: Iterable[ast.stmt], type_only: bool = False
) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
    """Every import statement, at any depth, and whether it runs only for type checkers."""
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node, type_only
        elif isinstance(node, ast.If) and is_type_checking(node.test):
            yield from import_nodes(node.body, True)
            yield from import_nodes(node.orelse, type_only)
        else:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.stmt):
                    yield from import_nodes([child], type_only)
                elif isinstance(child, (ast.ExceptHandler, ast.match_case)):
                    yield from import_nodes(child.body, type_only)


def imported_modules(
    node: ast.Import | ast.ImportFrom, importer: str, is_package: bool, modules: Mapping[str, Path]
) -> list[str]:
    """The package's modules an import statement names (relative imports resolved)."""
    root = importer.split(".")[0]
    if isinstance(node, ast.Import):
        targets = [alias.name for alias in node.names]
    else:
        if node.level:
            base = importer.split(".")
            if not is_package:
                base.pop()
            base = base[: len(base) - (node.level - 1)]
            prefix = ".".join([*base, *([node.module] if node.module else [])])
        else:
            prefix = node.module or ""
        # `from pkg import name`: name is a submodule, or an attribute of pkg
        targets = [
            f"{prefix}.{alias.name}" if f"{prefix}.{alias.name}" in modules else prefix
            for alias in node.names
        ]
    found = []
    for target in targets:
        if target.split(".")[0] != root:
            continue
        while target not in modules and "." in target:  # `import a.b.attr` style: nearest module
            target = target.rsplit(".", 1)[0]
        found.append(target)
    return found


def import_graph(package: Path) -> list[Edge]:
    modules = module_names(package)
    edges = set()
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node, type_only in import_nodes(tree.body):
            for target in imported_modules(node, name, path.name == "__init__.py", modules):
                if target != name:
                    edges.add(Edge(name, target, node.lineno, type_only))
    return sorted(edges, key=lambda e: (e.importer, e.imported, e.line))


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    for end in range(len(parts), 1, -1):
        layer = LAYER_OF.get(".".join(parts[:end]))
        if layer is not None:
            return layer
    return LAYER_OF.get(module)


def crosses_layers(edge: Edge) -> bool:
    source, target = layer_of(edge.importer), layer_of(edge.imported)
    return source != target and target not in MAY_IMPORT.get(source or "", set())


def cycles(edges: Iterable[tuple[str, str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    graph: dict[str, set[str]] = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)
        graph.setdefault(b, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def runtime_edges(edges: Iterable[Edge]) -> set[tuple[str, str]]:
    return {(e.importer, e.imported) for e in edges if not e.type_only}


def describe(edges: Iterable[Edge]) -> str:
    return "\n".join(
        f"  {e.importer} ({layer_of(e.importer)}) -> {e.imported} ({layer_of(e.imported)})"
        f"  line {e.line}"
        for e in edges
    )


# --- the checker finds what it should, on a small package written for it ----------------------


def write_package(root: Path, files: Mapping[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root / "schemadrive"


def test_the_checker_sees_relative_lazy_and_type_only_imports(tmp_path: Path) -> None:
    package = write_package(
        tmp_path,
        {
            "schemadrive/__init__.py": "",
            "schemadrive/exceptions.py": "",
            "schemadrive/hub/__init__.py": "",
            "schemadrive/hub/store.py": (
                "from typing import TYPE_CHECKING\n"
                "from .. import exceptions\n"
                "if TYPE_CHECKING:\n    from ..client import Client\n"
                "def f():\n    from ..dispatch.job import Job\n"
            ),
            "schemadrive/client.py": "import schemadrive.hub.store\n",
            "schemadrive/dispatch/__init__.py": "",
            "schemadrive/dispatch/job.py": "from schemadrive.hub import store\n",
        },
    )
    edges = {(e.importer, e.imported, e.type_only) for e in import_graph(package)}
    assert edges == {
        ("schemadrive.hub.store", "schemadrive.exceptions", False),
        ("schemadrive.hub.store", "schemadrive.client", True),
        ("schemadrive.hub.store", "schemadrive.dispatch.job", False),
        ("schemadrive.client", "schemadrive.hub.store", False),
        ("schemadrive.dispatch.job", "schemadrive.hub.store", False),
    }
    graph = import_graph(package)
    assert cycles(runtime_edges(graph)) == [["schemadrive.dispatch.job", "schemadrive.hub.store"]]
    upward = [(e.importer, e.imported) for e in graph if not e.type_only and crosses_layers(e)]
    assert upward == [("schemadrive.hub.store", "schemadrive.dispatch.job")]


# --- the package ----------------------------------------------------------------------------


def test_every_module_has_a_layer() -> None:
    unplaced = sorted(m for m in module_names(PACKAGE) if layer_of(m) is None)
    assert not unplaced, f"modules in no layer (add them to LAYER_OF): {unplaced}"


def test_no_import_runs_against_the_layers() -> None:
    edges = [e for e in import_graph(PACKAGE) if not e.type_only and crosses_layers(e)]
    new = [e for e in edges if (e.importer, e.imported) not in KNOWN_VIOLATIONS]
    assert not new, "imports against the layers (docs/architecture.md):\n" + describe(new)


def test_no_import_cycle() -> None:
    edges = runtime_edges(import_graph(PACKAGE)) - set(KNOWN_VIOLATIONS)
    found = cycles(edges)
    assert not found, "modules that import each other, directly or through others:\n" + "\n".join(
        "  " + " <-> ".join(cycle) for cycle in found
    )


def test_the_known_violations_still_occur() -> None:
    """The allow-list only shrinks: a fixed violation must leave it, or it could come back."""
    graph = import_graph(PACKAGE)
    present = runtime_edges(graph)
    wrong = {(e.importer, e.imported) for e in graph if not e.type_only and crosses_layers(e)}
    circular = {pair for cycle in cycles(present) for pair in present if set(pair) <= set(cycle)}
    fixed = sorted(pair for pair in KNOWN_VIOLATIONS if pair not in wrong | circular)
    assert not fixed, f"fixed, now delete from KNOWN_VIOLATIONS in this file: {fixed}"


def test_type_only_imports_across_layers_are_reported() -> None:
    """Allowed (they never run), but listed, so a layer that leans on another is visible."""
    edges = [e for e in import_graph(PACKAGE) if e.type_only and crosses_layers(e)]
    if edges:
        warnings.warn(
            "TYPE_CHECKING-only imports against the layers:\n" + describe(edges), stacklevel=1
        )


def test_no_module_is_over_400_lines() -> None:
    lengths = {
        path.relative_to(REPOSITORY).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
        for path in PACKAGE.rglob("*.py")
    }
    long = {name: n for name, n in sorted(lengths.items()) if n > MAX_LINES}
    new = {name: n for name, n in long.items() if name not in KNOWN_LONG_MODULES}
    assert not new, f"modules over {MAX_LINES} lines (split them by responsibility): {new}"
    fixed = sorted(KNOWN_LONG_MODULES - set(long))
    assert not fixed, f"now short enough, delete from KNOWN_LONG_MODULES in this file: {fixed}"


# --- the public API ---------------------------------------------------------------------------

# Written down, not computed: adding or removing a public name is a decision this test records.
PUBLIC_NAMES = {
    "AsyncClient",
    "AuthenticationError",
    "Change",
    "Client",
    "ConfigurationError",
    "DownloadError",
    "Finding",
    "HubError",
    "Job",
    "JobCancelled",
    "JobError",
    "JobFailed",
    "JobNotFound",
    "JobState",
    "JobTimeout",
    "Model",
    "ModelNotFound",
    "NetworkError",
    "OfflineError",
    "Parameter",
    "PayloadInvalid",
    "Problem",
    "RateLimited",
    "Result",
    "SchemaError",
    "SchemaInvalid",
    "SchemaUnavailable",
    "SchemadriveError",
    "Status",
    "StreamError",
    "SubmitUncertain",
    "compile_schema",
    "diff",
    "fill_defaults",
    "lint",
    "prepare",
    "recheck",
    "validate",
    "validate_table",
}


def test_all_is_the_written_down_public_names() -> None:
    assert set(schemadrive.__all__) == PUBLIC_NAMES | {"__version__"}
    assert len(schemadrive.__all__) == len(set(schemadrive.__all__)), "a name listed twice"
    assert schemadrive.__all__ == sorted(schemadrive.__all__)


def test_every_public_name_imports_from_a_fresh_interpreter() -> None:
    """``from schemadrive import X`` works for each name, and dir() shows exactly those."""
    code = (
        "import json, sys, schemadrive\n"
        "names = json.loads(sys.argv[1])\n"
        "namespace = {}\n"
        "exec('from schemadrive import ' + ', '.join(names), namespace)\n"
        "missing = [n for n in names if namespace.get(n) is None]\n"
        "shown = sorted(n for n in dir(schemadrive) if not n.startswith('_'))\n"
        "print(json.dumps([missing, shown]))\n"
    )
    names = sorted(PUBLIC_NAMES)
    out = subprocess.run(
        [sys.executable, "-c", code, json.dumps(names)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    missing, shown = json.loads(out)
    assert missing == []
    assert shown == names


def test_each_public_name_lives_where_type_checkers_are_told() -> None:
    """The names under TYPE_CHECKING in __init__ are the lazy ones, from the same modules."""
    tree = ast.parse((PACKAGE / "__init__.py").read_text(encoding="utf-8"))
    told = {}
    for node, type_only in import_nodes(tree.body):
        if type_only and isinstance(node, ast.ImportFrom) and node.level == 1:
            for alias in node.names:
                told[alias.asname or alias.name] = f"schemadrive.{node.module}"
    assert set(told) == PUBLIC_NAMES
    for name, module in told.items():
        value = getattr(schemadrive, name)
        assert value is getattr(importlib.import_module(module), name), name
    with pytest.raises(AttributeError):
        _ = schemadrive.not_a_public_name


# --- nothing points outside the repository --------------------------------------------------

# Documents that live beside the checkout, not in it; assembled so this file does not match.
OUTSIDE = ("shared/" + "reference", "hub-" + "api.md", "model-" + "schemas.md", "../" + "shared")
SKIPPED_DIRECTORIES = {".git", ".venv", "venv", "__pycache__", "build", "dist", "node_modules"}


def repository_files(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).parts
        if path.is_file() and not any(
            part in SKIPPED_DIRECTORIES or (part.startswith(".") and part not in (".github",))
            or part.endswith(".egg-info")
            for part in relative[:-1]
        ):
            yield path


def allowed(relative: str, line: str) -> bool:
    # provenance headers of verbatim copies of the seed documents' examples
    if relative.startswith("tests/data/seed_examples/"):
        return line.startswith("# Verbatim from shared/seeds/")
    # the skip message saying where the seed documents are looked for
    return relative == "tests/integration/test_seed_examples.py" and "pytest.skip(" in line


def test_nothing_points_outside_the_repository() -> None:
    found = []
    for path in repository_files(CHECKOUT):
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue  # binary files
        relative = path.relative_to(CHECKOUT).as_posix()
        for number, line in enumerate(text.splitlines(), 1):
            if any(o in line for o in OUTSIDE) and not allowed(relative, line):
                found.append(f"{relative}:{number}: {line.strip()[:100]}")
    assert not found, "references to documents outside the repository:\n" + "\n".join(found)
