"""GMI Cloud end to end: ``--provider gmicloud`` with every command, against LocalHub's GMI
flavour, including a model the hub knows only as a parameter list (no recorded schema).

The dispatch and ``run``/``validate`` behaviours shared with Oxen are tested, parametrized
over both providers, in test_dispatch.py, test_cli_run.py and test_cli_validate.py.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from schemadrive.cli import main
from schemadrive.client import Client
from schemadrive.exceptions import JobNotFound
from schemadrive.hub.providers import GMICLOUD
from schemadrive.hub.recorded import load_model_objects
from schemadrive.testing import LocalHub

GMI = "ltx-2-pro-audio-to-video"
AUDIO = "audio_uri=https://example.com/a.mp3"
#: A model known only by its parameter list, as GMI serves model information.
UPSCALER: dict[str, Any] = {
    "model": "acme-image-upscaler",
    "org_id": "acme",
    "modalities": {"input": ["image"], "output": ["image"]},
    "parameters": [
        {"name": "image", "display_name": "Image", "type": "image", "required": False,
         "description": "The image to upscale."},
        {"name": "images", "display_name": "Images", "type": "array", "items": "image",
         "max_items": 4, "required": False,
         "description": "Several images. Required unless image is provided."},
        {"name": "scale", "display_name": "Scale", "type": "int", "default": "2", "minimum": 1,
         "maximum": 4, "description": "Upscaling factor."},
        {"name": "mode", "display_name": "Mode", "type": "enum", "options": ["fast", "best"],
         "default": "fast", "description": "Speed or quality."},
    ],
}  # fmt: skip


@pytest.fixture
def gmi(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[LocalHub]:
    """GMI flavour on the wall clock (jobs take 0.2 s), the upscaler added, the key in
    GMI_API_KEY, short polling set by SCHEMADRIVE_POLL_INTERVAL, and no other hub setting in
    the environment."""
    with LocalHub(provider="gmicloud", job_seconds=0.2) as hub:
        hub.add_model(UPSCALER)
        for name in ("OXEN_API_KEY", "SCHEMADRIVE_BASE_URL", "SCHEMADRIVE_PROVIDER"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("GMI_API_KEY", hub.api_key)
        monkeypatch.setenv("SCHEMADRIVE_CACHE_DIR", str(tmp_path / "cache"))
        # jobs take 0.2 s: poll every 50 ms rather than after the default 2 s
        monkeypatch.setenv("SCHEMADRIVE_POLL_INTERVAL", "0.05")
        monkeypatch.setenv("SCHEMADRIVE_MAX_POLL_INTERVAL", "0.2")
        yield hub


def cli(hub: LocalHub, *argv: str) -> tuple[int, str, str]:
    """``schemadrive --provider gmicloud --base-url <hub> ARGV``."""
    out, err = io.StringIO(), io.StringIO()
    code = main(["--provider", "gmicloud", "--base-url", hub.url, *argv], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_the_client_translates_the_parameter_list_it_is_served(gmi: LocalHub) -> None:
    recorded = load_model_objects(provider="gmicloud")[GMI]
    with Client(base_url=gmi.url, provider="gmicloud", cache_dir=False) as client:
        assert sorted(client.list_models()) == sorted([GMI, UPSCALER["model"]])
        model = client.model(GMI)
        assert "json_request_schema" not in model.info  # GMI serves no JSON Schema
        expected = {k: v for k, v in recorded["json_request_schema"].items() if k != "$id"}
        assert model.schema == expected
    get = gmi.requests.filter("GET", GMICLOUD.path(GMICLOUD.model_path, model_id=GMI))
    assert len(get) == 1 and get[0].authorized


def test_describe_validate_lint_and_fuzz_a_model_known_only_by_its_parameters(
    gmi: LocalHub, tmp_path: Path
) -> None:
    code, out, _ = cli(gmi, "describe", "acme-image-upscaler")
    assert code == 0
    rows = {line.split()[0]: line.split() for line in out.splitlines() if line.strip()}
    assert rows["images"][:3] == ["images", "array<string", "(uri)>"]
    assert rows["scale"][:7] == ["scale", "integer", "no", "2", "1", "to", "4"]
    assert rows["mode"][:5] == ["mode", "string", "no", "fast", "fast,"]
    code, out, _ = cli(gmi, "describe", "acme-image-upscaler", "--json")
    assert json.loads(out)["anyOf"] == [{"required": ["images"]}, {"required": ["image"]}]

    batch = tmp_path / "batch.jsonl"
    batch.write_text('{"scale": 3}\n{"image": "https://example.com/i.png", "scale": 9}\n'
                     '{"images": ["https://example.com/1.png"]}\n')  # fmt: skip
    code, out, err = cli(gmi, "validate", "acme-image-upscaler", str(batch), "--fill-defaults")
    assert code == 1
    assert f"{batch}:1: error: $: provide at least one of 'images', 'image'" in err
    assert f"{batch}:2: error: $.scale: 9 is above the maximum 4" in err
    assert json.loads(out) == {"images": ["https://example.com/1.png"], "scale": 2, "mode": "fast"}
    code, _, _ = cli(gmi, "lint", "acme-image-upscaler")
    assert code == 0
    code, out, _ = cli(gmi, "fuzz", "acme-image-upscaler", "-n", "5", "--seed", "0")
    assert code == 0
    assert all("image" in p or "images" in p for p in map(json.loads, out.splitlines()))
    assert [r.method for r in gmi.requests] == ["GET"] * len(gmi.requests)  # nothing posted


def test_run_a_model_known_only_by_its_parameters(gmi: LocalHub) -> None:
    code, out, err = cli(gmi, "run", "acme-image-upscaler", "scale=3")
    assert code == 1 and "provide at least one of 'images', 'image'" in err
    assert gmi.requests.filter("POST") == []
    code, out, _ = cli(gmi, "run", "acme-image-upscaler", "image=https://example.com/i.png")
    assert code == 0
    request_id, url = out.splitlines()
    assert gmi.job(request_id).params == {
        "image": "https://example.com/i.png", "scale": 2, "mode": "fast"
    }  # fmt: skip
    assert url == gmi.job(request_id).result_url  # from outcome.media_urls


def test_jobs_status_and_cancel(gmi: LocalHub) -> None:
    code, out, _ = cli(gmi, "run", GMI, AUDIO, "prompt=a drummer")
    assert code == 0
    finished = out.splitlines()[0]
    with LocalHub(provider="gmicloud", clock="manual", job_seconds=10) as still:
        code, out, _ = cli(still, "run", GMI, AUDIO, "prompt=a drummer", "--no-wait")
        request_id = out.strip()
        code, out, _ = cli(still, "jobs")
        assert code == 0 and out.split()[:3] == [request_id, "queued", GMI]
        code, out, _ = cli(still, "jobs", "--json")
        (row,) = json.loads(out)
        assert (row["status"], row["raw_status"]) == ("queued", "queued")
        code, out, _ = cli(still, "cancel", request_id)
        assert (code, out.strip()) == (0, f"cancelled {request_id}")
        assert still.requests.filter("POST", GMICLOUD.cancel_path.format(generation_id="*"))
        code, out, _ = cli(still, "status", request_id)
        assert code == 1 and "cancelled" in out
        assert cli(still, "jobs")[1].strip() == "no jobs in progress"
    code, out, _ = cli(gmi, "jobs", "--status", "succeeded")
    assert out.split()[:3] == [finished, "succeeded", GMI]  # GMI's "success", our word
    assert cli(gmi, "jobs", "--status", "success")[1] == out  # the hub's word: a synonym
    code, _, err = cli(gmi, "cancel", finished)
    assert code == 1 and "had already succeeded" in err
    code, _, err = cli(gmi, "status", "no-such-request")
    assert code == 3 and "no-such-request" in err


def test_cache_pull_then_offline(gmi: LocalHub, tmp_path: Path) -> None:
    """A pulled GMI model object holds the parameter list; offline, it is translated again."""
    into = tmp_path / "recorded"
    code, out, _ = cli(gmi, "cache", "pull", "--into", str(into), "acme-image-upscaler")
    assert code == 0
    (path,) = (into / "gmicloud").glob("*.json")
    assert "parameters" in json.loads(path.read_text())
    with Client(provider="gmicloud", offline=True, fixtures=into, cache_dir=False) as client:
        model = client.model("acme-image-upscaler")
        assert model.validate({"scale": 2})[0].keyword == "anyOf"
        assert model.validate({"images": ["https://example.com/1.png"]}) == []


def test_a_wrong_key_exits_3(gmi: LocalHub, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GMI_API_KEY", "wrong")
    code, _, err = cli(gmi, "describe", GMI)
    assert code == 3 and "401" in err


def test_a_404_for_a_request_we_created_is_not_taken_for_finished(gmi: LocalHub) -> None:
    """Oxen's legacy form forgets finished jobs; GMI is not known to: a 404 is an error."""
    with Client(base_url=gmi.url, provider="gmicloud", cache_dir=False) as client:
        job = client.submit(GMI, audio_uri="https://example.com/a.mp3", prompt="x")
        gmi.faults.add(
            method="GET", path=GMICLOUD.status_path.format(generation_id="*"), status=404
        )
        with pytest.raises(JobNotFound) as caught:
            job.wait(timeout=30, via="poll")
        assert caught.value.generation_id == job.id and "existed" not in str(caught.value)
