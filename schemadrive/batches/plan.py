"""Before anything is sent: every row read, prepared and validated, the batch estimated.

:func:`plan_batch` either returns a :class:`BatchPlan` (every row valid, within budget) or
raises BatchInvalid (every problem, with line numbers) or OverBudget. It makes no request
but the model's schema (cached).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..exceptions import ConfigurationError, PayloadInvalid
from ..pricing import Estimate, parse_amount
from .errors import BatchInvalid, OverBudget
from .rows import InputRow, RowProblem, hash_payload, read_input, rows_from_mappings

if TYPE_CHECKING:
    from ..client import Client

__all__ = ["BatchPlan", "Source", "parse_budget", "plan_batch"]

Source = str | os.PathLike[str] | Iterable[Mapping[str, Any]]


@dataclass(frozen=True)
class BatchPlan:
    """A batch ready to run: the rows, the hash and estimate of each prepared payload, the
    total.

    The prepared payloads are not kept (a row's files become ``data:`` URIs, which could
    add up to a lot of memory): each is prepared again when it is sent, to the same hash.
    ``source_hash`` identifies the input (the file's bytes, or the rows given) so a resume
    can tell that it is the same batch.
    """

    model_id: str
    rows: list[InputRow]
    hashes: list[str]
    estimates: list[Estimate]
    total: Estimate
    source_hash: str
    source: str | None

    def __len__(self) -> int:
        return len(self.rows)

    def payload(self, row: int) -> dict[str, Any]:
        """Row ``row``'s payload as given (files as Paths): what is sent, once prepared."""
        return dict(self.rows[row].payload)


def parse_budget(value: Decimal | int | float | str | None) -> Decimal | None:
    """A budget as a Decimal (``"5"``, ``5``, ``"5.50"``); ConfigurationError otherwise."""
    if value is None:
        return None
    amount = parse_amount(value)
    if amount is None:
        raise ConfigurationError(f"a budget must be an amount >= 0, not {value!r}")
    return amount


def plan_batch(
    client: Client, model_id: str, source: Source, *, budget: Decimal | None = None
) -> BatchPlan:
    """Read, prepare, validate and estimate every row. Nothing is sent."""
    model = client.model(model_id)
    path: str | None = None
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        rows, problems, digest = read_input(Path(path), model.parameters)
    else:
        rows, digest = rows_from_mappings(source)
        problems = [] if rows else [RowProblem(0, "no rows")]
    hashes: list[str] = []
    estimates: list[Estimate] = []
    for row in rows:
        generations = row.payload.get("num_generations", 1)
        if generations != 1:
            problems.append(
                RowProblem(
                    row.line,
                    f"num_generations is {generations!r}: a batch row makes one generation "
                    "(repeat the row for more)",
                )
            )
            continue
        try:
            prepared = model.prepare(dict(row.payload))
            hashes.append(hash_payload(prepared))
            estimates.append(model.estimate(prepared))
        except PayloadInvalid as exc:
            problems.extend(
                RowProblem(row.line, str(problem))
                for problem in exc.problems
                if problem.severity == "error"
            )
        except (ConfigurationError, OSError) as exc:  # a file that cannot be read, say
            problems.append(RowProblem(row.line, str(exc)))
    if problems:
        raise BatchInvalid(sorted(problems, key=lambda p: p.line), rows=len(rows))
    total = Estimate.total(estimates)
    if budget is not None and total.exceeds(budget):
        raise OverBudget(total, budget)
    return BatchPlan(
        model_id=model_id,
        rows=rows,
        hashes=hashes,
        estimates=estimates,
        total=total,
        source_hash=digest,
        source=path,
    )
