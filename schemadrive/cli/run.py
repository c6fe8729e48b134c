"""``schemadrive run MODEL key=value ...``: type the values by the schema, validate, run.

In queue mode the generation id is printed (and flushed) first, on a line of its own, before
any waiting, so an interrupted wait can be resumed with ``schemadrive wait ID``. Then come the
result URLs, or with ``--output`` the downloaded files, one a line. Progress is drawn on
standard error, and only when it is a terminal.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ._context import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from ._files import take_files
from ._keyvalue import ValueTypeError, build_payload, coerce, split_assignments, types_of
from ._report import json_document
from ._validate_options import UsageError, reparse

if TYPE_CHECKING:
    import argparse

    from ..schema.problems import Problem
    from ._context import Context

NAME = "run"
__all__ = [  # the typing of key=value lives in _keyvalue.py; these names stay importable here
    "ValueTypeError", "build_payload", "coerce", "run", "split_assignments", "types_of",
]  # fmt: skip


def register(subparsers: Any) -> None:
    import argparse

    parser = subparsers.add_parser(
        NAME,
        usage="schemadrive run [options] MODEL [key=value ...]",
        help="run a model: key=value parameters typed by its schema",
        description=(
            "Run a model. Each key=value is typed by the model's schema: num_frames=121 is an "
            "integer, generate_audio=false a boolean, image_strength=0.7 a number, arrays and "
            "objects are written as JSON (input_image='[\"https://...\"]'; a single value for "
            "an array becomes a one-item list), anything else is a string. key=@path sends a local "
            "file to a media parameter (input_audio=@song.mp3; key=@@text for a value that "
            "starts with @). The payload is "
            "validated before anything is sent: an invalid one exits 1 and costs nothing. In "
            "queue mode the generation id is printed first, so `schemadrive wait ID` can "
            "resume an interrupted wait."
        ),
        epilog=(
            "exit codes: 0 done; 1 invalid payload, or the job failed or was cancelled; 2 usage "
            "error or a value that cannot be typed; 3 hub or network error; 124 --timeout passed "
            "(the job may still be running: `schemadrive wait ID`).\n"
            "examples:\n"
            "  schemadrive run ltx-2-3-quality-text-to-video prompt='a fox' num_frames=121 "
            "--output fox.mp4\n"
            "  ID=$(schemadrive run ltx-2-3-pro prompt='a fox' --no-wait) && schemadrive wait $ID"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_options(parser)
    parser.add_argument(
        "inputs", nargs=argparse.REMAINDER, metavar="MODEL [key=value ...]",
        help="the model id, then parameters",
    )  # fmt: skip
    parser.set_defaults(handler=run, command_parser=parser)


def add_options(parser: Any) -> None:
    parser.add_argument(
        "--payload", metavar="FILE",
        help="start from this JSON payload (- for stdin); key=value pairs override its keys",
    )  # fmt: skip
    parser.add_argument(
        "--mode", choices=("queue", "sync"), default="queue",
        help="queue (default: a job with an id you can wait on, resume or cancel) or sync "
        "(one long request to the model's endpoint)",
    )  # fmt: skip
    add_wait_options(parser)
    from ._cost import add_cost_options

    add_cost_options(parser)
    parser.add_argument(
        "--no-wait", action="store_true",
        help="queue mode: print the generation id and exit without waiting",
    )  # fmt: skip


def add_wait_options(parser: Any) -> None:
    """Options shared with ``schemadrive wait``."""
    parser.add_argument(
        "--via", choices=("events", "poll"), default=None,
        help="how to learn that the job ended: the hub's event stream or polling "
        "(default: events, falling back to polling)",
    )  # fmt: skip
    parser.add_argument(
        "--timeout", type=seconds, metavar="S", default=None,
        help="give up waiting after S seconds (exit 124; the job keeps running)",
    )  # fmt: skip
    parser.add_argument(
        "--output", "-o", metavar="PATH",
        help="download the results: a file path, or a directory (created if missing)",
    )  # fmt: skip
    parser.add_argument(
        "--poll-interval", type=seconds, metavar="S", default=None,
        help="when polling, first ask after S seconds, then less often (default: "
        "$SCHEMADRIVE_POLL_INTERVAL or 2)",
    )  # fmt: skip
    parser.add_argument(
        "--json", action="store_true",
        help="print one JSON object (id, status, model, urls, files) instead of lines",
    )  # fmt: skip


def seconds(text: str) -> float:
    """An argparse type: a finite number of seconds >= 0."""
    import argparse
    import math

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"seconds must be a finite number >= 0, not {text!r}")
    return value


# -- output --------------------------------------------------------------------------------


def problem_lines(ctx: Context, problems: list[Problem]) -> list[str]:
    lines = []
    for problem in problems:
        colour = "red" if problem.severity == "error" else "yellow"
        label = ctx.paint(problem.severity, colour, ctx.stderr)
        lines.append(f"  {label}: {problem}")
    return lines


def job_document(
    generation_id: str | None,
    status: str,
    *,
    model: str | None = None,
    urls: Any = (),
    files: Any = None,
    error: str | None = None,
) -> dict[str, Any]:
    """What ``run --json`` and ``wait --json`` print: the same keys whatever happened."""
    return {
        "generation_id": generation_id,
        "status": status,
        "model": model,
        "urls": list(urls),
        "files": None if files is None else [str(f) for f in files],
        "error": error,
    }


def report_result(
    ctx: Context,
    result: Any,
    output: str | None,
    *,
    as_json: bool = False,
    model: str | None = None,
) -> None:
    """Print the result's URLs, or download them to ``output`` and print the paths."""
    files = list(result.download(output)) if output else None
    if as_json:
        generation_id = getattr(result, "generation_id", None)
        document = job_document(
            generation_id, "succeeded", model=getattr(result, "model", None) or model,
            urls=result.urls, files=files,
        )  # fmt: skip
        ctx.out(json_document(document))
        return
    if files is not None:
        for path in files:
            ctx.out(str(path))
        return
    for url in result.urls:
        ctx.out(url)
    if getattr(result, "data", None):
        ctx.err(
            f"schemadrive: {len(result.data)} output(s) came inline: use --output PATH to save them"
        )


