"""Costs on the command line: describe shows the pricing; run --dry-run and --max-cost."""

from __future__ import annotations

import io
import json

import pytest

from schemadrive.cli import main
from schemadrive.testing import LocalHub


@pytest.fixture(autouse=True)
def _key(hub: LocalHub, monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    monkeypatch.setenv("OXEN_API_KEY", hub.api_key)
    monkeypatch.setenv("SCHEMADRIVE_CACHE_DIR", str(tmp_path))


def cli(hub: LocalHub, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["--base-url", hub.url, *args], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def posts(hub: LocalHub) -> int:
    return sum(1 for r in hub.requests if r.method == "POST")


def test_describe_shows_the_pricing(hub: LocalHub) -> None:
    code, out, _ = cli(hub, "describe", "ltx-2-3-pro")
    assert code == 0
    assert "pricing: per_video_output_second: 0.12 USD/s, 0.16 USD/s with audio" in out
    assert "a run with the defaults: 0.96 USD" in out  # 6 s x 0.16 (audio on by default)


def test_run_dry_run_prints_the_payload_and_estimate_and_sends_nothing(hub: LocalHub) -> None:
    code, out, err = cli(hub, "run", "ltx-2-3-pro", "prompt=a kite", "duration=10", "--dry-run")
    assert code == 0, err
    document, _, rest = out.rpartition("}")
    payload = json.loads(document + "}")
    assert payload["prompt"] == "a kite" and payload["resolution"] == "1080p"  # defaults filled
    assert "estimate: 1.6 USD" in rest
    assert posts(hub) == 0


def test_run_max_cost_refuses_higher_or_unknown(hub: LocalHub) -> None:
    code, _, err = cli(hub, "run", "ltx-2-3-pro", "prompt=a", "--max-cost", "0.5")
    assert code == 1 and "over --max-cost 0.5" in err and "nothing was sent" in err
    code, _, err = cli(hub, "run", "ltx-2-3-pro", "prompt=a", "resolution=4k", "--max-cost", "50")
    assert code == 1 and "unknown" in err
    assert posts(hub) == 0
    code, out, err = cli(hub, "run", "ltx-2-3-pro", "prompt=a", "--max-cost", "0.96", "--no-wait")
    assert code == 0, err
    assert posts(hub) == 1
