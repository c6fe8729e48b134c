"""Issue 15 item 3, the command line's side: on a terminal, ``run`` and ``wait`` draw the wait's
own progress line (it ticks every second whatever the way of waiting, and says when the hub is
being reconnected to), in a real terminal (a pseudo-terminal), not only on status changes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from schemadrive.testing import LocalHub

pty = pytest.importorskip("pty")


def run_on_a_terminal(argv: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    """Run ``schemadrive ARGV`` with stderr on a pseudo-terminal; return code, stdout, stderr."""
    master, slave = pty.openpty()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "schemadrive", *argv],
            stdout=subprocess.PIPE, stderr=slave, env=env,
        )  # fmt: skip
        os.close(slave)
        chunks: list[bytes] = []
        while True:
            try:
                chunk = os.read(master, 4096)  # EIO once the child has closed the terminal
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        out = process.communicate(timeout=60)[0]
    finally:
        os.close(master)
    return process.returncode, out.decode(), b"".join(chunks).decode(errors="replace")


@pytest.mark.parametrize("via", [None, "poll"], ids=["default", "poll"])
def test_the_wait_s_line_is_drawn_on_a_terminal(tmp_path: Path, via: str | None) -> None:
    with LocalHub(job_seconds=0.3) as hub:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("SCHEMADRIVE_")},
            "OXEN_API_KEY": hub.api_key,
            "SCHEMADRIVE_BASE_URL": hub.url,
            "SCHEMADRIVE_CACHE_DIR": str(tmp_path / "cache"),
            "SCHEMADRIVE_POLL_INTERVAL": "0.05",
        }
        argv = ["run", "ltx-2-3-pro", "prompt=a kite", *(["--via", via] if via else [])]
        code, out, err = run_on_a_terminal(argv, env)
    assert code == 0, err
    generation_id = out.splitlines()[0]
    # the line of the wait itself: the job, the elapsed time, how many are done
    assert f"schemadrive · {generation_id} " in err and "1/1 done" in err
    assert "\r\x1b[K" in err  # redrawn in place
