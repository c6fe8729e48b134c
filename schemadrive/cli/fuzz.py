"""``schemadrive fuzz MODEL|FILE``: payloads a schema accepts (or rejects), as JSON Lines.

Output, one JSON object per line on stdout, keys sorted:

* by default, a payload the schema accepts: ``{"prompt":"...","duration":6}``;
* with ``--invalid``, ``{"breaks":RULE,"payload":{...}}``: a payload the schema rejects and
  the rule it breaks, one of ``type``, ``range``, ``enum``, ``required``, ``unknown``,
  ``conditional``.

U+0085, U+2028 and U+2029 inside strings are written as ``\\u`` escapes, so a line is a line
for any reader (``str.splitlines()`` included).

Lines are distinct. The same ``--seed`` with the same schema and the same schemadrive and
hypothesis versions prints byte-identical output; without ``--seed`` a seed is chosen and
printed on stderr so the run can be repeated. Fewer than N lines come out only when the
schema has fewer distinct payloads (a note says so on stderr).

MODEL|FILE: an existing file is read as a bare JSON Schema or a recorded model object;
anything else is a model id, looked up in the recorded fixtures (``--fixtures DIR`` first,
then the bundled ones) and, when none is recorded, asked of the hub.
"""

from __future__ import annotations

import argparse
from typing import Any

from ._context import EXIT_FAILED, EXIT_OK, Context

#: Characters str.splitlines() breaks on that JSON leaves raw inside strings: escaped.
_LINE_BREAKS = {0x85: "\\u0085", 0x2028: "\\u2028", 0x2029: "\\u2029"}
HELP = "generate payloads a model's schema accepts (or, with --invalid, rejects) as JSON Lines"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "fuzz",
        help=HELP,
        description=HELP + ".",
        epilog="Example: schemadrive fuzz ltx-2-3-pro -n 20 --seed 7 > payloads.jsonl",
    )
    parser.add_argument(
        "target", metavar="MODEL|FILE", help="a model id, or a schema or model-object file"
    )
    parser.add_argument(
        "-n", "--count", type=int, default=10, metavar="N", help="how many payloads (default: 10)"
    )
    kind = parser.add_mutually_exclusive_group()
    kind.add_argument(
        "--invalid",
        action="store_true",
        help='payloads the schema rejects: {"breaks":RULE,"payload":...}',
    )
    kind.add_argument(
        "--fill-defaults", action="store_true", help="fill every absent default in the payloads"
    )
    parser.add_argument(
        "--seed",
        type=int,
        metavar="S",
        help="seed for reproducible output (default: random, printed on stderr)",
    )
    parser.add_argument(
        "--fixtures",
        metavar="DIR",
        help="a directory of recorded model objects, searched before the bundled ones",
    )
    parser.set_defaults(handler=run)


def _schema(args: argparse.Namespace, ctx: Context) -> Any:
    """The schema to fuzz: a file, a recorded fixture, else the hub's (via the client)."""
    from pathlib import Path

    from ..exceptions import ModelNotFound, NetworkError, OfflineError
    from ..hub.recorded import read_schema_file, recorded_schema

    if Path(args.target).is_file():
        return read_schema_file(args.target)
    try:
        directories = (args.fixtures,) if args.fixtures else ()
        provider = ctx.provider or "oxen"
        return recorded_schema(args.target, provider=provider, directories=directories)
    except ModelNotFound as not_recorded:
        try:
            return ctx.client().model(args.target).schema
        except (NetworkError, OfflineError) as exc:
            if not_recorded.suggestions:  # most likely a typo of a recorded id
                raise not_recorded from exc
            raise


def _check_payload_schema(schema: Any, target: str) -> None:
    """A payload is a JSON object: a schema whose root can only be something else is not a
    request schema, and saying "nothing satisfies it" would be wrong (ConfigurationError)."""
    from ..exceptions import ConfigurationError

    declared = schema.get("type") if isinstance(schema, dict) else None
    types = [declared] if isinstance(declared, str) else declared
    if isinstance(types, list) and types and "object" not in types:
        shown = " or ".join(str(t) for t in types)
        raise ConfigurationError(
            f"{target}: the schema's root type is {shown}, but fuzz draws payloads, which are "
            "JSON objects: give a request schema (type object)"
        )


def run(args: argparse.Namespace, ctx: Context) -> int:
    """Print ``args.count`` distinct generated payloads; return the exit code."""
    ctx.offline_helps = True  # a network error here: the cache or fixtures can do
    import random

    from .. import fuzz
    from ..exceptions import ConfigurationError
    from ._report import json_line

    if args.count < 0:
        raise ConfigurationError(f"-n must be 0 or more, not {args.count}")
    schema = _schema(args, ctx)
    _check_payload_schema(schema, args.target)
    strategy: Any
    if args.invalid:
        strategy = fuzz.invalid_payloads(schema)
    else:
        strategy = fuzz.payloads(schema, fill_defaults=args.fill_defaults)
    seed = args.seed
    if seed is None:
        seed = random.SystemRandom().randrange(2**32)
        ctx.err(f"schemadrive: seed {seed} (repeat this run with --seed {seed})")
    found = fuzz.examples(strategy, args.count, seed=seed)
    for value in found:
        line = json_line({"breaks": value[1], "payload": value[0]} if args.invalid else value)
        ctx.out(line.translate(_LINE_BREAKS))
    if len(found) < args.count:
        what = "invalid payloads" if args.invalid else "payloads"
        if not found:
            why = "the schema accepts everything or nothing" if args.invalid else (
                "nothing satisfies the schema")  # fmt: skip
            ctx.err(f"schemadrive: error: no {what} could be generated: {why}")
            return EXIT_FAILED
        ctx.err(f"schemadrive: only {len(found)} distinct {what} were found: the schema allows few")
    return EXIT_OK
