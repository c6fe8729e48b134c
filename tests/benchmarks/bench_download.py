"""Peak memory growth while ``Result.download`` saves a 200 MB result (target: under 32 MB),
against ``requests.get(url).content`` (what a naive client does). The file is sparse, served
by ``python -m http.server`` in another process; each download runs in a fresh interpreter
that reports its peak RSS growth (ru_maxrss) and tracemalloc's peak.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time

from .common import WORK, Figure, bench_env, report, skipped

NAME = "download"
COMMAND = "python tests/benchmarks/run.py download"
SIZE = 200 * 2**20

MEASURE = """
import json, os, resource, sys, tempfile, tracemalloc
mode, url, out = sys.argv[1:4]
import requests
from schemadrive.dispatch.results import Result
from schemadrive.dispatch.downloads import Downloader
Downloader.plain()._session()  # import and build everything before the baseline
start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
tracemalloc.start()
if mode == "schemadrive":
    written = Result(urls=[url]).download(out + os.sep)[0]
else:
    body = requests.get(url, timeout=60).content
    written = os.path.join(out, "naive.bin")
    with open(written, "wb") as stream:
        stream.write(body)
    del body
peak = tracemalloc.get_traced_memory()[1]
grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - start
print(json.dumps({"rss_kb": grown, "traced": peak, "size": os.path.getsize(written)}))
os.remove(written)
"""


def _serve(directory: str) -> tuple[subprocess.Popen[str], str]:
    server = subprocess.Popen(
        [
            sys.executable,
            "-u",
            "-m",
            "http.server",
            "0",
            "--bind",
            "127.0.0.1",
            "--directory",
            directory,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert server.stdout is not None
    line = server.stdout.readline()  # "Serving HTTP on 127.0.0.1 port 43567 (http://...) ..."
    match = re.search(r"port (\d+)", line)
    if not match:
        server.kill()
        raise RuntimeError(f"http.server did not start: {line!r}")
    return server, f"http://127.0.0.1:{match.group(1)}"


def _measure(mode: str, url: str) -> dict[str, int]:
    out = WORK / "downloads"
    out.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, mode, url, str(out)],
        capture_output=True,
        text=True,
        env=bench_env(),
        timeout=600,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(figures: list[Figure], *, quick: bool = False) -> None:
    if sys.platform == "win32":
        skipped(NAME, "ru_maxrss is not available on Windows", figures)
        return
    served = WORK / "served"
    served.mkdir(parents=True, exist_ok=True)
    blob = served / "result.mp4"
    if not blob.exists() or blob.stat().st_size != SIZE:
        with open(blob, "wb") as stream:
            stream.truncate(SIZE)  # sparse: no disk space, reads as zeros
    server, base = _serve(str(served))
    try:
        start = time.perf_counter()
        ours = _measure("schemadrive", f"{base}/result.mp4")
        elapsed = time.perf_counter() - start
        naive = _measure("naive", f"{base}/result.mp4")
    finally:
        server.kill()
        server.wait()
    mb = 2**20
    assert ours["size"] == SIZE and naive["size"] == SIZE
    report(
        Figure(
            NAME,
            "Result.download of 200 MB: peak RSS growth",
            ours["rss_kb"] / 1024,
            "MB",
            "requests.get(url).content",
            naive["rss_kb"] / 1024,
            "< 32 MB",
            ours["rss_kb"] * 1024 < 32 * mb,
            "lower",
            note=f"tracemalloc peak {ours['traced'] / mb:.1f} MB (naive: "
            f"{naive['traced'] / mb:.1f} MB); {SIZE / mb / elapsed:.0f} MB/s incl. start-up",
            command=COMMAND,
        ),
        figures,
    )
