"""``schemadrive validate MODEL --parquet FILE`` (and ``--csv FILE``): tables through the Arrow
core (:mod:`schemadrive.tables`), one verdict per row, in the reports of ``validate``.

A file is read in batches (Parquet row groups, CSV blocks), so memory stays bounded; each row
is reported with its row number (from 1) where JSON Lines report a line. Every column is a
parameter (an empty cell is an absent parameter) unless ``--payload-column`` names the column
holding each row's payload (JSON text or a struct). Exit codes as for ``validate``.
"""

from __future__ import annotations

from collections.abc import Iterator

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up)

if TYPE_CHECKING:
    import argparse
    from typing import Any

    from ..schema.batch import Counts, LineResult
    from ..schema.compile import CompiledSchema
    from ._context import Context

#: Rows per batch read from a file.
BATCH_ROWS = 65_536


def add_table_options(parser: Any) -> None:
    """The table options of ``validate`` (called from its add_options)."""
    parser.add_argument(
        "--parquet",
        action="append",
        default=[],
        metavar="FILE",
        help="check each row of a Parquet file (needs schemadrive[arrow]); may be repeated",
    )
    parser.add_argument(
        "--csv",
        action="append",
        default=[],
        metavar="FILE",
        help="check each row of a CSV file with a header line (needs schemadrive[arrow])",
    )
    parser.add_argument(
        "--payload-column",
        metavar="NAME",
        help="with --parquet/--csv: the column holding each row's payload (JSON text or a "
        "struct); default: every column is a parameter",
    )


def wants_tables(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "parquet", None) or getattr(args, "csv", None))


class Unreadable(Exception):
    """A table file that cannot be read (missing, not Parquet/CSV, a malformed block)."""


def _batches(kind: str, name: str) -> Iterator[Any]:
    """The RecordBatches of a file. Raises Unreadable."""
    import pyarrow as pa

    try:
        if kind == "parquet":
            import pyarrow.parquet as pq

            with pq.ParquetFile(name) as source:
                yield from source.iter_batches(batch_size=BATCH_ROWS)
        else:
            import pyarrow.csv as pcsv

            # an empty cell is an absent parameter; "NA" or "null" are text like any other
            options = pcsv.ConvertOptions(null_values=[""], strings_can_be_null=True)
            with pcsv.open_csv(name, convert_options=options) as reader:
                yield from reader
    except OSError as exc:
        raise Unreadable(f"cannot read {name}: {exc.strerror or exc}") from exc
    except (pa.ArrowException, ValueError) as exc:  # not Parquet, a bad CSV block
        raise Unreadable(f"cannot read {name} as {kind}: {str(exc)[:200]}") from exc


def iter_rows(
    kind: str,
    name: str,
    target: CompiledSchema,
    *,
    payload_column: str | None,
    unknown: Any,
    fill: bool,
    counts: Counts,
) -> Iterator[LineResult]:
    """One LineResult per row of the file, in order (``line`` is the row number, from 1)."""
    import pyarrow as pa

    from ..schema.batch import LineResult
    from ..tables.columns import NotJson
    from ..tables.core import check_rows, payloads_of
    from ..tables.target import Checker

    checker = Checker.of(target)  # the command's compiled schema (a model's or a --schema file's)
    row = 0
    for batch in _batches(kind, name):
        payloads = payloads_of(pa.Table.from_batches([batch]), payload_column)
        for payload, problems in check_rows(checker, payloads, unknown=unknown, fill=fill):
            row += 1
            malformed = isinstance(payload, NotJson)
            result = LineResult(row, None if malformed else payload, problems, malformed)
            counts.checked += 1
            counts.invalid += not result.valid
            counts.malformed += malformed
            yield result


def run_tables(
    args: argparse.Namespace, ctx: Context, target: CompiledSchema, title: str, files: list[str]
) -> int:
    """``validate`` for --parquet/--csv inputs (``files`` must be empty: one kind of input)."""
    from ..exceptions import ConfigurationError
    from ..schema.batch import Counts
    from ._context import EXIT_FAILED, EXIT_OK, EXIT_USAGE
    from ._validate_report import REPORTERS, Tally, report_lines

    if files:
        ctx.err("schemadrive validate: give payload files or --parquet/--csv tables, not both")
        return EXIT_USAGE
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        ctx.err(
            "schemadrive validate: --parquet/--csv need pyarrow: pip install 'schemadrive[arrow]'"
        )
        return EXIT_USAGE
    fill = args.fill_defaults
    reporter = REPORTERS[args.format](ctx, ctx.stderr if fill else ctx.stdout, title)
    tally = Tally()
    inputs = [("parquet", name) for name in args.parquet] + [("csv", name) for name in args.csv]
    for kind, name in inputs:
        counts = Counts()
        rows = iter_rows(
            kind, name, target, payload_column=args.payload_column, unknown=args.unknown,
            fill=fill, counts=counts,
        )  # fmt: skip
        try:
            report_lines(rows, name, reporter, tally, counts, ctx.stdout if fill else None)
        except Unreadable as exc:
            tally.unreadable += 1
            reporter.unreadable(name, str(exc))
        except ConfigurationError as exc:  # e.g. no such --payload-column
            tally.unreadable += 1
            reporter.unreadable(name, str(exc))
        else:
            tally.files += 1
    reporter.finish(tally)
    if tally.unreadable:
        return EXIT_USAGE
    return EXIT_FAILED if tally.invalid else EXIT_OK
