"""``schemadrive demo`` finishes, in this process, as the installed command, and from a fresh
non-editable install of a freshly built wheel (no key, no network settings)."""

from __future__ import annotations

import importlib.util
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from schemadrive.cli import main

ROOT = Path(__file__).resolve().parents[2]


def clean_env(**extra: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("OXEN_", "GMI_", "SCHEMADRIVE_"))
    }
    env["SCHEMADRIVE_BASE_URL"] = "http://127.0.0.1:9"  # the demo must not use it
    env.update(extra)
    return env


def check_tour(out: str, output_dir: Path) -> None:
    for heading in (
        "1. Describe a model",
        "2. Validate payloads",
        "3. Run it in the queue",
        "4. Download the result",
    ):
        assert heading in out
    assert "num_frames" in out and "9 to 481" in out  # the table
    assert "valid" in out and "$.num_frames: expected an integer" in out  # good, then bad
    assert "queued" in out and "succeeded" in out  # progress over events
    (video,) = output_dir.iterdir()
    assert video.suffix == ".mp4" and str(video) in out and video.stat().st_size > 0


def test_demo_in_process(tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    code = main(
        ["demo", "--job-seconds", "0.2", "--output-dir", str(tmp_path)], stdout=out, stderr=err
    )
    assert (code, err.getvalue()) == (0, "")
    check_tour(out.getvalue(), tmp_path)
    assert "\x1b[" not in out.getvalue()


def test_demo_installed_command(tmp_path: Path) -> None:
    path = Path(sys.executable).with_name("schemadrive")
    command = [str(path)] if path.exists() else [sys.executable, "-m", "schemadrive"]
    result = subprocess.run(
        [*command, "demo", "--job-seconds", "0.2", "--output-dir", str(tmp_path / "out")],
        capture_output=True, text=True, env=clean_env(), timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    check_tour(result.stdout, tmp_path / "out")


def test_demo_from_a_fresh_wheel_install(tmp_path: Path) -> None:
    """Build the wheel, install it (not editable) into an empty directory, and run the demo
    from there, so it works without this source tree (fixtures and assets are in the wheel)."""
    wheels = tmp_path / "wheels"
    pip = [
        sys.executable,
        "-m",
        "pip",
        "--disable-pip-version-check",
        "--retries",
        "1",
        "--timeout",
        "15",
    ]
    # Offline when the build backend is installed; otherwise pip fetches it from the index.
    isolation = ["--no-build-isolation"] if importlib.util.find_spec("hatchling") else []
    build = subprocess.run(
        [*pip, "wheel", "--no-deps", "-q", *isolation, "-w", str(wheels), str(ROOT)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    if build.returncode != 0:
        reason = "cannot build a wheel here (its build backend needs the package index)"
        pytest.skip(f"{reason}: {build.stderr[-300:]}")
    (wheel,) = wheels.glob("schemadrive-*.whl")
    target = tmp_path / "site"
    subprocess.run(
        [*pip, "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    elsewhere, out = tmp_path / "elsewhere", tmp_path / "out"
    elsewhere.mkdir()
    program = (
        "import sys, schemadrive; "
        f"assert schemadrive.__file__.startswith({str(target)!r}), schemadrive.__file__; "
        "from schemadrive.cli import main; "
        f"sys.exit(main(['demo', '--job-seconds', '0.2', '--output-dir', {str(out)!r}]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", program], cwd=elsewhere, capture_output=True, text=True,
        env=clean_env(PYTHONPATH=str(target)), timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    check_tour(result.stdout, tmp_path / "out")
