"""A model's form, and the page's values back into a payload. Pure: no HTTP, no server.

The page only draws what :func:`form_of` describes and shows what :func:`check` answers: every
rule (types, bounds, enums, required, file kinds, costs) is the library's own
(``Model.parameters``, ``Model.file_parameters``, ``Model.validate``, ``Model.estimate``), so
the page says exactly what ``schemadrive validate`` and ``schemadrive run`` say.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ..exceptions import ConfigurationError, SchemadriveError
from ..schema.coerce import ValueTypeError, coerce, types_of

if TYPE_CHECKING:
    from ..model import Model
    from ..schema.parameters import Parameter
    from ..schema.problems import Problem

__all__ = [
    "NamedFile",
    "basic_names",
    "check",
    "estimate_of",
    "field_of",
    "form_of",
    "payload_from",
    "problem_json",
]

#: the accept= of a file picker, by the kinds a parameter takes (docs/files.md)
_ACCEPT = {"image": "image/*", "audio": "audio/*", "video": "video/*"}


class NamedFile(io.BytesIO):
    """Bytes the page sent for a file parameter, with the file's name: the core sniffs its
    type from the bytes and names it in problems (``first.png is image/png, but ...``)."""

    def __init__(self, data: bytes, name: str) -> None:
        super().__init__(data)
        self.name = name


def basic_names(model: Model) -> list[str]:
    """The parameters shown above "Advanced": the schema's ``basic`` list and every required
    parameter (a required field hidden under Advanced would only trip people up)."""
    listed: list[str] = []
    for part in model.compiled.parts(model.compiled.normalized):
        basic = part.get("basic")
        if isinstance(basic, list):
            listed += [name for name in basic if isinstance(name, str) and name not in listed]
    return [p.name for p in model.parameters if p.name in listed or p.required]


def _widget(parameter: Parameter, model: Model) -> dict[str, Any]:
    files = model.file_parameters.get(parameter.name)
    if files is not None:
        accept = ",".join(_ACCEPT[kind] for kind in sorted(files.kinds) if kind in _ACCEPT)
        return {"widget": "file", "accept": accept, "multiple": files.array}
    if parameter.enum is not None:
        return {"widget": "select", "options": list(parameter.enum)}
    kinds = [kind for kind in types_of(parameter.type) if kind != "null"]
    if kinds == ["boolean"]:
        return {"widget": "checkbox"}
    if kinds in (["integer"], ["number"]):
        return {"widget": "number", "step": 1 if kinds == ["integer"] else "any"}
    if kinds == ["string"]:
        return {"widget": "textarea" if "prompt" in parameter.name.lower() else "text"}
    return {"widget": "json"}  # arrays, objects, unions: JSON text, typed like `run` types it


def form_of(model: Model) -> dict[str, Any]:
    """What the page draws for ``model``: its fields in the schema's order (``x-order``, then
    declaration), each with its widget, default, bounds and description, and which of them
    are ``basic`` (shown first; the rest go under "Advanced"). Raises SchemaUnavailable for a
    model that publishes no request schema."""
    basic = set(basic_names(model))
    fields = []
    for parameter in model.parameters:
        fields.append(
            {
                "name": parameter.name,
                "type": parameter.type,
                "required": parameter.required,
                "default": parameter.default if parameter.has_default else None,
                "has_default": parameter.has_default,
                "minimum": parameter.minimum,
                "maximum": parameter.maximum,
                "description": parameter.description,
                "basic": parameter.name in basic,
                **_widget(parameter, model),
            }
        )
    ordered = [f for f in fields if f["basic"]] + [f for f in fields if not f["basic"]]
    return {
        "model": model.id,
        "display_name": model.info.get("display_name") or model.id,
        "description": model.info.get("description"),
        "outputs": list((model.info.get("capabilities") or {}).get("output") or []),
        "fields": ordered,
    }


def payload_from(
    model: Model, values: Mapping[str, Any], files: Callable[[str], NamedFile]
) -> dict[str, Any]:
    """The payload the page's ``values`` stand for.

    Text is typed by the parameter's schema type as ``schemadrive run`` types ``key=value``
    (text that cannot be typed stays text, and validation says what is wrong with it); empty
    text means "not given"; other JSON values (a select's option, a checkbox) are taken as
    they are; ``{"upload": id}`` (or a list of them) is a file the page uploaded, looked up by
    ``files`` (ConfigurationError for an id it does not know).
    """
    declared = {p.name: p.type for p in model.parameters}
    payload: dict[str, Any] = {}
    for name, value in values.items():
        if isinstance(value, str):
            if value.strip() == "" and declared.get(name) is not None:
                continue
            try:
                payload[name] = coerce(name, value, declared.get(name))
            except ValueTypeError:
                payload[name] = value
        elif _is_upload(value):
            payload[name] = files(value["upload"])
        elif isinstance(value, list) and value and all(_is_upload(v) for v in value):
            payload[name] = [files(v["upload"]) for v in value]
        else:
            payload[name] = value
    return payload


def _is_upload(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"upload"} and isinstance(value["upload"], str)


def field_of(path: str, names: list[str]) -> str | None:
    """The top-level parameter a problem's JSON path points into (``$.fps`` -> ``fps``)."""
    for name in sorted(names, key=len, reverse=True):
        for prefix in (f"$.{name}", f'$["{name}"]'):
            if path == prefix or path.startswith((prefix + "[", prefix + ".")):
                return name
    return None


def problem_json(problem: Problem, names: list[str]) -> dict[str, Any]:
    """A Problem as the page shows it: the CLI's text, and the field it belongs to."""
    return {
        "text": str(problem),  # what the CLI prints for it
        "path": problem.path,
        "severity": problem.severity,
        "field": field_of(problem.path, names),
    }


def check(model: Model, payload: Mapping[str, Any]) -> dict[str, Any]:
    """The problems with ``payload`` (as ``Model.validate`` finds them, each with the text
    the CLI prints), whether it may be sent (no errors; warnings do not block), and the cost
    estimate (``Model.estimate``: unknown, with the reason, rather than a guess)."""
    names = [p.name for p in model.parameters]
    problems: list[dict[str, Any]] = []
    try:
        problems = [problem_json(p, names) for p in model.validate(dict(payload))]
    except (ConfigurationError, OSError) as exc:  # a file that cannot be read or is too large
        where = getattr(exc, "parameter", None)
        problems = [{"text": str(exc), "path": f"$.{where}" if where else "$",
                     "severity": "error", "field": where}]  # fmt: skip
    return {
        "problems": problems,
        "valid": not any(p["severity"] == "error" for p in problems),
        "estimate": estimate_of(model, payload),
    }


def estimate_of(model: Model, payload: Mapping[str, Any]) -> dict[str, Any]:
    """``Model.estimate`` as JSON, with the text the CLI prints (``0.96 USD (6 s x ...)``)."""
    from ..pricing import Estimate

    # files count by their presence, not their bytes: pricing reads durations, sizes, counts
    plain = {k: ("file" if isinstance(v, (NamedFile, list)) and _has_file(v) else v)
             for k, v in payload.items()}  # fmt: skip
    try:
        estimate = model.estimate(plain)
    except (SchemadriveError, ArithmeticError, TypeError, ValueError) as exc:
        # an invalid payload can hold what pricing cannot read; the problems say why
        estimate = Estimate.unknown(f"the payload cannot be priced yet ({type(exc).__name__})")
    return {**estimate.as_json(), "text": str(estimate), "known": estimate.known}


def _has_file(value: Any) -> bool:
    if isinstance(value, NamedFile):
        return True
    return isinstance(value, list) and any(isinstance(v, NamedFile) for v in value)
