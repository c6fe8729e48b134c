"""Cost estimates from the model object's pricing (docs/batches.md "Costs")."""

from __future__ import annotations

from decimal import Decimal

import pytest

from schemadrive import Client
from schemadrive.pricing import Estimate, estimate, resolution_class

VIDEO = {
    "method": "per_video_output_second",
    "cost_per_second": 0.12,
    "cost_per_second_with_audio": 0.16,
    "cost_per_second_high_res": 0.24,
    "cost_per_image": None,
}


@pytest.fixture(scope="module")
def client() -> Client:
    return Client("k", offline=True, cache_dir=False)


def test_recorded_video_model_defaults_generate_audio(client: Client) -> None:
    # ltx-2-3-pro: duration 6 and generate_audio true by default -> 6 s at the audio rate
    found = client.model("ltx-2-3-pro").estimate({"prompt": "a cat"})
    assert found.amount == Decimal("0.96")
    assert found.currency == "USD"
    assert "cost_per_second_with_audio" in found.breakdown[0]


def test_without_audio_uses_the_base_rate(client: Client) -> None:
    found = client.model("ltx-2-3-pro").estimate(
        {"prompt": "a cat", "generate_audio": False, "duration": 10}
    )
    assert found.amount == Decimal("1.2")


@pytest.mark.parametrize("resolution", ["2k", "4k"])
def test_high_resolution_rate(client: Client, resolution: str) -> None:
    found = client.model("ltx-2-3-pro").estimate(
        {"prompt": "a", "resolution": resolution, "generate_audio": False, "duration": 5}
    )
    assert found.amount == Decimal("1.2")
    assert "cost_per_second_high_res" in found.breakdown[0]


def test_1080p_is_not_high_resolution(client: Client) -> None:
    found = client.model("ltx-2-3-pro").estimate(
        {"prompt": "a", "resolution": "1080p", "generate_audio": False, "duration": 5}
    )
    assert found.amount == Decimal("0.6")


def test_high_resolution_with_audio_has_no_rate_so_unknown(client: Client) -> None:
    found = client.model("ltx-2-3-pro").estimate({"prompt": "a", "resolution": "4k"})
    assert found.amount is None and not found.known
    assert "high resolution" in (found.reason or "")


def test_frames_and_fps_give_the_seconds(client: Client) -> None:
    found = client.model("ltx-2-3-quality-text-to-video").estimate(
        {"prompt": "a", "num_frames": 120, "frames_per_second": 24, "generate_audio": False}
    )
    assert found.amount == Decimal("0.6")  # 5 s x 0.12


def test_count_and_num_generations_multiply(client: Client) -> None:
    model = client.model("black-forest-labs-flux-2-klein-4b")
    assert model.estimate({"prompt": "a"}).amount == Decimal("0.014")
    assert model.estimate({"prompt": "a", "num_generations": 3}, count=2).amount == Decimal("0.084")


def test_audio_driven_length_is_unknown(client: Client) -> None:
    found = client.model("ltx-2-3-pro-audio-to-video").estimate(
        {"prompt": "a", "input_audio": "https://example.com/a.mp3"}
    )
    assert found.amount is None and "duration" in (found.reason or "")


def test_token_priced_chat_model_is_unknown(client: Client) -> None:
    found = client.model("claude-sonnet-4-6").estimate({})
    assert found.amount is None and "token" in (found.reason or "")


def test_gmicloud_model_without_pricing_is_unknown() -> None:
    gmi = Client("k", offline=True, cache_dir=False, provider="gmicloud")
    found = gmi.model("ltx-2-pro-audio-to-video").estimate({"audio_uri": "https://e.com/a.mp3"})
    assert found.amount is None and "no pricing" in (found.reason or "")


@pytest.mark.parametrize(
    "pricing",
    [
        {"method": "per_song"},
        {"method": "time", "cost_per_second": 0.1},
        {"method": "per_video_output_second", "cost_per_second": None},
        {"method": "per_video_output_second", "cost_per_second": "free"},
        {"method": "per_image"},
        None,
        "0.1",
    ],
)
def test_what_is_not_understood_is_unknown_never_a_guess(pricing: object) -> None:
    found = estimate(pricing, {"duration": 5, "prompt": "x"})
    assert found.amount is None
    assert found.reason
    assert found.exceeds(1000)  # a budget treats unknown as over


def test_resolution_by_name_table() -> None:
    pricing = {
        "method": "per_video_output_second",
        "cost_per_second_by_resolution": {"480p": 0.096},
    }
    assert estimate(pricing, {"resolution": "480p", "duration": 10}).amount == Decimal("0.96")


def test_image_grid() -> None:
    pricing = {
        "method": "per_image",
        "cost_per_image": 0.5,
        "cost_per_image_grid": {"high": {"4K": 1.47}},
    }
    assert estimate(pricing, {"output_quality": "high", "resolution": "4K"}).amount == Decimal(
        "1.47"
    )
    assert estimate(pricing, {"output_quality": "high", "resolution": "1K"}).amount is None
    assert estimate(pricing, {}).amount == Decimal("0.5")


def test_unknown_resolution_word_is_unknown_when_high_res_is_priced() -> None:
    found = estimate(VIDEO, {"duration": 5, "resolution": "cinema"})
    assert found.amount is None and "cinema" in (found.reason or "")
    assert resolution_class("3840x2160") == "high"
    assert resolution_class("1920x1080") == "standard"


def test_total_is_unknown_if_any_part_is() -> None:
    known = estimate(VIDEO, {"duration": 5})
    assert Estimate.total([known, known]).amount == Decimal("1.2")
    assert Estimate.total([known, estimate(None, {})]).amount is None
    assert not known.exceeds("0.6") and known.exceeds("0.59")


def test_str_and_json() -> None:
    found = estimate(VIDEO, {"duration": 5})
    assert str(found).startswith("0.6 USD")
    assert found.as_json()["amount"] == "0.6"
    assert str(estimate(None, {})).startswith("unknown")
