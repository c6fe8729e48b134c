"""``schemadrive validate MODEL --parquet FILE`` / ``--csv FILE``: each row of a table checked
through the Arrow core, reported per row (``--format json``), with validate's exit codes."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

pa = pytest.importorskip("pyarrow", reason="--parquet/--csv need pip install 'schemadrive[arrow]'")
pq = pytest.importorskip("pyarrow.parquet")

from tables_data import fuzzed_payloads  # noqa: E402

import schemadrive  # noqa: E402
from schemadrive.cli import main  # noqa: E402
from schemadrive.testing import LocalHub  # noqa: E402

MODEL = "ltx-2-3-pro"


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def records(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines()]


def test_parquet_rows_against_localhub_match_model_validate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with LocalHub() as hub:
        monkeypatch.setenv("OXEN_API_KEY", hub.api_key)
        model = schemadrive.Client(hub.api_key, base_url=hub.url, cache_dir=False).model(MODEL)
        payloads = fuzzed_payloads(model.schema, 2_000)
        path = tmp_path / "payloads.parquet"
        table = pa.table({"payload": [json.dumps(p) for p in payloads]})
        pq.write_table(table, path, row_group_size=300)  # several batches
        hub.requests.clear()
        code, out, err = cli(
            "--base-url", hub.url, "validate", MODEL, "--parquet", str(path),
            "--payload-column", "payload", "--format", "json",
        )  # fmt: skip
        assert [r.path for r in hub.requests] == [f"/api/ai/models/{MODEL}"]
    *rows, summary = records(out)
    expected = [model.validate(p) for p in payloads]
    assert [r["line"] for r in rows] == list(range(1, len(payloads) + 1))
    assert [r["valid"] for r in rows] == [not problems for problems in expected]
    got = [[{k: v for k, v in p.items() if k != "line"} for p in r["problems"]] for r in rows]
    assert got == [[p.to_dict() for p in problems] for problems in expected]
    assert summary["summary"]["checked"] == len(payloads)
    assert code == 1 and err == ""


def test_csv_parameter_columns_offline(tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text("prompt,duration\na cat,6\na dog,\n")
    assert cli("--offline", "validate", MODEL, "--csv", str(good))[0] == 0
    bad = tmp_path / "bad.csv"
    bad.write_text("prompt,duration\na cat,6\n,99\n")
    code, out, _ = cli("--offline", "validate", MODEL, "--csv", str(bad))
    assert code == 1
    assert f"{bad}:2: error: $.duration: 99 is not an allowed value" in out
    assert f"{bad}:2: error: $.prompt: missing required parameter 'prompt'" in out


def test_fill_defaults_writes_each_valid_row_filled(tmp_path: Path) -> None:
    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({"prompt": ["a cat", None], "duration": [8, 6]}), path)
    code, out, err = cli("--offline", "validate", MODEL, "--parquet", str(path), "--fill-defaults")
    model = schemadrive.Client(offline=True, cache_dir=False).model(MODEL)
    assert records(out) == [model.fill_defaults({"prompt": "a cat", "duration": 8})]
    assert code == 1 and "missing required parameter 'prompt'" in err


@pytest.mark.parametrize(
    ("make", "extra", "message"),
    [
        (None, (), "cannot read"),
        ("not parquet", (), "cannot read"),
        (b"PAR1", ("--payload-column", "nope"), "cannot read"),
    ],
)
def test_unreadable_tables_exit_2(
    tmp_path: Path, make: Any, extra: tuple[str, ...], message: str
) -> None:
    path = tmp_path / "t.parquet"
    if isinstance(make, str):
        path.write_text(make)
    elif make is not None:
        pq.write_table(pa.table({"a": [1]}), path)
    code, out, _ = cli("--offline", "validate", MODEL, "--parquet", str(path), *extra)
    assert code == 2
    assert str(path) in out and ("cannot read" in out or "no column 'nope'" in out)


def test_tables_and_payload_files_together_are_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("prompt\na\n")
    code, _, err = cli("--offline", "validate", MODEL, "--csv", str(path), "p.json")
    assert code == 2 and "not both" in err
