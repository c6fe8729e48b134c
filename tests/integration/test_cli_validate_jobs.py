"""``schemadrive validate --jsonl --jobs N``: the report of one process, byte for byte.

The command runs as a user runs it (the installed console script, in a subprocess), on a JSON
Lines file larger than one block of schemadrive.schema.batch (1 MiB), so that with ``--jobs 2``
worker processes really check parts of the file, with invalid, malformed and blank lines in
every part; stdin is read by the parent and checked by the workers whatever its size.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from schemadrive.cli import main
from schemadrive.schema.batch import CHUNK_BYTES

MODEL = "ltx-2-3-pro"
LINES = 20_000


def command() -> list[str]:
    installed = Path(sys.executable).with_name("schemadrive")
    return [str(installed)] if installed.exists() else [sys.executable, "-m", "schemadrive"]


def validate(*argv: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [*command(), "--offline", "validate", MODEL, *argv],
        input=stdin, capture_output=True, env=dict(os.environ), timeout=120,
    )  # fmt: skip


def kind(number: int) -> str:
    """What line ``number`` of the generated file holds."""
    if number % 997 == 0:
        return "blank"
    if number % 541 == 0:
        return "malformed"
    if number % 103 == 0:
        return "invalid"  # a duration outside its enum
    if number % 257 == 0:
        return "unknown"  # an undeclared parameter: an error, or a warning with --unknown warn
    return "valid"


def line_text(number: int) -> str:
    padding = "x" * (number % 150)  # lines of uneven length: problems fall on block edges too
    return {
        "blank": " " * (number % 3),
        "malformed": f'{{"prompt": "cut short at line {number}", "duration": ',
        "invalid": json.dumps({"prompt": f"line {number}", "duration": 12}),
        "unknown": json.dumps({"prompt": f"line {number}", "seeed": number}),
        "valid": json.dumps({"prompt": f"line {number} {padding}", "duration": 1 + number % 10}),
    }[kind(number)]


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """LINES lines (about 2 MiB: two blocks and a part) in a .jsonl file."""
    path = tmp_path_factory.mktemp("jobs") / "big.jsonl"
    path.write_text("".join(line_text(n) + "\n" for n in range(1, LINES + 1)))
    assert path.stat().st_size > 2 * CHUNK_BYTES
    return path


def numbers(*kinds: str) -> list[int]:
    return [n for n in range(1, LINES + 1) if kind(n) in kinds]


@pytest.mark.parametrize(
    "options",
    [
        [],
        ["--format", "json"],
        ["--format", "github"],
        ["--fill-defaults"],
        ["--format", "json", "--fill-defaults", "--unknown", "warn"],
    ],
    ids=lambda options: " ".join(options) or "text",
)
def test_jobs_2_prints_what_jobs_1_prints(big: Path, options: list[str]) -> None:
    one = validate(str(big), *options, "--jobs", "1")
    two = validate(str(big), *options, "--jobs", "2")
    assert one.returncode == 1, one.stderr[-2000:]
    assert (two.returncode, two.stdout, two.stderr) == (one.returncode, one.stdout, one.stderr)
    assert len(one.stdout) + len(one.stderr) > 10_000  # a real report, not an empty one


def test_stdin_with_jobs_2_is_the_same_as_with_one_process(big: Path) -> None:
    data = big.read_bytes()
    for options in ([], ["--format", "json", "--fill-defaults"]):
        one = validate("--jsonl", *options, stdin=data)
        two = validate("--jsonl", "--jobs", "2", *options, stdin=data)
        assert one.returncode == 1, one.stderr[-2000:]
        assert (two.returncode, two.stdout, two.stderr) == (one.returncode, one.stdout, one.stderr)
    from_file = validate(str(big), "--jobs", "2").stdout.decode()
    from_stdin = validate("--jsonl", "--jobs", "2", stdin=data).stdout.decode()
    assert from_stdin == from_file.replace(str(big), "<stdin>")


def test_large_file_streams_with_the_right_counts_and_lines(big: Path) -> None:
    """Every non-blank line gets one record, in order; problems name their own line."""
    done = validate(str(big), "--format", "json", "--jobs", "2")
    assert done.returncode == 1, done.stderr[-2000:]
    records = [json.loads(line) for line in done.stdout.splitlines()]
    summary = records.pop()["summary"]
    bad = numbers("malformed", "invalid", "unknown")
    assert summary == {
        "checked": LINES - len(numbers("blank")),
        "valid": LINES - len(numbers("blank")) - len(bad),
        "invalid": len(bad),
        "malformed": len(numbers("malformed")),
        "problems": len(bad),
        "warnings": 0,
        "unreadable": 0,
        "files": 1,
    }
    assert [r["line"] for r in records] == numbers("valid", "malformed", "invalid", "unknown")
    assert [r["line"] for r in records if not r["valid"]] == bad
    assert all(r["problems"][0]["line"] == r["line"] for r in records if r["problems"])
    keywords = {r["line"]: r["problems"][0]["keyword"] for r in records if r["problems"]}
    assert {keywords[n] for n in numbers("malformed")} == {"json"}
    assert {keywords[n] for n in numbers("invalid")} == {"enum"}

    text = validate(str(big), "--jobs", "2", "--unknown", "warn").stdout.decode().splitlines()
    assert [int(line.split(":")[1]) for line in text[:-1]] == numbers(
        "malformed", "invalid", "unknown"
    )
    errors = len(numbers("malformed", "invalid"))
    warnings = len(numbers("unknown"))
    checked = LINES - len(numbers("blank"))
    assert text[-1] == (
        f"{errors} of {checked} payloads invalid ({errors} problems), {warnings} warnings ({MODEL})"
    )


def test_several_inputs_and_an_unreadable_one(big: Path, tmp_path: Path) -> None:
    argv = [str(big), str(tmp_path / "missing.jsonl"), str(big)]
    one = validate(*argv, "--format", "json")
    two = validate(*argv, "--format", "json", "--jobs", "2")
    assert one.returncode == 2
    assert (two.returncode, two.stdout, two.stderr) == (one.returncode, one.stdout, one.stderr)
    summary = json.loads(two.stdout.splitlines()[-1])["summary"]
    assert (summary["files"], summary["unreadable"]) == (2, 1)
    assert summary["checked"] == 2 * (LINES - len(numbers("blank")))


def run_in_process(*argv: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    saved = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin.encode()), encoding="utf-8")
    try:
        code = main(["--offline", "validate", MODEL, *argv], stdout=out, stderr=err)
    finally:
        sys.stdin = saved
    return code, out.getvalue(), err.getvalue()


def test_jobs_0_is_one_per_cpu_and_bad_values_are_usage_errors(tmp_path: Path) -> None:
    path = tmp_path / "few.jsonl"
    path.write_text("\n".join(line_text(n) for n in (1, 103, 541, 997, 2)) + "\n")
    expected = run_in_process(str(path))
    assert expected[0] == 1 and "2 of 4 payloads invalid" in expected[1]
    assert run_in_process(str(path), "--jobs", "0") == expected
    from_stdin = run_in_process("--jobs", "2", "--jsonl", stdin=path.read_text())
    assert from_stdin[1] == expected[1].replace(str(path), "<stdin>")
    for bad in ("-1", "two", "1.5"):
        code, _, err = run_in_process(str(path), "--jobs", bad)
        assert code == 2 and "expected a number of processes" in err, err


#: Lines at the edges of JSON Lines: each is judged as json.loads judges its bytes.
EDGE_LINES = [
    b'{"prompt": "plain"}',
    b'  {"prompt": "space first"}',
    b'{"prompt": "space after"}  \r',
    b'{"prompt": "a"} {"prompt": "b"}',
    b'\xef\xbb\xbf{"prompt": "byte order mark"}',
    b"\xc2\xa0",  # a no-break space alone: not blank, not JSON
    b"\x1c",  # str.strip() removes it, bytes.strip() does not: not blank
    b" \t\x0c",  # blank
    b"[" * 100_000 + b"]" * 100_000,  # too deep to parse
    b'{"prompt": "x", "duration": NaN}',
    b"1" * 5000,  # more digits than int() takes
    b'{"prompt": "\\u00e9t\\u00e9", "duration": 3}',
    b'{"prompt": "cut short"',
]


def not_json(raw: bytes) -> bool:
    try:
        json.loads(raw)
    except (ValueError, RecursionError):
        return bool(raw.strip())
    return False


@pytest.mark.parametrize("encoding", ["utf-8", "latin-1 line"])
def test_edge_lines_are_judged_as_json_loads_judges_their_bytes(
    tmp_path: Path, encoding: str
) -> None:
    lines = EDGE_LINES + ([b'{"prompt": "caf\xe9"}'] if encoding != "utf-8" else [])
    path = tmp_path / "edge.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    expected = [n for n, raw in enumerate(lines, 1) if not_json(raw)]
    blank = [n for n, raw in enumerate(lines, 1) if not raw.strip()]
    data = path.read_bytes()
    reports = [
        validate(str(path), "--format", "json"),
        validate("--jsonl", "--format", "json", stdin=data),
        validate("--jsonl", "--format", "json", "--jobs", "2", stdin=data),
    ]
    for done in reports:
        records = [json.loads(line) for line in done.stdout.splitlines()]
        summary = records.pop()["summary"]
        keywords = {r["line"]: [p["keyword"] for p in r["problems"]] for r in records}
        assert [n for n, found in keywords.items() if found == ["json"]] == expected
        assert list(keywords) == [n for n in range(1, len(lines) + 1) if n not in blank]
        assert summary["malformed"] == len(expected)
    assert reports[1].stdout == reports[2].stdout