def wait_options(ctx: Context, args: argparse.Namespace) -> tuple[dict[str, Any], Any]:
    """Keyword arguments for ``Job.wait``, and the progress line (None: not a terminal)."""
    options: dict[str, Any] = {"via": args.via or "auto"}
    if args.timeout is not None:
        options["timeout"] = args.timeout
    if not ctx.is_terminal(ctx.stderr):
        return options, None
    import sys

    if ctx.stderr is sys.stderr:
        # the wait's own line: it ticks every second whatever the way of waiting, and says
        # what the wait is doing (reconnecting, since when) besides waiting
        options["progress"] = True
        return options, None
    from ..dispatch.progress import ProgressLine

    line = ProgressLine(stream=ctx.stderr)

    def on_status(state: Any) -> None:
        if state.terminal:
            line.finished(state)
        else:
            line.update(state)

    options["on_status"] = on_status
    return options, line


def announce(ctx: Context, generation_id: str, *, as_json: bool = False) -> None:
    """The id first, on stdout, flushed: whatever happens next, it can be resumed.

    With ``--json`` stdout holds one JSON document, so the id goes to stderr instead.
    """
    if as_json:
        ctx.err(f"schemadrive: queued {generation_id}")
        ctx.stderr.flush()
        return
    ctx.out(generation_id)
    ctx.stdout.flush()
    if ctx.is_terminal(ctx.stderr):
        ctx.err(
            ctx.paint(
                f"queued {generation_id}; resume with `{ctx.command(f'wait {generation_id}')}`",
                "dim",
                ctx.stderr,
            )
        )


# -- the command ---------------------------------------------------------------------------


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _read_payload(path: str) -> dict[str, Any]:
    import sys

    from ..exceptions import ConfigurationError
    from ..hub.recorded import read_json_file

    if path == "-":
        try:
            document = json.loads(sys.stdin.read(), parse_constant=_reject_constant)
        except ValueError as exc:
            raise ConfigurationError(f"stdin: not valid JSON ({exc})") from None
    else:
        document = read_json_file(path)
    if not isinstance(document, dict):
        raise ConfigurationError(
            f"{path}: a payload must be a JSON object, not {type(document).__name__}"
        )
    return document


