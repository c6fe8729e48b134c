"""Validation at scale: rows/s per core of the Arrow core (schemadrive.validate_table), Spark
local[2] (schemadrive.spark.validate) and a two-worker Dask LocalCluster (schemadrive.dask.validate)
against Model.validate in a for-loop in one process, over fuzzed ltx-2-3-pro payloads as JSON
text. Medians of several runs, with their spread; engines not installed are skipped.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from typing import Any

from .common import Figure, report, skipped

try:
    from ..tables_data import fuzzed_payloads
except ImportError:  # run by pytest, with tests/ on sys.path
    from tables_data import fuzzed_payloads  # type: ignore[no-redef]

NAME = "tables"
COMMAND = "python tests/benchmarks/run.py tables"
MODEL = "ltx-2-3-pro"
#: cores the engines are given (local[2], two single-threaded Dask workers)
CORES = 2


def timed(run: Callable[[], Any], rows: int, repeats: int) -> tuple[float, float, float]:
    """(median, slowest, fastest) rows/s of ``run`` over ``repeats`` runs."""
    return paired({"run": (run, rows)}, repeats)["run"]


def paired(
    runs: dict[str, tuple[Callable[[], Any], int]], repeats: int
) -> dict[str, tuple[float, float, float]]:
    """:func:`timed` for several runs taken in turns, so that a load change hits them all."""
    rates: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):
        for name, (run, rows) in runs.items():
            start = time.perf_counter()
            run()
            rates[name].append(rows / (time.perf_counter() - start))
    return {n: (statistics.median(r), min(r), max(r)) for n, r in rates.items()}


def figure(what: str, rates: tuple[float, float, float], cores: int, base: float) -> Figure:
    median, low, high = (r / cores for r in rates)
    note = f"median of runs, spread {low:,.0f}-{high:,.0f} rows/s per core"
    if cores > 1:
        note += f"; {rates[0]:,.0f} rows/s on {cores} cores"
    return Figure(
        NAME, what, median, "rows/s per core", "Model.validate for-loop, 1 process", base,
        note=note, command=COMMAND,
    )  # fmt: skip


def run(figures: list[Figure], *, quick: bool = False) -> None:
    import schemadrive

    try:
        import pyarrow as pa
    except ImportError:
        skipped(NAME, "pyarrow is not installed (pip install 'schemadrive[arrow]')", figures)
        return
    model = schemadrive.Client(offline=True, cache_dir=False).model(MODEL)
    rows = 20_000 if quick else 100_000
    repeats = 3 if quick else 5
    payloads = fuzzed_payloads(model.schema, rows)
    texts = [json.dumps(p) for p in payloads]
    valid = sum(not model.validate(p) for p in payloads)
    print(f"    {rows:,} rows of {MODEL}, {valid / rows:.0%} valid, as JSON text", flush=True)

    def loop() -> None:
        for text in texts:
            model.validate(json.loads(text))

    table = pa.table({"id": range(rows), "payload": texts})
    clean = [t for t, p in zip(texts, payloads, strict=True) if not model.validate(p)]
    clean_table = pa.table({"payload": clean})

    def clean_loop() -> None:
        for text in clean:
            model.validate(json.loads(text))

    def check(data: Any) -> Callable[[], Any]:
        return lambda: schemadrive.validate_table(model, data, payload_column="payload")

    measured = paired(
        {
            "base": (loop, rows),
            "core": (check(table), rows),
            "clean_base": (clean_loop, len(clean)),
            "clean_core": (check(clean_table), len(clean)),
        },
        repeats,
    )
    base, core = measured["base"], measured["core"]
    clean_base, clean_core = measured["clean_base"], measured["clean_core"]
    report(
        Figure(
            NAME, "baseline: json.loads + Model.validate for-loop", base[0], "rows/s per core",
            note=f"median, spread {base[1]:,.0f}-{base[2]:,.0f}", command=COMMAND,
        ),
        figures,
    )  # fmt: skip
    report(figure("Arrow core, validate_table (1 process)", core, 1, base[0]), figures)
    report(
        Figure(
            NAME, "baseline on valid rows only", clean_base[0], "rows/s per core",
            note=f"median, spread {clean_base[1]:,.0f}-{clean_base[2]:,.0f}", command=COMMAND,
        ),
        figures,
    )  # fmt: skip
    report(figure("Arrow core on valid rows only", clean_core, 1, clean_base[0]), figures)
    _dask(model, texts, rows, repeats, base[0], figures)
    _spark(model, table, rows, repeats, base[0], figures)


def _dask(model: Any, texts: list[str], rows: int, repeats: int, base: float, sink: Any) -> None:
    try:
        import dask.dataframe as dd
        import distributed
        import pandas as pd
    except ImportError:
        skipped(NAME, "dask is not installed (pip install 'schemadrive[dask]')", sink)
        return
    import schemadrive.dask

    with (
        distributed.LocalCluster(
            n_workers=CORES, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster),
    ):
        frame = pd.DataFrame({"id": range(rows), "payload": texts})
        ddf = dd.from_pandas(frame, npartitions=4 * CORES).persist()  # data on the workers
        distributed.wait(ddf)
        runs = iter(range(repeats + 1))

        def check() -> None:
            # a new column per run gives new task keys, so no run reuses another's results;
            # the results stay on the workers (as when they are written to Parquet from there)
            fresh = ddf.assign(run=next(runs))
            out = schemadrive.dask.validate(fresh, model, payload_column="payload").persist()
            distributed.wait(out)
            del out

        check()  # warm: the workers compile the schema once
        rates = timed(check, rows, repeats)
    report(figure("Dask LocalCluster, 2 worker processes (persist)", rates, CORES, base), sink)


def _spark(model: Any, table: Any, rows: int, repeats: int, base: float, sink: Any) -> None:
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        skipped(NAME, "pyspark is not installed (pip install 'schemadrive[spark]')", sink)
        return
    import schemadrive.spark

    os.environ["PYSPARK_PYTHON"] = sys.executable
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        spark = (
            SparkSession.builder.master(f"local[{CORES}]")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .getOrCreate()
        )
        spark.sparkContext.setLogLevel("ERROR")
        try:
            df = spark.createDataFrame(table).repartition(4 * CORES).cache()
            df.count()
            out = schemadrive.spark.validate(df, model, payload_column="payload")

            def write() -> None:  # evaluates every row, keeps nothing
                out.write.format("noop").mode("overwrite").save()

            write()  # warm: Python workers started, schema compiled
            rates = timed(write, rows, repeats)
        finally:
            spark.stop()
    report(figure("Spark local[2] (noop sink)", rates, CORES, base), sink)
