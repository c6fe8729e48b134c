"""Files bound to a model's URI parameters: which parameters, which kinds, what is sent, and
every way it refuses before anything is sent. No HTTP: models from the bundled fixtures."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path
from typing import Any, BinaryIO

import pytest

from schemadrive import ConfigurationError, Model, PayloadInvalid
from schemadrive.hub.providers import get_provider
from schemadrive.media import (
    FileInputError,
    FileTooLarge,
    UploadError,
    bind_files,
    file_parameters,
)
from schemadrive.testing.inputs import mp3_bytes
from schemadrive.testing.media import png_bytes

FIXTURES = Path(__file__).resolve().parents[2] / "schemadrive" / "fixtures"
AUDIO_TO_VIDEO = "ltx-2-3-pro-audio-to-video"


def fixture_model(model_id: str, provider: str = "oxen") -> Model:
    info = json.loads((FIXTURES / provider / f"{model_id}.json").read_text())
    return Model(model_id, info, get_provider(provider))


def schema_model(properties: dict[str, Any], inputs: list[str] | None = None) -> Model:
    info: dict[str, Any] = {
        "id": "m",
        "json_request_schema": {"type": "object", "properties": properties},
    }
    if inputs is not None:
        info["capabilities"] = {"input": inputs, "output": ["video"]}
    return Model("m", info, get_provider("oxen"))


def uri(data: bytes, media_type: str) -> str:
    return f"data:{media_type};base64," + base64.b64encode(data).decode()


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    (tmp_path / "first.png").write_bytes(png_bytes(seed="first"))
    (tmp_path / "song.mp3").write_bytes(mp3_bytes())
    return {"png": tmp_path / "first.png", "mp3": tmp_path / "song.mp3"}


# -- which parameters take files, and of what kind ------------------------------------------


def test_the_seed_models_file_parameters_and_kinds() -> None:
    found = file_parameters(fixture_model(AUDIO_TO_VIDEO).compiled, {})
    assert {n: set(p.kinds) for n, p in found.items()} == {
        "input_image": {"image"},
        "input_audio": {"audio"},
    }
    flux = fixture_model("black-forest-labs-flux-2-klein-4b")
    (image,) = file_parameters(flux.compiled, flux.info).values()
    assert (image.name, set(image.kinds), image.array) == ("input_image", {"image"}, True)
    gmi = fixture_model("ltx-2-pro-audio-to-video", "gmicloud")
    kinds = {n: set(p.kinds) for n, p in file_parameters(gmi.compiled, gmi.info).items()}
    assert kinds == {"audio_uri": {"audio"}, "image_uri": {"image"}}


def test_uri_forms_and_hints_that_make_a_file_parameter() -> None:
    model = schema_model(
        {
            "a": {"type": "string", "format": "uri-reference", "description": "a photo"},
            "b": {"anyOf": [{"type": "string", "format": "uri"}, {"type": "null"}]},
            "c": {"type": "string", "renderType": "audio-url"},
            "d": {"type": "string", "format": "uri", "maxLength": 2000},
            "e": {"type": "string", "description": "an image URL, in words only"},
            "f": {"type": "integer"},
        }
    )
    found = file_parameters(model.compiled, model.info)
    assert sorted(found) == ["a", "b", "c", "d"]
    assert found["a"].kinds == {"image"} and found["c"].kinds == {"audio"}
    assert found["b"].kinds == frozenset()  # no word says which: any kind
    assert found["d"].text_checked and not found["a"].text_checked


def test_capabilities_narrow_and_supply_the_kind() -> None:
    # "clip" could be video; the model takes only audio: the description's word is kept out
    model = schema_model({"reference": {"type": "string", "format": "uri"}}, ["text", "audio"])
    assert file_parameters(model.compiled, model.info)["reference"].kinds == {"audio"}


# -- what is sent ----------------------------------------------------------------------------


def test_paths_bytes_and_files_become_the_standard_data_uri(files: dict[str, Path]) -> None:
    model = fixture_model(AUDIO_TO_VIDEO)
    payload = {"prompt": "a kite", "input_audio": files["mp3"], "input_image": files["png"]}
    bound = bind_files(model, payload)
    assert bound == {
        "prompt": "a kite",
        "input_audio": uri(files["mp3"].read_bytes(), "audio/mpeg"),
        "input_image": uri(files["png"].read_bytes(), "image/png"),
    }
    assert payload["input_audio"] == files["mp3"]  # the caller's dict is not changed
    from_bytes = bind_files(model, {"input_audio": mp3_bytes(1.0), "prompt": "x"})
    assert from_bytes["input_audio"] == uri(mp3_bytes(1.0), "audio/mpeg")
    with files["png"].open("rb") as handle:
        from_file = bind_files(model, {"input_audio": mp3_bytes(), "input_image": handle})
    assert from_file["input_image"] == uri(files["png"].read_bytes(), "image/png")


def test_a_file_object_is_read_from_where_it_stands() -> None:
    handle = io.BytesIO(b"header to skip" + png_bytes())
    handle.seek(len(b"header to skip"))
    model = fixture_model(AUDIO_TO_VIDEO)
    bound = bind_files(model, {"input_audio": mp3_bytes(), "input_image": handle})
    assert bound["input_image"] == uri(png_bytes(), "image/png")


def test_a_stream_that_cannot_seek_is_read_once() -> None:
    class Pipe(io.RawIOBase):
        def __init__(self, data: bytes) -> None:
            self._data = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: Any) -> int:
            return self._data.readinto(buffer)

    model = fixture_model(AUDIO_TO_VIDEO)
    bound = bind_files(model, {"input_audio": io.BufferedReader(Pipe(mp3_bytes())), "prompt": "x"})
    assert bound["input_audio"] == uri(mp3_bytes(), "audio/mpeg")


def test_a_stream_is_not_read_past_the_limit() -> None:
    stream = io.BufferedReader(io.BytesIO(mp3_bytes(5.0)), buffer_size=16)

    class Pipe:  # readable, not seekable
        def read(self, size: int = -1) -> bytes:
            return stream.read(size)

    model = fixture_model(AUDIO_TO_VIDEO)
    with pytest.raises(FileTooLarge):
        bind_files(model, {"input_audio": Pipe(), "prompt": "x"}, max_inline_bytes=100)
    assert stream.tell() == 101


def test_strings_stay_strings() -> None:
    model = fixture_model(AUDIO_TO_VIDEO)
    given = uri(mp3_bytes(), "audio/mpeg")
    payload = {"input_audio": given, "input_image": "https://e.com/a.png", "prompt": "@song.mp3"}
    assert bind_files(model, payload) == payload


def test_a_string_is_never_read_as_a_path(files: dict[str, Path]) -> None:
    model = fixture_model(AUDIO_TO_VIDEO)
    with pytest.raises(PayloadInvalid) as caught:
        bind_files(model, {"input_audio": files["mp3"], "input_image": str(files["png"])})
    assert [(p.path, p.keyword) for p in caught.value.problems] == [("$.input_image", "format")]


def test_one_file_for_an_array_parameter_is_a_one_item_list(files: dict[str, Path]) -> None:
    model = fixture_model("black-forest-labs-flux-2-klein-4b")
    bound = bind_files(model, {"prompt": "x", "input_image": files["png"]})
    assert bound["input_image"] == [uri(files["png"].read_bytes(), "image/png")]
    mixed = bind_files(model, {"prompt": "x", "input_image": ["https://e.com/a.png", png_bytes()]})
    assert mixed["input_image"] == ["https://e.com/a.png", uri(png_bytes(), "image/png")]


def test_prepare_fills_defaults_validates_and_binds(files: dict[str, Path]) -> None:
    model = fixture_model("black-forest-labs-flux-2-klein-4b")
    prepared = model.prepare({"prompt": "x", "input_image": [files["png"]]})
    assert prepared["aspect_ratio"] == "16:9"  # the schema's default
    assert prepared["input_image"] == [uri(files["png"].read_bytes(), "image/png")]


# -- refused before anything is sent --------------------------------------------------------


def test_a_file_of_the_wrong_kind_is_a_problem_with_every_other(files: dict[str, Path]) -> None:
    model = fixture_model(AUDIO_TO_VIDEO)
    payload = {"input_audio": files["png"], "input_image": files["png"], "fps": 30}
    with pytest.raises(PayloadInvalid) as caught:
        model.prepare(payload)
    problems = {(p.path, p.keyword) for p in caught.value.problems}
    assert problems == {("$.input_audio", "media"), ("$.fps", "unknown")}
    (media,) = [p for p in caught.value.problems if p.keyword == "media"]
    assert "image/png" in media.message and "audio" in (media.hint or "")
    assert [p.keyword for p in model.validate(payload)] == ["media", "unknown"]


def test_the_bytes_decide_not_the_name(tmp_path: Path) -> None:
    disguised = tmp_path / "song.mp3"
    disguised.write_bytes(png_bytes())
    model = fixture_model(AUDIO_TO_VIDEO)
    (problem,) = model.validate({"input_audio": disguised, "prompt": "x"})
    assert "is image/png" in problem.message


def test_a_missing_file_names_the_parameter_and_the_path(tmp_path: Path) -> None:
    model = fixture_model(AUDIO_TO_VIDEO)
    missing = tmp_path / "nope.mp3"
    with pytest.raises(FileInputError) as caught:
        model.prepare({"input_audio": missing, "prompt": "x"})
    error = caught.value
    assert (error.parameter, error.path) == ("input_audio", str(missing))
    assert str(missing) in str(error) and "input_audio" in str(error)
    assert isinstance(error, ConfigurationError) and isinstance(error, OSError)
    with pytest.raises(FileInputError, match="input_audio"):
        model.prepare({"input_audio": tmp_path, "prompt": "x"})  # a directory


def test_a_text_mode_file_is_refused(files: dict[str, Path]) -> None:
    model = fixture_model(AUDIO_TO_VIDEO)
    with (
        files["mp3"].open("r", encoding="latin-1") as handle,
        pytest.raises(FileInputError, match="text mode"),
    ):
        bind_files(model, {"input_audio": handle, "prompt": "x"})


def test_a_file_for_a_parameter_that_takes_none_is_a_problem(files: dict[str, Path]) -> None:
    model = fixture_model(AUDIO_TO_VIDEO)
    with pytest.raises(PayloadInvalid) as caught:
        bind_files(model, {"input_audio": files["mp3"], "prompt": files["png"]})
    (problem,) = caught.value.problems
    assert problem.path == "$.prompt" and "input_audio" in (problem.hint or "")


def test_a_file_over_the_limit_points_to_the_uploader(files: dict[str, Path]) -> None:
    model = fixture_model(AUDIO_TO_VIDEO)
    size = files["mp3"].stat().st_size
    with pytest.raises(FileTooLarge) as caught:
        bind_files(model, {"input_audio": files["mp3"], "prompt": "x"}, max_inline_bytes=size - 1)
    assert (caught.value.size, caught.value.limit) == (size, size - 1)
    assert "uploader" in str(caught.value)
    assert bind_files(model, {"input_audio": files["mp3"], "prompt": "x"}, max_inline_bytes=size)


def test_a_malformed_data_uri_string_is_a_problem_shown_without_its_content() -> None:
    model = fixture_model(AUDIO_TO_VIDEO)
    bad = "data:audio/mpeg;base64," + "A" * 5000 + "!"
    with pytest.raises(PayloadInvalid) as caught:
        model.prepare({"input_audio": bad, "prompt": "x"})
    assert caught.value.problems[0].keyword == "format"
    assert "AAAAAAAA" not in str(caught.value) and "(3.8 kB)" in str(caught.value)


# -- the uploader ----------------------------------------------------------------------------


def test_the_uploader_gets_the_file_and_its_url_is_sent(files: dict[str, Path]) -> None:
    received: list[tuple[bytes, str]] = []

    def uploader(file: BinaryIO, media_type: str) -> str:
        received.append((file.read(), media_type))
        return f"https://store.example/{len(received)}"

    model = fixture_model(AUDIO_TO_VIDEO)
    payload = {"input_audio": files["mp3"], "input_image": files["png"], "prompt": "x"}
    bound = bind_files(model, payload, uploader=uploader, max_inline_bytes=1)
    assert bound["input_audio"].startswith("https://store.example/")
    assert sorted(received) == sorted(
        [(files["mp3"].read_bytes(), "audio/mpeg"), (files["png"].read_bytes(), "image/png")]
    )


def test_nothing_is_uploaded_for_an_invalid_payload(files: dict[str, Path]) -> None:
    calls: list[str] = []
    model = fixture_model(AUDIO_TO_VIDEO)
    with pytest.raises(PayloadInvalid):
        bind_files(
            model,
            {"input_audio": files["mp3"], "fps": 30},
            uploader=lambda file, kind: calls.append(kind) or "https://x.example/1",
        )
    assert calls == []


@pytest.mark.parametrize("outcome", [RuntimeError("store down"), 42, ""])
def test_an_uploader_that_fails_is_an_upload_error(files: dict[str, Path], outcome: Any) -> None:
    def uploader(file: BinaryIO, media_type: str) -> Any:
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    model = fixture_model(AUDIO_TO_VIDEO)
    with pytest.raises(UploadError) as caught:
        bind_files(model, {"input_audio": files["mp3"], "prompt": "x"}, uploader=uploader)
    assert caught.value.parameter == "input_audio" and "nothing was sent" in str(caught.value)
