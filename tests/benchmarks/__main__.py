"""``python -m tests.benchmarks [NAME ...]``: the same as ``python tests/benchmarks/run.py``."""

from __future__ import annotations

import sys

from .run import main

sys.exit(main())
