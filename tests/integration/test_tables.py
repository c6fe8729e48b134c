"""The Arrow core (schemadrive.validate_table): the same verdicts and problems as Model.validate,
row for row, over fuzzed payloads of two seed models served by LocalHub; parameter columns,
JSON text and struct payload columns, defaults filled, bare schemas, and typed errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

pa = pytest.importorskip("pyarrow", reason="the Arrow core needs pip install 'schemadrive[arrow]'")

from tables_data import SEED_MODELS, fuzzed_payloads  # noqa: E402

import schemadrive  # noqa: E402
from schemadrive import ConfigurationError, validate_table  # noqa: E402
from schemadrive.testing import LocalHub  # noqa: E402

ROWS = 5_000  # per model: 10,000 in all


def as_rows(problems: list[schemadrive.Problem]) -> list[dict[str, Any]]:
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


def oracle(model: schemadrive.Model, payloads: list[Any], **options: Any) -> list[Any]:
    """(valid, problems) of each payload, by Model.validate."""
    out = []
    for payload in payloads:
        problems = model.validate(payload, **options)
        out.append((not any(p.severity == "error" for p in problems), as_rows(problems)))
    return out


def verdicts(table: Any) -> list[Any]:
    return list(
        zip(table.column("valid").to_pylist(), table.column("problems").to_pylist(), strict=True)
    )


@pytest.fixture(scope="module")
def served() -> Any:
    with LocalHub() as hub, schemadrive.Client(hub.api_key, base_url=hub.url, cache_dir=False) as c:
        yield hub, c


def test_fuzzed_json_rows_match_model_validate_row_by_row(served: Any) -> None:
    hub, client = served
    for model_id in SEED_MODELS:
        model = client.model(model_id)
        payloads = fuzzed_payloads(model.schema, ROWS)
        table = pa.table({"id": list(range(ROWS)), "payload": [json.dumps(p) for p in payloads]})
        out = validate_table(model, table, payload_column="payload")
        expected = oracle(model, payloads)
        assert verdicts(out) == expected
        assert 0.2 * ROWS < sum(valid for valid, _ in expected) < 0.8 * ROWS  # both kinds
        assert out.column("id").to_pylist() == list(range(ROWS))  # other columns pass through
        assert out.schema.field("valid").type == pa.bool_()
    models = [r for r in hub.requests if r.path.startswith("/api/ai/models/")]
    assert len(models) == len(SEED_MODELS)  # one fetch per model, however many rows


def test_parameter_columns_nulls_are_absent_parameters(served: Any) -> None:
    _, client = served
    model = client.model("ltx-2-3-pro")
    columns = {
        "prompt": ["a cat", None, "a kite", "a fox", "waves"],
        "duration": [6, 8, 11, None, 6],
        "resolution": ["1080p", "4k", None, "720P", "1080p"],
        "fps": [25, None, 30, 24, None],
    }
    rows = [
        {k: v[i] for k, v in columns.items() if v[i] is not None} for i in range(5)
    ]  # what a person means by each row
    out = validate_table(model, pa.table(columns))
    assert verdicts(out) == oracle(model, rows)
    assert out.column_names == [*columns, "valid", "problems"]
    assert out.column("valid").to_pylist()[0] is True and not all(out.column("valid").to_pylist())


def test_struct_payload_column_and_record_batches(served: Any) -> None:
    _, client = served
    model = client.model("ltx-2-3-pro")
    rows = [{"prompt": "a cat", "duration": 6}, {"duration": 99}, {"prompt": "x", "fps": 7}]
    batch = pa.RecordBatch.from_pydict({"payload": pa.array(rows), "n": [1, 2, 3]})
    out = validate_table(model, batch, payload_column="payload")
    assert isinstance(out, pa.RecordBatch)
    assert verdicts(out) == oracle(model, rows)


def test_fill_defaults_into_parameter_columns_and_json(served: Any) -> None:
    _, client = served
    model = client.model("ltx-2-3-pro")
    rows = [{"prompt": "a cat"}, {"prompt": "a dog", "duration": 8}, {"duration": 99}]
    table = pa.table({"prompt": ["a cat", "a dog", None], "duration": [None, 8, 99]})
    out = validate_table(model, table, fill_defaults=True)
    filled = [model.fill_defaults(row) for row in rows]
    assert verdicts(out) == oracle(model, filled)
    for index, expected in enumerate(filled):
        row = {k: v for k, v in out.slice(index, 1).to_pylist()[0].items() if v is not None}
        del row["valid"], row["problems"]
        assert row == expected
    text = pa.table({"payload": [json.dumps(r) for r in rows]})
    out = validate_table(model, text, payload_column="payload", fill_defaults=True)
    assert [json.loads(t) for t in out.column("payload").to_pylist()] == filled
    assert verdicts(out) == oracle(model, filled)


def test_a_bare_schema_is_judged_as_schemadrive_validate() -> None:
    schema = {
        "type": "object",
        "properties": {"n": {"type": "integer", "maximum": 3}, "s": {"enum": ["a", "b"]}},
        "required": ["n"],
    }
    rows = [{"n": 1}, {"n": 9, "s": "c"}, {"s": "a"}, {"n": 2, "other": True}, [1], None]
    out = validate_table(schema, pa.table({"p": [json.dumps(r) for r in rows]}), payload_column="p")
    expected = [schemadrive.validate(schema, row) for row in rows]
    assert out.column("problems").to_pylist() == [as_rows(p) for p in expected]


def test_unknown_warn_keeps_rows_valid_with_warnings(served: Any) -> None:
    _, client = served
    model = client.model("ltx-2-3-pro")
    rows = [{"prompt": "a", "promt": "b"}]
    out = validate_table(model, pa.table({"p": [json.dumps(rows[0])]}), payload_column="p",
                         unknown="warn")  # fmt: skip
    assert verdicts(out) == oracle(model, rows, unknown="warn")
    assert out.column("valid").to_pylist() == [True]
    assert out.column("problems").to_pylist()[0][0]["severity"] == "warning"


def test_text_that_is_not_json_is_a_failed_row(served: Any) -> None:
    _, client = served
    model = client.model("ltx-2-3-pro")
    out = validate_table(model, pa.table({"p": ['{"prompt": "a"}', "{oops"]}), payload_column="p")
    assert out.column("valid").to_pylist() == [True, False]
    (problem,) = out.column("problems").to_pylist()[1]
    assert problem["keyword"] == "json" and problem["path"] == "$"


@pytest.mark.parametrize(
    ("table", "options", "message"),
    [
        ({"valid": [True]}, {}, "already has a column named 'valid'"),
        ({"p": ["{}"]}, {"payload_column": "q"}, "no column 'q'"),
        ({"p": [1]}, {"payload_column": "p"}, "JSON text or structs"),
        ({"p": ["{}"]}, {"payload_column": "p", "unknown": "maybe"}, "unknown must be"),
    ],
)
def test_bad_input_is_a_configuration_error(
    served: Any, table: dict[str, Any], options: dict[str, Any], message: str
) -> None:
    model = served[1].model("ltx-2-3-pro")
    with pytest.raises(ConfigurationError, match=message):
        validate_table(model, pa.table(table), **options)


def test_not_a_table_or_not_a_schema_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="pyarrow Table or RecordBatch"):
        validate_table({"type": "object"}, [{"a": 1}])
    with pytest.raises(ConfigurationError, match="not int"):
        validate_table(42, pa.table({"a": [1]}))


def test_a_schema_file_is_read_once_and_judged_as_schemadrive_validate(tmp_path: Path) -> None:
    schema = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(schema))
    rows = [{"n": 1}, {"n": "1"}, {}]
    out = validate_table(path, pa.table({"p": [json.dumps(r) for r in rows]}), payload_column="p")
    expected = [as_rows(schemadrive.validate(schema, row)) for row in rows]
    assert out.column("problems").to_pylist() == expected
