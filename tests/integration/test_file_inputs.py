"""Local files as inputs, end to end against LocalHub: from Python and from ``schemadrive run
key=@path``, the hub receives exactly the files' bytes; an uploader's URL is sent instead; and
every refusal happens before anything is sent."""

from __future__ import annotations

import base64
import io
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import pytest
import requests

import schemadrive
from schemadrive.cli import main
from schemadrive.media import FileInputError, FileTooLarge
from schemadrive.testing import LocalHub
from schemadrive.testing.inputs import mp3_bytes
from schemadrive.testing.media import png_bytes

MODEL = "ltx-2-3-pro-audio-to-video"
PATIENCE = 10.0


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """A 2-second MP3 and a PNG first frame, written by the test."""
    (tmp_path / "song.mp3").write_bytes(mp3_bytes(2.0))
    (tmp_path / "first.png").write_bytes(png_bytes(seed="first frame"))
    return {"mp3": tmp_path / "song.mp3", "png": tmp_path / "first.png"}


@pytest.fixture
def hub() -> Iterator[LocalHub]:
    with LocalHub(job_seconds=0.05) as running:
        yield running


def client_for(hub: LocalHub, **options: Any) -> schemadrive.Client:
    return schemadrive.Client(hub.api_key, base_url=hub.url, cache_dir=False, **options)


def received(hub: LocalHub, generation_id: str) -> dict[str, tuple[str, bytes]]:
    return {
        f.parameter: (f.media_type, f.data)
        for f in hub.received_files
        if f.generation_id == generation_id
    }


def generation_posts(hub: LocalHub) -> list[Any]:
    return [r for r in hub.requests if r.method == "POST"]


def test_python_submit_sends_exactly_the_files_bytes(hub: LocalHub, files: dict[str, Path]) -> None:
    with client_for(hub) as client:
        job = client.submit(
            MODEL, prompt="a dancer", input_audio=files["mp3"], input_image=files["png"]
        )
        result = job.wait(timeout=PATIENCE)
    assert result.urls
    assert received(hub, job.id) == {
        "input_audio": ("audio/mpeg", files["mp3"].read_bytes()),
        "input_image": ("image/png", files["png"].read_bytes()),
    }
    (post,) = generation_posts(hub)
    sent = post.body["input_audio"]
    assert sent == "data:audio/mpeg;base64," + base64.b64encode(files["mp3"].read_bytes()).decode()


def test_python_sync_run_with_bytes_and_an_open_file(hub: LocalHub, files: dict[str, Path]) -> None:
    with client_for(hub) as client, files["png"].open("rb") as image:
        result = client.run(MODEL, prompt="a dancer", input_audio=mp3_bytes(3.0), input_image=image)
    assert result.urls
    (job_id,) = hub.jobs
    assert received(hub, job_id) == {
        "input_audio": ("audio/mpeg", mp3_bytes(3.0)),
        "input_image": ("image/png", files["png"].read_bytes()),
    }


