"""The batch journal, input rows and the reconciliation of lost submits (pure, no hub)."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import pytest

from schemadrive.batches.history import CLOCK_SKEW, WINDOW, Pending, adopt
from schemadrive.batches.journal import Journal
from schemadrive.batches.rows import hash_payload, read_input
from schemadrive.schema.parameters import Parameter


def make(path: Path, rows: int = 3) -> Journal:
    journal = Journal(path / "journal.sqlite3")
    journal.initialise(
        {"model": "m"}, [(i, i + 1, f"line-{i + 1:04d}", f"h{i}", "0.5") for i in range(rows)]
    )
    return journal


def test_wal_mode_and_every_change_survives_a_reopen(tmp_path: Path) -> None:
    journal = make(tmp_path)
    journal.submitting(0)
    journal.submitting(1)
    journal.submitted(1, "gen-1")
    journal.succeeded(1, actual_cost="0.5")
    journal.downloaded(1, ["line-0002-gen-1.mp4"])
    journal.close()
    raw = sqlite3.connect(tmp_path / "journal.sqlite3")
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    raw.close()
    again = Journal(tmp_path / "journal.sqlite3")
    rows = again.rows()
    assert [r.state for r in rows] == ["submitting", "succeeded", "pending"]
    assert rows[0].generation_id is None and rows[0].submitting_at is not None
    assert rows[1].generation_id == "gen-1" and rows[1].files == ("line-0002-gen-1.mp4",)
    assert rows[1].actual_cost == "0.5" and rows[1].finished
    assert again.counts()["pending"] == 1
    assert again.meta() == {"model": "m"}
    again.close()


def test_a_new_intent_forgets_the_last_attempt(tmp_path: Path) -> None:
    journal = make(tmp_path, 1)
    journal.submitting(0)
    journal.submitted(0, "old")
    journal.set_state(0, "failed", error="boom")
    journal.submitting(0)
    row = journal.get(0)
    assert (row.state, row.generation_id, row.error, row.attempts) == ("submitting", None, None, 2)
    with pytest.raises(ValueError):
        journal.set_state(0, "exploded")
    journal.close()
    journal.set_state(0, "failed")  # after close: ignored, never an error in a late worker


def test_manifest_entry_names_everything_a_user_needs(tmp_path: Path) -> None:
    journal = make(tmp_path, 1)
    entry = journal.get(0).manifest_entry()
    assert set(entry) == {
        "line", "row", "generation_id", "status", "files", "estimated_cost", "actual_cost",
        "error",
    }  # fmt: skip
    assert entry["estimated_cost"] == "0.5" and entry["status"] == "pending"
    journal.close()


def test_rows_at_files_and_literal_at(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("prompt,input_image,duration\n@@me,@frames/first.png,3\n")
    parameters = [Parameter("prompt", "string"), Parameter("input_image", "string (uri)"),
                  Parameter("duration", "integer")]  # fmt: skip
    rows, problems, _ = read_input(source, parameters)
    assert problems == []
    payload = rows[0].payload
    assert payload["prompt"] == "@me"
    assert payload["input_image"] == (tmp_path / "frames" / "first.png").resolve()
    assert payload["duration"] == 3 and rows[0].line == 2


def test_csv_problems_carry_their_line(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text('prompt,duration\na,3\nb,"three"\nc\n')
    rows, problems, _ = read_input(source, [Parameter("duration", "integer")])
    assert [r.line for r in rows] == [2]
    assert [p.line for p in problems] == [3, 4]
    assert "expects an integer" in problems[0].message


def test_payload_hash_ignores_key_order() -> None:
    assert hash_payload({"a": 1, "b": 2}) == hash_payload({"b": 2, "a": 1})
    assert hash_payload({"a": 1}) != hash_payload({"a": 2})


def record(gid: str, prompt: str, at: float, model: str = "m") -> dict[str, object]:
    return {"generation_id": gid, "model_name": model, "prompt": prompt, "enqueued_at": at}


def test_adopt_matches_model_payload_and_time_window() -> None:
    records = [
        record("a", "cat", 1000), record("b", "dog", 1000), record("c", "cat", 1000, "other"),
        record("d", "cat", 1000 + WINDOW + 5), record("e", "cat", 1000 - CLOCK_SKEW - 5),
    ]  # fmt: skip
    found = adopt(records, "m", [Pending(0, {"prompt": "cat"}, 1000)], owned=set())
    assert found == {0: "a"}
    assert adopt(records, "m", [Pending(0, {"prompt": "cat"}, 1000)], owned={"a"}) == {}


def test_identical_payloads_are_adopted_only_when_the_count_matches() -> None:
    two = [record("a", "cat", 1000), record("b", "cat", 1001)]
    rows = [Pending(0, {"prompt": "cat"}, 999), Pending(1, {"prompt": "cat"}, 1000.5)]
    assert adopt(two, "m", rows, owned=set()) == {0: "a", 1: "b"}
    assert adopt(two[:1], "m", rows, owned=set()) == {}  # which row owns it? undecided
    gmi = [{"request_id": "r", "model": "m", "payload": {"prompt": "cat"}, "created_at": 1000}]
    assert adopt(gmi, "m", rows[:1], owned=set()) == {0: "r"}


def test_progress_line_shows_done_failed_in_flight_spent_and_eta() -> None:
    from decimal import Decimal

    from schemadrive.batches import Progress
    from schemadrive.cli.batch import line

    progress = Progress(total=10, succeeded=4, failed=1, in_flight=3, spent=Decimal("1.28"))
    progress.started, progress.finished_this_run = 0.0, 5
    text = line(progress)
    assert text.startswith("[##########..........] 4/10 done")
    assert "1 failed" in text and "3 in flight" in text and "1.28 USD spent" in text
    assert progress.eta(now=50.0) == 50.0  # 5 rows in 50 s, 5 to go


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_live_line_is_drawn_on_a_terminal_and_plain_lines_otherwise(tmp_path: Path) -> None:
    from decimal import Decimal

    from schemadrive.batches import Progress
    from schemadrive.cli._context import Context
    from schemadrive.cli.batch import Display

    journal = make(tmp_path, 1)
    journal.set_state(0, "failed", error="boom")
    row = journal.get(0)
    journal.close()
    progress = Progress(total=1, failed=1, spent=Decimal(0), last=row)
    live = Context(stdout=io.StringIO(), stderr=_Terminal())
    Display(live).update(progress)
    assert live.stderr.getvalue().startswith("\r\x1b[K[")
    plain = Context(stdout=io.StringIO(), stderr=io.StringIO())
    display = Display(plain)
    display.update(progress)
    display.update(progress)  # a row is reported once
    assert plain.stderr.getvalue() == "line 1: failed: boom\n"
