"""The ``Try:`` line of ``schemadrive describe``: a ``run`` command that passes validation.

Each value is an example of its parameter's type (the first allowed value, the default, a
number in range, an https URL for a URI, a short text); the required parameters come first,
and when the schema asks for more (``anyOf`` of required names, a conditional rule) optional
parameters are added, one and then two at a time, until the payload is valid. The arguments
are checked exactly as ``run`` would read them, so a printed suggestion never fails its own
validation; when none is found, no command is suggested.
"""

from __future__ import annotations

import json
import shlex
from itertools import combinations
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..model import Model
    from ..schema.parameters import Parameter

__all__ = ["example_value", "suggest_arguments"]

_MEDIA = (("audio", "mp3"), ("video", "mp4"), ("image", "png"), ("mask", "png"))


def _url(name: str) -> str:
    for word, suffix in _MEDIA:
        if word in name.lower():
            return f"https://example.com/{word}.{suffix}"
    return "https://example.com/input.png"


def example_value(parameter: Parameter) -> Any:
    """A value of ``parameter``'s type, as plausible as its schema allows."""
    from ._keyvalue import types_of

    if parameter.enum:
        return parameter.enum[0]
    if parameter.has_default and parameter.default is not None:
        return parameter.default
    kinds = [t for t in types_of(parameter.type) if t != "null"] or ["string"]
    kind = kinds[0]
    if kind in ("integer", "number"):
        low = parameter.minimum if parameter.minimum is not None else 1
        high = parameter.maximum
        value = low if high is None else min(max(low, 1), high)
        if kind == "integer":
            return int(value) if float(value).is_integer() else int(value) + 1
        return value
    if kind == "boolean":
        return True
    uri = "uri" in parameter.type or (parameter.format or "").startswith("uri")
    if kind == "array":
        return [_url(parameter.name)] if uri else ["example"]
    if kind == "object":
        return {}
    if uri:
        return _url(parameter.name)
    return "a red fox in the snow" if "prompt" in parameter.name.lower() else "example"


def _argument(name: str, value: Any) -> str:
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], str):
        value = value[0]  # run reads one value for an array as a one-item list
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return f"{name}={shlex.quote(text)}"


def passes(model: Model, arguments: list[str]) -> bool:
    """Whether ``run MODEL ARGUMENTS`` would be sent: typed as run types them, then valid."""
    from ._keyvalue import ValueTypeError, build_payload, split_assignments

    try:
        payload = build_payload(
            model.parameters, split_assignments(shlex.split(" ".join(arguments)))
        )
    except (ValueTypeError, ValueError):
        return False
    problems = model.validate(model.fill_defaults(payload))
    return not any(p.severity == "error" for p in problems)


def suggest_arguments(model: Model) -> list[str] | None:
    """``key=value`` arguments (shell-quoted) that make a valid payload; None when not found."""
    parameters = model.parameters
    required = [p for p in parameters if p.required]
    optional = [p for p in parameters if not p.required and not p.has_default]
    base = [_argument(p.name, example_value(p)) for p in required]
    extra = [_argument(p.name, example_value(p)) for p in optional]
    for size in (0, 1, 2):
        for chosen in combinations(extra, size):
            arguments = [*base, *chosen]
            if passes(model, arguments):
                return arguments
    return None