def test_cli_run_with_at_paths(
    hub: LocalHub, files: dict[str, Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("OXEN_API_KEY", hub.api_key)
    monkeypatch.setenv("SCHEMADRIVE_BASE_URL", hub.url)
    monkeypatch.setenv("SCHEMADRIVE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(files["mp3"].parent)
    out, err = io.StringIO(), io.StringIO()
    argv = ["run", MODEL, "input_audio=@song.mp3", "input_image=@first.png", "prompt=@@home"]
    code = main(argv, stdout=out, stderr=err)
    assert code == 0, err.getvalue()
    (job_id,) = hub.jobs
    assert out.getvalue().splitlines()[0] == job_id
    assert received(hub, job_id) == {
        "input_audio": ("audio/mpeg", files["mp3"].read_bytes()),
        "input_image": ("image/png", files["png"].read_bytes()),
    }
    assert hub.job(job_id).params["prompt"] == "@home"  # @@ is a literal @


def test_cli_missing_file_exits_2_naming_it_and_sends_nothing(
    hub: LocalHub, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("OXEN_API_KEY", hub.api_key)
    monkeypatch.setenv("SCHEMADRIVE_BASE_URL", hub.url)
    monkeypatch.setenv("SCHEMADRIVE_CACHE_DIR", str(tmp_path / "cache"))
    out, err = io.StringIO(), io.StringIO()
    missing = tmp_path / "gone.mp3"
    code = main(["run", MODEL, f"input_audio=@{missing}", "prompt=x"], stdout=out, stderr=err)
    assert code == 2
    message = err.getvalue()
    assert "input_audio" in message and str(missing) in message
    assert "Traceback" not in message
    assert generation_posts(hub) == []


def test_cli_wrong_kind_exits_1_with_a_hint(
    hub: LocalHub, files: dict[str, Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("OXEN_API_KEY", hub.api_key)
    monkeypatch.setenv("SCHEMADRIVE_BASE_URL", hub.url)
    monkeypatch.setenv("SCHEMADRIVE_CACHE_DIR", str(tmp_path / "cache"))
    out, err = io.StringIO(), io.StringIO()
    argv = ["run", MODEL, f"input_audio=@{files['png']}", "prompt=x"]
    assert main(argv, stdout=out, stderr=err) == 1
    assert "image/png" in err.getvalue() and "audio file" in err.getvalue()
    assert generation_posts(hub) == []


def test_errors_before_sending(hub: LocalHub, files: dict[str, Path], tmp_path: Path) -> None:
    with client_for(hub, max_inline_bytes=1000) as client:
        with pytest.raises(FileTooLarge, match="uploader"):
            client.submit(MODEL, prompt="x", input_audio=files["mp3"])
        with pytest.raises(FileInputError) as caught:
            client.run(MODEL, prompt="x", input_audio=tmp_path / "nope.mp3")
        assert caught.value.parameter == "input_audio"
        with pytest.raises(schemadrive.PayloadInvalid):
            client.submit(MODEL, prompt="x", input_audio=files["png"])
    assert generation_posts(hub) == []


def test_uploader_url_is_sent_instead(files: dict[str, Path]) -> None:
    with LocalHub(job_seconds=0.05, results="cdn") as hub:
        assert hub.cdn is not None
        store = hub.cdn.url

        def upload(file: BinaryIO, media_type: str) -> str:
            name = f"{store}/uploads/{len(uploaded)}"
            reply = requests.put(
                name, data=file, headers={"Content-Type": media_type}, timeout=PATIENCE
            )
            reply.raise_for_status()
            uploaded.append(name)
            return name

        uploaded: list[str] = []
        with client_for(hub, uploader=upload, max_inline_bytes=0) as client:
            job = client.submit(
                MODEL, prompt="x", input_audio=files["mp3"], input_image=files["png"]
            )
            job.wait(timeout=PATIENCE)
        params = hub.job(job.id).params
        assert sorted([params["input_audio"], params["input_image"]]) == sorted(uploaded)
        assert hub.received_files == []  # no data: URI was sent
        audio = requests.get(params["input_audio"], timeout=PATIENCE)
        assert audio.content == files["mp3"].read_bytes()
        assert audio.headers["Content-Type"] == "audio/mpeg"
        image = requests.get(params["input_image"], timeout=PATIENCE)
        assert image.content == files["png"].read_bytes()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("data:audio/mpeg;base64,SUQz!!!!", "invalid data: URI"),  # malformed base64
        ("data:image/png;base64," + base64.b64encode(png_bytes()).decode(), "takes audio"),
    ],
)
def test_localhub_refuses_a_bad_data_uri_as_the_hub_would(
    hub: LocalHub, value: str, expected: str
) -> None:
    body = {"model": MODEL, "prompt": "x", "input_audio": value}
    headers = {"Authorization": f"Bearer {hub.api_key}"}
    reply = requests.post(
        f"{hub.url}/api/ai/videos/generate", json=body, headers=headers, timeout=PATIENCE
    )
    assert reply.status_code == 400
    assert expected in reply.json()["error"]["detail"]
    queued = requests.post(f"{hub.url}/api/ai/queue", json=body, headers=headers, timeout=PATIENCE)
    (created,) = queued.json()["generations"]
    done = hub.wait_for_job(created["generation_id"], timeout=PATIENCE)
    assert done.status == "failed" and "422" in (done.error_message or "")
    assert expected in (done.error_message or "")


def test_no_blob_in_problems_or_logs(
    hub: LocalHub, files: dict[str, Path], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="schemadrive")
    encoded = base64.b64encode(files["mp3"].read_bytes()).decode()
    with client_for(hub) as client:
        with pytest.raises(schemadrive.PayloadInvalid) as caught:
            client.submit(MODEL, prompt="x", input_audio=files["mp3"], fps=30)
        job = client.submit(MODEL, prompt="x", input_audio=files["mp3"])
        job.wait(timeout=PATIENCE)
    assert encoded[:64] not in str(caught.value)
    assert encoded[:64] not in caplog.text


def test_gmi_cloud_takes_files_the_same_way(files: dict[str, Path]) -> None:
    with LocalHub(provider="gmicloud", job_seconds=0.05) as gmi:
        client = schemadrive.Client(
            gmi.api_key, base_url=gmi.url, provider="gmicloud", cache_dir=False
        )
        with client:
            job = client.submit(
                "ltx-2-pro-audio-to-video",
                prompt="a dancer",
                audio_uri=files["mp3"],
                image_uri=files["png"],
            )
            job.wait(timeout=PATIENCE)
        assert received(gmi, job.id) == {
            "audio_uri": ("audio/mpeg", files["mp3"].read_bytes()),
            "image_uri": ("image/png", files["png"].read_bytes()),
        }
