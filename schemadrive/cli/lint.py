"""``schemadrive lint``: check request schemas for defects, for schema authors and CI.

Each target is a schema file (a bare JSON Schema or a recorded model object), a directory of
such files, or a model id (fetched through the client; cached or bundled with ``--offline``).
An argument that is an existing path is a file; so is one ending in ``.json`` or starting with
``/``, ``./``, ``../`` or ``~`` (a missing one is then an unreadable file, exit 2, rather than
a request to the hub); anything else is a model id.

Exit codes: 0 no finding at or above ``--fail-on``; 1 such a finding; 2 a target could not be
read, or a usage error; 3 hub or network error.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._context import EXIT_FAILED, EXIT_OK
from ._report import FORMATS, github_annotation, json_document

if TYPE_CHECKING:
    import argparse

    from ..linting import Finding
    from ._context import Context

NAME = "lint"
_LEVELS = {"error": 0, "warning": 1, "info": 2}
_GITHUB_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}
_FILE_SUFFIXES = (".json", ".jsonl", ".ndjson")


def register(subparsers: Any) -> None:
    import argparse

    parser = subparsers.add_parser(
        NAME,
        help="check request schemas for defects (lint rules SD001...)",
        description=(
            "Check request schemas for defects: invalid defaults, impossible bounds, typos in "
            "keywords, dangling $refs, rules stated only in descriptions, and more. Each target "
            "is a schema file, a recorded model object, a directory of them, or a model id."
        ),
        epilog=(
            "exit codes: 0 clean; 1 a finding at or above --fail-on; 2 unreadable target or "
            "usage error; 3 hub or network error.\n"
            "examples:\n"
            "  schemadrive lint schema.json\n"
            "  schemadrive --offline lint ltx-2-3-pro --format github\n"
            "  schemadrive lint fixtures/oxen --fail-on warning --disable SD016\n"
            "  schemadrive lint --list-rules"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "targets", nargs="*", metavar="MODEL|FILE", help="schema files, directories or model ids"
    )
    parser.add_argument(
        "--format", choices=FORMATS, default="text", help="text (default), json or github"
    )
    parser.add_argument(
        "--fail-on", choices=("error", "warning"), default="error",
        help="exit 1 on a finding of this severity or worse (default: error)",
    )  # fmt: skip
    parser.add_argument(
        "--disable", action="append", default=[], metavar="CODE",
        help="switch a rule off, by code or name (repeat it, or separate with commas)",
    )  # fmt: skip
    parser.add_argument(
        "--enable", action="append", default=[], metavar="CODE",
        help="switch on a rule that is off by default (SD015, SD024, SD025), or 'all'",
    )  # fmt: skip
    parser.add_argument(
        "--allow-format", action="append", default=[], metavar="NAME",
        help="a hub-specific format SD010 should accept",
    )  # fmt: skip
    parser.add_argument("--list-rules", action="store_true", help="list the rules and exit")
    parser.add_argument(
        "--strict",
        action="store_true",
        help="judge the schema as a model's request schema (unknown names errors, format asserted)",
    )
    add_offline(parser)
    parser.set_defaults(handler=run)


def add_offline(parser: Any) -> None:
    """``--offline`` after the command too (as ``validate`` accepts it), for pre-commit args."""
    import argparse

    parser.add_argument(
        "--offline", action="store_true", default=argparse.SUPPRESS,
        help="never touch the network: model ids come from the cache or the bundled fixtures",
    )  # fmt: skip


def split_keys(values: Iterable[str]) -> list[str]:
    """``["SD001,SD002", "SD016"]`` -> ``["SD001", "SD002", "SD016"]``."""
    return [key.strip() for value in values for key in value.split(",") if key.strip()]


@dataclass
class Target:
    """One schema to check: how it was named, the schema, and its file when it has one."""

    label: str
    schema: Any
    file: str | None = None


def looks_like_path(name: str) -> bool:
    """A name that can only mean a file: a ``.json`` suffix, or an explicit directory part."""
    return name.lower().endswith(_FILE_SUFFIXES) or name.startswith(("/", "./", "../", "~"))


def load_schema(ctx: Context, name: str) -> Target:
    """A schema file or recorded model object (an existing path), else a model id.

    Raises ConfigurationError or SchemaInvalid (exit 2) for an unreadable or missing file.
    """
    from ..exceptions import ConfigurationError
    from ..hub.recorded import read_schema_file

    path = Path(name).expanduser()
    if path.is_dir():
        raise ConfigurationError(f"{name} is a directory; give a schema file")
    if path.exists() or looks_like_path(name):
        return Target(name, read_schema_file(path), name)
    return Target(name, ctx.client().model(name).schema)


def _expand(ctx: Context, names: list[str]) -> list[Target]:
    from ..exceptions import ConfigurationError
    from ..hub.recorded import SCHEMA_KEYS, read_json_file

    targets: list[Target] = []
    for name in names:
        path = Path(name)
        if not path.is_dir():
            targets.append(load_schema(ctx, name))
            continue
        files = sorted(p for p in path.glob("*.json") if p.is_file())
        if not files:  # nothing checked is not a pass: a wrong path or an empty checkout
            raise ConfigurationError(f"{name}: no schema found (no *.json file in the directory)")
        for file in files:
            document = read_json_file(file)
            if (
                isinstance(document, dict)
                and any(k in document for k in SCHEMA_KEYS)
                and not any(isinstance(document.get(k), dict) for k in SCHEMA_KEYS)
            ):
                ctx.err(f"schemadrive lint: skipped {file}: the model publishes no request schema")
                continue
            targets.append(load_schema(ctx, str(file)))
    return targets


def _list_rules(ctx: Context, output: str) -> int:
    from ..linting import RULES

    if output == "json":
        rows = [
            {
                "code": r.code,
                "name": r.name,
                "severity": r.severity,
                "enabled": r.enabled,
                "summary": r.summary,
            }
            for r in RULES.values()
        ]
        ctx.out(json_document(rows))
        return EXIT_OK
    for rule in RULES.values():
        state = "on " if rule.enabled else "off"
        ctx.out(f"{rule.code}  {rule.severity:<7}  {state}  {rule.name:<31} {rule.summary}")
    return EXIT_OK


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def _text(ctx: Context, results: list[tuple[Target, list[Finding]]]) -> None:
    colors = {"error": "red", "warning": "yellow", "info": "cyan"}
    for target, findings in results:
        for f in findings:
            label = ctx.paint(f.severity, colors[f.severity])
            hint = f" (hint: {f.hint})" if f.hint else ""
            ctx.out(
                f"{target.label}: {label}: {f.path or '/'}: {f.code} {f.name}: {f.message}{hint}"
            )
    every = [f for _, findings in results for f in findings]
    counts = {level: sum(f.severity == level for f in every) for level in _LEVELS}
    schemas = _plural(len(results), "schema")
    if every:
        ctx.out(
            f"{_plural(len(every), 'finding')} ({_plural(counts['error'], 'error')}, "
            f"{_plural(counts['warning'], 'warning')}, {counts['info']} info) in {schemas}"
        )
    else:
        ctx.out(ctx.paint(f"no findings in {schemas}", "green"))


def _json(ctx: Context, results: list[tuple[Target, list[Finding]]], failed: bool) -> None:
    every = [f for _, findings in results for f in findings]
    ctx.out(json_document({
        "status": "fail" if failed else "ok",
        "checked": [t.label for t, _ in results],
        "counts": {level: sum(f.severity == level for f in every) for level in _LEVELS},
        "findings": [{"target": t.label, **f.to_dict()} for t, fs in results for f in fs],
    }))  # fmt: skip


def _github(ctx: Context, results: list[tuple[Target, list[Finding]]]) -> None:
    for target, findings in results:
        for f in findings:
            hint = f" ({f.hint})" if f.hint else ""
            # with a file, the annotation already names it; a model id stays in the message
            where = "" if target.file else f"{target.label}: "
            message = f"{where}{f.path or '/'}: {f.message}{hint}"
            ctx.out(github_annotation(
                _GITHUB_LEVEL[f.severity], message, file=target.file, title=f"{f.code} {f.name}"
            ))  # fmt: skip


def run(args: argparse.Namespace, ctx: Context) -> int:
    from ..exceptions import ConfigurationError
    from ..linting import lint, select_rules

    ctx.offline_helps = True  # a network error here: the cache or fixtures can do

    if getattr(args, "offline", False):
        ctx.offline = True
    if args.list_rules:
        return _list_rules(ctx, args.format)
    if not args.targets:
        raise ConfigurationError("schemadrive lint: give schema files, directories or model ids")
    enable, disable = split_keys(args.enable), split_keys(args.disable)
    select_rules(enable, disable)  # an unknown rule is a usage error before any reading
    results = [
        (
            target,
            lint(
                target.schema,
                enable=enable,
                disable=disable,
                formats=args.allow_format,
                strict=args.strict,
            ),
        )
        for target in _expand(ctx, list(args.targets))
    ]
    threshold = _LEVELS[args.fail_on]
    failed = any(_LEVELS[f.severity] <= threshold for _, findings in results for f in findings)
    if args.format == "json":
        _json(ctx, results, failed)
    elif args.format == "github":
        _github(ctx, results)
    else:
        _text(ctx, results)
    return EXIT_FAILED if failed else EXIT_OK
