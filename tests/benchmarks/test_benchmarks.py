"""The benchmarks as pytest items, for ``pytest tests/benchmarks -p no:cacheprovider -o
addopts="" -s`` (the default test run ignores this directory). They print their figures and
never fail on a slow figure (tests never depend on timing): a target missed is reported, not
asserted. A missing anchor does fail the item: that is an install problem, not a timing one
(``pip install -e '.[bench]'``).
Set ``SCHEMADRIVE_BENCH_QUICK=1`` for smaller inputs.
"""

from __future__ import annotations

import os

import pytest

from .common import WORK, Figure
from .run import available, run_one

pytestmark = pytest.mark.benchmark


@pytest.mark.timeout(3600)
@pytest.mark.parametrize("name", available())
def test_benchmark(name: str) -> None:
    WORK.mkdir(parents=True, exist_ok=True)
    figures: list[Figure] = []
    run_one(name, figures, quick=os.environ.get("SCHEMADRIVE_BENCH_QUICK") == "1")
    assert figures, f"{name} printed no figure"
    missing = [f.what for f in figures if f.what.startswith("anchor ") and f.met is False]
    assert not missing, f"{missing}: pip install -e '.[bench]'"
