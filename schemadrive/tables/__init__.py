"""Validation at scale: whole Arrow tables, and the Spark and Dask adapters built on them.

:func:`validate_table` is the core (install ``schemadrive[arrow]``); :mod:`schemadrive.spark`
and :mod:`schemadrive.dask` run it on each batch or partition of a distributed DataFrame, with
a :class:`Target` (the schema as plain data) shipped to the workers. See docs/scale.md.
"""

from __future__ import annotations

from .core import output_schema, validate_batch, validate_table
from .target import Target, target_for

__all__ = ["Target", "output_schema", "target_for", "validate_batch", "validate_table"]
