"""Where the command line may write: never into the installed package, and only where a
file can be created (checked before anything is paid for).

``cache pull --into fixtures/`` from a checkout of schemadrive would otherwise write through
the ``fixtures -> schemadrive/fixtures`` link into the package's own files; ``run -o
/proc/x.mp4`` would otherwise be found unwritable only after the job had run.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..exceptions import ConfigurationError

__all__ = ["check_destination", "package_dir", "refuse_package_path"]


def package_dir() -> Path:
    """The installed ``schemadrive`` package directory, symbolic links resolved."""
    return Path(__file__).resolve().parent.parent


def refuse_package_path(path: str | os.PathLike[str], *, option: str) -> None:
    """Raise ConfigurationError when ``path`` (links resolved) lies inside the package."""
    resolved = Path(path).expanduser().resolve()
    package = package_dir()
    if resolved == package or package in resolved.parents:
        raise ConfigurationError(
            f"{option} {os.fspath(path)}: that is inside the installed schemadrive package "
            f"({package}); choose a directory of your own"
        )


def check_destination(path: str | os.PathLike[str], *, option: str) -> None:
    """Fail now, with ConfigurationError, when nothing could be written at ``path``.

    ``path`` is a file to create or replace, or a directory (created if missing). The nearest
    existing directory on the way must let a file be created: it is tried for real (a
    temporary file, removed at once), since permission bits do not tell (root, /proc,
    read-only mounts).
    """
    import tempfile

    refuse_package_path(path, option=option)
    target = Path(path).expanduser()
    if target.exists() and not target.is_dir() and not os.access(target, os.W_OK):
        raise ConfigurationError(f"{option} {os.fspath(path)}: the file is not writable")
    existing = next((p for p in (target, *target.parents) if p.exists()), Path("."))
    if existing.exists() and not existing.is_dir():
        if existing == target:
            existing = target.parent if str(target.parent) else Path(".")
        else:
            raise ConfigurationError(f"{option} {os.fspath(path)}: {existing} is not a directory")
    try:
        with tempfile.TemporaryFile(dir=existing, prefix=".schemadrive-probe-"):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ConfigurationError(
            f"{option} {os.fspath(path)}: cannot write in {existing} ({reason})"
        ) from None
