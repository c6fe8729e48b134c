"""pytest plugin (entry point ``pytest11: schemadrive``), loaded in every pytest session.

Adds ``--schemadrive-fixtures DIR`` and the ``schemadrive_fixtures`` ini option (the fixture
directory ``payloads_for`` searches before the bundled fixtures), and the
``schemadrive_payloads`` fixture, a session-scoped factory for drawing payloads inside a test
with ``st.data()``. Importing it imports nothing heavy: no hypothesis, no HTTP stack.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("schemadrive", "schemadrive payload fuzzing")
    group.addoption(
        "--schemadrive-fixtures",
        metavar="DIR",
        default=None,
        help="directory of recorded model objects that schemadrive's payloads_for() searches "
        "before the bundled fixtures (default: the schemadrive_fixtures ini option)",
    )
    parser.addini(
        "schemadrive_fixtures",
        "directory of recorded model objects for payloads_for(), relative to the rootdir",
        default=None,
    )


def _fixture_directory(config: pytest.Config) -> Path | None:
    option = config.getoption("schemadrive_fixtures", None)
    if option:
        return Path(config.invocation_params.dir, option)
    ini = config.getini("schemadrive_fixtures")
    return Path(config.rootpath, ini) if ini else None


def pytest_configure(config: pytest.Config) -> None:
    directory = _fixture_directory(config)
    if directory is not None:
        from .strategies import set_default_fixtures

        set_default_fixtures(directory)


def pytest_unconfigure(config: pytest.Config) -> None:
    if _fixture_directory(config) is not None:
        from .strategies import set_default_fixtures

        set_default_fixtures(None)


@pytest.fixture(scope="session")
def schemadrive_payloads() -> Callable[..., Any]:
    """``payloads_for`` as a fixture: ``data.draw(schemadrive_payloads("ltx-2-3-pro"))``.

    Session-scoped, so it is safe in ``@given`` tests.
    """
    from .strategies import payloads_for

    return payloads_for
