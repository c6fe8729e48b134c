"""``@path`` and ``@@text`` in command-line values and batch cells."""

from __future__ import annotations

from pathlib import Path

from schemadrive.cli._files import take_files
from schemadrive.media import file_reference


def test_file_reference() -> None:
    assert file_reference("@song.mp3") == Path("song.mp3")
    assert file_reference("@song.mp3", base="/data/batch") == Path("/data/batch/song.mp3")
    assert file_reference("@/abs/song.mp3", base="/data/batch") == Path("/abs/song.mp3")
    assert file_reference("@~/song.mp3") == Path.home() / "song.mp3"
    assert file_reference("@@home") == "@home"
    assert file_reference("@") == "@"
    assert file_reference("a@b.c") == "a@b.c"
    assert file_reference("https://example.com/a.png") == "https://example.com/a.png"


def test_take_files_splits_files_from_values() -> None:
    remaining, files = take_files(
        [("input_audio", "@song.mp3"), ("prompt", "@@home"), ("duration", "8")]
    )
    assert remaining == [("prompt", "@home"), ("duration", "8")]
    assert files == {"input_audio": Path("song.mp3")}


def test_repeated_files_make_a_list_and_later_values_win() -> None:
    _, files = take_files([("input_image", "@a.png"), ("input_image", "@b.png")], base="/in")
    assert files == {"input_image": [Path("/in/a.png"), Path("/in/b.png")]}
    remaining, files = take_files([("input_image", "@a.png"), ("input_image", "https://e.com/x")])
    assert (remaining, files) == ([("input_image", "https://e.com/x")], {})
    remaining, files = take_files([("input_image", "https://e.com/x"), ("input_image", "@a.png")])
    assert (remaining, files) == ([], {"input_image": Path("a.png")})
