"""Validation at scale stays optional: ``import schemadrive`` (and the CLI's help) import none of
pyarrow, pyspark, dask or pandas; without pyarrow, validate_table says which extra to install;
the Target shipped to workers pickles with the standard library and judges as Model.validate."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys

import pytest

import schemadrive
from schemadrive.tables.target import Target, checker_for, target_for

ENGINES = ("pyarrow", "pyspark", "py4j", "dask", "distributed", "pandas", "numpy")

SCRIPT = """
import io, json, sys
import schemadrive, schemadrive.spark, schemadrive.dask, schemadrive.tables
from schemadrive.cli import main
for argv in (["--help"], ["validate", "--help"]):
    sys.stdout, real = io.StringIO(), sys.stdout  # argparse prints help to sys.stdout
    try:
        main(argv, stdout=sys.stdout, stderr=io.StringIO())
    finally:
        sys.stdout = real
print(json.dumps(sorted(sys.modules)))
"""


def test_no_engine_is_imported_until_used() -> None:
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    loaded = json.loads(out.splitlines()[-1])
    assert sorted(m for m in loaded if m.split(".")[0] in ENGINES) == []


def test_without_pyarrow_validate_table_names_the_extra() -> None:
    code = (
        "import sys; sys.modules['pyarrow'] = None\n"
        "import schemadrive\n"
        "try:\n"
        "    schemadrive.validate_table({'type': 'object'}, None)\n"
        "except schemadrive.ConfigurationError as exc:\n"
        "    print(exc)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    assert "pip install 'schemadrive[arrow]'" in out


def test_a_target_pickles_and_judges_as_model_validate() -> None:
    with schemadrive.Client(offline=True, cache_dir=False) as client:
        model = client.model("ltx-2-3-pro")
    target = pickle.loads(pickle.dumps(target_for(model)))
    assert (target.kind, target.model_id, target.provider) == ("model", "ltx-2-3-pro", "oxen")
    assert target.info == model.info  # the model object: the worker rebuilds the Model from it
    checker = checker_for(target)
    assert checker_for(pickle.loads(pickle.dumps(target))) is checker  # compiled once
    for payload in ({"prompt": "a", "model": "x"}, {"duration": "6", "promt": 1}, [1], None):
        assert checker.validate(payload, None) == model.validate(payload)
        assert checker.validate(payload, "warn") == model.validate(payload, unknown="warn")


def test_what_a_table_is_checked_against() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "integer"}}}
    assert target_for(schema) == Target(schema, "schema")
    with pytest.raises(schemadrive.ConfigurationError, match="not list"):
        target_for([schema])
