"""``schemadrive diff``: what changed between two versions of a request schema, for CI.

``schemadrive diff OLD NEW`` compares two schemas; ``schemadrive diff MODEL --against FILE``
compares a recorded baseline (OLD = FILE) with the model as the hub serves it now (NEW =
MODEL). Each side is a schema file, a recorded model object, or a model id: an existing path
is a file, anything else a model id. ``--payloads FILE`` (JSON Lines or a JSON array)
re-validates stored payloads against NEW and lists the ones that fail.

Exit codes: 0 no breaking change and no failing payload; 1 a breaking change or a payload
NEW rejects; 2 unreadable input or a usage error; 3 hub or network error.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ._context import EXIT_FAILED, EXIT_OK
from ._report import FORMATS, github_annotation, json_document
from .lint import add_offline

if TYPE_CHECKING:
    import argparse

    from ..linting.drift import Change, PayloadFailure
    from ._context import Context
    from .lint import Target

NAME = "diff"


def register(subparsers: Any) -> None:
    import argparse

    parser = subparsers.add_parser(
        NAME,
        help="compare two versions of a schema and say what breaks",
        description=(
            "Compare two versions of a request schema: parameters removed or added, enum "
            "values, ranges, types, formats, defaults. Breaking changes are marked. With "
            "--payloads, stored payloads are re-validated against the new schema."
        ),
        epilog=(
            "exit codes: 0 compatible; 1 a breaking change, or a payload the new schema "
            "rejects; 2 unreadable input or usage error; 3 hub or network error.\n"
            "examples:\n"
            "  schemadrive diff old.json new.json\n"
            "  schemadrive diff ltx-2-3-pro --against baselines/oxen/ltx-2-3-pro.json\n"
            "  schemadrive diff old.json new.json --payloads payloads.jsonl --format github"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "old", metavar="OLD|MODEL", help="the old schema; with --against, the new one"
    )
    parser.add_argument("new", nargs="?", metavar="NEW", help="the new schema")
    parser.add_argument(
        "--against", metavar="FILE", help="compare MODEL (new) with this recorded baseline (old)"
    )
    parser.add_argument(
        "--payloads",
        metavar="FILE",
        help="stored payloads (JSON Lines or a JSON array) to re-validate against NEW",
    )
    parser.add_argument(
        "--format", choices=FORMATS, default="text", help="text (default), json or github"
    )
    parser.add_argument(
        "--descriptions",
        action="store_true",
        help="also report changed descriptions (never breaking)",
    )
    parser.add_argument(
        "--unknown", choices=("error", "warn", "allow"), default="error",
        help="with --payloads: a parameter NEW does not declare is an error (default), a "
        "warning, or allowed",
    )  # fmt: skip
    add_offline(parser)
    parser.set_defaults(handler=run)


def read_payloads(path: str) -> list[tuple[str, int | None, Any]]:
    """``(label, line, payload)`` for every payload of a JSON array or JSON Lines file."""
    from ..exceptions import ConfigurationError

    try:
        with open(path, encoding="utf-8-sig") as stream:
            text = stream.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigurationError(
            f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}"
        ) from exc
    if text.lstrip().startswith("["):
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigurationError(
                f"{path}: not valid JSON (line {exc.lineno}: {exc.msg})"
            ) from exc
        return [(f"item {i}", None, payload) for i, payload in enumerate(document)]
    out: list[tuple[str, int | None, Any]] = []
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                out.append((f"line {number}", number, json.loads(line)))
            except json.JSONDecodeError as exc:
                raise ConfigurationError(f"{path}:{number}: not valid JSON ({exc.msg})") from exc
    return out


def _sides(args: argparse.Namespace, ctx: Context) -> tuple[Target, Target]:
    from ..exceptions import ConfigurationError
    from .lint import load_schema

    if args.against and args.new:
        raise ConfigurationError("schemadrive diff: give either NEW or --against FILE, not both")
    if args.against:
        return load_schema(ctx, args.against), load_schema(ctx, args.old)
    if not args.new:
        raise ConfigurationError("schemadrive diff: give OLD and NEW, or MODEL --against FILE")
    return load_schema(ctx, args.old), load_schema(ctx, args.new)


def _text(
    ctx: Context, old: Target, new: Target, changes: list[Change], report: dict[str, Any]
) -> None:
    ctx.out(f"{old.label} -> {new.label}")
    width = max((len(c.path) for c in changes), default=0)
    for change in changes:
        flag = ctx.paint("breaking  ", "red") if change.breaking else "compatible"
        ctx.out(f"  {flag}  {change.path:<{width}}  {change.kind}: {change.message}")
    count = sum(c.breaking for c in changes)
    if changes:
        summary = f"{len(changes)} change{'s' if len(changes) != 1 else ''}, {count} breaking"
        ctx.out(ctx.paint(summary, "red") if count else summary)
    else:
        ctx.out(ctx.paint("no changes", "green"))
    if report:
        failing = report["failures"]
        ctx.out(f"payloads: {len(failing)} of {report['checked']} fail against {new.label}")
        for failure in failing:
            note = " (already failed against OLD)" if failure["failed_before"] else ""
            for problem in failure["problems"]:
                hint = f" ({problem['hint']})" if problem.get("hint") else ""
                where = f"{report['file']} {failure['label']}{note}"
                ctx.out(f"  {where}: {problem['path']}: {problem['message']}{hint}")


def _github(ctx: Context, new: Target, changes: list[Change], report: dict[str, Any]) -> None:
    for change in changes:
        level = "error" if change.breaking else "notice"
        title = f"{'breaking' if change.breaking else 'compatible'} schema change: {change.kind}"
        ctx.out(
            github_annotation(level, f"{change.path}: {change.message}", file=new.file, title=title)
        )
    for failure in report.get("failures", []):
        for problem in failure["problems"]:
            ctx.out(github_annotation(
                "error", f"{problem['path']}: {problem['message']}", file=report["file"],
                line=failure["line"], title=f"payload rejected by {new.label}",
            ))  # fmt: skip


def _report(
    path: str, rows: list[tuple[str, int | None, Any]], failures: list[PayloadFailure]
) -> dict[str, Any]:
    return {
        "file": path,
        "checked": len(rows),
        "failures": [
            {**f.to_dict(), "label": rows[f.index][0], "line": rows[f.index][1]} for f in failures
        ],
    }


def run(args: argparse.Namespace, ctx: Context) -> int:
    ctx.offline_helps = True  # a network error here: the cache or fixtures can do
    from ..linting.drift import diff, recheck

    if getattr(args, "offline", False):
        ctx.offline = True
    old, new = _sides(args, ctx)
    rows = read_payloads(args.payloads) if args.payloads else []
    changes = diff(old.schema, new.schema, descriptions=args.descriptions)
    report: dict[str, Any] = {}
    if args.payloads:
        failures = recheck(
            [p for _, _, p in rows], new.schema, old=old.schema, unknown=args.unknown
        )
        report = _report(args.payloads, rows, failures)
    failed = any(c.breaking for c in changes) or bool(report.get("failures"))
    if args.format == "json":
        ctx.out(json_document({
            "status": "fail" if failed else "ok",
            "old": old.label,
            "new": new.label,
            "breaking": any(c.breaking for c in changes),
            "changes": [c.to_dict() for c in changes],
            "payloads": report or None,
        }))  # fmt: skip
    elif args.format == "github":
        _github(ctx, new, changes, report)
    else:
        _text(ctx, old, new, changes, report)
    return EXIT_FAILED if failed else EXIT_OK
