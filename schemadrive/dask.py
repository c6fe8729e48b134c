"""Validate a Dask DataFrame of payloads: the Arrow core on every partition, via map_partitions.

``schemadrive.dask.validate(ddf, model)`` returns a lazy Dask DataFrame with ``valid`` and
``problems`` added. The schema is resolved once, here on the client (a Model, a model id
fetched once, a schema dict or file); only a :class:`~schemadrive.tables.Target` (the schema as
plain data, with the hub's common parameter names) travels to the workers, which compile it
once per process and never call the hub. Install ``schemadrive[dask]`` wherever the workers
run. See docs/scale.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .exceptions import ConfigurationError
from .tables.core import validate_table
from .tables.target import Target, target_for

if TYPE_CHECKING:
    from .client import Client
    from .schema.compile import Unknown

__all__ = ["validate"]


def validate(
    ddf: Any,
    model_or_schema: Any,
    *,
    payload_column: str | None = None,
    fill_defaults: bool = False,
    unknown: Unknown | None = None,
    client: Client | None = None,
) -> Any:
    """``ddf`` (a ``dask.dataframe.DataFrame``) with ``valid`` and ``problems`` columns added.

    The options are those of :func:`schemadrive.validate_table`. ``valid`` is a bool column;
    ``problems`` holds, per row, a list of ``{path, keyword, message, hint, severity}``
    (``pandas.ArrowDtype`` of ``list<struct>``, so it writes to Parquet as it is).
    """
    try:
        import dask.dataframe
    except ImportError as exc:
        raise ConfigurationError(
            "validating Dask DataFrames needs dask: pip install 'schemadrive[dask]'"
        ) from exc
    dd: Any = dask.dataframe  # partly typed: called as documented, not as inferred
    if not isinstance(ddf, dd.DataFrame):
        raise ConfigurationError(f"expected a dask DataFrame, not {type(ddf).__name__}")
    target = target_for(model_or_schema, client=client)  # the one hub call, here
    check = PartitionCheck(target, payload_column, fill_defaults, unknown)
    frames: Any = ddf
    meta = check(dd.utils.make_meta(frames))  # the output's columns and dtypes, from no rows
    return frames.map_partitions(check, meta=meta)


class PartitionCheck:
    """What each worker runs on a pandas partition: picklable plain data."""

    def __init__(
        self,
        target: Target,
        payload_column: str | None,
        fill_defaults: bool,
        unknown: Unknown | None,
    ) -> None:
        self.target = target
        self.payload_column = payload_column
        self.fill_defaults = fill_defaults
        self.unknown = unknown

    def __call__(self, frame: Any) -> Any:
        import pandas as pd
        import pyarrow as pa

        table = pa.Table.from_pandas(frame, preserve_index=False)
        out = validate_table(
            self.target,
            table,
            payload_column=self.payload_column,
            fill_defaults=self.fill_defaults,
            unknown=self.unknown,
        )
        result = frame.copy()
        for name in out.column_names:
            column = out.column(name)
            if name in frame.columns and not self.fill_defaults:
                continue  # unchanged: keep the partition's own dtype and values
            if name == "problems":
                values = column.to_pandas(types_mapper=pd.ArrowDtype)
            else:
                values = column.to_pandas()
            result[name] = pd.Series(values.to_numpy(), index=frame.index, dtype=values.dtype)
        return result
