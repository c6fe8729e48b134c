"""The errors a batch raises before anything is sent, and the interruption it leaves behind."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from ..exceptions import ConfigurationError, SchemadriveError

if TYPE_CHECKING:
    from ..pricing import Estimate
    from .rows import RowProblem
    from .runner import BatchReport

__all__ = ["BatchInterrupted", "BatchInvalid", "InputChanged", "OverBudget"]


class BatchInvalid(SchemadriveError, ValueError):
    """Some input rows are invalid; nothing was sent. ``problems`` lists every one, each
    with its line number."""

    def __init__(self, problems: Sequence[RowProblem], *, rows: int) -> None:
        self.problems = list(problems)
        lines = sorted({p.line for p in self.problems if p.line})
        count = len(lines)
        head = (
            f"{count} invalid row{'s' if count != 1 else ''} ({rows} read)"
            if lines
            else "the input cannot be read as rows"
        )
        text = "\n".join(f"  {problem}" for problem in self.problems)
        super().__init__(f"{head}; nothing was sent\n{text}")


class OverBudget(SchemadriveError, ValueError):
    """The batch's estimate is over the budget, or unknown while a budget is set; nothing
    was sent. ``estimate`` is the whole batch's, ``budget`` the limit."""

    def __init__(self, estimate: Estimate, budget: Decimal) -> None:
        self.estimate = estimate
        self.budget = budget
        if estimate.amount is None:
            text = (
                f"the batch's cost cannot be estimated ({estimate.reason}), so it cannot be "
                f"kept within the budget of {budget} {estimate.currency}"
            )
        else:
            from ..pricing import format_amount

            text = (
                f"the batch is estimated at {format_amount(estimate.amount)} "
                f"{estimate.currency}, over the "
                f"budget of {budget} {estimate.currency}"
            )
        super().__init__(text + "; nothing was sent")


class InputChanged(ConfigurationError):
    """The output directory's journal was written for another input, model or hub."""


class BatchInterrupted(KeyboardInterrupt):
    """The batch was interrupted (Ctrl-C); the journal is consistent. ``report`` says where
    every row stands; running the same batch again resumes it."""

    def __init__(self, report: BatchReport) -> None:
        super().__init__("batch interrupted")
        self.report = report
