"""Batches: many generations from a file or a list of payloads, resumable, within a budget,
never paid twice (docs/batches.md).

``client.batch(model, rows, out=DIR, ...)`` is the entry point; ``schemadrive batch`` the
command. :func:`plan_batch` validates and estimates without sending; :func:`run_batch`
runs a plan into its output directory, whose journal makes it resumable.
"""

from __future__ import annotations

from .errors import BatchInterrupted, BatchInvalid, InputChanged, OverBudget
from .plan import BatchPlan, parse_budget, plan_batch
from .rows import InputRow, RowProblem
from .runner import BatchOptions, BatchReport, Progress, run_batch

__all__ = [
    "BatchInterrupted",
    "BatchInvalid",
    "BatchOptions",
    "BatchPlan",
    "BatchReport",
    "InputChanged",
    "InputRow",
    "OverBudget",
    "Progress",
    "RowProblem",
    "parse_budget",
    "plan_batch",
    "run_batch",
]
