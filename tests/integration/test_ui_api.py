"""`schemadrive ui` at the HTTP level: the token, the form, the problems (the CLI's own text),
the estimate, Generate -> a job on LocalHub -> its status over server-sent events -> the
video, files as inputs, re-attaching, and the command itself. No browser (see
tests/browser/test_ui_browser.py for the page)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import requests

pytest.importorskip("starlette", reason="the ui extra (starlette, uvicorn) is not installed")

from ui_support import (  # noqa: E402
    ADVANCED_ORDER,
    BASIC_MODEL,
    BASIC_ORDER,
    PATIENCE,
    SECRET_KEY,
    Page,
    first,
    serve_page,
)

from schemadrive.testing.inputs import mp3_bytes  # noqa: E402
from schemadrive.testing.media import mp4_bytes, png_bytes  # noqa: E402
from schemadrive.ui.server import is_loopback  # noqa: E402

T2V = "ltx-2-3-quality-text-to-video"
A2V = "ltx-2-3-pro-audio-to-video"


# -- the token -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/", "/static/app.js", "/api/models", f"/api/models/{T2V}/form", "/api/events"]
)
def test_a_request_without_the_token_is_refused(path: str) -> None:
    with serve_page() as page:
        base = page.server.base_url
        missing = requests.get(base + path, timeout=PATIENCE)
        wrong = requests.get(base + path, params={"token": "x" + page.server.token},
                             timeout=PATIENCE)  # fmt: skip
        posted = requests.post(base + f"/api/models/{T2V}/jobs", timeout=PATIENCE,
                               json={"values": {"prompt": "a cat"}})  # fmt: skip
        assert (missing.status_code, wrong.status_code, posted.status_code) == (403, 403, 403)
        assert "schemadrive ui" in missing.text  # says where the right URL is
        assert page.hub.requests.filter(method="POST") == []  # nothing was queued
        # with the token, in the query (the page, its script) or the header (its fetches)
        with requests.get(base + path, params={"token": page.server.token}, stream=True,
                          timeout=PATIENCE) as allowed:  # fmt: skip
            assert allowed.status_code == 200


def test_the_url_carries_the_token_and_the_page_never_gets_the_api_key() -> None:
    with serve_page(model=T2V) as page:
        assert page.server.url.startswith("http://127.0.0.1:")
        assert page.server.url.endswith(f"/?token={page.server.token}")
        assert page.server.token not in repr(page.server)
        html = requests.get(page.server.url, timeout=PATIENCE)
        assert html.status_code == 200
        assert html.headers["referrer-policy"] == "no-referrer"  # the token stays off Referers
        replies = [html.text]
        replies += [page.get(p).text for p in ("/static/app.js", "/api/models")]
        replies.append(page.get(f"/api/models/{T2V}/form").text)
        job = page.post(f"/api/models/{T2V}/jobs", json={"values": {"prompt": "a cat"}})
        replies.append(job.text)
        done = first(page.events(), lambda e: e["done"])
        replies.append(json.dumps(done))
        for reply in replies:
            assert SECRET_KEY not in reply
            assert page.hub.url not in reply  # result URLs stay in the server too


# -- the form --------------------------------------------------------------------------------


def test_fields_come_in_order_with_basic_first() -> None:
    with serve_page() as page:
        form = page.get(f"/api/models/{BASIC_MODEL}/form").json()
        names = [f["name"] for f in form["fields"]]
        assert names == BASIC_ORDER + ADVANCED_ORDER
        assert [f["basic"] for f in form["fields"]] == [True] * 3 + [False] * 5
        widgets = {f["name"]: f["widget"] for f in form["fields"]}
        assert widgets == {
            "prompt": "textarea", "video_quality": "select", "seed": "number",
            "num_frames": "number", "resolution": "select", "frames_per_second": "number",
            "generate_audio": "checkbox", "negative_prompt": "textarea",
        }  # fmt: skip
        frames = next(f for f in form["fields"] if f["name"] == "num_frames")
        assert (frames["minimum"], frames["maximum"], frames["default"], frames["step"]) == (
            9, 481, 121, 1,
        )  # fmt: skip
        assert frames["description"] == "The number of frames to generate."
        quality = next(f for f in form["fields"] if f["name"] == "video_quality")
        assert quality["options"] == ["low", "medium", "high", "maximum"]


def test_required_media_parameters_are_basic_file_pickers() -> None:
    with serve_page() as page:
        form = page.get(f"/api/models/{A2V}/form").json()
        fields = {f["name"]: f for f in form["fields"]}
        assert [f["name"] for f in form["fields"]] == ["prompt", "input_image", "input_audio"]
        assert fields["input_audio"]["basic"]  # not in `basic`, but required
        assert (fields["input_audio"]["widget"], fields["input_audio"]["accept"]) == (
            "file", "audio/*",
        )  # fmt: skip
        assert fields["input_image"]["accept"] == "image/*"
        flux = page.get("/api/models/black-forest-labs-flux-2-klein-4b/form").json()
        images = next(f for f in flux["fields"] if f["name"] == "input_image")
        assert (images["widget"], images["multiple"]) == ("file", True)


def test_a_model_without_a_schema_or_an_unknown_one_is_an_error_not_a_form() -> None:
    with serve_page() as page:
        chat = page.get("/api/models/claude-sonnet-4-6/form")
        assert chat.status_code == 422
        assert "publishes no request schema" in chat.json()["error"]
        unknown = page.get("/api/models/ltx-2-3-pr/form")
        assert unknown.status_code == 404
        assert "ltx-2-3-pro" in unknown.json()["error"]  # did you mean


def test_the_model_list_and_the_model_given_on_the_command_line() -> None:
    with serve_page(model=A2V) as page:
        listing = page.get("/api/models").json()
        assert listing["selected"] == A2V
        assert {T2V, A2V, BASIC_MODEL} <= set(listing["models"])


# -- problems and estimates ------------------------------------------------------------------


def check(page: Page, values: dict[str, object], model: str = T2V) -> dict[str, Any]:
    """What the page is told about ``values`` (sent as the page sends them) for ``model``."""
    reply = page.post(f"/api/models/{model}/check", json={"values": values})
    assert reply.status_code == 200, reply.text
    return dict(reply.json())


def generate(page: Page, values: dict[str, object], model: str = T2V) -> requests.Response:
    """The page's Generate button."""
    return page.post(f"/api/models/{model}/jobs", json={"values": values})


