"""``schemadrive describe MODEL``: a model's parameters as a table, or its raw schema.

On a terminal the table fits the window (long cells are cut, descriptions wrapped); to a pipe
every cell is written in full, one parameter per line, so ``grep`` and ``cut`` work.
"""

from __future__ import annotations

import json
import shutil
import textwrap
from typing import TYPE_CHECKING, Any

from ._context import EXIT_OK, EXIT_USAGE

if TYPE_CHECKING:
    import argparse

    from ..schema.parameters import Parameter
    from ._context import Context

NAME = "describe"
_HEADERS = ("NAME", "TYPE", "REQUIRED", "DEFAULT", "ALLOWED", "DESCRIPTION")
#: On a terminal, the widest each column but the description may be (characters).
_CAPS = (28, 24, 8, 18, 26)
_MIN_DESCRIPTION = 24


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        NAME,
        help="show a model's parameters",
        description=(
            "Show a model's parameters: name, type, whether required, default, allowed values "
            "or range, and description. --json prints the raw request schema instead."
        ),
        epilog="example: schemadrive describe ltx-2-3-quality-text-to-video",
    )
    parser.add_argument("model", metavar="MODEL", help="model id, e.g. ltx-2-3-pro")
    parser.add_argument("--json", action="store_true", help="print the raw request schema as JSON")
    parser.set_defaults(handler=run)


def show_value(value: Any) -> str:
    """A value as you would type it in ``key=value``: strings bare, everything else as JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _number(value: float) -> str:
    return show_value(int(value) if isinstance(value, float) and value.is_integer() else value)


def allowed(parameter: Parameter) -> str:
    """The allowed values (``720p, 1080p``) or range (``9 to 481``, ``>= 1``), or ``""``."""
    if parameter.enum is not None:
        return ", ".join(show_value(v) for v in parameter.enum)
    low, high = parameter.minimum, parameter.maximum
    if low is not None and high is not None:
        return f"{_number(low)} to {_number(high)}"
    if low is not None:
        return f">= {_number(low)}"
    if high is not None:
        return f"<= {_number(high)}"
    return ""


def rows_of(parameters: list[Parameter]) -> list[tuple[str, ...]]:
    """One row of display strings per parameter, in the table's column order."""
    return [
        (
            p.name,
            p.type,
            "yes" if p.required else "no",
            show_value(p.default) if p.has_default else "-",
            allowed(p) or "-",
            " ".join((p.description or "").split()) or "-",
        )
        for p in parameters
    ]


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 3, 1)] + "..."


def render_table(rows: list[tuple[str, ...]], *, width: int | None) -> list[str]:
    """The table as lines. ``width=None``: no limit (a pipe); else fit in ``width`` columns.

    On a terminal the first four columns are cut to their caps, ALLOWED is wrapped in full
    and DESCRIPTION is wrapped to what is left (at most four lines a parameter).
    """
    table = [_HEADERS, *rows]
    count = len(_HEADERS)
    widths = [max(len(row[i]) for row in table) for i in range(count - 1)]
    if width is None:
        return [
            "  ".join(row[i].ljust(widths[i]) for i in range(count - 1)) + "  " + row[-1]
            for row in table
        ]
    widths = [min(w, cap) for w, cap in zip(widths, _CAPS, strict=True)]
    room = max(width - sum(widths) - 2 * (count - 1) - 1, _MIN_DESCRIPTION)
    lines = []
    for row in table:
        cells = [[_cut(row[i], widths[i])] for i in range(count - 2)]
        cells.append(textwrap.wrap(row[-2], widths[-1]) or [""])
        description = textwrap.wrap(row[-1], room) or [""]
        if len(description) > 4:
            description = [*description[:3], _cut(description[3] + " ...", room)]
        cells.append(description)
        height = max(len(cell) for cell in cells)
        for index in range(height):
            parts = [
                (cell[index] if index < len(cell) else "").ljust(widths[i] if i < count - 1 else 0)
                for i, cell in enumerate(cells)
            ]
            lines.append("  ".join(parts).rstrip())
    return lines


def run(args: argparse.Namespace, ctx: Context) -> int:
    ctx.offline_helps = True  # a network error here: the cache or fixtures can do
    from ..exceptions import SchemaUnavailable

    model = ctx.client().model(args.model)
    if args.json:
        try:
            schema = model.schema
        except SchemaUnavailable as exc:
            ctx.err(f"schemadrive: {ctx.paint('error', 'red', ctx.stderr)}: {exc}")
            return EXIT_USAGE
        ctx.out(json.dumps(schema, ensure_ascii=False, indent=2))
        return EXIT_OK

    info = model.info
    title = ctx.paint(model.id, "bold")
    display = info.get("display_name")
    if isinstance(display, str) and display and display != model.id:
        title += f" ({display})"
    ctx.out(title)
    summary = info.get("summary") or info.get("description")
    width = shutil.get_terminal_size((100, 24)).columns if ctx.is_terminal() else None
    if isinstance(summary, str) and summary.strip():
        text = " ".join(summary.split())
        ctx.out("\n".join(textwrap.wrap(text, width)) if width else text)
    if model.endpoint:
        ctx.out(f"endpoint: {model.endpoint}")
    _print_pricing(ctx, model)
    if not model.has_schema:
        ctx.out("")
        ctx.out("This model publishes no request schema (chat models take the OpenAI chat body),")
        ctx.out("so schemadrive cannot list or validate its parameters.")
        return EXIT_OK
    parameters = model.parameters
    ctx.out("")
    lines = render_table(rows_of(parameters), width=width)
    ctx.out(ctx.paint(lines[0], "bold"))
    for line in lines[1:]:
        ctx.out(line)
    from ._suggest import suggest_arguments

    required = [p for p in parameters if p.required]
    ctx.out("")
    counts = f"{len(parameters)} parameters, {len(required)} required."
    arguments = suggest_arguments(model)
    if arguments is None:  # never print a suggestion its own validation would reject
        ctx.out(counts)
        return EXIT_OK
    ctx.out(f"{counts} Try:")
    ctx.out(f"  {ctx.command(' '.join(['run', model.id, *arguments]))}".rstrip())
    return EXIT_OK


def _print_pricing(ctx: Context, model: Any) -> None:
    """The model's pricing, and what a run with the defaults would cost (docs/batches.md)."""
    from ..pricing import describe_pricing

    text = describe_pricing(model.info.get("pricing"))
    if text is None:
        return
    ctx.out(f"pricing: {text}")
    if model.has_schema:
        ctx.out(f"a run with the defaults: {model.estimate({})}")
