"""``schemadrive demo``: a guided tour against a LocalHub started in this process.

Describes a model, validates a good and a bad payload, runs a queued job while listening to
the event stream, and downloads the result. No key, no network, nothing paid; a few seconds.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from ._context import EXIT_OK

if TYPE_CHECKING:
    import argparse

    from ._context import Context

NAME = "demo"
MODEL = "ltx-2-3-quality-text-to-video"
GOOD = {"prompt": "a paper boat drifting down a rainy street", "num_frames": 121}
BAD = {"prompt": "a paper boat", "num_frames": "121", "resolution": "1080p", "durration": 5}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        NAME,
        help="a two-minute tour on a local hub (no key, no network)",
        description=(
            "Start a local test hub in this process and walk through describing a model, "
            "validating a good and a bad payload, a queued run with progress over the event "
            "stream, and the downloaded result. Needs no API key and no network; costs nothing."
        ),
    )
    parser.add_argument(
        "--output-dir", metavar="DIR",
        help="where to download the result (default: a new temporary directory, kept)",
    )  # fmt: skip
    parser.add_argument(
        "--job-seconds", type=float, default=2.0, metavar="S",
        help="how long the demo job takes on the local hub (default: 2)",
    )  # fmt: skip
    parser.set_defaults(handler=run)


class _Tour:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.step = 0

    def heading(self, text: str) -> None:
        self.step += 1
        self.ctx.out("")
        self.ctx.out(self.ctx.paint(f"{self.step}. {text}", "bold"))

    def command(self, text: str) -> None:
        self.ctx.out(self.ctx.paint(f"   $ {text}", "cyan"))

    def say(self, text: str = "") -> None:
        self.ctx.out(f"   {text}".rstrip())


def run(args: argparse.Namespace, ctx: Context) -> int:
    import shlex
    import tempfile
    from pathlib import Path

    from ..client import Client
    from ..testing import LocalHub
    from .describe import render_table, rows_of

    output = (
        Path(args.output_dir)
        if args.output_dir
        else Path(tempfile.mkdtemp(prefix="schemadrive-demo-"))
    )
    tour = _Tour(ctx)
    hub = LocalHub(job_seconds=args.job_seconds)
    with hub, Client(hub.api_key, base_url=hub.url, cache_dir=False) as client:
        ctx.out(ctx.paint("schemadrive demo", "bold"))
        ctx.out(f"A local hub is serving on {hub.url}: recorded models, fake jobs, no key needed,")
        ctx.out("nothing leaves this machine. Every step shows the command that does the same.")

        tour.heading("Describe a model: what it takes, what is required, what is allowed")
        tour.command(f"schemadrive describe {MODEL}")
        model = client.model(MODEL)
        for line in render_table(rows_of(model.parameters), width=96):
            tour.say(line)

        tour.heading("Validate payloads before anything is sent or paid for")
        tour.command(f"echo '{json.dumps(GOOD)}' | schemadrive validate {MODEL}")
        problems = model.validate(GOOD)
        tour.say(ctx.paint("valid", "green") if not problems else f"unexpected: {problems}")
        tour.command(f"echo '{json.dumps(BAD)}' | schemadrive validate {MODEL}")
        for problem in model.validate(BAD):
            tour.say(f"{ctx.paint('error', 'red')}: {problem}")
        tour.say("Every problem at once, with how to fix it; exit code 1 stops a pipeline.")

        tour.heading("Run it in the queue, listening to the hub's event stream")
        arguments = " ".join(shlex.quote(f"{key}={value}") for key, value in GOOD.items())
        tour.command(f"schemadrive run {MODEL} {arguments} --via events -o {output}")
        started = time.monotonic()
        job = client.submit(MODEL, GOOD)
        tour.say(f"generation id {job.id} (printed first: `schemadrive wait {job.id}` resumes)")
        seen: list[str] = []

        def on_status(state: Any) -> None:
            word = state.word
            if not seen or seen[-1] != word:
                seen.append(word)
                tour.say(f"{time.monotonic() - started:5.1f} s  {word}")

        if job.state is not None:
            on_status(job.state)

        result = job.wait(timeout=60 + 10 * args.job_seconds, via="events", on_status=on_status)

        tour.heading("Download the result")
        paths = result.download(output)
        for path in paths:
            tour.say(f"{path}  ({path.stat().st_size:,} bytes)")

    ctx.out("")
    ctx.out(ctx.paint("Next, on the real hub:", "bold"))
    ctx.out("   export OXEN_API_KEY=...        # from https://oxen.ai/settings/profile")
    ctx.out(f"   schemadrive describe {MODEL}")
    ctx.out(f"   schemadrive run {MODEL} prompt='...' --output result.mp4")
    ctx.out(
        "   schemadrive --help             # validate in CI, lint and diff schemas, fuzz payloads"
    )
    return EXIT_OK
