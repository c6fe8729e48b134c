"""Peak memory growth while a 50 MB file becomes a ``data:`` URI (``bind_files``: sniffed,
validated through a stand-in, encoded in chunks; target: under two copies of the file), against
``"data:...," + base64.b64encode(path.read_bytes()).decode()`` (what a naive client does).
Each run is a fresh interpreter reporting its peak RSS growth (ru_maxrss) and tracemalloc's peak.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from .common import WORK, Figure, bench_env, report, skipped

NAME = "files"
COMMAND = "python tests/benchmarks/run.py files"
SIZE = 50 * 2**20

MEASURE = """
import base64, json, resource, sys, time, tracemalloc
from pathlib import Path
mode, path = sys.argv[1], Path(sys.argv[2])
from schemadrive.hub.providers import get_provider
from schemadrive.hub.recorded import load_model_objects
from schemadrive.media import bind_files
from schemadrive.model import Model
MODEL = "ltx-2-3-pro-audio-to-video"
model = Model(MODEL, load_model_objects(None, provider="oxen")[MODEL], get_provider("oxen"))
AUDIO = "https://example.com/song.mp3"
bind_files(model, {"input_audio": AUDIO, "input_image": b"\\x89PNG\\r\\n\\x1a\\n"})  # warm up
start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
tracemalloc.start()
began = time.perf_counter()
if mode == "schemadrive":
    payload = {"input_audio": AUDIO, "input_image": path}
    sent = bind_files(model, payload, max_inline_bytes=path.stat().st_size)["input_image"]
else:
    sent = "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode()
seconds = time.perf_counter() - began
peak = tracemalloc.get_traced_memory()[1]
grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - start
print(json.dumps({"rss_kb": grown, "traced": peak, "length": len(sent), "seconds": seconds}))
"""


def _measure(mode: str, path: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, mode, path],
        capture_output=True,
        text=True,
        env=bench_env(),
        timeout=600,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def run(figures: list[Figure], *, quick: bool = False) -> None:
    if sys.platform == "win32":
        skipped(NAME, "ru_maxrss is not available on Windows", figures)
        return
    WORK.mkdir(parents=True, exist_ok=True)
    source = WORK / "input.png"
    if not source.exists() or source.stat().st_size != SIZE:
        with open(source, "wb") as stream:  # a PNG signature, then incompressible bytes
            stream.write(b"\x89PNG\r\n\x1a\n")
            stream.write(os.urandom(SIZE - 8))
    start = time.perf_counter()
    ours = _measure("schemadrive", str(source))
    elapsed = time.perf_counter() - start
    naive = _measure("naive", str(source))
    mb = 2**20
    assert ours["length"] == naive["length"]
    report(
        Figure(
            NAME,
            "bind_files of a 50 MB file (data: URI): peak RSS growth",
            ours["rss_kb"] / 1024,
            "MB",
            '"data:...," + b64encode(read_bytes()).decode()',
            naive["rss_kb"] / 1024,
            f"< {2 * SIZE / mb:.0f} MB (two copies of the file)",
            ours["rss_kb"] * 1024 < 2 * SIZE,
            "lower",
            note=f"tracemalloc peak {ours['traced'] / mb:.1f} MB (naive: "
            f"{naive['traced'] / mb:.1f} MB); encoding {ours['seconds']:.2f} s "
            f"(naive {naive['seconds']:.2f} s), {elapsed:.1f} s with start-up",
            command=COMMAND,
        ),
        figures,
    )
