"""Old module paths, from before the layers had packages, kept importable.

Round one kept every module flat (``schemadrive.payloads``, ``schemadrive.recorded``...), and
the docs of that release showed some of those paths. Importing an old path returns the module
at its new place (the same module object, not a copy) with a :class:`DeprecationWarning`.
"""

from __future__ import annotations

import importlib
import sys
import warnings
from types import ModuleType

MOVED = {
    "backoff": "dispatch.retry",
    "batch": "schema.batch",
    "defaults": "schema.defaults",
    "dispatch": "dispatch.dispatcher",
    "downloads": "dispatch.downloads",
    "drift": "linting.drift",
    "fastpath": "schema.fastpath",
    "gmicloud": "hub.providers.gmicloud",
    "jobs": "dispatch.job",
    "lint_rules": "linting.rules",
    "lint_structure": "linting.structure",
    "lint_text": "linting.text",
    "linter": "linting",
    "listener": "dispatch.listener",
    "normalize": "schema.normalize",
    "parameters": "schema.parameters",
    "paramlist": "hub.providers.paramlist",
    "payloads": "schema.compile",
    "problems": "schema.problems",
    "progress": "dispatch.progress",
    "providers": "hub.providers",
    "recorded": "hub.recorded",
    "results": "dispatch.results",
    "schemadoc": "schema.document",
    "schemas": "hub.store",
    "sse": "dispatch.sse",
    "status": "hub.status",
    "stream": "dispatch.stream",
    "submission": "dispatch.submission",
    "transport": "hub.transport",
    "waiting": "dispatch.waiting",
}


# The finder and loader follow importlib's protocols without importlib.abc's base classes at
# run time: importing importlib.abc pulls in importlib.resources and pathlib, a third of the
# time `import schemadrive` (and so `schemadrive --help`) takes.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from importlib.abc import Loader as _Loader
else:
    _Loader = object


class _Alias(_Loader):
    def __init__(self, target: str) -> None:
        self.target = target

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        warnings.warn(
            f"{spec.name} moved to schemadrive.{self.target}",
            DeprecationWarning,
            stacklevel=3,
        )
        return importlib.import_module(f"schemadrive.{self.target}")

    def exec_module(self, module: ModuleType) -> None:
        """The target module ran when it was imported."""


class MovedModuleFinder:
    """Finds ``schemadrive.<old name>`` and hands back the module at its new path."""

    def find_spec(
        self, fullname: str, path: object = None, target: object = None
    ) -> importlib.machinery.ModuleSpec | None:
        package, _, name = fullname.rpartition(".")
        if package != "schemadrive" or name not in MOVED:
            return None
        from importlib.machinery import ModuleSpec

        return ModuleSpec(fullname, _Alias(MOVED[name]))


def install() -> None:
    if not any(isinstance(finder, MovedModuleFinder) for finder in sys.meta_path):
        sys.meta_path.append(MovedModuleFinder())
