"""Fuzzed payload tables for the scale tests and benchmark (tests/integration/test_tables.py,
test_spark.py, test_dask.py, tests/benchmarks/bench_tables.py).

For each seed model: distinct valid and invalid payloads drawn by schemadrive.fuzz with fixed
seeds, then recombined by a seeded ``random.Random`` into as many rows as asked (a valid payload,
an invalid one, a valid payload with one invalid payload's values pasted over it, a valid one
with an unknown name). Deterministic for the same versions of schemadrive and hypothesis.
"""

from __future__ import annotations

import functools
import json
import random
from typing import Any

#: Two seed models of different shapes: a video model (enums, uri inputs, a conditional task)
#: and an image model.
SEED_MODELS = ("ltx-2-3-pro", "black-forest-labs-flux-2-klein-4b")
POOL = 300


@functools.lru_cache(maxsize=8)
def pools(schema_json: str, seed: int) -> tuple[list[Any], list[Any]]:
    """Distinct valid and invalid payloads of the schema (JSON text, so the cache can key it)."""
    from schemadrive.fuzz import examples, invalid_payloads, payloads

    schema = json.loads(schema_json)
    valid = examples(payloads(schema), POOL, seed=seed)
    invalid = [p for p, _rule in examples(invalid_payloads(schema), POOL, seed=seed + 1)]
    return valid, invalid


def fuzzed_payloads(schema: dict[str, Any], count: int, *, seed: int = 19) -> list[Any]:
    """``count`` payloads for ``schema``, valid and invalid, the same every run."""
    valid, invalid = pools(json.dumps(schema, sort_keys=True), seed)
    rng = random.Random(seed)
    names = sorted((schema.get("properties") or {}).keys())
    rows: list[Any] = []
    for index in range(count):
        roll = rng.random()
        if roll < 0.4 or not invalid:
            row: Any = dict(rng.choice(valid))
        elif roll < 0.7:
            row = rng.choice(invalid)
            row = dict(row) if isinstance(row, dict) else row
        elif roll < 0.9:
            row = dict(rng.choice(valid))
            bad = rng.choice(invalid)
            if isinstance(bad, dict):
                for key in rng.sample(sorted(bad), min(len(bad), rng.randrange(1, 3))):
                    row[key] = bad[key]
        else:
            row = dict(rng.choice(valid))
            typo = rng.choice(names)[::-1] if names else "x"
            row[typo] = index
        rows.append(row)
    return rows
