"""``schemadrive ui``: a local page to try any model, its form drawn from the model's schema
(docs/ui.md). Needs the ``schemadrive[ui]`` extra (Starlette and uvicorn); nothing else in
schemadrive imports this package.

:class:`PlaygroundServer` serves the page for a :class:`~schemadrive.Client`; the form, the
problems and the costs come from the library (:mod:`schemadrive.ui.forms`), the jobs are
watched in the server process (:mod:`schemadrive.ui.board`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .server import PlaygroundServer

__all__ = ["PlaygroundServer"]


def __getattr__(name: str) -> Any:
    # the server (and Starlette, uvicorn) only when asked for: forms.py needs neither
    if name == "PlaygroundServer":
        from .server import PlaygroundServer

        return PlaygroundServer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