def run(args: argparse.Namespace, ctx: Context) -> int:
    from ..exceptions import SchemaUnavailable
    from ._preflight import check_run_options

    try:
        args = reparse(args, add_options, "schemadrive run")
        ctx.absorb(args)
        if not args.inputs:
            raise UsageError("schemadrive run: give a MODEL, then key=value parameters")
        model_id, rest = args.inputs[0], args.inputs[1:]
        assignments = split_assignments(rest)
        assignments, files = take_files(assignments)  # key=@path, key=@@text: docs/files.md
        check_run_options(ctx, args, prog="schemadrive run")
    except UsageError as exc:
        if str(exc) == "--help":
            args.command_parser.print_help(ctx.stdout)
            return EXIT_OK
        ctx.err(str(exc))
        return EXIT_USAGE
    base = _read_payload(args.payload) if args.payload else None
    client = ctx.client()
    ctx.offline_helps = True  # reading the schema: the cache or the fixtures can stand in
    model = client.model(model_id)
    try:
        parameters = model.parameters
    except SchemaUnavailable as exc:
        ctx.err(f"schemadrive run: {exc}")
        return EXIT_USAGE
    ctx.offline_helps = False  # from here on the hub itself is needed
    try:
        payload = {**build_payload(parameters, assignments, base), **files}
    except ValueTypeError as exc:
        ctx.err(f"schemadrive run: {ctx.paint('error', 'red', ctx.stderr)}: {exc}")
        return EXIT_USAGE
    problems = model.validate(model.fill_defaults(payload))
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        count = f"{len(errors)} problem{'s' if len(errors) != 1 else ''}"
        ctx.err(
            f"schemadrive run: the payload is invalid for {model_id} ({count}); nothing was sent"
        )
        for line in problem_lines(ctx, errors):
            ctx.err(line)
        return EXIT_FAILED
    for line in problem_lines(ctx, problems):
        ctx.err(line)

    from ._cost import cost_gate

    stop = cost_gate(ctx, model, payload, args)  # --dry-run, --max-cost: docs/batches.md
    if stop is not None:
        return stop
    if args.mode == "sync":
        result = client.run(model_id, payload)
        report_result(ctx, result, args.output, as_json=args.json, model=model_id)
        return EXIT_OK
    # the event stream only when the wait will use it (docs/running-models.md)
    client.dispatcher.settings.listen = not args.no_wait and args.via != "poll"
    job = client.submit(model_id, payload)
    announce(ctx, job.id, as_json=args.json)
    if args.no_wait:
        if args.json:
            ctx.out(json_document(job_document(job.id, "queued", model=model_id)))
        return EXIT_OK
    return wait_and_report(ctx, job, args, model=model_id)


def wait_and_report(
    ctx: Context, job: Any, args: argparse.Namespace, *, model: str | None = None
) -> int:
    """Wait for ``job`` with the command line's options; print or download its result.

    With ``--json`` a job that failed, was cancelled or outlasted ``--timeout`` (then with its
    last known status) is printed as a document too, with its status and error, before the
    usual one-line error and exit code.
    """
    from ..exceptions import JobCancelled, JobFailed, JobTimeout
    from ._status import our_word

    options, progress = wait_options(ctx, args)
    try:
        result = job.wait(**options)
    except KeyboardInterrupt:
        if progress is not None:
            progress.close()
            progress = None
        ctx.err(
            f"schemadrive: stopped waiting; job {job.id} keeps running: "
            f"`{ctx.command(f'wait {job.id}')}`"
        )
        raise
    except (JobFailed, JobCancelled, JobTimeout) as exc:
        if args.json:
            if isinstance(exc, JobTimeout):  # the job goes on: its last known status
                status = our_word(exc.last_status) or "unknown"
                error: str | None = str(exc)
            else:
                status = "failed" if isinstance(exc, JobFailed) else "cancelled"
                error = getattr(exc, "message", None) if isinstance(exc, JobFailed) else None
            document = job_document(
                job.id, status, model=getattr(exc, "model", None) or model, error=error
            )
            ctx.out(json_document(document))
        raise
    finally:
        if progress is not None:
            progress.close()
    report_result(ctx, result, args.output, as_json=args.json, model=model)
    return EXIT_OK
