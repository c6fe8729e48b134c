"""Validate a Spark DataFrame of payloads: the Arrow core on every batch, through mapInArrow.

``schemadrive.spark.validate(df, model)`` returns ``df`` with ``valid`` and ``problems`` added
(lazily, like any transformation). The schema is resolved once, here on the driver (a Model,
a model id fetched once, a schema dict or file); only a :class:`~schemadrive.tables.Target`
(the schema as plain data, with the hub's common parameter names) travels to the executors,
which compile it once per Python worker and never call the hub. Install
``schemadrive[spark]`` on the driver and the executors. See docs/scale.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .exceptions import ConfigurationError
from .tables.core import output_schema, validate_batch
from .tables.target import Target, target_for

if TYPE_CHECKING:
    from .client import Client
    from .schema.compile import Unknown

__all__ = ["validate"]


def validate(
    df: Any,
    model_or_schema: Any,
    *,
    payload_column: str | None = None,
    fill_defaults: bool = False,
    unknown: Unknown | None = None,
    client: Client | None = None,
) -> Any:
    """``df`` (a ``pyspark.sql.DataFrame``) with ``valid`` and ``problems`` columns added.

    The options are those of :func:`schemadrive.validate_table`: every column a parameter, or
    ``payload_column`` holding JSON text or a struct; ``fill_defaults`` fills the parameter
    columns (adding one per top-level default the DataFrame lacks); ``unknown`` as for
    ``Model.validate``. ``problems`` is ``array<struct<path, keyword, message, hint,
    severity>>``.
    """
    try:
        from pyspark.sql import DataFrame
        from pyspark.sql.pandas.types import from_arrow_schema, to_arrow_schema
    except ImportError as exc:
        raise ConfigurationError(
            "validating Spark DataFrames needs pyspark: pip install 'schemadrive[spark]'"
        ) from exc
    if not isinstance(df, DataFrame):
        raise ConfigurationError(f"expected a pyspark DataFrame, not {type(df).__name__}")
    target = target_for(model_or_schema, client=client)  # the one hub call, on the driver
    arrow_in = to_arrow_schema(df.schema)
    arrow_out = output_schema(
        target, arrow_in, payload_column=payload_column, fill_defaults=fill_defaults
    )
    check = BatchCheck(target, arrow_out, payload_column, fill_defaults, unknown)
    return df.mapInArrow(check, from_arrow_schema(arrow_out))


class BatchCheck:
    """What each executor runs: picklable plain data (a Target, options, the output schema)."""

    def __init__(
        self,
        target: Target,
        schema: Any,
        payload_column: str | None,
        fill_defaults: bool,
        unknown: Unknown | None,
    ) -> None:
        self.target = target
        self.schema = schema
        self.payload_column = payload_column
        self.fill_defaults = fill_defaults
        self.unknown = unknown

    def __call__(self, batches: Iterator[Any]) -> Iterator[Any]:
        for batch in batches:
            out = validate_batch(
                self.target,
                batch,
                payload_column=self.payload_column,
                fill_defaults=self.fill_defaults,
                unknown=self.unknown,
            )
            # as declared to Spark (e.g. a filled default of another integer width)
            if not out.schema.equals(self.schema):
                out = out.select(self.schema.names).cast(self.schema)
            yield out
