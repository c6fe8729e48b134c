"""schemadrive.spark.validate on Spark in local mode (local[2]): 10,000 fuzzed payloads of two
seed models judged exactly as Model.validate judges them, row for row, with each model fetched
from LocalHub once, on the driver (the executors get the schema as data and never call the hub).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("pyspark", reason="Spark tests need pip install 'schemadrive[spark]'")
pa = pytest.importorskip("pyarrow", reason="Spark tests need pip install 'schemadrive[spark]'")
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    pytest.skip("Spark needs a Java runtime (java on PATH or JAVA_HOME)", allow_module_level=True)

from tables_data import SEED_MODELS, fuzzed_payloads  # noqa: E402

import schemadrive  # noqa: E402
import schemadrive.spark  # noqa: E402
from schemadrive.testing import LocalHub  # noqa: E402

ROWS = 5_000  # per model: 10,000 in all
pytestmark = pytest.mark.timeout(180)


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    from pyspark.sql import SparkSession

    # the executors' Python is this one (the venv with schemadrive); a loopback driver address
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PYSPARK_PYTHON", sys.executable)
        patch.setenv("SPARK_LOCAL_IP", "127.0.0.1")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # pyspark on pandas 3 (unused here)
            session = (
                SparkSession.builder.master("local[2]")
                .appName("schemadrive-tests")
                .config("spark.ui.enabled", "false")
                .config("spark.ui.showConsoleProgress", "false")
                .config("spark.sql.shuffle.partitions", "4")
                .getOrCreate()
            )
        session.sparkContext.setLogLevel("ERROR")
        yield session
        session.stop()


def oracle(model: schemadrive.Model, payloads: list[Any]) -> list[Any]:
    out = []
    for payload in payloads:
        problems = model.validate(payload)
        valid = not any(p.severity == "error" for p in problems)
        out.append((valid, [p.to_dict() for p in problems]))
    return out


def collected(df: Any) -> list[Any]:
    rows = sorted(df.collect(), key=lambda row: row["id"])
    return [(row["valid"], [p.asDict() for p in row["problems"]]) for row in rows]


@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_fuzzed_rows_on_local_spark_match_model_validate(spark: Any) -> None:
    with (
        LocalHub() as hub,
        schemadrive.Client(hub.api_key, base_url=hub.url, cache_dir=False) as client,
    ):
        for model_id in SEED_MODELS:
            model = client.model(model_id)
            payloads = fuzzed_payloads(model.schema, ROWS)
            table = pa.table({"id": range(ROWS), "payload": [json.dumps(p) for p in payloads]})
            df = spark.createDataFrame(table).repartition(4)  # several tasks, both cores
            out = schemadrive.spark.validate(df, model, payload_column="payload")
            assert out.columns == ["id", "payload", "valid", "problems"]
            assert collected(out) == oracle(model, payloads)
        fetched = [r.path for r in hub.requests if r.path.startswith("/api/ai/models/")]
        assert sorted(fetched) == sorted(f"/api/ai/models/{m}" for m in SEED_MODELS)


@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_parameter_columns_with_defaults_filled_on_spark(spark: Any) -> None:
    with (
        LocalHub() as hub,
        schemadrive.Client(hub.api_key, base_url=hub.url, cache_dir=False) as client,
    ):
        model = client.model("ltx-2-3-pro")
        columns = {"id": [0, 1, 2], "prompt": ["a cat", None, "x"], "duration": [6, 99, None]}
        df = spark.createDataFrame(pa.table(columns))
        out = schemadrive.spark.validate(df, model, fill_defaults=True, unknown="allow")
        rows = sorted(out.collect(), key=lambda row: row["id"])
        for index, row in enumerate(rows):
            given = {k: columns[k][index] for k in ("prompt", "duration")}
            filled = model.fill_defaults({k: v for k, v in given.items() if v is not None})
            got = {k: v for k, v in row.asDict().items() if v is not None and k in filled}
            assert got == filled
            problems = model.validate(filled, unknown="allow")
            assert [p.asDict() for p in row["problems"]] == [p.to_dict() for p in problems]
        assert len(hub.requests) == 1
