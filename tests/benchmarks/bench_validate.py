"""Model.validate and Model.prepare throughput on valid payloads (ltx-2-3-quality-text-to-video),
against a cached jsonschema validator and ``jsonschema.validate``; targets: validate at least
1,000,000 payloads/s, prepare at least 300,000/s. Also prints where the time of one call goes.
"""

from __future__ import annotations

import random
import time
from typing import Any

from .common import MODEL, Figure, interleaved, rate, report

NAME = "validate"
COMMAND = "python tests/benchmarks/run.py validate"
RESOLUTIONS = [
    "square_hd",
    "square",
    "portrait_4_3",
    "portrait_16_9",
    "landscape_4_3",
    "landscape_16_9",
]


def payloads(count: int, seed: int = 8) -> list[dict[str, Any]]:
    """Valid payloads as people send them: a prompt and zero to six of the optional settings."""
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


def run(figures: list[Figure], *, quick: bool = False) -> None:
    import jsonschema

    from schemadrive import Client
    from schemadrive.schema.compile import CompiledSchema
    from schemadrive.schema.fastpath import is_plain

    model = Client(offline=True, cache_dir=False).model(MODEL)
    compiled = model.compiled
    items = payloads(1000)
    assert all(model.validate(p) == [] for p in items), "the benchmark payloads must be valid"
    schema = model.schema
    cls = jsonschema.validators.validator_for(schema)
    cached = cls(schema, format_checker=cls.FORMAT_CHECKER)
    slow = CompiledSchema(schema, fast=False)
    seconds = 0.15 if quick else 0.4

    best = interleaved(
        {
            "validate": lambda: rate(model.validate, items, seconds=seconds),
            "prepare": lambda: rate(model.prepare, items, seconds=seconds),
            "cached": lambda: rate(cached.validate, items[:200], seconds=seconds),
        },
        rounds=2 if quick else 3,
    )
    start = time.perf_counter()
    few = items[: 20 if quick else 60]
    for payload in few:
        jsonschema.validate(payload, schema)
    one_shot = len(few) / (time.perf_counter() - start)
    slow_rate = rate(slow.validate, items[:200], seconds=seconds)

    fast = "jsonschema-rs" if compiled.fast else f"jsonschema ({compiled.fallback_reason})"
    for what, value, target, goal in (
        ("Model.validate, valid payloads", best["validate"], ">= 1,000,000/s", 1_000_000),
        ("Model.prepare, valid payloads", best["prepare"], ">= 300,000/s", 300_000),
    ):
        report(
            Figure(
                NAME,
                what,
                value,
                "payloads/s",
                "cached jsonschema validator",
                best["cached"],
                target,
                value >= goal,
                command=COMMAND,
                note=f"judged by {fast}",
            ),
            figures,
        )
        report(
            Figure(
                NAME, what, value, "payloads/s", "jsonschema.validate()", one_shot, command=COMMAND
            ),
            figures,
        )
    report(
        Figure(
            NAME,
            "slow path alone (CompiledSchema(fast=False).validate)",
            slow_rate,
            "payloads/s",
            "cached jsonschema validator",
            best["cached"],
            command=COMMAND,
        ),
        figures,
    )
    if compiled.fast:
        _profile(model, items, figures, seconds, is_plain)


def _profile(
    model: Any, items: list[Any], figures: list[Figure], seconds: float, guard: Any
) -> None:
    """Where one Model.validate call spends its time (nanoseconds per payload)."""
    compiled = model.compiled
    strict = compiled._fast.strict
    parts = interleaved(
        {
            "loop": lambda: rate(lambda p: None, items, seconds=seconds),
            "rs": lambda: rate(strict, items, seconds=seconds),
            "guard": lambda: rate(guard, items, seconds=seconds),
            "compiled": lambda: rate(compiled.validate, items, seconds=seconds),
            "model": lambda: rate(model.validate, items, seconds=seconds),
        }
    )
    ns = {k: 1e9 / v for k, v in parts.items()}
    loop = ns["loop"]
    note = (
        f"per call: jsonschema-rs is_valid {ns['rs'] - loop:.0f} ns, plain-JSON guard "
        f"{ns['guard'] - loop:.0f} ns, CompiledSchema.validate total "
        f"{ns['compiled'] - loop:.0f} ns, "
        f"Model.validate total {ns['model'] - loop:.0f} ns (loop overhead {loop:.0f} ns excluded)"
    )
    report(
        Figure(
            NAME,
            "jsonschema-rs is_valid alone (the ceiling)",
            parts["rs"],
            "payloads/s",
            "Model.validate",
            parts["model"],
            note=note,
            command=COMMAND,
        ),
        figures,
    )
