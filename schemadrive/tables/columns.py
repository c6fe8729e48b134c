"""Between Arrow columns and payloads: reading rows as payloads, writing verdicts as columns.

Rules (docs/scale.md): in parameter columns and struct fields, a null is an absent parameter
(Arrow has no "missing" apart from null; to send a JSON ``null``, use a JSON text column).
Values Arrow holds that JSON does not (timestamps, dates, decimals) become what JSON would
carry: ISO 8601 text and numbers.
"""

from __future__ import annotations

import datetime
import decimal
import json
from typing import TYPE_CHECKING, Any

from ..exceptions import ConfigurationError

if TYPE_CHECKING:
    import pyarrow as pa

    from ..schema.problems import Problem

__all__ = [
    "PROBLEM_FIELDS",
    "RESERVED",
    "NotJson",
    "json_payloads",
    "problem_rows",
    "problems_type",
    "pyarrow",
    "row_payloads",
    "to_arrow",
]

#: The fields of each element of the ``problems`` column, all strings (``hint`` may be null).
PROBLEM_FIELDS = ("path", "keyword", "message", "hint", "severity")
#: The columns validation adds.
RESERVED = ("valid", "problems")


def pyarrow() -> Any:
    """The pyarrow module; ConfigurationError naming the extra when it is not installed."""
    try:
        import pyarrow as pa
    except ImportError as exc:
        raise ConfigurationError(
            "validating tables needs pyarrow: pip install 'schemadrive[arrow]'"
        ) from exc
    return pa


def problems_type() -> pa.DataType:
    """``list<struct<path, keyword, message, hint, severity: string>>``."""
    pa = pyarrow()
    return pa.list_(pa.struct([pa.field(name, pa.string()) for name in PROBLEM_FIELDS]))


def problem_rows(problems: list[Problem]) -> list[dict[str, Any]]:
    return [
        {
            "path": p.path,
            "keyword": p.keyword,
            "message": p.message,
            "hint": p.hint,
            "severity": p.severity,
        }
        for p in problems
    ]


def _needs_plain(data_type: Any) -> bool:
    """True when values of this Arrow type come out of to_pylist() as something not JSON."""
    pa = pyarrow()
    types = pa.types
    if types.is_struct(data_type):
        return any(_needs_plain(data_type.field(i).type) for i in range(data_type.num_fields))
    if types.is_list(data_type) or types.is_large_list(data_type):
        return _needs_plain(data_type.value_type)
    if types.is_fixed_size_list(data_type):
        return _needs_plain(data_type.value_type)
    return bool(
        types.is_temporal(data_type) or types.is_decimal(data_type) or types.is_map(data_type)
    )


def _plain(value: Any) -> Any:
    """``value`` with nulls dropped from objects and non-JSON scalars made JSON."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        if value and isinstance(value[0], tuple) and len(value[0]) == 2:  # an Arrow map
            return {str(k): _plain(v) for k, v in value if v is not None}
        return [_plain(v) for v in value]
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _drop_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_nulls(v) for v in value]
    return value


def row_payloads(table: pa.Table) -> list[dict[str, Any]]:
    """One payload per row: each column a parameter, nulls absent."""
    rows: list[dict[str, Any]] = table.to_pylist()
    if any(_needs_plain(field.type) for field in table.schema):
        return [_plain(row) for row in rows]
    nested = any(pyarrow().types.is_nested(field.type) for field in table.schema)
    if nested:
        return [_drop_nulls(row) for row in rows]
    return [{k: v for k, v in row.items() if v is not None} for row in rows]


class NotJson:
    """A JSON text cell that does not parse (the row gets one ``json`` problem)."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message


def json_payloads(column: Any) -> list[Any]:
    """The payloads of a column of JSON text (a null cell is the payload ``null``)."""
    out: list[Any] = []
    loads = json.loads
    for text in column.to_pylist():
        if text is None:
            out.append(None)
            continue
        try:
            out.append(loads(text))
        except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError (binary cells)
            detail = exc.msg if isinstance(exc, json.JSONDecodeError) else "not UTF-8"
            out.append(NotJson(f"not valid JSON: {detail}"))
        except RecursionError:
            out.append(NotJson("not valid JSON here: it nests too deeply to read"))
    return out


def to_arrow(values: list[Any], data_type: Any, name: str) -> Any:
    """An Arrow array of ``values`` of ``data_type`` (inferred when the type is null)."""
    pa = pyarrow()
    try:
        if pa.types.is_null(data_type):
            return pa.array(values)
        return pa.array(values, type=data_type)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError, OverflowError) as exc:
        raise ConfigurationError(
            f"column {name!r} ({data_type}) cannot hold the defaults filled into it: {exc}"
        ) from exc
