"""Batches against LocalHub: validation and budget before anything is sent, the journal, the
resume, interruption, retries, CSV input, GMI Cloud (docs/batches.md)."""

from __future__ import annotations

import _thread
import io
import json
import signal
import threading
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from schemadrive import Client
from schemadrive.batches import (
    BatchInterrupted,
    BatchInvalid,
    InputChanged,
    OverBudget,
    Progress,
)
from schemadrive.cli import main
from schemadrive.testing import LocalHub

MODEL = "ltx-2-3-pro"


def write_jsonl(path: Path, payloads: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(p) + "\n" for p in payloads))
    return path


def posts(hub: LocalHub) -> int:
    return sum(1 for r in hub.requests if r.method == "POST")


def cli(hub: LocalHub, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["--base-url", hub.url, *args], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def client(hub: LocalHub, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    monkeypatch.setenv("OXEN_API_KEY", hub.api_key)
    monkeypatch.setenv("SCHEMADRIVE_CACHE_DIR", str(tmp_path / "cache"))
    with Client(hub.api_key, base_url=hub.url, cache_dir=False) as made:
        yield made


def test_every_invalid_row_is_reported_with_its_line_and_nothing_is_sent(
    hub: LocalHub, client: Client, tmp_path: Path
) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(
        '{"prompt": "ok"}\n{"prompt": "a", "fps": 30}\n\nnot json\n{"duration": 99}\n'
    )
    code, _, err = cli(hub, "batch", MODEL, str(source), "--out", str(tmp_path / "out"))
    assert code == 1
    assert "line 2: $.fps" in err
    assert "line 4: not valid JSON" in err
    assert "line 5: $.duration" in err and "line 5: $.prompt" in err
    assert "  line 1:" not in err
    assert posts(hub) == 0
    with pytest.raises(BatchInvalid) as caught:
        client.batch(MODEL, source, out=tmp_path / "out")
    assert {p.line for p in caught.value.problems} == {2, 4, 5}
    assert posts(hub) == 0


def test_over_budget_or_unknown_with_a_budget_is_refused_before_sending(
    hub: LocalHub, client: Client, tmp_path: Path
) -> None:
    # 3 rows x 5 s x 0.16 USD/s (generate_audio defaults to true) = 2.40 USD
    source = write_jsonl(
        tmp_path / "in.jsonl", [{"prompt": f"p{i}", "duration": 5} for i in range(3)]
    )
    with pytest.raises(OverBudget) as caught:
        client.batch(MODEL, source, out=tmp_path / "out", budget="2.39")
    assert caught.value.estimate.amount == Decimal("2.4")
    code, _, err = cli(
        hub, "batch", MODEL, str(source), "--out", str(tmp_path / "o"), "--budget", "1"
    )
    assert code == 1 and "over the budget" in err
    unknown = write_jsonl(
        tmp_path / "audio.jsonl", [{"prompt": "x", "input_audio": "https://example.com/a.mp3"}]
    )
    with pytest.raises(OverBudget, match="cannot be estimated"):
        client.batch("ltx-2-3-pro-audio-to-video", unknown, out=tmp_path / "o2", budget=100)
    assert posts(hub) == 0
    assert not (tmp_path / "out").exists()


def test_dry_run_prints_the_plan_and_sends_nothing(
    hub: LocalHub, client: Client, tmp_path: Path
) -> None:
    source = write_jsonl(
        tmp_path / "in.jsonl", [{"prompt": "a", "duration": 5, "generate_audio": False}]
    )
    code, out, _ = cli(hub, "batch", MODEL, str(source), "--out", str(tmp_path / "o"), "--dry-run")
    assert code == 0
    assert "line 1: 0.6 USD" in out and "estimate: 0.6 USD" in out
    assert posts(hub) == 0 and not (tmp_path / "o").exists()


def test_a_batch_saves_outputs_manifest_and_actual_cost(
    hub: LocalHub, client: Client, tmp_path: Path
) -> None:
    source = write_jsonl(
        tmp_path / "in.jsonl", [{"prompt": f"p{i}", "duration": 2} for i in range(5)]
    )
    report = client.batch(MODEL, source, out=tmp_path / "out", concurrency=2)
    assert report.ok and report.counts["succeeded"] == 5
    entries = [json.loads(line) for line in report.manifest.read_text().splitlines()]
    assert [e["line"] for e in sorted(entries, key=lambda e: e["line"])] == [1, 2, 3, 4, 5]
    for entry in entries:
        job = hub.job(entry["generation_id"])
        assert job.params["prompt"] == f"p{entry['line'] - 1}"
        assert entry["files"] == [f"line-{entry['line']:04d}-{job.id}.mp4"]
        assert (tmp_path / "out" / entry["files"][0]).stat().st_size > 0
        assert Decimal(entry["actual_cost"]) == Decimal(job.cost)
        assert entry["estimated_cost"] == "0.32"
    assert report.spent == sum(Decimal(hub.job(e["generation_id"]).cost) for e in entries)
    history = [r for r in hub.requests if r.path.startswith("/api/ai/generations")]
    assert len(history) == 1  # the costs of all five rows in one look at the history
    # the same command again: nothing to do, nothing sent
    before = posts(hub)
    again = client.batch(MODEL, source, out=tmp_path / "out")
    assert again.ok and posts(hub) == before


def test_the_manifest_is_current_as_rows_finish(
    hub: LocalHub, client: Client, tmp_path: Path
) -> None:
    source = write_jsonl(
        tmp_path / "in.jsonl", [{"prompt": f"p{i}", "duration": 1} for i in range(4)]
    )
    seen: list[tuple[int, set[int]]] = []

    def on_progress(progress: Progress) -> None:
        row = progress.last
        if row is not None and row.finished:
            lines = (tmp_path / "out" / "manifest.jsonl").read_text().splitlines()
            seen.append((row.line, {json.loads(line)["line"] for line in lines}))

    client.batch(MODEL, source, out=tmp_path / "out", concurrency=1, on_progress=on_progress)
    assert [line for line, _ in seen] == [1, 2, 3, 4]
    assert all(line in listed for line, listed in seen)


def test_a_changed_input_is_refused(hub: LocalHub, client: Client, tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", [{"prompt": "a", "duration": 1}])
    client.batch(MODEL, source, out=tmp_path / "out")
    write_jsonl(source, [{"prompt": "b", "duration": 1}])
    with pytest.raises(InputChanged, match="input changed"):
        client.batch(MODEL, source, out=tmp_path / "out")
    code, _, err = cli(hub, "batch", MODEL, str(source), "--out", str(tmp_path / "out"))
    assert code == 2 and "input changed" in err


def test_csv_cells_are_typed_by_the_schema(hub: LocalHub, client: Client, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text('prompt,duration,generate_audio\n"a cat, sleeping",3,false\n@@handle,4,\n')
    report = client.batch(MODEL, source, out=tmp_path / "out")
    assert report.ok
    params = sorted((job.params for job in hub.jobs.values()), key=lambda p: p["duration"])
    assert params[0]["prompt"] == "a cat, sleeping"
    assert params[0]["duration"] == 3 and params[0]["generate_audio"] is False
    assert params[1]["prompt"] == "@handle" and params[1]["generate_audio"] is True
    assert sorted(r.line for r in report.rows) == [2, 3]


def test_failed_rows_are_kept_and_retried_only_when_asked(
    hub: LocalHub, client: Client, tmp_path: Path
) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", [{"prompt": "a", "duration": 1}])
    hub.fail_next("Insufficient credits")
    code, out, err = cli(hub, "batch", MODEL, str(source), "--out", str(tmp_path / "out"))
    assert code == 1 and "1 failed" in out
    entry = json.loads((tmp_path / "out" / "manifest.jsonl").read_text())
    assert entry["status"] == "failed" and entry["error"] == "Insufficient credits"
    assert cli(hub, "batch", MODEL, str(source), "--out", str(tmp_path / "out"))[0] == 1
    assert len(hub.jobs) == 1  # not resubmitted by a plain resume
    code, out, _ = cli(
        hub, "batch", MODEL, str(source), "--out", str(tmp_path / "out"), "--retry-failed"
    )
    assert code == 0 and "1 succeeded" in out and len(hub.jobs) == 2


def test_rate_limited_submits_are_retried_after_retry_after(
    hub: LocalHub, client: Client, tmp_path: Path
) -> None:
    source = write_jsonl(
        tmp_path / "in.jsonl", [{"prompt": f"p{i}", "duration": 1} for i in range(3)]
    )
    hub.faults.rate_limit(method="POST", path="/api/ai/queue", retry_after=0, times=2)
    report = client.batch(MODEL, source, out=tmp_path / "out")
    assert report.ok and len(hub.jobs) == 3


def interrupt_when(in_flight: int) -> Any:
    """An on_progress that raises KeyboardInterrupt in the main thread (as Ctrl-C does) once
    ``in_flight`` jobs are in flight."""
    fired = threading.Event()

    def on_progress(progress: Progress) -> None:
        if progress.in_flight >= in_flight and not fired.is_set():
            fired.set()
            _thread.interrupt_main()

    return on_progress


@pytest.fixture
def ctrl_c() -> Iterator[None]:
    """Ctrl-C raises KeyboardInterrupt here whatever this process inherited: a shell's
    background job starts with SIGINT ignored, and interrupt_main() then does nothing."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


@pytest.mark.parametrize("cancel", [False, True])
@pytest.mark.usefixtures("ctrl_c")
def test_interrupt_leaves_a_consistent_journal_and_resume_collects(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cancel: bool
) -> None:
    source = write_jsonl(
        tmp_path / "in.jsonl", [{"prompt": f"p{i}", "duration": 1} for i in range(3)]
    )
    with (
        LocalHub(clock="manual", job_seconds=10) as hub,
        Client(hub.api_key, base_url=hub.url, cache_dir=False) as client,
    ):
        client.dispatcher.settings.poll_interval = 0.05
        with pytest.raises(BatchInterrupted) as caught:
            client.batch(
                MODEL, source, out=tmp_path / "out", concurrency=3,
                cancel_on_interrupt=cancel, on_progress=interrupt_when(3),
            )  # fmt: skip
        report = caught.value.report
        assert report.interrupted
        ids = {row.generation_id for row in report.rows}
        assert ids == set(hub.jobs) and len(ids) == 3
        expected = "cancelled" if cancel else "queued"
        assert {row.state for row in report.rows} == {expected}
        assert {job.status for job in hub.jobs.values()} == {expected}
        if cancel:
            return
        hub.finish_all()
        resumed = client.batch(MODEL, source, out=tmp_path / "out")
    assert resumed.ok
    assert len(hub.jobs) == 3  # collected, not resubmitted


def test_gmicloud_through_the_same_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = write_jsonl(
        tmp_path / "in.jsonl",
        [{"audio_uri": f"https://example.com/{i}.mp3", "prompt": f"p{i}"} for i in range(3)],
    )
    with LocalHub(provider="gmicloud", job_seconds=0.05) as hub:
        monkeypatch.setenv("GMI_API_KEY", hub.api_key)
        monkeypatch.setenv("SCHEMADRIVE_CACHE_DIR", str(tmp_path / "cache"))
        code, out, err = cli(
            hub, "--provider", "gmicloud", "batch", "ltx-2-pro-audio-to-video", str(source),
            "--out", str(tmp_path / "out"),
        )  # fmt: skip
        assert code == 0, err
        assert "3 succeeded" in out and "estimate unknown" in out
        assert len(hub.jobs) == 3
        assert len(list((tmp_path / "out").glob("line-*"))) == 3


def test_at_file_cells_are_read_relative_to_the_input(
    hub: LocalHub, client: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from schemadrive.testing.media import png_bytes

    folder = tmp_path / "shots"
    (folder / "frames").mkdir(parents=True)
    frames = {name: png_bytes(seed=name) for name in ("a", "b")}
    for name, data in frames.items():
        (folder / "frames" / f"{name}.png").write_bytes(data)
    source = folder / "in.csv"
    source.write_text(
        "prompt,input_image,duration\nfirst,@frames/a.png,1\nsecond,@frames/b.png,1\n"
    )
    monkeypatch.chdir(tmp_path)  # not the INPUT's directory
    report = client.batch(MODEL, source, out=tmp_path / "out")
    assert report.ok
    received = {hub.job(f.generation_id).params["prompt"]: f for f in hub.received_files}
    assert received["first"].data == frames["a"] and received["second"].data == frames["b"]
    assert all(f.parameter == "input_image" for f in received.values())
    manifest = (tmp_path / "out" / "manifest.jsonl").read_text()
    assert "base64" not in manifest  # the journal and manifest never hold a blob


def test_a_hub_error_stops_the_batch_with_the_resume_command(
    hub: LocalHub, client: Client, tmp_path: Path
) -> None:
    source = write_jsonl(
        tmp_path / "in.jsonl", [{"prompt": f"p{i}", "duration": 1} for i in range(3)]
    )
    hub.faults.add(method="POST", path="/api/ai/queue", status=401, times=None)
    code, _, err = cli(hub, "batch", MODEL, str(source), "--out", str(tmp_path / "out"))
    assert code == 3
    assert "resume with" in err and "batch ltx-2-3-pro" in err
    assert len(hub.jobs) == 0
    hub.faults.clear()
    code, out, _ = cli(hub, "batch", MODEL, str(source), "--out", str(tmp_path / "out"))
    assert code == 0 and "3 succeeded" in out and len(hub.jobs) == 3


def test_via_events_on_a_hub_without_a_stream_is_refused_before_sending(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", [{"audio_uri": "https://e.com/a.mp3"}])
    with LocalHub(provider="gmicloud", clock="manual") as hub:
        monkeypatch.setenv("GMI_API_KEY", hub.api_key)
        monkeypatch.setenv("SCHEMADRIVE_CACHE_DIR", str(tmp_path / "cache"))
        code, _, err = cli(
            hub, "--provider", "gmicloud", "batch", "ltx-2-pro-audio-to-video", str(source),
            "--out", str(tmp_path / "out"), "--via", "events",
        )  # fmt: skip
        assert code == 2 and "no event stream" in err
        assert posts(hub) == 0


def test_a_lost_reply_is_uncertain_then_adopted_never_paid_twice(
    hub: LocalHub, client: Client, tmp_path: Path
) -> None:
    source = write_jsonl(
        tmp_path / "in.jsonl", [{"prompt": f"p{i}", "duration": 1} for i in range(3)]
    )
    hub.faults.reset_after(method="POST", path="/api/ai/queue", times=1)  # job made, reply lost
    first = client.batch(MODEL, source, out=tmp_path / "out", concurrency=1)
    assert first.counts["uncertain"] == 1 and first.counts["succeeded"] == 2
    assert len(hub.jobs) == 3  # the hub did create the uncertain row's job
    second = client.batch(MODEL, source, out=tmp_path / "out")
    assert second.ok
    assert len(hub.jobs) == 3  # adopted from the hub's history, not submitted again
    assert {row.generation_id for row in second.rows} == set(hub.jobs)


def test_a_failed_download_is_retried_by_the_resume(
    hub: LocalHub, client: Client, tmp_path: Path
) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", [{"prompt": "a", "duration": 1}])
    hub.faults.add(method="GET", path="/api/repos/*", status=404, times=1)
    first = client.batch(MODEL, source, out=tmp_path / "out")
    assert not first.ok
    row = first.rows[0]
    assert row.state == "succeeded" and row.files is None and "download failed" in (row.error or "")
    second = client.batch(MODEL, source, out=tmp_path / "out")
    assert second.ok and len(hub.jobs) == 1
    assert (tmp_path / "out" / second.rows[0].files[0]).stat().st_size > 0  # type: ignore[index]


def test_gmicloud_lost_reply_is_adopted_from_the_request_list(tmp_path: Path) -> None:
    source = write_jsonl(
        tmp_path / "in.jsonl",
        [{"audio_uri": f"https://example.com/{i}.mp3", "prompt": f"p{i}"} for i in range(2)],
    )
    with (
        LocalHub(provider="gmicloud", job_seconds=0.05) as hub,
        Client(hub.api_key, base_url=hub.url, provider="gmicloud", cache_dir=False) as client,
    ):
        hub.faults.reset_after(method="POST", path="*/requests", times=1)
        first = client.batch(
            "ltx-2-pro-audio-to-video", source, out=tmp_path / "out", concurrency=1
        )
        assert first.counts["uncertain"] == 1 and len(hub.jobs) == 2
        second = client.batch("ltx-2-pro-audio-to-video", source, out=tmp_path / "out")
        assert second.ok and len(hub.jobs) == 2


def test_a_file_gone_after_validation_fails_its_row_and_sends_nothing(
    hub: LocalHub, client: Client, tmp_path: Path
) -> None:
    from schemadrive.batches import plan_batch, run_batch
    from schemadrive.testing.media import png_bytes

    (tmp_path / "a.png").write_bytes(png_bytes())
    source = tmp_path / "in.csv"
    source.write_text("prompt,input_image,duration\nfirst,@a.png,1\n")
    plan = plan_batch(client, MODEL, source)
    (tmp_path / "a.png").unlink()  # between validation and the submit
    report = run_batch(client, plan, tmp_path / "out")
    assert report.counts["failed"] == 1 and "a.png" in (report.rows[0].error or "")
    assert posts(hub) == 0
