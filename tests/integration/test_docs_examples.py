"""Every ```python example in docs/ and README.md runs.

Blocks of one page run in order in one fresh interpreter (a later block may use names from an
earlier one), with no API key, no network settings and a temporary working directory. A block
preceded by ``<!-- no-run -->`` is skipped: use it only for examples that need the real hub.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted((ROOT / "docs").glob("*.md")) + [ROOT / "README.md"]
BLOCK = re.compile(r"(<!-- no-run -->\s*\n)?```python\n(.*?)```", re.S)


def blocks(page: Path) -> list[str]:
    return [code for skip, code in BLOCK.findall(page.read_text(encoding="utf-8")) if not skip]


@pytest.mark.parametrize("page", [p for p in PAGES if blocks(p)], ids=lambda p: p.name)
def test_examples_run(page: Path, tmp_path: Path) -> None:
    program = "\n\n".join(f"# --- block {i}\n{code}" for i, code in enumerate(blocks(page)))
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("OXEN_", "GMI_", "SCHEMADRIVE_"))
    }
    env["SCHEMADRIVE_CACHE_DIR"] = str(tmp_path / "cache")
    result = subprocess.run(
        [sys.executable, "-c", program],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"{page.name} examples failed:\n{result.stderr[-3000:]}"
