"""``schemadrive lint`` and ``schemadrive diff`` end to end: files, directories, recorded
model ids (offline), output formats, exit codes, and one run of the installed script."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from schemadrive.cli import main
from schemadrive.hub.recorded import bundled_dir

OXEN = bundled_dir() / "oxen"
PRO_OLD = str(OXEN / "versions" / "ltx-2-3-pro@2026-06-26.json")
PRO_NEW = str(OXEN / "ltx-2-3-pro.json")
QUALITY_OLD = str(OXEN / "versions" / "ltx-2-3-quality-text-to-video@2026-06-26.json")
QUALITY_NEW = str(OXEN / "ltx-2-3-quality-text-to-video.json")
A2V_SERVED = str(OXEN / "versions" / "ltx-2-3-pro-audio-to-video@2026-06-26.json")


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def write(path: Path, document: Any) -> str:
    path.write_text(json.dumps(document), encoding="utf-8")
    return str(path)


# -- lint ----------------------------------------------------------------------------------------


def test_lint_text_reports_warnings_and_passes_by_default() -> None:
    code, out, err = cli("lint", A2V_SERVED, QUALITY_NEW)
    assert code == 0, err
    lines = out.splitlines()
    assert f"{A2V_SERVED}: warning: /properties/prompt: SD016 conditional-in-description: " in out
    assert f"{QUALITY_NEW}: warning: /properties/seed: SD026 null-in-description: " in out
    assert lines[-1] == "3 findings (0 errors, 3 warnings, 0 info) in 2 schemas"


def test_lint_fail_on_warning_and_disable() -> None:
    assert cli("lint", QUALITY_NEW, "--fail-on", "warning")[0] == 1
    code, out, _ = cli("lint", QUALITY_NEW, "--fail-on", "warning", "--disable", "SD026,SD016")
    assert code == 0 and out.strip() == "no findings in 1 schema"
    assert (
        cli("lint", QUALITY_NEW, "--fail-on", "warning", "--disable", "null-in-description")[0] == 0
    )


def test_lint_error_exits_1_and_json_output(tmp_path: Path) -> None:
    schema = {
        "type": "object",
        "properties": {"n": {"type": "integer", "enum": [1, 2], "default": 3}},
    }
    code, out, _ = cli("lint", write(tmp_path / "s.json", schema), "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert report["status"] == "fail" and report["counts"] == {"error": 1, "warning": 0, "info": 0}
    assert report["findings"][0]["code"] == "SD003"
    assert report["findings"][0]["path"] == "/properties/n/default"


def test_lint_github_annotations() -> None:
    code, out, _ = cli("lint", QUALITY_NEW, "--format", "github")
    assert code == 0
    assert out.startswith(f"::warning file={QUALITY_NEW},title=SD026 null-in-description::")


def test_lint_a_directory_skips_models_without_a_schema() -> None:
    code, out, err = cli("lint", str(OXEN))
    assert code == 0
    assert "claude-sonnet-4-6.json: the model publishes no request schema" in err
    assert out.splitlines()[-1].endswith("in 5 schemas")


def test_lint_a_recorded_model_id_offline() -> None:
    code, out, err = cli("--offline", "lint", "ltx-2-3-quality-image-to-video", "--format", "json")
    assert code == 0, err
    assert [f["code"] for f in json.loads(out)["findings"]] == ["SD026"]


def test_lint_list_rules() -> None:
    code, out, _ = cli("lint", "--list-rules")
    assert code == 0 and len(out.splitlines()) == 27
    assert out.splitlines()[15].startswith("SD016  warning  on   conditional-in-description")
    rules = json.loads(cli("lint", "--list-rules", "--format", "json")[1])
    assert {r["code"] for r in rules if not r["enabled"]} == {"SD015", "SD024", "SD025"}


@pytest.mark.parametrize(
    "argv",
    [
        ["lint", "missing.json"],
        ["lint", PRO_NEW, "--disable", "SD999"],
        ["lint"],
        ["lint", "/no/such"],
    ],
)
def test_lint_usage_and_unreadable_input_exit_2(argv: list[str]) -> None:
    code, _, err = cli(*argv)
    assert code == 2 and err


def test_lint_malformed_file_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    code, _, err = cli("lint", str(bad))
    assert code == 2 and "not valid JSON" in err


# -- diff ----------------------------------------------------------------------------------------


def test_diff_text_marks_breaking_changes() -> None:
    code, out, _ = cli("diff", PRO_OLD, PRO_NEW)
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == f"{PRO_OLD} -> {PRO_NEW}"
    assert lines[1].split() == ["breaking", "$.camera_motion", "parameter-removed:", "parameter",
                                "'camera_motion'", "removed"]  # fmt: skip
    assert "compatible" in lines[2] and "enum-value-added" in lines[2]
    assert lines[-1] == "3 changes, 1 breaking"


def test_diff_compatible_direction_exits_0() -> None:
    code, out, _ = cli("diff", QUALITY_NEW, QUALITY_OLD)
    assert code == 0
    assert out.splitlines()[-1] == "2 changes, 0 breaking"


def test_diff_quality_json() -> None:
    code, out, _ = cli("diff", QUALITY_OLD, QUALITY_NEW, "--format", "json")
    report = json.loads(out)
    assert code == 1 and report["breaking"] is True and report["payloads"] is None
    assert [(c["path"], c["kind"], c["breaking"]) for c in report["changes"]] == [
        ("$.resolution", "enum-added", True),
        ("$.negative_prompt", "default-changed", False),
    ]


def test_diff_model_against_recorded_baseline_offline() -> None:
    code, out, err = cli(
        "diff", "ltx-2-3-pro", "--against", PRO_OLD, "--format", "json", "--offline"
    )
    assert code == 1, err
    report = json.loads(out)
    assert report["old"] == PRO_OLD and report["new"] == "ltx-2-3-pro"
    assert [c["kind"] for c in report["changes"]] == [
        "parameter-removed",
        "enum-value-added",
        "enum-value-added",
    ]


def test_diff_payloads_jsonl_lists_the_ones_that_now_fail(tmp_path: Path) -> None:
    payloads = tmp_path / "payloads.jsonl"
    payloads.write_text(
        '{"prompt": "a cat", "camera_motion": "dolly_in"}\n\n{"prompt": "a dog", "duration": 3}\n',
        encoding="utf-8",
    )
    code, out, _ = cli("diff", PRO_OLD, PRO_NEW, "--payloads", str(payloads))
    assert code == 1
    assert f"payloads: 1 of 2 fail against {PRO_NEW}" in out
    assert (
        f"{payloads} line 1: $.camera_motion: 'camera_motion' is not a parameter of this model"
        in out
    )
    code, out, _ = cli("diff", PRO_OLD, PRO_NEW, "--payloads", str(payloads), "--format", "github")
    assert f"::error file={payloads},line=1,title=payload rejected by" in out


def test_diff_payloads_json_array_all_valid_exits_0(tmp_path: Path) -> None:
    path = write(tmp_path / "p.json", [{"prompt": "a"}, {"prompt": "b", "resolution": "square"}])
    code, out, _ = cli("diff", QUALITY_NEW, QUALITY_OLD, "--payloads", path, "--format", "json")
    assert code == 0
    assert json.loads(out)["payloads"] == {"file": path, "checked": 2, "failures": []}


@pytest.mark.parametrize(
    "argv",
    [
        ["diff", PRO_OLD],
        ["diff", PRO_OLD, PRO_NEW, "--against", PRO_OLD],
        ["diff", PRO_OLD, "missing.json"],
        ["diff", PRO_OLD, PRO_NEW, "--payloads", "missing.jsonl"],
    ],
)
def test_diff_usage_and_unreadable_input_exit_2(argv: list[str]) -> None:
    code, _, err = cli(*argv)
    assert code == 2 and err


def test_diff_malformed_payload_line_exits_2(tmp_path: Path) -> None:
    payloads = tmp_path / "p.jsonl"
    payloads.write_text('{"prompt": "a"}\n{oops\n', encoding="utf-8")
    code, _, err = cli("diff", PRO_OLD, PRO_NEW, "--payloads", str(payloads))
    assert code == 2 and ":2: not valid JSON" in err


# -- the installed script ------------------------------------------------------------------------


def test_installed_script_lints_a_fixture() -> None:
    script = Path(sys.executable).with_name("schemadrive")
    result = subprocess.run(
        [str(script), "lint", A2V_SERVED, "--fail-on", "warning"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert result.stdout.count("SD016 conditional-in-description") == 2
