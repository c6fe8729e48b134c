"""The inputs every validation benchmark runs on: the flat schema (a seed model's) and the
conditional one (``conditional_schema.json``: ``if``/``then``/``else``, ``dependentSchemas`` and
``oneOf`` branches that carry defaults), each with valid, mixed (10% invalid) and invalid
payloads. Deterministic (seeded), so two runs measure the same work.
"""

from __future__ import annotations

import json
import random
from functools import cache
from pathlib import Path
from typing import Any

MODEL = "ltx-2-3-quality-text-to-video"
CONDITIONAL = Path(__file__).with_name("conditional_schema.json")
#: The share of invalid payloads in a "mixed" workload.
INVALID_SHARE = 0.1
RESOLUTIONS = [
    "square_hd",
    "square",
    "portrait_4_3",
    "portrait_16_9",
    "landscape_4_3",
    "landscape_16_9",
]


@cache
def conditional_schema() -> dict[str, Any]:
    return json.loads(CONDITIONAL.read_text())  # type: ignore[no-any-return]


def conditional_model() -> Any:
    """A Model whose request schema is the conditional one (as a hub would publish it)."""
    from schemadrive.hub.providers import get_provider
    from schemadrive.model import Model

    info = {"id": "bench/conditional", "json_request_schema": conditional_schema()}
    return Model("bench/conditional", info, get_provider("oxen"))


def flat_model() -> Any:
    from schemadrive import Client

    return Client(offline=True, cache_dir=False).model(MODEL)


def payloads(count: int, seed: int = 8) -> list[dict[str, Any]]:
    """Valid payloads of the flat schema as people send them: a prompt and 0-6 settings."""
    rng = random.Random(seed)
    out = []
    for index in range(count):
        payload: dict[str, Any] = {"prompt": f"a red fox running through snow, take {index}"}
        options = {
            "num_frames": rng.randrange(9, 482),
            "resolution": rng.choice(RESOLUTIONS),
            "frames_per_second": rng.choice([24, 25, 30, 12.5]),
            "generate_audio": rng.random() < 0.5,
            "video_quality": rng.choice(["low", "medium", "high", "maximum"]),
            "seed": rng.randrange(2**31),
        }
        for key in rng.sample(sorted(options), rng.randrange(len(options) + 1)):
            payload[key] = options[key]
        out.append(payload)
    return out


def _wrong_values(distinct: bool) -> Any:
    """``new(value, made)``: the usual wrong ``value``, or with ``distinct`` ``made(n)`` for a
    counter ``n`` (every wrong value different)."""
    counter = iter(range(10**9)) if distinct else None

    def new(value: Any, made: Any) -> Any:
        return value if counter is None else made(next(counter))

    return new


def _broken(valid: list[Any], breakers: list[Any], rng: random.Random, *, most: int) -> list[Any]:
    """Each of ``valid`` broken by 1 to ``most`` of ``breakers``, drawn with ``rng``."""
    for payload in valid:
        for breaker in rng.sample(breakers, rng.randrange(1, most + 1)):
            breaker(payload)
    return valid


def invalid_flat(count: int, seed: int = 9, *, distinct: bool = False) -> list[dict[str, Any]]:
    """Invalid flat payloads, wrong in the ways users get them wrong (one to three problems).

    The wrong values repeat, as in real files (the same typo, the same out-of-range number);
    schemadrive builds the problems of an error it has seen once (at the same place, with the
    same value) only once. ``distinct`` makes every wrong value and name new, so nothing can
    be reused: the figure without that help."""
    rng = random.Random(seed)
    new = _wrong_values(distinct)
    breakers = [
        lambda p: p.update(num_frames=new(999, lambda i: 482 + i)),
        lambda p: p.update(num_frames=new("121", str)),
        lambda p: p.update(resolution=new("4k", lambda i: f"{i}k")),
        lambda p: p.update({new("resolutoin", lambda i: f"resolutoin{i}"): "square"}),  # a typo
        lambda p: p.update(seed=new(1.5, lambda i: i + 0.5)),
        lambda p: p.pop("prompt"),
        lambda p: p.update(generate_audio=new("yes", lambda i: f"yes{i}")),
    ]
    return _broken(payloads(count, seed), breakers, rng, most=3)


def conditional_payloads(count: int, seed: int = 10) -> list[dict[str, Any]]:
    """Valid payloads of the conditional schema: every mode, tier and output branch."""
    rng = random.Random(seed)
    out = []
    for index in range(count):
        payload: dict[str, Any] = {"prompt": f"a heron over a lake, take {index}"}
        mode = rng.choice([None, "text", "image", "video"])
        if mode is not None:
            payload["mode"] = mode
        if mode == "image":
            payload["image_url"] = f"https://example.com/{index}.png"
            if rng.random() < 0.5:
                payload["strength"] = round(rng.random(), 2)
        elif mode == "video":
            payload["video_url"] = f"https://example.com/{index}.mp4"
        tier = rng.choice([None, "fast", "quality"])
        if tier is not None:
            payload["tier"] = tier
            if rng.random() < 0.5:
                low, high = (1, 17) if tier == "fast" else (17, 101)
                payload["steps"] = rng.randrange(low, high)
        if rng.random() < 0.4:
            payload["generate_audio"] = rng.random() < 0.5
        if rng.random() < 0.4:
            payload["output"] = {"format": rng.choice(["mp4", "webm"])}
        for key, make in (
            ("num_frames", lambda: rng.randrange(9, 482)),
            ("resolution", lambda: rng.choice(RESOLUTIONS)),
            ("seed", lambda: rng.randrange(2**31)),
            ("guidance_scale", lambda: round(rng.uniform(0, 20), 1)),
        ):
            if rng.random() < 0.4:
                payload[key] = make()
        out.append(payload)
    return out


def invalid_conditional(
    count: int, seed: int = 11, *, distinct: bool = False
) -> list[dict[str, Any]]:
    """Invalid conditional payloads: broken conditions as well as plain range errors
    (``distinct``: every wrong value and name new, as for :func:`invalid_flat`)."""
    rng = random.Random(seed)
    new = _wrong_values(distinct)
    breakers = [
        lambda p: (p.update(mode="image"), p.pop("image_url", None)),  # then: required
        lambda p: p.update(tier="fast", steps=new(40, lambda i: 101 + i)),  # no oneOf branch
        lambda p: p.update(output={"format": "webm", "codec": new("h264", lambda i: f"h{i}")}),
        lambda p: p.update(num_frames=new(999, lambda i: 482 + i)),
        lambda p: p.update({new("resoluton", lambda i: f"resoluton{i}"): "square"}),  # a typo
        lambda p: p.update(audio_volume=new(3, lambda i: 3 + i), generate_audio=True),
    ]
    return _broken(conditional_payloads(count, seed), breakers, rng, most=2)


def mixed(valid: list[Any], invalid: list[Any], seed: int = 12) -> list[Any]:
    """``valid`` with every tenth payload taken from ``invalid`` (10% invalid)."""
    out = list(valid)
    step = round(1 / INVALID_SHARE)
    for index in range(step - 1, len(out), step):
        out[index] = invalid[index % len(invalid)]
    random.Random(seed).shuffle(out)
    return out
