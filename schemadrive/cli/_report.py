"""Output formats shared by the commands that report problems (validate, lint, diff):
``text`` for people, ``json`` for programs, ``github`` for GitHub Actions annotations."""

from __future__ import annotations

import json

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up)
if TYPE_CHECKING:
    from typing import Any

FORMATS = ("text", "json", "github")


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_annotation(
    level: str,
    message: str,
    *,
    file: str | None = None,
    line: int | None = None,
    title: str | None = None,
) -> str:
    """One GitHub Actions workflow command: ``::error file=F,line=L,title=T::message``.

    ``level`` is ``error``, ``warning`` or ``notice``; values are escaped as the runner requires.
    """
    properties = []
    if file:
        properties.append(f"file={_escape_property(file)}")
    if line is not None:
        properties.append(f"line={line}")
    if title:
        properties.append(f"title={_escape_property(title)}")
    head = f"::{level}" + (" " + ",".join(properties) if properties else "")
    return f"{head}::{_escape_data(message)}"


def json_line(document: Any) -> str:
    """Compact, key-sorted JSON on one line (for JSON Lines output)."""
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def json_document(document: Any) -> str:
    """Indented JSON for a whole report."""
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False)
