"""The Arrow core: validate every row of a pyarrow Table or RecordBatch in one call.

The same verdicts and problems as :meth:`schemadrive.Model.validate` (or
:func:`schemadrive.validate` for a bare schema), row for row: each row becomes a payload and is
judged by the same compiled schema. The Spark and Dask adapters run this on each batch or
partition; the CLI's ``--parquet`` / ``--csv`` run it on each batch of a file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..exceptions import ConfigurationError
from .columns import (
    RESERVED,
    NotJson,
    json_payloads,
    problem_rows,
    problems_type,
    pyarrow,
    row_payloads,
    to_arrow,
)
from .target import Checker, Target, checker_for, target_for

if TYPE_CHECKING:
    from collections.abc import Iterator

    import pyarrow as pa

    from ..client import Client
    from ..schema.compile import Unknown
    from ..schema.problems import Problem

__all__ = [
    "check_rows",
    "output_schema",
    "payloads_of",
    "resolve_unknown",
    "validate_batch",
    "validate_table",
]


def validate_table(
    model_or_schema: Any,
    table: Any,
    *,
    payload_column: str | None = None,
    fill_defaults: bool = False,
    unknown: Unknown | None = None,
    client: Client | None = None,
) -> Any:
    """Validate every row of ``table``; return it with ``valid`` and ``problems`` added.

    ``model_or_schema`` is a :class:`~schemadrive.Model` (rows judged as ``Model.validate``
    judges payloads), a model id (fetched once through ``client``, else ``Client()``), a
    CompiledSchema, a schema dict or a schema file path (judged as ``schemadrive.validate``).
    ``table`` is a ``pyarrow.Table`` or ``RecordBatch``, returned as the same kind.

    Without ``payload_column`` every column is a parameter and a null cell is an absent
    parameter. With it, that column holds the whole payload: JSON text (string or binary; a
    cell that does not parse gets one ``json`` problem) or a struct (a null field is absent);
    the other columns pass through. ``valid`` is a bool (no problem of severity ``error``);
    ``problems`` a list of structs ``{path, keyword, message, hint, severity}``, as
    :class:`~schemadrive.Problem`. With ``fill_defaults`` the defaults are filled first (into
    the parameter columns, adding a column for each top-level default the table lacks; or into
    the payload column) and the filled payload is judged, as ``Model.prepare`` does.
    ``unknown`` is as for ``Model.validate`` (None: its default).
    """
    pa = pyarrow()
    target = target_for(model_or_schema, client=client)
    options: dict[str, Any] = {
        "payload_column": payload_column,
        "fill_defaults": fill_defaults,
        "unknown": unknown,
    }
    if isinstance(table, pa.RecordBatch):
        return validate_batch(target, table, **options)
    if isinstance(table, pa.Table):
        return _validate(checker_for(target), table, **options)
    raise ConfigurationError(
        f"validate_table takes a pyarrow Table or RecordBatch, not {type(table).__name__}"
    )


def validate_batch(
    target: Target,
    batch: pa.RecordBatch,
    *,
    payload_column: str | None = None,
    fill_defaults: bool = False,
    unknown: Unknown | None = None,
) -> pa.RecordBatch:
    """:func:`validate_table` for one RecordBatch and a :class:`Target` (what workers run)."""
    pa = pyarrow()
    table = pa.Table.from_batches([batch])
    out = _validate(
        checker_for(target),
        table,
        payload_column=payload_column,
        fill_defaults=fill_defaults,
        unknown=unknown,
    )
    return out.combine_chunks().to_batches()[0] if out.num_rows else _empty_batch(out.schema)


def _empty_batch(schema: pa.Schema) -> pa.RecordBatch:
    pa = pyarrow()
    return pa.RecordBatch.from_arrays([pa.array([], type=f.type) for f in schema], schema=schema)


def output_schema(
    target: Target,
    schema: pa.Schema,
    *,
    payload_column: str | None = None,
    fill_defaults: bool = False,
) -> pa.Schema:
    """The schema :func:`validate_batch` returns for input of ``schema`` (for Spark and Dask,
    which declare their output up front)."""
    empty = _empty_batch(schema)
    return validate_batch(
        target, empty, payload_column=payload_column, fill_defaults=fill_defaults
    ).schema


def check_rows(
    checker: Checker, payloads: list[Any], *, unknown: Unknown | None, fill: bool
) -> Iterator[tuple[Any, list[Problem]]]:
    """Each payload (filled with ``fill``) and its problems, in order."""
    from ..schema.problems import Problem

    validate, fill_one = checker.validate, checker.fill
    for payload in payloads:
        if isinstance(payload, NotJson):
            yield payload, [Problem("$", "json", payload.message, None)]
            continue
        if fill:
            payload = fill_one(payload)
        yield payload, validate(payload, unknown)


def _validate(
    checker: Checker,
    table: pa.Table,
    *,
    payload_column: str | None,
    fill_defaults: bool,
    unknown: Unknown | None,
) -> pa.Table:
    pa = pyarrow()
    names = table.column_names
    clash = [name for name in RESERVED if name in names]
    if clash:
        raise ConfigurationError(
            f"the table already has a column named {clash[0]!r}; rename or drop it first"
        )
    unknown = resolve_unknown(checker, unknown)
    payloads = payloads_of(table, payload_column)
    checked = list(check_rows(checker, payloads, unknown=unknown, fill=fill_defaults))
    valid = [not any(p.severity == "error" for p in problems) for _, problems in checked]
    problems = [problem_rows(problems) if problems else [] for _, problems in checked]
    if fill_defaults:
        filled = [payload for payload, _ in checked]
        if payload_column is None:
            table = _fill_parameter_columns(checker, table, filled)
        else:
            table = _fill_payload_column(checker, table, payload_column, payloads, filled)
    valid_field = pa.field("valid", pa.bool_(), nullable=False)
    table = table.append_column(valid_field, pa.array(valid, type=pa.bool_()))
    return table.append_column("problems", pa.array(problems, type=problems_type()))


def resolve_unknown(checker: Checker, unknown: Unknown | None) -> Unknown | None:
    """``unknown`` checked (None: the default of the function the target stands for)."""
    if unknown is not None and unknown not in ("error", "warn", "allow"):
        raise ConfigurationError(f"unknown must be 'error', 'warn' or 'allow', not {unknown!r}")
    return unknown


def payloads_of(table: pa.Table, payload_column: str | None) -> list[Any]:
    """One payload per row (a :class:`NotJson` for JSON text that does not parse)."""
    pa = pyarrow()
    if payload_column is None:
        return row_payloads(table)
    if payload_column not in table.column_names:
        raise ConfigurationError(f"the table has no column {payload_column!r}")
    column = table.column(payload_column)
    kind = column.type
    if pa.types.is_struct(kind):
        return [row.get("p") for row in row_payloads(pa.table({"p": column}))]
    if pa.types.is_string(kind) or pa.types.is_large_string(kind) or _is_binary(kind):
        return json_payloads(column)
    raise ConfigurationError(
        f"column {payload_column!r} is {kind}: a payload column holds JSON text or structs"
    )


def _is_binary(kind: Any) -> bool:
    types = pyarrow().types
    return bool(types.is_binary(kind) or types.is_large_binary(kind))


def _added_fields(checker: Checker, present: list[str]) -> list[tuple[str, Any]]:
    """The top-level defaults a table lacks as (name, Arrow type), by name (the same order in
    every process, whatever order the schema's parts were walked in)."""
    pa = pyarrow()
    added = []
    for name, value in sorted(checker.top_defaults().items()):
        if name not in present:
            added.append((name, pa.array([value]).type))
    return added


def _fill_parameter_columns(checker: Checker, table: pa.Table, filled: list[Any]) -> pa.Table:
    pa = pyarrow()
    rows = [row if isinstance(row, dict) else {} for row in filled]
    for index, name in enumerate(table.column_names):
        column = table.column(index)
        if column.null_count == 0:
            continue
        original = column.to_pylist()
        values = [rows[i].get(name) if value is None else value for i, value in enumerate(original)]
        if values != original:
            array = to_arrow(values, column.type, name)
            table = table.set_column(index, pa.field(name, array.type), array)
    for name, kind in _added_fields(checker, table.column_names):
        table = table.append_column(
            pa.field(name, kind), to_arrow([row.get(name) for row in rows], kind, name)
        )
    return table


def _fill_payload_column(
    checker: Checker, table: pa.Table, name: str, payloads: list[Any], filled: list[Any]
) -> pa.Table:
    import json

    pa = pyarrow()
    index = table.column_names.index(name)
    column = table.column(index)
    if pa.types.is_struct(column.type):
        fields = [column.type.field(i) for i in range(column.type.num_fields)]
        present = [f.name for f in fields]
        kind = pa.struct(fields + [pa.field(n, t) for n, t in _added_fields(checker, present)])
        values: list[Any] = [value if isinstance(value, dict) else None for value in filled]
        array = to_arrow(values, kind, name)
    else:
        texts = column.to_pylist()
        values = [
            text if after == before else json.dumps(after, ensure_ascii=False)
            for text, before, after in zip(texts, payloads, filled, strict=True)
        ]
        array = to_arrow(values, column.type, name)
    return table.set_column(index, pa.field(name, array.type), array)