def cli_validate(payload: dict[str, object]) -> list[str]:
    """What `schemadrive validate` prints for ``payload``: one line per problem."""
    result = subprocess.run(
        [sys.executable, "-m", "schemadrive", "--offline", "validate", T2V],
        input=json.dumps(payload), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    return [line.split(": error: ", 1)[1] for line in result.stdout.splitlines()
            if ": error: " in line]  # fmt: skip


def test_problems_are_the_ones_the_cli_prints_and_block_generate() -> None:
    with serve_page() as page:
        # the page sends text as typed; it is typed by the schema as `run key=value` is
        answer = check(page, {"prompt": "a cat", "num_frames": "1000"})
        assert answer["valid"] is False
        assert [p["text"] for p in answer["problems"]] == cli_validate(
            {"prompt": "a cat", "num_frames": 1000}
        )
        assert answer["problems"][0]["field"] == "num_frames"
        assert "481" in answer["problems"][0]["text"]
        # text that cannot be typed stays text, and the schema says what is wrong with it
        typed = check(page, {"prompt": "a cat", "num_frames": "abc"})
        assert [p["text"] for p in typed["problems"]] == cli_validate(
            {"prompt": "a cat", "num_frames": "abc"}
        )
        # an empty field is "not given": the required prompt is missing
        empty = check(page, {"prompt": ""})
        assert [p["field"] for p in empty["problems"]] == ["prompt"]
        # Generate with an invalid payload: 422 with the same problems, nothing sent
        refused = generate(page, {"prompt": "a cat", "num_frames": "1000"})
        assert refused.status_code == 422
        assert refused.json()["problems"] == answer["problems"]
        assert page.hub.requests.filter(method="POST") == []
        fine = check(page, {"prompt": "a cat", "num_frames": "241"})
        assert (fine["valid"], fine["problems"]) == (True, [])


def test_the_estimate_follows_the_form() -> None:
    with serve_page() as page:

        def estimate(values: dict[str, object]) -> dict[str, object]:
            body = {"values": {"prompt": "a kite", **values}}
            answer = page.post("/api/models/ltx-2-3-pro/check", json=body).json()
            return dict(answer["estimate"])

        # per_video_output_second: 0.16 USD/s with audio (the default), 0.12 without
        assert estimate({"duration": 6})["amount"] == "0.96"
        assert estimate({"duration": 8})["amount"] == "1.28"
        without = estimate({"duration": 8, "generate_audio": False})
        assert without["amount"] == "0.96"
        assert str(without["text"]).startswith("0.96 USD")
        # a bad value: the estimate says it cannot tell rather than guessing
        unknown = estimate({"duration": "soon"})
        assert unknown["known"] is False and unknown["amount"] is None


# -- generate, status, result ----------------------------------------------------------------


def test_generate_queues_a_job_whose_status_arrives_over_sse_and_whose_video_loads() -> None:
    with serve_page(clock="manual", job_seconds=2.0) as page:
        reply = generate(page, {"prompt": "a red kite", "num_frames": "241"})
        assert reply.status_code == 201, reply.text
        job_id = reply.json()["job"]["id"]
        sent = page.hub.requests.filter(method="POST")
        assert len(sent) == 1
        assert sent[0].body["num_frames"] == 241  # typed by the schema, defaults filled
        assert sent[0].body["resolution"] == "landscape_16_9"
        events = page.events()
        assert first(events, lambda e: e["id"] == job_id)["status"] == "queued"
        page.hub.advance(1.0)  # half-way: processing
        running = first(events, lambda e: e["id"] == job_id and e["status"] != "queued")
        assert (running["status"], running["done"]) == ("running", False)
        page.hub.advance(1.0)
        done = first(events, lambda e: e["id"] == job_id and e["done"])
        assert done["status"] == "succeeded"
        assert done["outputs"] == [{"index": 0, "kind": "video"}]
        video = page.get(f"/api/jobs/{job_id}/outputs/0")
        assert video.status_code == 200
        assert video.headers["content-type"] == "video/mp4"
        assert video.content == mp4_bytes()
        saved = page.get(f"/api/jobs/{job_id}/outputs/0", params={"download": "1"})
        assert saved.headers["content-disposition"] == (f'attachment; filename="{job_id}-0.mp4"')
        assert page.get(f"/api/jobs/{job_id}/outputs/1").status_code == 404
        listed = page.get("/api/jobs").json()["jobs"]
        assert [(j["id"], j["status"]) for j in listed] == [(job_id, "succeeded")]


def test_a_failed_job_says_why() -> None:
    with serve_page() as page:
        page.hub.fail_next("the model ran out of memory")
        job_id = generate(page, {"prompt": "a cat"}).json()["job"]["id"]
        done = first(page.events(), lambda e: e["id"] == job_id and e["done"])
        assert done["status"] == "failed"
        assert "the model ran out of memory" in done["error"]
        assert done["outputs"] == []


def test_a_job_started_elsewhere_is_reattached_by_id() -> None:
    with serve_page() as page:
        job = page.client.submit(T2V, prompt="started from Python")
        attached = page.post("/api/jobs/attach", json={"id": job.id})
        assert attached.status_code == 200, attached.text
        done = first(page.events(), lambda e: e["id"] == job.id and e["done"])
        assert (done["status"], done["model"]) == ("succeeded", T2V)
        assert page.get(f"/api/jobs/{job.id}/outputs/0").content == mp4_bytes()
        missing = page.post("/api/jobs/attach", json={"id": ""})
        assert missing.status_code == 400


# -- files -----------------------------------------------------------------------------------


def test_files_are_checked_by_kind_and_sent_as_the_client_sends_them() -> None:
    with serve_page() as page:
        png = page.post("/api/uploads", params={"name": "first.png"}, data=png_bytes()).json()
        mp3 = page.post("/api/uploads", params={"name": "song.mp3"}, data=mp3_bytes(3.0)).json()
        wrong = page.post(f"/api/models/{A2V}/check", json={"values": {
            "prompt": "a singer", "input_audio": {"upload": png["id"]}}}).json()  # fmt: skip
        assert wrong["valid"] is False
        assert [p["field"] for p in wrong["problems"]] == ["input_audio"]
        assert "first.png is image/png, but input_audio takes audio" in wrong["problems"][0]["text"]
        values = {"prompt": "a singer", "input_audio": {"upload": mp3["id"]},
                  "input_image": {"upload": png["id"]}}  # fmt: skip
        assert page.post(f"/api/models/{A2V}/check", json={"values": values}).json()["valid"]
        job_id = page.post(f"/api/models/{A2V}/jobs", json={"values": values}).json()["job"]["id"]
        done = first(page.events(), lambda e: e["id"] == job_id and e["done"])
        assert done["status"] == "succeeded"  # LocalHub decoded and checked the files
        received = {f.parameter: f for f in page.hub.received_files if f.generation_id == job_id}
        assert received["input_audio"].data == mp3_bytes(3.0)
        assert received["input_image"].data == png_bytes()
        assert received["input_image"].media_type == "image/png"
        gone = page.post(f"/api/models/{A2V}/check",
                         json={"values": {"input_audio": {"upload": "no-such-id"}}})  # fmt: skip
        assert gone.status_code == 400


def test_a_file_over_the_inline_limit_is_refused_with_a_pointer() -> None:
    with serve_page() as page:
        page.server.playground.uploads.limit = 1000
        big = page.post("/api/uploads", params={"name": "big.png"}, data=png_bytes(200, 200))
        assert big.status_code == 413  # refused from its Content-Length, before reading it
        assert "big.png" in big.json()["error"] and "max_inline_bytes" in big.json()["error"]


# -- the command -----------------------------------------------------------------------------


def test_import_and_help_load_neither_the_page_nor_its_server() -> None:
    code = (
        "import io, sys, json, schemadrive\n"
        "from schemadrive.cli import main\n"
        "out = io.StringIO(); sys.stdout, real = out, sys.stdout\n"
        "runs = (['--help'], ['ui', '--help'])\n"
        "codes = [main(a, stdout=out, stderr=io.StringIO()) for a in runs]\n"
        "sys.stdout = real\n"
        "print(json.dumps([codes, 'ui' in out.getvalue(), sorted(sys.modules)]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60).stdout  # fmt: skip
    codes, listed, modules = json.loads(out.splitlines()[-1])
    assert codes == [0, 0] and listed
    loaded = [m for m in modules if m.split(".")[0] in ("starlette", "uvicorn", "anyio")
              or m.startswith("schemadrive.ui")]  # fmt: skip
    assert loaded == []


def test_the_command_prints_the_url_serves_the_page_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    env = {**os.environ, "SCHEMADRIVE_CACHE_DIR": str(tmp_path)}
    env.pop("OXEN_API_KEY", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "schemadrive", "--offline", "ui", T2V],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        line = process.stdout.readline()  # the server is up before it is printed
        assert line.startswith("schemadrive playground on http://127.0.0.1:"), line
        url = line.split(" on ", 1)[1].strip()
        assert "?token=" in url
        assert requests.get(url, timeout=PATIENCE).status_code == 200
        base, token = url.split("/?token=")
        assert requests.get(base + "/", timeout=PATIENCE).status_code == 403
        listing = requests.get(base + "/api/models", params={"token": token}, timeout=PATIENCE)
        assert listing.json()["selected"] == T2V and T2V in listing.json()["models"]
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=PATIENCE)
        assert process.returncode == 0, err
        assert "stopped." in out
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


def test_an_unknown_model_on_the_command_line_fails_before_serving() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "schemadrive", "--offline", "ui", "ltx-2-3-pr"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode != 0
    assert "ltx-2-3-pro" in result.stderr and "Traceback" not in result.stderr
    assert "playground on" not in result.stdout


def test_only_loopback_addresses_count_as_private() -> None:
    assert [is_loopback(h) for h in ("127.0.0.1", "127.8.9.10", "::1", "localhost")] == [True] * 4
    assert [is_loopback(h) for h in ("0.0.0.0", "192.168.1.2", "::", "example.org")] == [False] * 4
