"""Issue 15 item 4: every option and destination of ``run`` and ``wait`` is checked before the
first request, so input bound to fail costs nothing. One test per option; each checks that the
hub saw no POST (nothing paid) and, for ``wait``, no request at all."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from schemadrive.cli import main
from schemadrive.cli._paths import check_destination, package_dir, refuse_package_path
from schemadrive.exceptions import ConfigurationError
from schemadrive.testing import LocalHub

OXEN_ARGS = ("ltx-2-3-pro", "prompt=a red kite")
GMI_ARGS = ("ltx-2-pro-audio-to-video", "audio_uri=https://example.com/a.mp3", "prompt=drums")


@pytest.fixture
def oxen(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[LocalHub]:
    with LocalHub(clock="manual", job_seconds=10) as hub:
        monkeypatch.setenv("OXEN_API_KEY", hub.api_key)
        monkeypatch.setenv("SCHEMADRIVE_BASE_URL", hub.url)
        monkeypatch.setenv("SCHEMADRIVE_CACHE_DIR", str(tmp_path / "cache"))
        monkeypatch.delenv("SCHEMADRIVE_PROVIDER", raising=False)
        yield hub


@pytest.fixture
def gmi(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[LocalHub]:
    with LocalHub(provider="gmicloud", clock="manual", job_seconds=10) as hub:
        monkeypatch.setenv("GMI_API_KEY", hub.api_key)
        monkeypatch.setenv("SCHEMADRIVE_BASE_URL", hub.url)
        monkeypatch.setenv("SCHEMADRIVE_CACHE_DIR", str(tmp_path / "cache"))
        monkeypatch.delenv("SCHEMADRIVE_PROVIDER", raising=False)
        yield hub


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def posts(hub: LocalHub) -> int:
    return len([r for r in hub.requests if r.method == "POST"])


# -- --via ---------------------------------------------------------------------------------


def test_run_via_events_on_a_hub_with_no_stream_is_refused_before_submitting(gmi: LocalHub) -> None:
    code, out, err = cli("--provider", "gmicloud", "run", *GMI_ARGS, "--via", "events")
    assert code == 2
    assert "--via events" in err and "no event stream" in err and "--via poll" in err
    assert out == "" and posts(gmi) == 0


def test_wait_via_events_on_a_hub_with_no_stream_asks_nothing(gmi: LocalHub) -> None:
    code, _, err = cli("--provider", "gmicloud", "wait", "some-id", "--via", "events")
    assert code == 2 and "no event stream" in err
    assert len(gmi.requests) == 0


def test_via_poll_on_that_hub_is_accepted(gmi: LocalHub) -> None:
    """The check above can fail: the same run with --via poll is sent."""
    code, out, _ = cli("--provider", "gmicloud", "run", *GMI_ARGS, "--via", "poll", "--no-wait")
    assert code == 2  # --via with --no-wait: no wait to choose a way for
    code, out, _ = cli("--provider", "gmicloud", "run", *GMI_ARGS, "--no-wait")
    assert code == 0 and out.strip() and posts(gmi) == 1


# -- --output ------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["run", "wait"])
def test_an_output_in_proc_is_refused_before_anything(oxen: LocalHub, command: str) -> None:
    args = [*OXEN_ARGS] if command == "run" else ["some-id"]
    code, out, err = cli(command, *args, "-o", "/proc/nope/x.mp4")
    assert code == 2 and "--output /proc/nope/x.mp4" in err and "cannot write" in err
    assert out == "" and posts(oxen) == 0
    if command == "wait":
        assert len(oxen.requests) == 0


def test_an_output_under_a_file_is_refused(oxen: LocalHub, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    code, _, err = cli("run", *OXEN_ARGS, "-o", str(tmp_path / "file" / "x.mp4"))
    assert code == 2 and "is not a directory" in err and posts(oxen) == 0


def test_an_output_inside_the_package_is_refused(oxen: LocalHub) -> None:
    inside = package_dir() / "fixtures" / "out.mp4"
    code, _, err = cli("run", *OXEN_ARGS, "-o", str(inside))
    assert code == 2 and "inside the installed schemadrive package" in err
    assert posts(oxen) == 0 and not inside.exists()


def test_a_writable_output_is_accepted(oxen: LocalHub, tmp_path: Path) -> None:
    """The checks above can fail: a new directory under tmp_path passes, and nothing is left."""
    check_destination(tmp_path / "new" / "dir" / "x.mp4", option="--output")
    assert list(tmp_path.iterdir()) == []  # the probe file is gone, no directory was made


def test_a_link_into_the_package_is_seen_through(tmp_path: Path) -> None:
    """`cache pull --into fixtures/` from a checkout: fixtures -> schemadrive/fixtures."""
    (tmp_path / "fixtures").symlink_to(package_dir() / "fixtures")
    with pytest.raises(ConfigurationError, match="inside the installed schemadrive package"):
        refuse_package_path(tmp_path / "fixtures", option="--into")
    refuse_package_path(tmp_path / "elsewhere", option="--into")  # not inside: no error


# -- options that contradict each other ------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--no-wait", "-o", "x.mp4"), "--output needs a wait"),
        (("--no-wait", "--timeout", "5"), "--timeout has no effect with --no-wait"),
        (("--no-wait", "--via", "poll"), "--via has no effect with --no-wait"),
        (("--no-wait", "--mode", "sync"), "--no-wait needs --mode queue"),
        (("--mode", "sync", "--via", "poll"), "--via needs --mode queue"),
        (("--mode", "sync", "--timeout", "5"), "--timeout needs --mode queue"),
        (("--no-wait", "--poll-interval", "1"), "--poll-interval needs a wait"),
        (("--mode", "sync", "--poll-interval", "1"), "--poll-interval needs a wait"),
        (("--poll-interval", "0"), "--poll-interval must be more than 0 seconds"),
        (("--timeout", "-1"), "seconds must be a finite number >= 0"),
        (("--timeout", "nan"), "seconds must be a finite number >= 0"),
    ],
)
def test_contradicting_options_cost_nothing(
    oxen: LocalHub, extra: tuple[str, ...], message: str
) -> None:
    code, out, err = cli("run", *OXEN_ARGS, *extra)
    assert code == 2 and message in err
    assert out == "" and posts(oxen) == 0


def test_a_missing_payload_file_costs_nothing(oxen: LocalHub, tmp_path: Path) -> None:
    code, _, err = cli("run", *OXEN_ARGS, "--payload", str(tmp_path / "missing.json"))
    assert code == 2 and "missing.json" in err and posts(oxen) == 0


def test_cache_pull_into_a_link_to_the_package_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 15 item 13: `cache pull --into fixtures/` from a checkout's root, where fixtures
    links to schemadrive/fixtures, is refused before anything is fetched or written."""
    (tmp_path / "fixtures").symlink_to(package_dir() / "fixtures")
    monkeypatch.chdir(tmp_path)
    before = sorted(p.name for p in (package_dir() / "fixtures" / "oxen").iterdir())
    code, out, err = cli("--offline", "cache", "pull", "ltx-2-3-pro", "--into", "fixtures/")
    assert code == 2 and "inside the installed schemadrive package" in err and out == ""
    assert sorted(p.name for p in (package_dir() / "fixtures" / "oxen").iterdir()) == before
    code, out, _ = cli("--offline", "cache", "pull", "ltx-2-3-pro", "--into", "mine/")
    assert code == 0 and (tmp_path / "mine" / "oxen" / "ltx-2-3-pro.json").is_file()
