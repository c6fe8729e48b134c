"""pytest plugin (entry point ``pytest11: schemadrive``), loaded in every pytest session.

Adds ``--schemadrive-fixtures DIR`` and the ``schemadrive_fixtures`` ini option (the fixture
directory ``payloads_for`` searches before the bundled fixtures), and three fixtures:

* ``localhub``: a :class:`~schemadrive.testing.LocalHub` serving on 127.0.0.1 for one test
  (jobs end 0.2 s after they are submitted), stopped afterwards. Options for one test come
  from the ``localhub`` marker: ``@pytest.mark.localhub(provider="gmicloud", clock="manual")``
  takes LocalHub's keyword arguments.
* ``schemadrive_client``: a :class:`~schemadrive.Client` pointed at ``localhub`` (its URL, key
  and provider), with a schema cache of its own in the test's temporary directory and short
  polling; closed afterwards. Nothing in the environment (``SCHEMADRIVE_*``, ``OXEN_API_KEY``)
  changes where it goes.
* ``schemadrive_payloads``: a session-scoped factory for drawing payloads inside a test with
  ``st.data()``.

Importing it imports nothing heavy: no hypothesis, no HTTP stack (until a fixture is used).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from ..client import Client
    from .hub import LocalHub

#: How long a job on the ``localhub`` fixture takes, queued then processing (seconds).
JOB_SECONDS = 0.2


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
    config.addinivalue_line(
        "markers",
        "localhub(**options): LocalHub keyword arguments for the localhub fixture "
        "(provider, clock, job_seconds, fixtures, results, legacy, ...)",
    )
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

    Session-scoped, so it is safe in ``@given`` tests. Each strategy is built once (reading
    and compiling the schema) and reused by later draws with the same arguments.
    """
    from .strategies import payloads_for

    built: dict[Any, Any] = {}

    def cached(model_id: str, **options: Any) -> Any:
        key = (model_id, tuple(sorted((name, str(value)) for name, value in options.items())))
        if key not in built:
            built[key] = payloads_for(model_id, **options)
        return built[key]

    return cached


@pytest.fixture
def localhub(request: pytest.FixtureRequest) -> Iterator[LocalHub]:
    """A LocalHub on 127.0.0.1 (a free port) for this test; options from ``@pytest.mark.localhub``.

    Jobs take ``JOB_SECONDS`` (0.2 s) unless the marker says otherwise; with
    ``clock="manual"`` they move only when the test calls ``localhub.advance(seconds)``.
    """
    from .hub import LocalHub

    options: dict[str, Any] = {"job_seconds": JOB_SECONDS}
    marker = request.node.get_closest_marker("localhub")
    if marker is not None:
        if marker.args:
            raise pytest.UsageError("@pytest.mark.localhub takes keyword arguments only")
        options.update(marker.kwargs)
    with LocalHub(**options) as hub:
        yield hub


@pytest.fixture
def schemadrive_client(localhub: LocalHub, tmp_path: Path) -> Iterator[Client]:
    """A Client talking to ``localhub``: its URL, key and provider, a cache in ``tmp_path``.

    Polling starts at 0.05 s (at most 0.2 s apart), so a test waiting on a short job does not
    spend the seconds a real hub's polling would. All times are in seconds.
    """
    from ..client import Client

    client = Client(
        localhub.api_key,
        base_url=localhub.url,
        provider=localhub.provider,
        cache_dir=tmp_path / "schemadrive-cache",
        offline=False,
        poll_interval=0.05,
        max_poll_interval=0.2,
    )
    try:
        yield client
    finally:
        client.close()

