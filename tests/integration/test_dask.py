"""schemadrive.dask.validate on a distributed.LocalCluster of two worker processes: 10,000
fuzzed payloads of two seed models judged exactly as Model.validate judges them, row for row,
with each model fetched from LocalHub once (the workers get the schema as data)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

dd = pytest.importorskip("dask.dataframe", reason="Dask tests need pip install 'schemadrive[dask]'")
distributed = pytest.importorskip("distributed", reason="needs pip install 'schemadrive[dask]'")
pd = pytest.importorskip("pandas")

from tables_data import SEED_MODELS, fuzzed_payloads  # noqa: E402

import schemadrive  # noqa: E402
import schemadrive.dask  # noqa: E402
from schemadrive.testing import LocalHub  # noqa: E402

ROWS = 5_000  # per model: 10,000 in all
pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as local,
        distributed.Client(local) as client,
    ):
        yield client


def oracle(model: schemadrive.Model, payloads: list[Any], **options: Any) -> list[Any]:
    out = []
    for payload in payloads:
        problems = model.validate(payload, **options)
        valid = not any(p.severity == "error" for p in problems)
        out.append((valid, [p.to_dict() for p in problems]))
    return out


def verdicts(frame: Any) -> list[Any]:
    return [(bool(v), list(p)) for v, p in zip(frame["valid"], frame["problems"], strict=True)]


def test_fuzzed_rows_on_a_local_cluster_match_model_validate(cluster: Any) -> None:
    assert len(cluster.scheduler_info()["workers"]) == 2
    with (
        LocalHub() as hub,
        schemadrive.Client(hub.api_key, base_url=hub.url, cache_dir=False) as client,
    ):
        for model_id in SEED_MODELS:
            model = client.model(model_id)
            payloads = fuzzed_payloads(model.schema, ROWS)
            frame = pd.DataFrame({"id": range(ROWS), "payload": [json.dumps(p) for p in payloads]})
            ddf = dd.from_pandas(frame, npartitions=8)
            out = schemadrive.dask.validate(ddf, model, payload_column="payload")
            assert list(out.columns) == ["id", "payload", "valid", "problems"]
            result = out.compute().sort_values("id")
            assert verdicts(result) == oracle(model, payloads)
        fetched = [r.path for r in hub.requests if r.path.startswith("/api/ai/models/")]
        assert sorted(fetched) == sorted(f"/api/ai/models/{m}" for m in SEED_MODELS)


def test_parameter_columns_with_defaults_filled_on_dask(cluster: Any) -> None:
    with (
        LocalHub() as hub,
        schemadrive.Client(hub.api_key, base_url=hub.url, cache_dir=False) as client,
    ):
        model = client.model("ltx-2-3-pro")
        given = [{"prompt": "a cat", "duration": 6}, {"duration": 99}, {"prompt": "x"}]
        frame = pd.DataFrame(
            {"prompt": ["a cat", None, "x"], "duration": pd.array([6, 99, None], dtype="Int64")}
        )
        ddf = dd.from_pandas(frame, npartitions=2)
        result = schemadrive.dask.validate(ddf, model, fill_defaults=True).compute()
        filled = [model.fill_defaults(row) for row in given]
        assert verdicts(result) == oracle(model, filled)
        rows = result.drop(columns=["valid", "problems"]).to_dict("records")
        for row, expected in zip(rows, filled, strict=True):
            assert {k: v for k, v in row.items() if not pd.isna(v)} == expected
        assert len(hub.requests) == 1
