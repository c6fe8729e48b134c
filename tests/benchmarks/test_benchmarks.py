"""The benchmarks as pytest items, for ``pytest tests/benchmarks -p no:cacheprovider -o
addopts="" -s`` (the default test run ignores this directory). They print their figures and
never fail on a slow figure: a target missed is reported, not asserted.
Set ``SCHEMADRIVE_BENCH_QUICK=1`` for smaller inputs.
"""

from __future__ import annotations

import os

import pytest

from .common import WORK, Figure
from .run import NAMES, run_one

pytestmark = pytest.mark.benchmark


@pytest.mark.timeout(3600)
@pytest.mark.parametrize("name", NAMES)
def test_benchmark(name: str) -> None:
    WORK.mkdir(parents=True, exist_ok=True)
    figures: list[Figure] = []
    run_one(name, figures, quick=os.environ.get("SCHEMADRIVE_BENCH_QUICK") == "1")
    assert figures, f"{name} printed no figure"
