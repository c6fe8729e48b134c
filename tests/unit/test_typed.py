"""schemadrive ships ``py.typed``: a user's ``mypy --strict`` checks calls against our types
instead of reporting "missing library stubs" (and every public name is seen as exported)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

import schemadrive

USER_FILE = """
from __future__ import annotations

import schemadrive
from schemadrive.testing import LocalHub


def problems_in(payload: dict[str, object]) -> list[str]:
    return [str(problem) for problem in schemadrive.validate({"type": "object"}, payload)]


def first_model() -> str:
    with LocalHub() as hub, schemadrive.Client(base_url=hub.url, api_key=hub.api_key) as client:
        return client.list_models()[0]
"""

A_TYPE_ERROR = """
import schemadrive

count: int = schemadrive.Client().list_models()
"""


def test_the_marker_is_in_the_package() -> None:
    assert (Path(schemadrive.__file__).parent / "py.typed").is_file()


def test_every_lazy_name_is_in_the_written_down_all() -> None:
    """mypy reads ``__all__`` as written: a name only in ``_EXPORTS`` would not be exported."""
    assert schemadrive.__all__ == sorted([*schemadrive._EXPORTS, "__version__"])


def _mypy(tmp_path: Path, source: str) -> subprocess.CompletedProcess[str]:
    if importlib.util.find_spec("mypy") is None:
        pytest.skip("mypy is not installed (pip install '.[test]')")
    user = tmp_path / "user.py"
    user.write_text(source)
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(user)],
        capture_output=True,
        text=True,
        cwd=tmp_path,  # outside the checkout: schemadrive is found as an installed package
        timeout=300,
    )


def test_a_user_s_strict_mypy_run_passes(tmp_path: Path) -> None:
    result = _mypy(tmp_path, USER_FILE)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "missing library stubs" not in result.stdout


def test_a_user_s_type_error_is_caught(tmp_path: Path) -> None:
    """The check above can fail: our annotations reach the user's checker."""
    result = _mypy(tmp_path, A_TYPE_ERROR)
    assert result.returncode == 1
    assert 'Incompatible types in assignment (expression has type "list[str]"' in result.stdout
