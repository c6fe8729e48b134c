"""Batch input: JSON Lines or CSV files, or Python mappings, as numbered rows.

* JSON Lines: one JSON object (a payload) per line; blank lines are skipped.
* CSV: a header row of parameter names, then one payload per record; each cell is typed by
  the model's schema exactly as ``schemadrive run`` types ``column=cell``; an empty cell
  means the parameter is not given (its default applies).
* In both, a string value ``@path`` names a local file, relative to the INPUT file's
  directory, and ``@@text`` is the literal ``@text``. Files are handed to the client as
  :class:`pathlib.Path` values, which the file-inputs support turns into what the parameter
  takes (docs/files.md); this module only resolves the path.

Problems are collected for every line (never only the first) with the line's number.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..exceptions import ConfigurationError
from ..schema.coerce import ValueTypeError, coerce

if TYPE_CHECKING:
    from ..schema.parameters import Parameter

__all__ = ["InputRow", "RowProblem", "hash_payload", "read_input", "rows_from_mappings"]


@dataclass(frozen=True)
class RowProblem:
    """Something wrong with one input line (``line`` is 1-based; 0: the file as a whole)."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


@dataclass(frozen=True)
class InputRow:
    """One payload of the batch: its position, the line it came from, and its file stem."""

    index: int
    line: int
    payload: Mapping[str, Any] = field(repr=False)

    @property
    def name(self) -> str:
        """The stem of the row's output files (``line-0007``), unique within the batch."""
        return f"line-{self.line:04d}"


def hash_payload(payload: Mapping[str, Any]) -> str:
    """A stable SHA-256 of a prepared payload (keys sorted, compact JSON)."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _file_value(text: str, base: Path) -> Any:
    """``@path`` -> the Path (relative to ``base``), ``@@text`` -> ``@text``, else ``text``."""
    if not text.startswith("@"):
        return text
    if text.startswith("@@"):
        return text[1:]
    return (base / Path(text[1:]).expanduser()).resolve()


def _with_files(payload: dict[str, Any], base: Path) -> dict[str, Any]:
    return {
        key: _file_value(value, base) if isinstance(value, str) else value
        for key, value in payload.items()
    }


def read_input(
    path: str | Path, parameters: list[Parameter]
) -> tuple[list[InputRow], list[RowProblem], str]:
    """The rows of a JSON Lines (``.jsonl``, ``.ndjson``, ``.json``) or CSV (``.csv``) file,
    every problem found, and the SHA-256 of the file's bytes (to notice a changed INPUT).
    """
    source = Path(path)
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise ConfigurationError(f"cannot read {source}: {exc.strerror or exc}") from None
    digest = hashlib.sha256(data).hexdigest()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [], [RowProblem(0, f"{source}: not UTF-8 text ({exc.reason})")], digest
    base = source.resolve().parent
    if source.suffix.lower() == ".csv":
        rows, problems = _read_csv(text, parameters, base)
    else:
        rows, problems = _read_jsonl(text, base)
    if not rows and not problems:
        problems.append(RowProblem(0, f"{source}: no rows"))
    return rows, problems, digest


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _read_jsonl(text: str, base: Path) -> tuple[list[InputRow], list[RowProblem]]:
    rows: list[InputRow] = []
    problems: list[RowProblem] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line, parse_constant=_reject_constant)
        except ValueError as exc:
            problems.append(RowProblem(number, f"not valid JSON ({exc})"))
            continue
        if not isinstance(value, dict):
            problems.append(
                RowProblem(number, f"a payload must be a JSON object, not {type(value).__name__}")
            )
            continue
        rows.append(InputRow(len(rows), number, _with_files(value, base)))
    return rows, problems


def _read_csv(
    text: str, parameters: list[Parameter], base: Path
) -> tuple[list[InputRow], list[RowProblem]]:
    rows: list[InputRow] = []
    problems: list[RowProblem] = []
    declared = {p.name: p.type for p in parameters}
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        return rows, problems
    except csv.Error as exc:
        return rows, [RowProblem(1, f"not valid CSV ({exc})")]
    names = [name.strip() for name in header]
    if not all(names) or len(set(names)) != len(names):
        return rows, [RowProblem(1, "the header must name each column once")]
    line = reader.line_num + 1
    try:
        for record in reader:
            number, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in record):
                continue
            if len(record) != len(names):
                problems.append(RowProblem(number, f"{len(record)} cells for {len(names)} columns"))
                continue
            payload: dict[str, Any] = {}
            bad = False
            for name, cell in zip(names, record, strict=False):
                if cell == "":
                    continue
                try:
                    payload[name] = (
                        _file_value(cell, base)
                        if cell.startswith("@")
                        else coerce(name, cell, declared.get(name))
                    )
                except ValueTypeError as exc:
                    problems.append(RowProblem(number, str(exc)))
                    bad = True
            if not bad:
                rows.append(InputRow(len(rows), number, payload))
    except csv.Error as exc:
        problems.append(RowProblem(line, f"not valid CSV ({exc})"))
    return rows, problems


def rows_from_mappings(items: Iterable[Mapping[str, Any]]) -> tuple[list[InputRow], str]:
    """Rows from Python mappings (row ``n`` is "line" ``n``, 1-based), and their hash."""
    rows: list[InputRow] = []
    digest = hashlib.sha256()
    for number, item in enumerate(items, start=1):
        if not isinstance(item, Mapping):
            raise ConfigurationError(
                f"row {number}: a payload must be a mapping, not {type(item).__name__}"
            )
        payload = dict(item)
        digest.update(json.dumps(payload, sort_keys=True, default=str).encode() + b"\n")
        rows.append(InputRow(len(rows), number, payload))
    return rows, digest.hexdigest()
